"""Opening a case, the one way all four doors lead to: a new case for the business account, or,
when one is open already, a report joining it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cases import messages, records, severity
from bot.cases.model import PLATFORM, CaseCard, CaseChange, ChargesSeen, Notice, Status, Via
from bot.cases.records import Desk, Refused
from bot.core.i18n import N_
from storage import cases as case_store
from storage.case_models import Case, CaseReport
from storage.models import BusinessAccount

WHAT_HAPPENED_LIMIT = 3000


def open_or_join(
    session: Session,
    desk: Desk,
    now: datetime,
    account: BusinessAccount,
    *,
    reporter: str,
    via: Via,
    what_happened: str,
    charges_seen: ChargesSeen,
    platform_alert_id: str | None = None,
) -> CaseChange:
    """Raises IntegrityError when a parallel report opened the account's case first (retry)."""
    what_happened = what_happened.strip()[:WHAT_HAPPENED_LIMIT]
    case = case_store.open_case_of_account(session, account.id)
    opened = case is None
    if case is None:
        case = _new_case(session, desk, now, account, reporter, via, what_happened, charges_seen)
    else:
        if charges_seen is ChargesSeen.YES:
            case.unauthorized_charges = charges_seen.value  # the card keeps it in sight
        _raise_severity(case, via, charges_seen)
    session.add(
        CaseReport(
            case_id=case.id,
            reporter=reporter,
            via=via.value,
            what_happened=what_happened,
            unauthorized_charges=charges_seen.value,
            platform_alert_id=platform_alert_id,
            at=now,
        )
    )
    records.event(session, case, now, reporter, "opened" if opened else "joined", what_happened)
    if charges_seen is ChargesSeen.YES:
        records.event(session, case, now, reporter, "charges_said")
    records.record(
        session,
        now,
        reporter,
        "cases.opened" if opened else "cases.report.joined",
        case.id,
        business_account=account.id,
        via=via.value,
        unauthorized_charges=charges_seen.value,
        alert=platform_alert_id,
        channel=case.channel_id,
        severity=case.severity,
    )
    card = desk.card(session, case, now)
    by_platform = reporter == PLATFORM
    told = case_store.owners(session, account.id) if by_platform else [reporter]
    notices: list[Notice] = []
    if opened:
        dm = partial(messages.opened_dm, card, by_alert=by_platform)
        notices += [Notice(person, dm) for person in told]
        notices += _no_channel(desk, card)
        return CaseChange(card, None, tuple(notices), opened=True)
    if not by_platform:
        notices.append(Notice(reporter, partial(messages.joined_dm, card)))
    what = _JOINED[(via, charges_seen is ChargesSeen.YES)]
    line = messages.actor_line(reporter, what, what_happened)
    return CaseChange(card, line, tuple(notices))


def open_by_command(
    session: Session,
    desk: Desk,
    now: datetime,
    account: BusinessAccount,
    opener: str,
    said: str,
    charges_seen: ChargesSeen = ChargesSeen.UNSURE,
) -> CaseChange:
    """`/security case open`, or the report form opened from the account manager's desk: the
    opener (a security admin, the account's manager or the support team) is not a reporter. The
    account's members, and its manager, are told who opened it; when the account's case is open
    already, what the opener wrote goes on its timeline (and charges seen make it worse)."""
    said = said.strip()[:WHAT_HAPPENED_LIMIT]
    case = case_store.open_case_of_account(session, account.id)
    if case is not None:
        if charges_seen is ChargesSeen.YES:
            case.unauthorized_charges = charges_seen.value
            _raise_severity(case, Via.COMMAND, charges_seen)
        records.event(session, case, now, opener, "info", said)
        records.record(session, now, opener, "cases.info.added", case.id, via=Via.COMMAND.value)
        card = desk.card(session, case, now)
        return CaseChange(card, messages.actor_line(opener, ADDED_INFORMATION, said))
    case = _new_case(session, desk, now, account, opener, Via.COMMAND, said, charges_seen)
    records.event(session, case, now, opener, "opened", said)
    records.record(
        session, now, opener, "cases.opened", case.id, business_account=account.id,
        via=Via.COMMAND.value, channel=case.channel_id,
    )  # fmt: skip
    card = desk.card(session, case, now)
    told = case_store.owners(session, account.id)
    if card.account.managed and card.account.manager:
        told.append(card.account.manager)
    dm = partial(messages.opened_dm, card, by_alert=False)
    notices = [Notice(person, dm) for person in dict.fromkeys(told) if person != opener]
    return CaseChange(card, None, (*notices, *_no_channel(desk, card)), opened=True)


