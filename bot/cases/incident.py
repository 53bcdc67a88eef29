"""A case handled as an incident: its severity changed by hand with a reason, the platform's
ticket or appeal reference with what the platform answered, and the post-incident review once the
case is resolved. Checked on the server (bot/cases/access.py) and audited like every case change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases import incident_lines, incident_views, records, severity
from bot.cases.access import Operation, Party
from bot.cases.model import (
    OPEN,
    CaseCard,
    CaseChange,
    ChargesSeen,
    ChargeView,
    TimelineEntry,
    Via,
)
from bot.cases.records import Desk
from bot.cases.severity import Severity
from bot.core.errors import InvalidInput
from bot.core.i18n import _
from storage import cases as case_store
from storage import members as member_store
from storage.case_models import Case

REASON_LIMIT = 500
REFERENCE_LIMIT = 200
ANSWER_LIMIT = 3000
REVIEW_TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class CaseReview:
    """Everything a post-incident review says, and the zone its file's times are written in."""

    card: CaseCard
    timeline: tuple[TimelineEntry, ...]
    charges: tuple[ChargeView, ...]
    zone: str
    names: dict[str, str]  # Slack id to name, for the file (where mentions mean nothing)


class Incidents:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def set_severity(self, actor: str, number: int, word: str, reason: str) -> CaseChange:
        """`/security case severity <number> <severity> <reason>`: the reason is required."""
        chosen = severity.NAMES.get(word.strip().lower())
        if chosen is None:
            raise InvalidInput(_(incident_views.SEVERITY_USAGE))
        reason = reason.strip()[:REASON_LIMIT]
        if not reason:
            raise InvalidInput(_("Say why the severity changes, after the new severity."))

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            _require_open(case)
            before = severity.of(
                case.severity, Via(case.opened_via), ChargesSeen(case.unauthorized_charges)
            ).value
            if before == chosen.value:
                raise InvalidInput(
                    _("Case #{number} is already of that severity.").format(number=number)
                )
            case.severity, case.severity_set_by = chosen.value, actor
            records.event(session, case, now, actor, f"severity_{chosen.value}", reason)
            records.record(
                session, now, actor, "cases.severity.changed", number, before=before,
                after=chosen.value, reason=reason,
            )  # fmt: skip
            card = self.desk.card(session, case, now)
            line = incident_lines.severity_line(actor, Severity(before), chosen, reason)
            return CaseChange(card, line)

        return self.desk.act(actor, number, Operation.SEVERITY, apply)

    def record_ticket(self, actor: str, number: int, reference: str, answer: str) -> CaseChange:
        """`/security case ticket <number> <reference> [what the platform answered]`: the
        reference replaces the one on record; an answer, when given, replaces the last one."""
        reference = reference.strip()[:REFERENCE_LIMIT]
        answer = answer.strip()[:ANSWER_LIMIT]
        if not reference:
            raise InvalidInput(_(incident_views.TICKET_USAGE))

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            changed_reference = case.platform_reference != reference
            if not changed_reference and not answer:
                raise InvalidInput(
                    _("That reference is already on case #{number}.").format(number=number)
                )
            if changed_reference:
                case.platform_reference = reference
                records.event(session, case, now, actor, "platform_ticket", reference)
            if answer:
                case.platform_answer = answer
                records.event(session, case, now, actor, "platform_answered", answer)
            records.record(
                session, now, actor, "cases.platform_ticket.recorded", number,
                reference=reference, answered=bool(answer),
            )  # fmt: skip
            card = self.desk.card(session, case, now)
            line = incident_lines.ticket_line(actor, reference, answer or None)
            return CaseChange(card, line)

        return self.desk.act(actor, number, Operation.TICKET, apply)

    def review(self, actor: str, number: int, fallback_zone: str) -> CaseReview:
        """`/security case review <number>`: only once the case is resolved."""

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseReview:
            if case.status in OPEN:
                raise InvalidInput(
                    _(
                        "Case #{number} is still open: its review is ready once it is resolved."
                    ).format(number=number)
                )
            records.record(session, now, actor, "cases.review.posted", number)
            timeline = case_store.timeline(session, case.id, REVIEW_TIMELINE_LIMIT)
            member = member_store.member_by_slack_id(session, actor)
            card = self.desk.card(session, case, now)
            charges = tuple(records.charge_view(c) for c in case_store.charges(session, case.id))
            people = {e.actor for e in timeline} | {card.handler or "", *card.reporters}
            people |= {c.recorded_by for c in charges}
            return CaseReview(
                card=card,
                timeline=tuple(TimelineEntry(e.at, e.actor, e.kind, e.text) for e in timeline),
                charges=charges,
                zone=(member.time_zone if member is not None else None) or fallback_zone,
                names=_names(session, people),
            )

        return self.desk.act(actor, number, Operation.REVIEW, apply)


def _names(session: Session, people: set[str]) -> dict[str, str]:
    found = {}
    for slack_id in sorted(people - {""}):
        member = member_store.member_by_slack_id(session, slack_id)
        if member is not None and member.display_name:
            found[slack_id] = member.display_name
    return found


def _require_open(case: Case) -> None:
    if case.status not in OPEN:
        text = _("Case #{number} is resolved. Reopen it first if there is more to do.")
        raise InvalidInput(text.format(number=case.id))
