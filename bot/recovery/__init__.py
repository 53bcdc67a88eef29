"""Recovery readiness: a recovery email confirmed with a mailed code, a recovery phone
on record, the mail they need, and their views."""
