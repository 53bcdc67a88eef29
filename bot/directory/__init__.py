"""The account directory: business accounts, their members and account managers,
imported from a CSV file and matched to Slack users."""
