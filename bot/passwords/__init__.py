"""Password checks on the one-time page: the platform's rules and zxcvbn's score,
breaches and reuse, and the service that records only the outcome."""
