"""Incident-grade cases on a real database: severity derived at opening and changed with a reason
(audited), the clocks against the targets, the platform's ticket, the review, the case figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cases import incident_views, review_views
from bot.cases.figures import case_figures
from bot.cases.model import ChargesSeen, Outcome, Via
from bot.cases.severity import Severity, Standing, derive
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed
from bot.services import Services
from storage.database import Database
from tests.bot.cases.conftest import ANA, DANA, EVE, OLGA, RAJ, StepUp, World, audit_trail
from tests.conftest import ADMIN


def test_severity_is_derived_from_how_the_case_opened() -> None:
    assert derive(Via.ACCOUNT_TAKEOVER, ChargesSeen.YES) is Severity.CRITICAL
    assert derive(Via.REPORT, ChargesSeen.YES) is Severity.CRITICAL
    assert derive(Via.ACCOUNT_TAKEOVER, ChargesSeen.UNSURE) is Severity.HIGH
    assert derive(Via.REPORT, ChargesSeen.NO) is Severity.MEDIUM
    assert derive(Via.COMMAND, ChargesSeen.UNSURE) is Severity.MEDIUM
    assert derive(Via.SUSPICIOUS_LOGIN, ChargesSeen.NO) is Severity.LOW


def test_a_report_opens_at_its_severity_and_a_joining_one_with_charges_raises_it(
    services: Services, world: World, database: Database
) -> None:
    opened = services.cases.report(ANA, world.acme.id, "Logins I don't know", ChargesSeen.NO)
    joined = services.cases.report(RAJ, world.acme.id, "Ads bought", ChargesSeen.YES)

    assert opened.case.severity == Severity.MEDIUM
    assert joined.case.severity == Severity.CRITICAL
    card = incident_views.severity_words(joined.case)
    assert card == "🟥 Critical"


def test_the_handler_changes_the_severity_with_a_reason_audited(
    services: Services, world: World, database: Database
) -> None:
    number = services.cases.report(ANA, world.acme.id, "Odd", ChargesSeen.NO).case.number
    incidents = services.cases.incidents
    services.cases.take(DANA, number)

    with pytest.raises(InvalidInput):
        incidents.set_severity(DANA, number, "high", "  ")
    with pytest.raises(InvalidInput):
        incidents.set_severity(DANA, number, "urgent", "because")
    with pytest.raises(NotAllowed):
        incidents.set_severity(EVE, number, "low", "not worth it")
    changed = incidents.set_severity(DANA, number, "hoch", "The platform confirms a takeover")
    joined = services.cases.report(RAJ, world.acme.id, "Ads bought", ChargesSeen.YES)

    assert changed.case.severity == Severity.HIGH and changed.case.severity_set_by == DANA
    assert changed.line is not None and "from medium to *high*" in changed.line
    assert joined.case.severity == Severity.HIGH  # set by hand: a joining report keeps it
    trail = audit_trail(database, f"case:{number}")
    assert (EVE, "cases.refused") in trail and (DANA, "cases.severity.changed") in trail
    shown = services.cases.show(DANA, number)
    assert any(entry.kind == "severity_high" for entry in shown.timeline)


def test_clocks_turn_amber_then_red_against_the_targets(
    services: Services, world: World, clock: FakeClock
) -> None:
    number = services.cases.report(ANA, world.acme.id, "Ads", ChargesSeen.YES).case.number

    clock.advance(timedelta(minutes=5))
    fresh = services.cases.card(number).case
    clock.advance(timedelta(minutes=7))
    amber = services.cases.card(number).case
    clock.advance(timedelta(minutes=10))
    taken = services.cases.take(DANA, number).case

    assert incident_views.take_timer(fresh).standing is Standing.MET
    assert incident_views.take_timer(amber).standing is Standing.AMBER
    late = incident_views.take_timer(taken)
    assert late.done and late.standing is Standing.MISSED
    assert late.took == timedelta(minutes=22) and late.target == timedelta(minutes=15)
    assert incident_views.resolve_timer(taken).standing is Standing.MET
    shown = incident_views.clocks(taken)
    assert shown.startswith("🔴 Taken after 22 min (target 15 min)")
    assert "🟢 Not resolved for 22 min (target 4 h)" in shown


def test_a_take_over_keeps_the_time_to_take(
    services: Services, world: World, clock: FakeClock
) -> None:
    number = services.cases.report(ANA, world.acme.id, "Ads", ChargesSeen.NO).case.number
    clock.advance(timedelta(minutes=10))
    services.cases.take(DANA, number)
    clock.advance(timedelta(hours=2))
    over = services.cases.take(ADMIN, number).case

    assert over.taken_at is not None and over.taken_at - over.opened_at == timedelta(minutes=10)


def test_the_platform_ticket_and_its_answer_are_recorded(
    services: Services, world: World, database: Database
) -> None:
    number = services.cases.report(OLGA, world.shop.id, "Locked out", ChargesSeen.NO).case.number
    incidents = services.cases.incidents

    with pytest.raises(NotAllowed):
        incidents.record_ticket(OLGA, number, "TT-1", "")
    first = incidents.record_ticket(ADMIN, number, "TT-4711", "")
    with pytest.raises(InvalidInput):
        incidents.record_ticket(ADMIN, number, "TT-4711", "")
    answered = incidents.record_ticket(ADMIN, number, "TT-4711", "Appeal received <!here>")

    assert first.case.platform_reference == "TT-4711" and first.case.platform_answer is None
    assert answered.case.platform_answer == "Appeal received <!here>"
    ticket = incident_views.platform_ticket(answered.case)
    assert ticket is not None and "`TT-4711`" in ticket and "&lt;!here&gt;" in ticket
    kinds = [entry.kind for entry in services.cases.show(ADMIN, number).timeline]
    assert kinds[-2:] == ["platform_ticket", "platform_answered"]
    trail = audit_trail(database, f"case:{number}")
    assert trail.count((ADMIN, "cases.platform_ticket.recorded")) == 2


def test_the_review_waits_for_the_resolution_and_tells_the_whole_story(
    services: Services, world: World, step_up: StepUp, clock: FakeClock
) -> None:
    number = services.cases.report(ANA, world.acme.id, "Ads bought", ChargesSeen.YES).case.number
    incidents = services.cases.incidents
    with pytest.raises(InvalidInput):
        incidents.review(DANA, number, "UTC")
    clock.advance(timedelta(minutes=10))
    services.cases.take(DANA, number)
    services.cases.charges.record(DANA, number, "120.50", "EUR", "Ads nobody ordered")
    incidents.record_ticket(DANA, number, "TT-9", "Access restored by the platform")
    step_up(DANA)
    services.cases.resolve(DANA, number, Outcome.CONTROL_RESTORED, "Password reset, 2SV on")

    with pytest.raises(NotAllowed):
        incidents.review(EVE, number, "UTC")
    review = incidents.review(DANA, number, "Europe/Berlin")
    message = review_views.review_message(review)
    shown = "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )
    file = review_views.review_file(review)
    markdown = file.content.decode()

    assert message["text"].startswith("Post-incident review · Case #1")
    assert "*Severity*: 🟥 Critical" in shown and "*Time to take*: 🟢 10 min" in shown
    assert "<!date^" in shown and "{time}" in shown  # each entry's time, in the reader's zone
    assert "Ads nobody ordered" in shown and "change its password" in shown
    assert "TT-9" in shown
    assert file.filename == "case-1-review.md"
    assert markdown.startswith("# Post-incident review · Case #1")
    assert "(Europe/Berlin)" in markdown and "Dana" in markdown
    assert "## Charges and reimbursements" in markdown and "€120.50" in markdown
    assert "## What the member should do next" in markdown


def test_case_figures_count_open_by_severity_medians_and_missed_targets(
    services: Services, world: World, clock: FakeClock, database: Database
) -> None:
    first = services.cases.report(ANA, world.acme.id, "Ads", ChargesSeen.YES).case.number
    services.cases.report(OLGA, world.shop.id, "Odd", ChargesSeen.NO)
    clock.advance(timedelta(minutes=30))
    services.cases.take(DANA, first)  # critical: target 15 min, missed

    with database.sessions() as session:
        figures = case_figures(session, clock.now())

    assert figures.open_by_severity == {Severity.CRITICAL: 1, Severity.MEDIUM: 1}
    assert figures.opened == 2 and figures.median_to_take == timedelta(minutes=30)
    assert figures.missed_take == 1 and figures.missed_resolve == 0
    assert figures.median_to_resolve is None
