"""What a case is, as the rest of the bot sees it: enums and frozen snapshots, never ORM rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.core.errors import DomainError
from bot.core.i18n import N_

if TYPE_CHECKING:  # severity.py reads this module's enums
    from bot.cases.severity import Target

PLATFORM = "platform"  # the reporter of a case an alert opened
REOPEN_WITHIN = timedelta(days=30)


class Status(StrEnum):
    REPORTED = "reported"
    SUSPENDED = "suspended"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"


OPEN = frozenset({Status.REPORTED, Status.SUSPENDED, Status.INVESTIGATING})


class Outcome(StrEnum):
    CONTROL_RESTORED = "control_restored"
    FALSE_ALARM = "false_alarm"
    NOT_RECOVERABLE = "not_recoverable"


OUTCOME_WORDS = {
    Outcome.CONTROL_RESTORED: N_("Control restored"),
    Outcome.FALSE_ALARM: N_("False alarm"),
    Outcome.NOT_RECOVERABLE: N_("Not recoverable"),
}


class Via(StrEnum):
    """How a case (or a report joining it) came in."""

    REPORT = "report"
    COMMAND = "command"
    ACCOUNT_TAKEOVER = "account_takeover"
    SUSPICIOUS_LOGIN = "suspicious_login"


class ChargesSeen(StrEnum):
    """The reporter's answer to "are there unauthorized charges?"."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class ChargeStatus(StrEnum):
    CLAIMED = "claimed"
    APPROVED = "approved"
    PROCESSED = "processed"
    REJECTED = "rejected"


class PlatformAnswer(StrEnum):
    """What came of a suspend or restore request: only what actually happened."""

    RECORDED = "recorded"  # no PLATFORM_WEBHOOK_URL: the request is on record, nobody was asked
    CONFIRMED = "confirmed"  # the platform answered 2xx: it accepted the request


@dataclass(frozen=True)
class PlatformStep:
    """The case's latest suspend or restore request, and what came of it (None: requested
    before the bot kept the answer)."""

    action: str  # suspend or restore
    answer: PlatformAnswer | None
    by: str


@dataclass(frozen=True)
class Support:
    """Who works unmanaged clients' cases: SUPPORT_HANDLERS, in SUPPORT_CHANNEL; and what
    reporters are given to reach them (SUPPORT_CONTACT, a text or a URL)."""

    contact: str | None = None
    channel: str | None = None


class PlatformUnavailable(DomainError):
    """The platform did not confirm a suspend or restore request; nothing changed."""


@dataclass(frozen=True)
class AccountRef:
    id: int
    name: str
    platform: str
    platform_account_id: str
    managed: bool
    manager: str | None  # the account manager's Slack id


@dataclass(frozen=True)
class ChargeTotals:
    """One currency's totals, in minor units."""

    currency: str
    claimed: int  # everything not rejected
    approved: int  # approved or already processed
    reimbursed: int  # processed


@dataclass(frozen=True)
class CaseCard:
    """Everything the card shows, as of `now`."""

    number: int
    account: AccountRef
    status: Status
    access_suspended: bool
    opened_at: datetime
    opened_via: Via
    what_happened: str
    charges_seen: ChargesSeen
    reporters: tuple[str, ...]
    handler: str | None
    outcome: Outcome | None
    resolution_summary: str | None
    resolved_at: datetime | None
    channel: str | None
    card_ts: str | None
    totals: tuple[ChargeTotals, ...]
    now: datetime
    opened_by: str | None = None  # who opened it, when not one of the reporters (a command)
    opener_role: str | None = None  # "security admin", "account manager" or "support"
    platform_step: PlatformStep | None = None
    support: Support = Support()
    severity: str = "medium"  # a bot.cases.severity.Severity value
    # Its severity's targets in the case's workspace (None: the documented defaults).
    target: Target | None = None
    severity_set_by: str | None = None  # who changed it by hand
    taken_at: datetime | None = None  # when someone first took it
    platform_reference: str | None = None  # the platform's ticket or appeal reference
    platform_answer: str | None = None  # what the platform answered

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def may_reopen(self) -> bool:
        return self.resolved_at is not None and self.now - self.resolved_at <= REOPEN_WITHIN


@dataclass(frozen=True)
class ChargeView:
    id: int
    case_number: int
    amount_minor: int
    currency: str
    description: str
    status: ChargeStatus
    recorded_by: str
    approved_by: str | None
    decided_by: str | None
    rejection_reason: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    kind: str
    text: str


@dataclass(frozen=True)
class Notice:
    """A DM to send: `render` builds its chat.postMessage payload (text and blocks), called in
    the recipient's language where it is sent."""

    recipient: str
    render: Callable[[], dict[str, Any]]

    @property
    def message(self) -> dict[str, Any]:
        """The payload, in the language of the current reader (`bot.core.i18n.reading`)."""
        return self.render()


@dataclass(frozen=True)
class CaseChange:
    """What changed: the card to show (posted when `opened`, else edited in place), one short
    thread line, the claim whose thread message to post or update, and the DMs to send."""

    case: CaseCard
    line: str | None = None
    notices: tuple[Notice, ...] = ()
    opened: bool = False
    charge: ChargeView | None = None


@dataclass(frozen=True)
class CaseSummary:
    number: int
    account_name: str
    managed: bool
    status: Status
    handler: str | None
    opened_at: datetime


@dataclass(frozen=True)
class CaseList:
    cases: tuple[CaseSummary, ...]
    total: int
    everything: bool  # a security admin sees every open case


@dataclass(frozen=True)
class CaseDetail:
    card: CaseCard
    timeline: tuple[TimelineEntry, ...]
    charges: tuple[ChargeView, ...]
