"""A campaign's deadline on the checklist: the line of its check says "Due by 31 Jan 2027 (in 12
days)" while the check is still open on one of the member's business accounts in its scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.campaigns.model import CampaignRef, InForce, due_by_check, known
from bot.checklist.model import Checklist, Due
from bot.nudges.hours import zone


class StoredCampaign(Protocol):
    """A running campaign as the status read brings it (storage/members.StatusCampaign)."""

    @property
    def id(self) -> int: ...
    @property
    def check(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def scope_value(self) -> str | None: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def time_zone(self) -> str: ...


def last_day(due_at: datetime, time_zone: str) -> date:
    """The campaign's last day: the day before the one `due_at` starts, where it ends."""
    return due_at.astimezone(zone(time_zone)).date() - timedelta(days=1)


def refs_of(stored: Iterable[StoredCampaign]) -> list[CampaignRef]:
    """Stored campaigns of known checks and scopes (a newer version's rows are left out)."""
    found = []
    for row in stored:
        if (kind := known(row.check, row.scope)) is not None:
            check, scope = kind
            deadline = last_day(row.due_at, row.time_zone)
            found.append(CampaignRef(row.id, check, row.title, scope, row.scope_value,
                                     deadline, row.due_at))  # fmt: skip
    return found


def with_deadlines(
    checklist: Checklist, campaigns: Sequence[CampaignRef], today: date | None
) -> Checklist:
    """The checklist with each open check that a campaign covers saying by when (its nearest
    deadline); `today` is the member's own day, for the countdown."""
    due = due_by_check(InForce(campaigns).mark(checklist.accounts, checklist))
    if not due:
        return checklist
    lines = tuple(
        replace(line, due=Due(found.deadline, today))
        if (found := due.get(line.check)) is not None
        else line
        for line in checklist.lines
    )
    return replace(checklist, lines=lines)
