"""What the platform reports: alerts (compromised passwords, suspicious logins,
takeovers) and posture reports, their signed documents, file imports and views."""
