"""Campaigns with deadlines: security admins ask for one check on the business accounts in scope
by a day; reminders grow denser as it nears, and what is still open is listed after it."""
