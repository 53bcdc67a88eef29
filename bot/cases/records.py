"""What every case service shares: loading a case, deciding who the caller is to it, refusing
(audited, and committed before the refusal is raised), the timeline, and the card's snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.cases import severity
from bot.cases.access import Operation, Party, allowed, refusal
from bot.cases.model import (
    AccountRef,
    CaseCard,
    ChargesSeen,
    ChargeStatus,
    ChargeTotals,
    ChargeView,
    Outcome,
    PlatformAnswer,
    PlatformStep,
    Status,
    Support,
    Via,
)
from bot.cases.severity import TARGETS, Severity, Target
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import DomainError, NotAllowed, NotFound, StepUpNeeded
from bot.core.i18n import N_, _
from storage import cases as case_store
from storage.case_models import Case, CaseCharge, CaseEvent
from storage.database import Database

T = TypeVar("T")
TargetsSource = Callable[[], Mapping[Severity, Target]]  # the served workspace's, asked at use


def documented() -> Mapping[Severity, Target]:
    return TARGETS


STEP_UP_FIRST = N_(
    "This needs a fresh code from your authenticator app first. Press the button again and "
    "enter the code when I ask for it."
)


@dataclass(frozen=True)
class Routing:
    """Where cases are worked: managed clients' in ESCALATION_CHANNEL, the others' in
    SUPPORT_CHANNEL; either stands in for the other when only one is set. SUPPORT_HANDLERS work
    unmanaged clients' cases as account managers work managed ones; SUPPORT_CONTACT is what
    their reporters are given."""

    escalation: str | None
    support: str | None
    support_handlers: frozenset[str] = frozenset()
    support_contact: str | None = None

    def channel_for(self, managed: bool) -> str | None:
        return (self.escalation or self.support) if managed else (self.support or self.escalation)


@dataclass(frozen=True)
class Refused:
    """What an `apply` returns instead of changing anything: audited, then raised."""

    reason: str
    message: str
    step_up: bool = False

    def audited(
        self,
        session: Session,
        *,
        at: datetime,
        actor: str,
        action: str,
        target: str,
        **details: Any,
    ) -> DomainError:
        """Audit the refusal in the caller's transaction; the error to raise once it commits."""
        audit.record(
            session, at=at, actor=actor, action=action, target=target, **details, reason=self.reason
        )
        return StepUpNeeded(self.message) if self.step_up else NotAllowed(self.message)

    def audited_on_case(
        self, session: Session, at: datetime, actor: str, target: str, attempted: str
    ) -> DomainError:
        """`audited` as a refused case operation ("cases.refused"), naming what was attempted."""
        return self.audited(
            session, at=at, actor=actor, action="cases.refused", target=target, attempted=attempted
        )


def target(number: int) -> str:
    return f"case:{number}"


@dataclass
class Desk:
    """The database, the clock and the rules every case service works with (a test may give it
    other routing). Admins and routing are the served workspace's, asked at use."""

    database: Database
    clock: Clock
    admins: AbstractSet[str]
    routes: Callable[[], Routing]
    fresh: Callable[[str], bool]  # whether a member stepped up recently (authenticator service)
    targets: TargetsSource = documented  # per severity: the workspace's settings, else these

    @property
    def routing(self) -> Routing:
        return self.routes()

    @routing.setter
    def routing(self, fixed: Routing) -> None:
        self.routes = lambda: fixed

    def card(self, session: Session, case: Case, now: datetime) -> CaseCard:
        return card(session, case, now, self.routing, self.admins, self.targets())

    def party(self, session: Session, case: Case, actor: str) -> Party:
        found = case_store.account_and_manager(session, case.business_account_id)
        return Party(
            admin=actor in self.admins,
            manager=found is not None and found.manager_slack_id == actor,
            support=not case.managed and actor in self.routing.support_handlers,
            handler=case.handler == actor,
            reporter=case_store.is_reporter(session, case.id, actor),
        )

    def act(
        self,
        actor: str,
        number: int,
        operation: Operation,
        apply: Callable[[Session, Case, Party, datetime], T | Refused],
        *,
        step_up: bool = False,
    ) -> T:
        """Load the case (locked), check `actor` may do `operation` (and stepped up, when asked),
        then `apply` in the same transaction. A refusal is audited and committed, then raised."""
        now = self.clock.now()
        with self.database.sessions.begin() as session:
            case = load(session, number, lock=True)
            who = self.party(session, case, actor)
            result: T | Refused
            if not allowed(who, operation):
                result = Refused("not_allowed", refusal(operation, number))
            elif step_up and not self.fresh(actor):
                result = Refused("no_fresh_step_up", _(STEP_UP_FIRST), step_up=True)
            else:
                result = apply(session, case, who, now)
            if not isinstance(result, Refused):
                return result
            error = result.audited_on_case(session, now, actor, target(number), operation.value)
        raise error


def load(session: Session, number: int, *, lock: bool = False) -> Case:
    case = case_store.case(session, number, lock=lock)
    if case is None:
        raise NotFound(_("There is no case #{number}.").format(number=number))
    return case


