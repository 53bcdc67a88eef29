"""After a campaign's deadline: what is still open, listed once. Each account manager gets the
accounts of theirs with something open and who on each (by name), the security admins the
whole list. Written to the reminders' outbox (one message per recipient, keyed by the
campaign), so the sender delivers it exactly once, in each reader's language, at Slack's pace.

Once per campaign, even with two processes: the transaction that writes the messages first
marks the campaign (a conditional UPDATE only one transaction can make), and is audited
`campaign.overdue`. A campaign stopped before its deadline is never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from bot.campaigns.model import CampaignRef
from bot.checklist.model import BusinessAccountRef
from bot.core import audit
from storage import campaigns as store
from storage import nudges as outbox_store
from storage.database import Database

# The outbox kinds of an account manager's list and of the admins' whole list (one person may
# get both); the round number is the campaign's id, so each exists once per campaign.
OVERDUE, OVERDUE_ALL = "overdue", "overdue-all"
OVERDUE_KINDS = frozenset({OVERDUE, OVERDUE_ALL})
ACCOUNTS_LISTED = 500  # per message, a line each: about what 45 sections of a message hold
MEMBERS_LISTED = 10  # per account


class OpenPair(NamedTuple):
    """A member on a business account in scope, with the check still open at the deadline."""

    account: BusinessAccountRef
    member: str  # Slack user id
    name: str


def campaign_payload(campaign: CampaignRef) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "title": campaign.title,
        "check": campaign.check.value,
        "scope": campaign.scope.value,
        "scope_value": campaign.scope_value,
        "deadline": campaign.deadline.isoformat(),
    }


def _accounts(pairs: Sequence[OpenPair]) -> list[dict[str, Any]]:
    """Accounts with most still open first, each with its members by name."""
    by_account: dict[int, tuple[BusinessAccountRef, list[OpenPair]]] = {}
    for pair in pairs:
        by_account.setdefault(pair.account.id, (pair.account, []))[1].append(pair)
    ordered = sorted(by_account.values(), key=lambda found: (-len(found[1]), found[0].name))
    return [
        {
            "name": account.name,
            "platform_account_id": account.platform_account_id,
            "manager": account.account_manager_slack_id,
            "members": [[pair.member, pair.name] for pair in open_pairs[:MEMBERS_LISTED]],
            "more_members": max(0, len(open_pairs) - MEMBERS_LISTED),
        }
        for account, open_pairs in ordered
    ]


def payloads(
    campaign: CampaignRef, pairs: Sequence[OpenPair], admins: frozenset[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each recipient's message, by (recipient, role): "manager" for an account manager with
    something open on their accounts, "admins" for each security admin."""
    about = campaign_payload(campaign)
    everything = _accounts(pairs)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    managers = sorted({pair.account.account_manager_slack_id or "" for pair in pairs} - {""})
    for manager in managers:
        theirs = [pair for pair in pairs if pair.account.account_manager_slack_id == manager]
        accounts = _accounts(theirs)
        found[(manager, "manager")] = {
            "role": "manager",
            "campaign": about,
            "accounts": accounts[:ACCOUNTS_LISTED],
            "accounts_total": len(accounts),
            "open_total": len(theirs),
        }
    per_manager: dict[str, list[int]] = {}
    for entry in everything:
        figures = per_manager.setdefault(entry["manager"] or "", [0, 0])
        figures[0] += 1
        figures[1] += len(entry["members"]) + entry["more_members"]
    for admin in sorted(admins):
        found[(admin, "admins")] = {
            "role": "admins",
            "campaign": about,
            "accounts": everything[:ACCOUNTS_LISTED],
            "accounts_total": len(everything),
            "open_total": len(pairs),
            "managers": [[manager, *figures] for manager, figures in sorted(per_manager.items())],
        }
    return found


def write_overdue(
    database: Database,
    campaign: CampaignRef,
    pairs: Sequence[OpenPair],
    admins: frozenset[str],
    now: datetime,
) -> bool:
    """The lists of `campaign`, written once; False when another transaction already did."""
    with database.sessions.begin() as session:
        if not store.claim_overdue(session, campaign.id, now):
            return False
        messages = payloads(campaign, pairs, admins)
        outbox_store.insert_messages(
            session,
            [
                {
                    "recipient": recipient,
                    "kind": OVERDUE if role == "manager" else OVERDUE_ALL,
                    "round_number": campaign.id,
                    "member_id": None,
                    "payload": payload,
                    "urgent": False,
                }
                for (recipient, role), payload in sorted(messages.items())
            ],
            now,
        )
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="campaign.overdue",
            target=f"campaign:{campaign.id}",
            open=len(pairs),
            accounts=len({pair.account.id for pair in pairs}),
            managers=sorted(recipient for recipient, role in messages if role == "manager"),
            admins=sorted(recipient for recipient, role in messages if role == "admins"),
        )
    return True
