"""Campaign progress, counted by the reminder sweep while it decides: the sweep already builds
every member's checklist and marks where they stand in each running campaign, so counting
costs a few additions per member and no statement. A full sweep then writes each campaign's
day (one statement), and, the first time it runs after a deadline, the lists of what is still
open (bot/campaigns/overdue.py)."""

from __future__ import annotations

import heapq
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.campaigns.model import CampaignRef, InForce, Progress, known
from bot.campaigns.overdue import OpenPair, write_overdue
from bot.checklist.model import BusinessAccountRef
from bot.nudges.policy import Situation
from storage import campaigns as store
from storage.database import Database

TOP_ACCOUNTS = 20  # the accounts with most still open a day keeps, for the views


def running_campaigns(session: Session) -> InForce:
    """The workspace's running campaigns of checks and scopes this version knows: one read."""
    found = []
    for row in store.running(session):
        if (kind := known(row.check, row.scope)) is not None:
            check, scope = kind
            found.append(CampaignRef(row.id, check, row.title, scope, row.scope_value,
                                     row.deadline, row.due_at, row.overdue_at))  # fmt: skip
    return InForce(found)


class _Counts:
    """One campaign's pairs so far, by business account id: ints and strings in a few dicts, not
    an object per account, so the garbage collector has nothing to walk over while the sweep
    goes on."""

    def __init__(self) -> None:
        self.pairs: dict[int, int] = {}
        self.done: dict[int, int] = {}
        self.exempt: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.managers: dict[int, str] = {}  # "" for an account without an account manager

    def add(self, account: BusinessAccountRef, state: str) -> None:
        key = account.id
        found = self.pairs.get(key)
        if found is None:
            found = 0
            self.names[key] = account.name
            self.managers[key] = account.account_manager_slack_id or ""
            self.done[key] = self.exempt[key] = 0
        self.pairs[key] = found + 1
        if state == Progress.DONE:
            self.done[key] += 1
        elif state == Progress.EXEMPT:
            self.exempt[key] += 1


class CampaignTally:
    """Every running campaign's pairs in one full sweep; members left alone (service accounts,
    people on leave) are not counted, as in adoption."""

    def __init__(self, campaigns: InForce, now: datetime) -> None:
        self.now = now
        self.campaigns = campaigns.campaigns
        self._counts = {campaign.id: _Counts() for campaign in self.campaigns}
        # Past the deadline and not yet listed: what is open is kept, to be listed once.
        self._open: dict[int, list[OpenPair]] = {
            campaign.id: []
            for campaign in self.campaigns
            if campaign.due_at <= now and campaign.overdue_at is None
        }

    def add(self, situation: Situation) -> None:
        if situation.excluded is not None or not situation.campaigns:
            return
        for mark in situation.campaigns:
            counts = self._counts[mark.campaign.id]
            listing = self._open.get(mark.campaign.id)
            accounts, states = mark.accounts, mark.states
            for index in range(len(states)):  # no iterator object per member to collect
                counts.add(accounts[index], states[index])
                if listing is not None and states[index] == Progress.OPEN:
                    listing.append(
                        OpenPair(accounts[index], situation.slack_user_id, situation.name)
                    )

    def days(self) -> list[dict[str, Any]]:
        """Each campaign's figures for its row of the day."""
        return [self._day(campaign.id) for campaign in self.campaigns]

    def _day(self, campaign_id: int) -> dict[str, Any]:
        counts = self._counts[campaign_id]
        managers: dict[str, list[int]] = {}
        pairs = done = exempt = accounts_done = 0
        for key, in_scope in counts.pairs.items():
            passing, excused = counts.done[key], counts.exempt[key]
            pairs, done, exempt = pairs + in_scope, done + passing, exempt + excused
            accounts_done += passing + excused == in_scope
            figures = managers.setdefault(counts.managers[key], [0, 0, 0])
            figures[0] += in_scope
            figures[1] += passing
            figures[2] += excused
        worst = heapq.nsmallest(
            TOP_ACCOUNTS,
            (key for key, in_scope in counts.pairs.items()
             if counts.done[key] + counts.exempt[key] < in_scope),
            key=lambda key: (
                counts.done[key] + counts.exempt[key] - counts.pairs[key], counts.names[key], key
            ),
        )  # fmt: skip
        return {
            "campaign_id": campaign_id,
            "pairs": pairs,
            "done": done,
            "exempt": exempt,
            "accounts": len(counts.pairs),
            "accounts_done": accounts_done,
            "breakdown": {
                "managers": sorted(
                    ([manager, *figures] for manager, figures in managers.items()),
                    key=lambda row: (row[2] + row[3] - row[1], row[0]),
                ),
                "accounts": [
                    [
                        key,
                        counts.names[key],
                        counts.managers[key],
                        counts.pairs[key],
                        counts.done[key],
                        counts.exempt[key],
                    ]
                    for key in worst
                ],
            },
        }

    def save(self, database: Database, admins: AbstractSet[str]) -> None:
        """The day's rows (UTC day, the latest full sweep wins), then the lists of campaigns
        whose deadline passed, each once, whichever process gets there first."""
        with database.sessions.begin() as session:
            store.save_days(session, self.now.astimezone(UTC).date(), self.now, self.days())
        for campaign in self.campaigns:
            listing = self._open.get(campaign.id)
            if listing is not None:
                write_overdue(database, campaign, listing, frozenset(admins), self.now)
