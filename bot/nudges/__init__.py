"""Nudges: reminders that get every checklist gap closed, politely, exactly once."""
