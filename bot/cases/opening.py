"""Opening a case, the one way all four doors lead to: a new case for the business account, or,
when one is open already, a report joining it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.cases import messages, records
from bot.cases.model import PLATFORM, CaseChange, ChargesSeen, Notice, Status, Via
from bot.cases.records import Desk, Refused
from bot.errors import NotAllowed
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
        case = Case(
            business_account_id=account.id,
            open_account_id=account.id,
            status=Status.REPORTED.value,
            managed=account.managed,
            what_happened=what_happened,
            unauthorized_charges=charges_seen.value,
            opened_by=reporter,
            opened_via=via.value,
            opened_at=now,
            access_suspended=False,
            last_update_at=now,
            reopen_count=0,
            channel_id=desk.routing.channel_for(account.managed),
        )
        session.add(case)
        session.flush()  # a parallel opening fails here, on the one open case per account
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
    )
    card = records.card(session, case, now)
    by_platform = reporter == PLATFORM
    told = case_store.owners(session, account.id) if by_platform else [reporter]
    notices: list[Notice] = []
    if opened:
        dm = messages.opened_dm(card, by_alert=by_platform)
        notices += [Notice(person, dm) for person in told]
        if card.channel is None:
            notices += [
                Notice(admin, messages.no_channel_dm(card)) for admin in sorted(desk.admins)
            ]
        return CaseChange(card, None, tuple(notices), opened=True)
    if not by_platform:
        notices.append(Notice(reporter, messages.joined_dm(card)))
    what = (
        "reported it too (the platform's alert)"
        if by_platform
        else f"reported it too ({via.value})"
    )
    return CaseChange(card, messages.line(reporter, what, what_happened), tuple(notices))


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
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="cases.refused",
                    target=target,
                    attempted=attempted,
                    reason=result.reason,
                )
            raise NotAllowed(result.message)
        except IntegrityError:
            if attempt == 2:
                raise
    return None