def event(
    session: Session,
    case: Case,
    at: datetime,
    actor: str,
    kind: str,
    text: str = "",
    *,
    source_key: str | None = None,
    update: bool = True,
) -> None:
    """One timeline entry; `update` counts it as news, which holds off the reminders."""
    session.add(
        CaseEvent(case_id=case.id, at=at, actor=actor, kind=kind, text=text, source_key=source_key)
    )
    if update:
        case.last_update_at = at


def record(
    session: Session, at: datetime, actor: str, action: str, number: int, **details: Any
) -> None:
    audit.record(session, at=at, actor=actor, action=action, target=target(number), **details)


def card(
    session: Session,
    case: Case,
    now: datetime,
    routing: Routing,
    admins: AbstractSet[str],
    targets: Mapping[Severity, Target] = TARGETS,
) -> CaseCard:
    session.flush()
    found = case_store.account_and_manager(session, case.business_account_id)
    if found is None:
        raise NotFound(
            _("The business account of case #{number} is no longer in the directory.").format(
                number=case.id
            )
        )
    account, manager = found.account, found.manager_slack_id
    opened_by = case.opened_by if case.opened_via == Via.COMMAND.value else None
    level = severity.of(case.severity, Via(case.opened_via), ChargesSeen(case.unauthorized_charges))
    return CaseCard(
        number=case.id,
        account=AccountRef(
            account.id,
            account.name,
            account.platform,
            account.platform_account_id,
            case.managed,
            manager,
        ),
        status=Status(case.status),
        access_suspended=case.access_suspended,
        opened_at=case.opened_at,
        opened_via=Via(case.opened_via),
        what_happened=case.what_happened,
        charges_seen=ChargesSeen(case.unauthorized_charges),
        reporters=tuple(case_store.reporters(session, case.id)),
        handler=case.handler,
        outcome=Outcome(case.outcome) if case.outcome else None,
        resolution_summary=case.resolution_summary,
        resolved_at=case.resolved_at,
        channel=case.channel_id,
        card_ts=case.card_ts,
        totals=totals(case_store.charge_sums(session, case.id)),
        now=now,
        opened_by=opened_by,
        opener_role=_role(opened_by, manager, case.managed, routing, admins),
        platform_step=_platform_step(case_store.latest_event(session, case.id, PLATFORM_KINDS)),
        support=Support(routing.support_contact, routing.channel_for(False)),
        severity=level.value,
        target=targets.get(level, TARGETS[level]),
        severity_set_by=case.severity_set_by,
        taken_at=case.taken_at,
        platform_reference=case.platform_reference,
        platform_answer=case.platform_answer,
    )


# Timeline kinds of suspend and restore requests, with what came of each. "suspended" and
# "restored" were written before the bot kept the platform's answer.
PLATFORM_KINDS = {
    "suspend_recorded": ("suspend", PlatformAnswer.RECORDED),
    "suspend_confirmed": ("suspend", PlatformAnswer.CONFIRMED),
    "suspended": ("suspend", None),
    "restore_recorded": ("restore", PlatformAnswer.RECORDED),
    "restore_confirmed": ("restore", PlatformAnswer.CONFIRMED),
    "restored": ("restore", None),
}


def platform_kind(action: str, answer: PlatformAnswer) -> str:
    return f"{action}_{answer.value}"


def _platform_step(found: CaseEvent | None) -> PlatformStep | None:
    if found is None:
        return None
    action, answer = PLATFORM_KINDS[found.kind]
    return PlatformStep(action, answer, found.actor)


def _role(
    opener: str | None,
    manager: str | None,
    managed: bool,
    routing: Routing,
    admins: AbstractSet[str],
) -> str | None:
    """What the opener of a case by command was to it (only these may open one)."""
    if opener is None:
        return None
    if opener == manager:
        return "account manager"
    if opener in admins:
        return "security admin"
    return "support" if not managed and opener in routing.support_handlers else None


def totals(sums: list[tuple[str, str, int]]) -> tuple[ChargeTotals, ...]:
    by_currency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for currency, status, amount in sums:
        by_currency[currency][status] += amount
    found = []
    for currency, amounts in sorted(by_currency.items()):
        approved = amounts[ChargeStatus.APPROVED] + amounts[ChargeStatus.PROCESSED]
        claimed = approved + amounts[ChargeStatus.CLAIMED]
        found.append(ChargeTotals(currency, claimed, approved, amounts[ChargeStatus.PROCESSED]))
    return tuple(found)


def charge_view(charge: CaseCharge) -> ChargeView:
    return ChargeView(
        id=charge.id,
        case_number=charge.case_id,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        description=charge.description,
        status=ChargeStatus(charge.status),
        recorded_by=charge.recorded_by,
        approved_by=charge.approved_by,
        decided_by=charge.decided_by,
        rejection_reason=charge.rejection_reason,
        thread_ts=charge.thread_ts,
    )
