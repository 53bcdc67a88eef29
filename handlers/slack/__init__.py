"""Bolt listeners: slash commands, buttons, modals and events; each parses,
authorises, calls one bot/ service and renders the answer."""
