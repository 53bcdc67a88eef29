"""The account manager's desk: business accounts' posture across their members, reminders on
demand, cases opened from there, and a business account's own page with its history."""
