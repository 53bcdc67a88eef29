"""The member's security checklist: its vocabulary, the rules that turn evidence into
checks, the member profile it is read for, and its Block Kit views."""
