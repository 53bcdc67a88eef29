"""2-step verification, both kinds: the platform's own 2SV on each business account
(self-reports), and the authenticator app linked to the bot (TOTP), with their views."""
