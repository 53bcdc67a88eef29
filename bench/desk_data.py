"""The account manager's desk at size: one manager with 500 business accounts of 5 members each
(2,500 people, a fifth of them also on an account of another manager), with the evidence,
alerts, cases and exemptions a real workspace has. Bulk inserted, so it builds in seconds;
bench/desk.py times the Home tab on it, and the handler tests count its statements on it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from storage.case_models import Case
from storage.exemption_models import Exemption
from storage.models import Alert, BusinessAccount, CheckResult, Member, Membership

MANAGER = "UDESKMGR0"
OTHER_MANAGER = "UDESKMGR1"
ACCOUNTS, PER_ACCOUNT = 500, 5


def slack_id(n: int) -> str:
    return f"UD{n:07d}"


def build(engine: Engine, workspace: str, now: datetime, *, accounts: int = ACCOUNTS) -> None:
    """`accounts` managed by MANAGER with PER_ACCOUNT members each, in one transaction."""
    pick = random.Random(18)  # the same data set on every run
    people = accounts * PER_ACCOUNT
    ws = {"workspace_id": workspace}
    members = [
        {**ws, "id": n, "slack_user_id": slack_id(n), "team_id": workspace,
         "email": f"d{n}@desk.example", "display_name": f"Member {n}",
         "time_zone": "Europe/Berlin", "created_at": now - timedelta(days=60),
         "profile_refreshed_at": now}
        for n in range(1, people + 1)
    ]  # fmt: skip
    for n, manager in ((people + 1, MANAGER), (people + 2, OTHER_MANAGER)):
        members.append(
            {**ws, "id": n, "slack_user_id": manager, "team_id": workspace,
             "email": f"{manager.lower()}@desk.example", "display_name": f"Manager {manager}",
             "time_zone": "Europe/Berlin", "created_at": now, "profile_refreshed_at": now}
        )  # fmt: skip
    others = accounts // 5  # accounts of the other manager, where some members also work
    rows_accounts = [
        {**ws, "id": n, "platform_account_id": str(9_000_000 + n), "platform": "tiktok_business",
         "name": f"Desk account {n:04d}", "managed": True,
         "account_manager_id": people + 1 if n <= accounts else people + 2, "created_at": now}
        for n in range(1, accounts + others + 1)
    ]  # fmt: skip
    memberships = [
        {**ws, "member_id": (n - 1) * PER_ACCOUNT + k + 1, "business_account_id": n}
        for n in range(1, accounts + 1)
        for k in range(PER_ACCOUNT)
    ]
    memberships += [  # every fifth member also works on an account of the other manager
        {**ws, "member_id": m, "business_account_id": accounts + 1 + (m // 5) % others}
        for m in range(5, people + 1, 5)
    ]
    evidence: list[dict[str, Any]] = []
    # each of the manager's members works on one of the manager's accounts
    account_of = {m: (m - 1) // PER_ACCOUNT + 1 for m in range(1, people + 1)}

    def fact(member: int, check: str, account: int | None, state: str, source: str) -> None:
        at = now - timedelta(hours=pick.randint(1, 2_000))
        evidence.append(
            {**ws, "member_id": member, "check": check, "business_account_id": account,
             "state": state, "source": source, "observed_at": at, "detail": {}}
        )  # fmt: skip

    compromised = set(pick.sample(range(1, accounts + 1), max(1, accounts // 50)))
    for member in range(1, people + 1):
        account = account_of[member]
        roll = pick.random()
        if roll < 0.6:
            fact(member, "two_step", account, "passing", "platform")
        elif roll < 0.8:
            fact(member, "two_step", account, "needs_action", "platform")
            if pick.random() < 0.3:
                fact(member, "two_step", account, "passing", "self")
        roll = pick.random()
        if roll < 0.5:
            fact(member, "strong_password", account, "passing", "bot")
        elif roll < 0.7:
            fact(member, "strong_password", account, "needs_action", "bot")
        if pick.random() < 0.7:
            fact(member, "unique_passwords", None, "passing", "bot")
        if pick.random() < 0.6:
            fact(member, "recovery_email", None, "passing", "bot")
        if pick.random() < 0.5:
            fact(member, "recovery_phone", None, "passing", "self")
        if pick.random() < 0.3:
            fact(member, "recovery_phone", account, "passing", "platform")
        fact(member, "authenticator", None, "passing", "bot")
        if account in compromised:
            fact(member, "no_compromised_password", account, "needs_action", "platform")
            fact(member, "no_compromised_password", None, "needs_action", "platform")
        else:
            fact(member, "no_compromised_password", None, "passing", "platform")
    alerts = [
        {**ws, "platform_alert_id": f"desk-alert-{n}", "kind": "compromised_password",
         "business_account_id": n, "member_email": f"d{(n - 1) * PER_ACCOUNT + 1}@desk.example",
         "detail": "in a dump", "detected_at": now - timedelta(hours=3), "received_at": now,
         "received_via": "api", "status": "open"}
        for n in sorted(compromised)
    ]  # fmt: skip
    with_case = pick.sample(range(1, accounts + 1), max(1, accounts // 30))
    cases = [
        {**ws, "business_account_id": n, "open_account_id": n, "status": "investigating",
         "managed": True, "what_happened": "Ads we never bought", "unauthorized_charges": "unsure",
         "opened_by": slack_id((n - 1) * PER_ACCOUNT + 1), "opened_via": "report",
         "opened_at": now - timedelta(hours=5), "access_suspended": False,
         "last_update_at": now - timedelta(hours=5), "reopen_count": 0}
        for n in with_case
    ]  # fmt: skip
    exemptions = [
        {**ws, "member_id": member, "business_account_id": account_of[member],
         "check": "strong_password", "reason": "shared with the agency",
         "ends_at": now + timedelta(days=30), "status": "approved",
         "requested_at": now - timedelta(days=2), "decided_by": MANAGER,
         "decided_at": now - timedelta(days=1)}
        for member in range(3, people + 1, 97)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Member), members)
        connection.execute(insert(BusinessAccount), rows_accounts)
        connection.execute(insert(Membership), memberships)
        connection.execute(insert(CheckResult), evidence)
        connection.execute(insert(Alert), alerts)
        connection.execute(insert(Case), cases)
        connection.execute(insert(Exemption), exemptions)
        if engine.dialect.name == "postgresql":
            for table in ("members", "business_accounts"):
                serial = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - constant names
                connection.execute(text(serial))
            connection.execute(text("ANALYZE"))
