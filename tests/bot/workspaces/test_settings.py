"""Each workspace's own settings: the environment's values until a workspace sets its own, read
at use for the workspace being served, changed only by its security admins (a change of the
admins only after a fresh step-up), and every change and refusal audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.errors import NotAllowed, StepUpNeeded
from bot.services import Services
from bot.workspaces.settings import SettingsBook
from bot.workspaces.settings_model import Proposal, SettingsInvalid, defaults_of
from storage.models import AuditRecord
from storage.scope import serving
from tests.conftest import ADMIN, MemberFactory
from tests.handlers.test_two_step import link_authenticator

OTHER = "T0OTHER"
RAJ, SUE = "U0RAJ", "U0SUE"
STALE = timedelta(minutes=11)  # a step-up is fresh for 10 minutes


def proposal(services: Services, **changes: object) -> Proposal:
    """What the modal submits when an admin changes only `changes`."""
    now = services.workspace_settings.current()
    fields: dict[str, object] = {
        "security_admins": now.admins,
        "escalation_channel": now.value("escalation_channel"),
        "support_channel": now.value("support_channel"),
        "support_contact": now.value("support_contact") or "",
        "support_handlers": now.value("support_handlers") or frozenset(),
        "reminder_cap": str(now.value("reminder_cap") or ""),
        "working_hours_start": now.value("working_hours_start").strftime("%H:%M"),
        "working_hours_end": now.value("working_hours_end").strftime("%H:%M"),
        "working_days": now.value("working_days"),
        "default_time_zone": now.value("default_time_zone") or "",
    }
    return Proposal(**(fields | changes))  # type: ignore[arg-type]


def audits(services: Services) -> list[AuditRecord]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_with_no_row_the_environment_is_in_force(services: Services) -> None:
    current = services.workspace_settings.current()

    assert current.admins == {ADMIN} and current.is_default("security_admins")
    assert ADMIN in services.admins and sorted(services.admins) == [ADMIN]
    assert services.cases.desk.routing.channel_for(True) is None
    assert services.nudges.policy == services.settings.nudge_policy
    assert current.changed_by is None


def test_an_admin_changes_the_channels_of_their_workspace_only(
    services: Services, clock: FakeClock
) -> None:
    changed = services.workspace_settings.change(
        ADMIN,
        proposal(
            services,
            escalation_channel="C0ESCALATE",
            support_contact="help@example.com",
            reminder_cap="2",
        ),
    )

    assert changed == ["escalation_channel", "support_contact", "reminder_cap"]
    current = services.workspace_settings.current()
    assert current.routing.channel_for(True) == "C0ESCALATE"
    assert not current.is_default("escalation_channel") and current.is_default("support_channel")
    assert (current.changed_by, current.changed_at) == (ADMIN, clock.now())
    assert services.cases.desk.routing.support_contact == "help@example.com"
    record = audits(services)[-1]
    assert (record.actor, record.action, record.target) == (
        ADMIN,
        "workspace.settings.changed",
        "workspace.settings",
    )
    assert record.details["fields"] == changed
    assert record.details["old"] == {
        "escalation_channel": None,
        "support_contact": None,
        "reminder_cap": 6,
    }
    assert record.details["new"] == {
        "escalation_channel": "C0ESCALATE",
        "support_contact": "help@example.com",
        "reminder_cap": 2,
    }
    with serving(OTHER):  # another workspace still has the environment's values
        assert services.workspace_settings.current().routing.channel_for(True) is None
        assert services.nudges.policy == services.settings.nudge_policy
        assert ADMIN in services.admins


def test_a_value_set_back_to_its_default_follows_the_default_again(services: Services) -> None:
    book = services.workspace_settings
    book.change(ADMIN, proposal(services, working_hours_start="08:00"))
    assert book.current().value("working_hours_start") == time(8)
    assert services.nudges.policy.hours.start == time(8)

    book.change(ADMIN, proposal(services, working_hours_start="09:00"))

    assert book.current().is_default("working_hours_start")


def test_anyone_else_is_refused_and_audited(services: Services) -> None:
    with pytest.raises(NotAllowed):
        services.workspace_settings.for_admin(RAJ)
    with pytest.raises(NotAllowed):
        services.workspace_settings.change(RAJ, proposal(services, escalation_channel="C0MINE"))

    assert services.workspace_settings.current().is_default("escalation_channel")
    refused = [r for r in audits(services) if r.action == "workspace.settings.refused"]
    assert [(r.actor, r.details["attempted"]) for r in refused] == [
        (RAJ, "view"),
        (RAJ, "change"),
    ]


def test_changing_the_admins_needs_a_fresh_step_up(
    services: Services, member: MemberFactory, clock: FakeClock
) -> None:
    member(ADMIN)
    secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    wanted = proposal(services, security_admins=frozenset({ADMIN, SUE}))

    with pytest.raises(StepUpNeeded):
        services.workspace_settings.change(ADMIN, wanted)
    assert SUE not in services.admins
    assert audits(services)[-1].details["reason"] == "step-up needed"

    services.authenticator.verify(ADMIN, pyotp.TOTP(secret).at(clock.now()))
    services.workspace_settings.change(ADMIN, wanted)

    assert sorted(services.admins) == [ADMIN, SUE]
    assert services.members.is_admin(SUE) and services.stats.is_admin(SUE)
    record = audits(services)[-1]
    assert record.action == "workspace.settings.changed"
    assert record.details["old"] == {"security_admins": [ADMIN]}
    assert record.details["new"] == {"security_admins": [ADMIN, SUE]}


def test_the_last_admin_cannot_be_removed(
    services: Services, member: MemberFactory, clock: FakeClock
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)

    with pytest.raises(SettingsInvalid) as refused:
        services.workspace_settings.change(ADMIN, proposal(services, security_admins=frozenset()))

    assert "at least one security admin" in refused.value.errors["security_admins"]
    assert sorted(services.admins) == [ADMIN]


def test_bad_values_are_named_one_by_one(services: Services) -> None:
    with pytest.raises(SettingsInvalid) as refused:
        services.workspace_settings.change(
            ADMIN,
            proposal(
                services,
                escalation_channel="D0DIRECT",
                support_handlers=frozenset({"not-a-user"}),
                reminder_cap="99",
                working_hours_start="19:00",
                default_time_zone="Mars/Olympus",
            ),
        )

    assert set(refused.value.errors) == {
        "escalation_channel",
        "support_handlers",
        "reminder_cap",
        "working_hours_end",
        "default_time_zone",
    }
    assert services.workspace_settings.current().changed_at is None


def test_the_installer_becomes_the_first_admin_of_a_new_workspace(services: Services) -> None:
    with serving(OTHER):
        assert services.workspace_settings.installed("U0INSTALL")
        assert not services.workspace_settings.installed("U0LATER")  # a reinstall: unchanged
        assert sorted(services.admins) == ["U0INSTALL"]
        first = audits(services)[-1]
    assert (first.actor, first.action, first.details) == (
        "U0INSTALL",
        "workspace.settings.first_admin",
        {"admin": "U0INSTALL"},
    )
    assert sorted(services.admins) == [ADMIN]  # the test's workspace is not touched


def test_another_process_sees_a_change_within_the_cache_time(
    services: Services, clock: FakeClock
) -> None:
    now = [0.0]
    other = SettingsBook(
        services.database, clock, services.settings, lambda _user: False, timer=lambda: now[0]
    )
    assert other.current().value("support_channel") is None

    services.workspace_settings.change(ADMIN, proposal(services, support_channel="C0HELP"))

    assert other.current().value("support_channel") is None  # cached, no query
    now[0] += 31
    assert other.current().value("support_channel") == "C0HELP"


def test_in_oauth_mode_the_environments_people_and_channels_are_no_workspaces_default(
    settings: Settings,
) -> None:
    single = defaults_of(settings)
    many = defaults_of(
        replace(
            settings,
            slack_bot_token=None,
            slack_client_id="1.2",
            slack_client_secret="s" * 32,
            slack_state_secret="t" * 32,
        )
    )

    assert single.security_admins == settings.security_admins and ADMIN in single.security_admins
    assert many.security_admins == frozenset() and many.support_handlers == frozenset()
    assert many.escalation_channel is None and many.support_channel is None
    assert (many.working_hours_start, many.reminder_cap) == (
        single.working_hours_start,
        single.reminder_cap,
    )
