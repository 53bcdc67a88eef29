"""The targets per severity as each workspace sets them: typed as "15m", "4h", "3d", checked
(positive, time to take no longer than time to resolve), audited with old and new values, and
used by the card, the case figures, the case reminders and the review of the workspace served."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases.incident_views import clocks
from bot.cases.model import ChargesSeen, Outcome
from bot.cases.review_views import review_file
from bot.cases.severity import TARGETS, Severity, Target
from bot.cases.targets import NotADuration, duration_text, parse_duration
from bot.core.clock import FakeClock
from bot.services import Services
from bot.workspaces.settings_model import SettingsInvalid
from storage.models import AuditRecord
from storage.scope import serving
from storage.settings_models import WorkspaceSettingsRow
from tests.bot.cases.conftest import ANA, DANA, ESCALATION, StepUp, World
from tests.bot.workspaces.test_settings import proposal
from tests.conftest import ADMIN

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("15m", 15),
        ("15 min", 15),
        ("4h", 240),
        ("4 Std.", 240),
        ("1h 30m", 90),
        ("1,5h", 90),
        ("3d", 3 * 1440),
        ("3 Tage", 3 * 1440),
        ("1 week", 7 * 1440),
    ],
)
def test_a_target_is_a_time_with_its_unit(typed: str, minutes: int) -> None:
    assert parse_duration(typed) == timedelta(minutes=minutes)
    assert parse_duration(duration_text(parse_duration(typed))) == timedelta(minutes=minutes)


@pytest.mark.parametrize("typed", ["15", "", "soon", "4h and then some", "h4"])
def test_a_number_without_its_unit_is_no_target(typed: str) -> None:
    with pytest.raises(NotADuration):
        parse_duration(typed)


def set_targets(services: Services, **typed: str) -> list[str]:
    return services.workspace_settings.change(ADMIN, proposal(services, targets=typed))


def test_targets_are_checked_field_by_field(services: Services) -> None:
    with pytest.raises(SettingsInvalid) as invalid:
        set_targets(
            services,
            take_critical="5h",  # longer than critical's default 4 h to resolve
            resolve_high="tomorrow",
            take_low="0m",
            resolve_low="100d",
        )
    assert invalid.value.errors == {
        "take_critical": "The time to take a critical case can't be longer than its time to "
        "resolve.",
        "resolve_high": "A time with its unit, such as 15m, 4h or 3d.",
        "take_low": "At least a minute and at most 90 days.",
        "resolve_low": "At least a minute and at most 90 days.",
    }
    assert services.workspace_settings.current().targets == TARGETS


def test_a_change_is_audited_with_old_and_new_and_a_default_is_kept_as_the_default(
    services: Services,
) -> None:
    changed = set_targets(services, take_critical="5m", resolve_critical="4h", take_low="2d")

    assert changed == ["take_critical", "take_low"]  # 4 h is critical's default already
    current = services.workspace_settings.current()
    assert current.targets[Severity.CRITICAL] == Target(5 * MINUTE, timedelta(hours=4))
    assert current.targets[Severity.LOW] == Target(timedelta(days=2), timedelta(days=7))
    assert current.is_default("resolve_critical")
    with services.database.sessions() as session:
        row = session.scalars(select(WorkspaceSettingsRow)).one()
        assert row.case_targets == {"critical": {"take": 5}, "low": {"take": 2880}}
        record = session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
    assert record is not None and record.action == "workspace.settings.changed"
    assert record.details["old"] == {"take_critical": "15m", "take_low": "1d"}
    assert record.details["new"] == {"take_critical": "5m", "take_low": "2d"}
    with serving("T0OTHER"):
        assert services.workspace_settings.current().targets == TARGETS


def test_the_card_and_the_figures_count_against_the_workspace_s_targets(
    services: Services, world: World, clock: FakeClock
) -> None:
    services.cases.report(ANA, world.acme.id, "Ads bought", ChargesSeen.YES)  # critical
    clock.advance(10 * MINUTE)
    card = services.cases.show(ADMIN, 1).card
    assert clocks(card).startswith("🟢 Not taken for 10 min (target 15 min)")
    assert services.stats.build().cases.missed_take == 0

    set_targets(services, take_critical="5m", resolve_critical="12m")

    card = services.cases.show(ADMIN, 1).card
    assert clocks(card) == (
        "🔴 Not taken for 10 min (target 5 min)\n🟠 Not resolved for 10 min (target 12 min)"
    )
    figures = services.stats.build().cases
    assert (figures.missed_take, figures.missed_resolve) == (1, 0)
    with serving("T0OTHER"):  # another workspace's figures keep the defaults
        assert services.stats.build().cases.missed_take == 0


def test_case_reminders_and_the_review_name_the_workspace_s_targets(
    services: Services, world: World, clock: FakeClock, step_up: StepUp
) -> None:
    set_targets(services, take_medium="20m", resolve_medium="2h")
    services.cases.open_by_command(DANA, "7012345", "Client says the ads changed")
    services.cases.attach_card(1, ESCALATION, "1700000000.000100")
    clock.advance(35 * MINUTE)

    [reminder] = services.cases.reminders.due()
    context = reminder.message["blocks"][-1]["elements"][0]["text"]
    assert context == "🔴 Not taken for 35 min (target 20 min)"

    services.cases.take(DANA, 1)
    step_up(DANA)
    services.cases.resolve(DANA, 1, Outcome.FALSE_ALARM, "Nothing found")
    review = review_file(services.cases.incidents.review(DANA, 1, "UTC")).content.decode()
    assert "**Time to take**: 🔴 35 min (target 20 min)" in review
    assert "(target 2 h)" in review
