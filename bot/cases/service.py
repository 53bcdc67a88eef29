"""Compromise cases: opening them (four ways), moving them through their states, and finding them.

Every method checks on the server who may do it (bot/cases/access.py), audits every change and
every refusal, and returns a CaseChange for handlers/ to show: the card edited in place, one
line in its thread, and the DMs to send.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cases import messages, opening, records, suspension, wording
from bot.cases.access import Operation, Party
from bot.cases.charges import Reimbursements
from bot.cases.incident import Incidents
from bot.cases.logins import SuspiciousLogins
from bot.cases.model import (
    OPEN,
    PLATFORM,
    CaseChange,
    CaseDetail,
    CaseList,
    CaseSummary,
    ChargesSeen,
    Notice,
    Outcome,
    Status,
    TimelineEntry,
    Via,
)
from bot.cases.notes import ThreadNotes
from bot.cases.platform import PlatformAction, PlatformHook, PlatformRequest
from bot.cases.records import Desk, Refused, Routing, TargetsSource, documented
from bot.cases.reminders import CaseReminders
from bot.cases.thread_lines import together
from bot.cases.wording import person
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import N_, _
from storage import account_pages
from storage import alerts as alert_store
from storage import cases as case_store
from storage import members as member_store
from storage.case_models import Case
from storage.database import Database
from storage.models import BusinessAccount

LIST_LIMIT = 20
TIMELINE_LIMIT = 30
SUMMARY_LIMIT = 3000
RESTORING = frozenset({Outcome.CONTROL_RESTORED, Outcome.FALSE_ALARM})


class CaseService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        admins: AbstractSet[str],
        routing: Routing | Callable[[], Routing],
        fresh: Callable[[str], bool],
        platform: PlatformHook,
        targets: TargetsSource = documented,
    ) -> None:
        """`routing` is fixed, or asked at use (the served workspace's), as are `targets`."""
        routes = routing if callable(routing) else (lambda: routing)
        self.desk = Desk(database, clock, admins, routes, fresh, targets)
        self.platform = platform
        self.charges = Reimbursements(self.desk)
        self.notes = ThreadNotes(self.desk)
        self.logins = SuspiciousLogins(self.desk)
        self.reminders = CaseReminders(self.desk)
        self.incidents = Incidents(self.desk)

    # -- opening -------------------------------------------------------------------------------

    def accounts_to_report(self, reporter: str) -> list[tuple[int, str]]:
        """(id, name) of the business accounts the member works on: what they may report."""
        with self.desk.database.sessions() as session:
            member = member_store.member_by_slack_id(session, reporter)
            if member is None:
                return []
            rows = member_store.accounts_of_member(session, member.id)
            return [(row.account.id, row.account.name) for row in rows]

    def report(
        self, reporter: str, business_account_id: int, what_happened: str, seen_charges: ChargesSeen
    ) -> CaseChange:
        """From the report form: about an account the reporter works on or manages (admins: any)."""
        if not what_happened.strip():
            raise InvalidInput(_("Say what happened, even briefly."))

        def build(session: Session, now: datetime) -> CaseChange | Refused:
            seen = account_pages.standing(session, reporter, business_account_id)
            account = member_store.business_account(session, business_account_id)
            if account is not None and seen is not None and seen.member:
                return opening.open_or_join(
                    session, self.desk, now, account, reporter=reporter, via=Via.REPORT,
                    what_happened=what_happened, charges_seen=seen_charges,
                )  # fmt: skip
            manages = seen is not None and seen.manager_slack_id == reporter
            if account is not None and (manages or reporter in self.desk.admins):
                # From the account manager's desk: opened as by `/security case open`.
                return opening.open_by_command(
                    session, self.desk, now, account, reporter, what_happened, seen_charges
                )
            return Refused("not_a_member", _("You can report only business accounts you work on."))

        target = f"business_account:{business_account_id}"
        return _opened(opening.with_retry(self.desk, reporter, "report", target, build))

    def open_by_command(self, actor: str, platform_account_id: str, summary: str) -> CaseChange:
        """`/security case open <account id> <summary>`: a security admin or the manager."""
        if not summary.strip():
            raise InvalidInput(
                _("Add a short summary: `/security case open <account id> <summary>`.")
            )

        def build(session: Session, now: datetime) -> CaseChange | Refused:
            found = alert_store.accounts_by_platform_ids(session, [platform_account_id])
            accounts = found.get(platform_account_id, [])
            if len(accounts) != 1:
                raise NotFound(_(wording.NO_ACCOUNT if not accounts else wording.AMBIGUOUS))
            account = accounts[0]
            manager = case_store.account_and_manager(session, account.id)
            support = not account.managed and actor in self.desk.routing.support_handlers
            is_manager = manager is not None and manager.manager_slack_id == actor
            if actor not in self.desk.admins and not is_manager and not support:
                return Refused("not_allowed", _(wording.OPEN_REFUSED))
            return opening.open_by_command(session, self.desk, now, account, actor, summary)

        target = f"platform_account:{platform_account_id}"
        return _opened(opening.with_retry(self.desk, actor, "open", target, build))

    def open_from_alert(self, platform_alert_id: str) -> CaseChange | None:
        """An account_takeover alert opens a case (or joins the open one), once per alert."""

        def build(session: Session, now: datetime) -> CaseChange | None:
            alert = alert_store.alert_by_platform_id(session, platform_alert_id)
            if alert is None or alert.kind != Via.ACCOUNT_TAKEOVER.value:
                return None
            if case_store.report_of_alert(session, platform_alert_id) is not None:
                return None  # already handled (the job and the API's follow-up may both try)
            account = member_store.business_account(session, alert.business_account_id)
            if account is None:
                return None
            said = f"The platform detected an account takeover: {alert.detail}".strip()
            return opening.open_or_join(
                session, self.desk, now, account, reporter=PLATFORM, via=Via.ACCOUNT_TAKEOVER,
                what_happened=said, charges_seen=ChargesSeen.UNSURE,
                platform_alert_id=platform_alert_id,
            )  # fmt: skip

        try:
            return opening.with_retry(self.desk, PLATFORM, "open", platform_alert_id, build)
        except IntegrityError:
            return None  # a parallel follow-up of the same alert stored it

    def attach_card(self, number: int, channel: str, ts: str) -> None:
        """Remember where the card went: it is edited there, and its thread is the case's."""
        with self.desk.database.sessions.begin() as session:
            case = records.load(session, number, lock=True)
            case.channel_id, case.card_ts = channel, ts

    # -- the lifecycle ---------------------------------------------------------------------------

    def check(self, actor: str, number: int, operation: Operation) -> None:
        """Refuse (audited) before showing a form for `operation` that `actor` could not submit."""

        def nothing(session: Session, case: Case, who: Party, now: datetime) -> None:
            if operation not in (Operation.REOPEN, Operation.TICKET):
                _require_open(case)  # a ticket's answer may come after the case is resolved

        self.desk.act(actor, number, operation, nothing)

    def take(self, actor: str, number: int) -> CaseChange:
        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            _require_open(case)
            if case.handler == actor:
                raise InvalidInput(_("You already handle case #{number}.").format(number=number))
            before, case.handler = case.handler, actor
            case.taken_at = case.taken_at or now  # the first take: the clock of time to take
            records.event(session, case, now, actor, "taken")
            records.record(session, now, actor, "cases.taken", number, previous_handler=before)
            if before is None:
                what = _("{actor} took the case").format(actor=person(actor))
            else:
                what = _("{actor} took the case over from {before}").format(
                    actor=person(actor), before=person(before)
                )
            return CaseChange(self.desk.card(session, case, now), messages.line(what))

        return self.desk.act(actor, number, Operation.TAKE, apply)

    def suspend(self, actor: str, number: int) -> CaseChange:
        """Asks the platform to suspend access first; the case changes only once it confirmed."""

        def prepare(session: Session, case: Case, who: Party, now: datetime) -> PlatformRequest:
            _require_open(case)
            if case.access_suspended:
                raise InvalidInput(
                    _("Access to the account of case #{number} is already suspended.").format(
                        number=number
                    )
                )
            return suspension.request_for(session, case, actor, now, PlatformAction.SUSPEND)

        request = self.desk.act(actor, number, Operation.SUSPEND, prepare)
        answer = suspension.send(self.desk, self.platform, actor, request)

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            if case.access_suspended or case.status not in OPEN:
                raise InvalidInput(
                    _("Case #{number} changed meanwhile; nothing more to do.").format(number=number)
                )
            took = _take_if_untaken(case, actor, now)
            # access_suspended: asked of the platform and not restored; the card says whether
            # the platform confirmed or the request is only on record.
            case.status, case.access_suspended = Status.SUSPENDED.value, True
            records.event(session, case, now, actor, records.platform_kind("suspend", answer))
            records.record(
                session, now, actor, "cases.suspended", number, request=request.id,
                answer=answer.value,
            )  # fmt: skip
            card = self.desk.card(session, case, now)
            owners = case_store.owners(session, case.business_account_id)
            notices = tuple(Notice(owner, partial(messages.suspended_dm, card)) for owner in owners)
            return CaseChange(card, messages.platform_line(card, actor, took=took), notices)

        return self.desk.act(actor, number, Operation.SUSPEND, apply)

    def investigate(self, actor: str, number: int) -> CaseChange:
        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            _require_open(case)
            if case.status == Status.INVESTIGATING.value:
                raise InvalidInput(
                    _("Case #{number} is already being investigated.").format(number=number)
                )
            took = _take_if_untaken(case, actor, now)
            case.status = Status.INVESTIGATING.value
            records.event(session, case, now, actor, "investigating")
            records.record(session, now, actor, "cases.investigating", number)
            what = (
                N_("{actor} took the case and started the investigation")
                if took
                else N_("{actor} started the investigation")
            )
            line = messages.actor_line(actor, what)
            return CaseChange(self.desk.card(session, case, now), line)

        return self.desk.act(actor, number, Operation.INVESTIGATE, apply)

    def resolve(self, actor: str, number: int, outcome: Outcome, summary: str) -> CaseChange:
        """After a fresh step-up; restores access first when it was suspended and the outcome
        gives the account back."""
        summary = summary.strip()[:SUMMARY_LIMIT]
        if not summary:
            raise InvalidInput(_("Write a short summary of what the investigation found."))

        def prepare(
            session: Session, case: Case, who: Party, now: datetime
        ) -> PlatformRequest | None:
            _require_open(case)
            if case.access_suspended and outcome in RESTORING:
                return suspension.request_for(session, case, actor, now, PlatformAction.RESTORE)
            return None

        request = self.desk.act(actor, number, Operation.RESOLVE, prepare, step_up=True)
        answer = None
        if request is not None:
            answer = suspension.send(self.desk, self.platform, actor, request)

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            _require_open(case)
            _take_if_untaken(case, actor, now)
            if answer is not None:
                case.access_suspended = False
                records.event(session, case, now, actor, records.platform_kind("restore", answer))
            case.status, case.open_account_id = Status.RESOLVED.value, None
            case.outcome, case.resolution_summary = outcome.value, summary
            case.resolved_at, case.resolved_by = now, actor
            records.event(session, case, now, actor, "resolved", summary)
            records.record(
                session, now, actor, "cases.resolved", number, outcome=outcome.value,
                restore_request=request.id if request else None,
            )  # fmt: skip
            card = self.desk.card(session, case, now)
            owners = case_store.owners(session, case.business_account_id)
            told = dict.fromkeys([*owners, *(r for r in card.reporters if r != PLATFORM)])
            notices = tuple(
                Notice(someone, partial(messages.resolved_dm, card)) for someone in told
            )
            line = messages.outcome_line(card, actor)
            if answer is not None:
                line = together(line, messages.platform_line(card, actor, took=False))
            return CaseChange(card, line, notices)

        return self.desk.act(actor, number, Operation.RESOLVE, apply, step_up=True)

    def reopen(self, actor: str, number: int) -> CaseChange:
        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            card = self.desk.card(session, case, now)
            if card.is_open:
                raise InvalidInput(_("Case #{number} is still open.").format(number=number))
            if not card.may_reopen:
                raise InvalidInput(_(wording.TOO_LATE).format(number=number))
            other = case_store.open_case_of_account(session, case.business_account_id)
            if other is not None:
                raise InvalidInput(
                    _("Case #{number} is open for this account now: use that one.").format(
                        number=other.id
                    )
                )
            case.status, case.open_account_id = Status.INVESTIGATING.value, case.business_account_id
            case.outcome = case.resolution_summary = case.resolved_at = case.resolved_by = None
            case.reopen_count += 1
            records.event(session, case, now, actor, "reopened")
            records.record(session, now, actor, "cases.reopened", number)
            card = self.desk.card(session, case, now)
            return CaseChange(card, messages.actor_line(actor, N_("{actor} reopened the case")))

        return self.desk.act(actor, number, Operation.REOPEN, apply)

    def add_info(self, actor: str, number: int, text: str) -> CaseChange:
        """A reporter (or anyone working the case) adds to it, from the DM's button."""
        text = text.strip()[:SUMMARY_LIMIT]
        if not text:
            raise InvalidInput(_("Write what you'd like to add."))

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            _require_open(case)
            records.event(session, case, now, actor, "info", text)
            records.record(session, now, actor, "cases.info.added", number)
            card = self.desk.card(session, case, now)
            return CaseChange(card, messages.actor_line(actor, opening.ADDED_INFORMATION, text))

        return self.desk.act(actor, number, Operation.ADD_INFO, apply)

    # -- finding cases --------------------------------------------------------------------------

    def list_for(self, viewer: str) -> CaseList:
        everything = viewer in self.desk.admins
        support = viewer in self.desk.routing.support_handlers
        with self.desk.database.sessions() as session:
            rows, total = case_store.open_cases_seen_by(
                session, viewer, everything=everything, limit=LIST_LIMIT, unmanaged=support
            )
            found = tuple(_summary(row.case, row.account) for row in rows)
        return CaseList(found, total, everything)

    def show(self, viewer: str, number: int) -> CaseDetail:
        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseDetail:
            records.record(session, now, viewer, "cases.viewed", number)
            return CaseDetail(
                self.desk.card(session, case, now),
                tuple(
                    TimelineEntry(e.at, e.actor, e.kind, e.text)
                    for e in case_store.timeline(session, case.id, TIMELINE_LIMIT)
                ),
                tuple(records.charge_view(c) for c in case_store.charges(session, case.id)),
            )

        return self.desk.act(viewer, number, Operation.VIEW, apply)

    def card(self, number: int) -> CaseChange:
        with self.desk.database.sessions() as session:
            case = records.load(session, number)
            return CaseChange(self.desk.card(session, case, self.desk.clock.now()))


def _require_open(case: Case) -> None:
    if case.status not in OPEN:
        text = _("Case #{number} is resolved. Reopen it first if there is more to do.")
        raise InvalidInput(text.format(number=case.id))


def _take_if_untaken(case: Case, actor: str, now: datetime) -> bool:
    """Moving a case nobody took makes the mover its handler (only actors may then move it)."""
    if case.handler is not None:
        return False
    case.handler, case.taken_at = actor, now
    return True


def _opened(change: CaseChange | None) -> CaseChange:
    if change is None:
        raise NotFound(_("That business account is no longer in the directory."))
    return change


def _summary(case: Case, account: BusinessAccount) -> CaseSummary:
    return CaseSummary(
        case.id, account.name, case.managed, Status(case.status), case.handler, case.opened_at
    )