ADDED_INFORMATION = N_("{actor} added information")
# Translators: a thread line; {actor} reported an account whose case was already open.
_JOINED = {
    (Via.REPORT, False): N_("{actor} reported it too"),
    (Via.REPORT, True): N_("{actor} reported it too, and says there are unauthorized charges"),
    (Via.COMMAND, False): N_("{actor} reported it too"),
    (Via.COMMAND, True): N_("{actor} reported it too, and says there are unauthorized charges"),
    (Via.SUSPICIOUS_LOGIN, False): N_(
        "{actor} reported it too, answering “not me” to a suspicious sign-in"
    ),
    (Via.SUSPICIOUS_LOGIN, True): N_(
        "{actor} reported it too, answering “not me” to a suspicious sign-in, and says there "
        "are unauthorized charges"
    ),
    (Via.ACCOUNT_TAKEOVER, False): N_("{actor} reported it too (the platform's alert)"),
    (Via.ACCOUNT_TAKEOVER, True): N_(
        "{actor} reported it too (the platform's alert), and says there are unauthorized charges"
    ),
}


def _new_case(
    session: Session,
    desk: Desk,
    now: datetime,
    account: BusinessAccount,
    opener: str,
    via: Via,
    what_happened: str,
    charges_seen: ChargesSeen,
) -> Case:
    case = Case(
        business_account_id=account.id,
        open_account_id=account.id,
        status=Status.REPORTED.value,
        managed=account.managed,
        what_happened=what_happened,
        unauthorized_charges=charges_seen.value,
        opened_by=opener,
        opened_via=via.value,
        opened_at=now,
        severity=severity.derive(via, charges_seen).value,
        access_suspended=False,
        last_update_at=now,
        reopen_count=0,
        channel_id=desk.routing.channel_for(account.managed),
    )
    session.add(case)
    session.flush()  # a parallel opening fails here, on the one open case per account
    return case


def _raise_severity(case: Case, via: Via, charges_seen: ChargesSeen) -> None:
    """A joining report can make a case worse, never milder; a severity set by hand stays."""
    if case.severity_set_by is not None:
        return
    current = severity.of(
        case.severity, Via(case.opened_via), ChargesSeen(case.unauthorized_charges)
    )
    case.severity = severity.worse(current, severity.derive(via, charges_seen)).value


def _no_channel(desk: Desk, card: CaseCard) -> list[Notice]:
    if card.channel is not None:
        return []
    return [Notice(admin, partial(messages.no_channel_dm, card)) for admin in sorted(desk.admins)]


def with_retry(
    desk: Desk,
    actor: str,
    attempted: str,
    target: str,
    build: Callable[[Session, datetime], CaseChange | Refused | None],
) -> CaseChange | None:
    """Run `build` in a transaction; once more if a parallel opening won the race (it then
    joins the case just opened). A Refused is audited, committed, then raised as NotAllowed."""
    for attempt in (1, 2):
        now = desk.clock.now()
        try:
            with desk.database.sessions.begin() as session:
                result = build(session, now)
                if not isinstance(result, Refused):
                    return result
                error = result.audited_on_case(session, now, actor, target, attempted)
            raise error
        except IntegrityError:
            if attempt == 2:
                raise
    return None
