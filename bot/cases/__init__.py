"""Compromise cases: reported, suspended, investigated, reimbursed and resolved in channel threads.

model.py (what a case is), access.py (who may do what), service.py (opening and the lifecycle),
charges.py (reimbursements, four eyes), notes.py (the thread as timeline), logins.py ("Was this
you?"), reminders.py (keeping cases moving), platform.py (suspend and restore requests), and the
pure Block Kit builders in views.py, messages.py and modals.py.
"""
