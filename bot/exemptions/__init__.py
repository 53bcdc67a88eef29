"""Exemptions instead of nagging: a member asks to be excused from one check on one business
account, with a reason and an end date; the account's manager or a security admin decides."""
