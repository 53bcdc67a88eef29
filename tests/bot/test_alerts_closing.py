"""Closing the platform's compromised-password alerts by a rotation, in the domain, against a real
database with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.platform.alerts import Recipient
from bot.platform.compromised import Role, remediation_time
from bot.services import Services
from storage.database import Database
from storage.models import BusinessAccount, Member
from tests.bot.test_alerts import (
    HOUR,
    acme,
    alert,
    alerts_in,
    audit_actions,
    check_rows,
    compromised_line_of,
)
from tests.conftest import AccountFactory

__all__ = ["acme"]  # fixtures shared with the original module

# -- closing by rotation ------------------------------------------------------------------------


@pytest.fixture
def open_alert(services: Services, acme: BusinessAccount) -> Iterator[int]:
    notice = services.alerts.receive(alert()).notice
    assert notice is not None
    services.alerts.remember_message(notice.alert_key, Recipient("U0ANA", Role.MEMBER), "D1", "1.1")
    services.alerts.remember_message(
        notice.alert_key, Recipient("U0DANA", Role.MANAGER), "D2", "2.2"
    )
    yield notice.alert_key


def test_saying_it_changed_closes_the_alert_as_waiting_for_the_platform_not_green(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    clock.advance(2 * HOUR + timedelta(minutes=5))

    [closed] = services.alerts.report_changed("U0RAJ", acme.id)  # Raj has no authenticator

    assert closed.platform_alert_id == "alert-123"
    assert closed.waiting
    assert closed.time_to_remediate == timedelta(hours=3, minutes=5)  # from detection at 09:00
    assert (closed.closed_by, closed.closed_at, closed.account_name) == (
        "U0RAJ",
        clock.now(),
        "Acme Shoes Ads",
    )
    assert [(m.slack_user_id, m.role, m.channel, m.ts) for m in closed.messages] == [
        ("U0ANA", Role.MEMBER, "D1", "1.1"),
        ("U0DANA", Role.MANAGER, "D2", "2.2"),
    ]
    [stored] = alerts_in(database)
    assert (stored.status, stored.closed_reason, stored.closed_by) == (
        "waiting",
        "self_reported",
        "U0RAJ",
    )
    for user in ("U0ANA", "U0RAJ"):  # neither red nor green: the member's word, not the platform's
        line = compromised_line_of(services, user)
        assert line.state is State.UNKNOWN
        assert line.source is Source.SELF and line.observed_at == clock.now()
        assert line.explanation.startswith("Waiting for the platform")
        assert "Acme Shoes Ads" in line.explanation
        assert line.fix is None
        assert services.members.status(user).checklist.lines[0].check is Check.TWO_STEP
    assert ("needs_action", "platform") not in {
        (state, src) for *_, state, src in check_rows(database)
    }
    assert audit_actions(database)[-1] == "alerts.self_reported"
    assert services.alerts.open_compromised("U0ANA") == []


def test_the_platform_confirming_a_change_after_the_detection_closes_it_as_rotated(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    services.alerts.report_changed("U0ANA", acme.id)
    clock.advance(timedelta(days=1))

    [closed] = services.alerts.close_for_password_change(
        acme.id, None, datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    )

    assert not closed.waiting and closed.closed_by == "platform"
    assert closed.time_to_remediate == timedelta(hours=1, minutes=30)
    [stored] = alerts_in(database)
    assert (stored.status, stored.closed_reason) == ("closed", "rotated")
    for user in ("U0ANA", "U0RAJ"):
        line = compromised_line_of(services, user)
        assert line.state is State.PASSING
        assert "1 h 30 min" in line.explanation
    assert audit_actions(database)[-1] == "alerts.rotated"


def test_unconfirmed_it_keeps_waiting_and_a_new_alert_turns_the_check_red_again(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    services.alerts.report_changed("U0ANA", acme.id)
    clock.advance(timedelta(days=30))
    assert compromised_line_of(services, "U0RAJ").state is State.UNKNOWN  # still waiting

    services.alerts.receive(alert(id="alert-200", detected_at="2026-12-24T09:00:00Z"))

    line = compromised_line_of(services, "U0RAJ")
    assert line.state is State.NEEDS_ACTION
    assert [account_line.account.name for account_line in line.accounts] == ["Acme Shoes Ads"]
    assert [a.platform_alert_id for a in services.alerts.open_compromised("U0RAJ")] == ["alert-200"]


def test_a_member_with_an_authenticator_must_confirm_with_a_code_first(
    services: Services, database: Database, clock: FakeClock, acme: BusinessAccount, open_alert: int
) -> None:
    secret = services.authenticator.begin("U0ANA").secret
    services.authenticator.confirm("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    assert not services.alerts.asks_for_code("U0ANA")  # linking just now counts as a code
    clock.advance(timedelta(hours=1))
    assert services.alerts.asks_for_code("U0ANA")
    assert not services.alerts.asks_for_code("U0RAJ")  # none linked: never held up

    with pytest.raises(NotAllowed):
        services.alerts.report_changed("U0ANA", acme.id)

    assert [a.status for a in alerts_in(database)] == ["open"]
    services.authenticator.verify("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    assert len(services.alerts.report_changed("U0ANA", acme.id)) == 1


def test_the_password_page_passing_counts_as_saying_it_changed(
    services: Services, database: Database, acme: BusinessAccount, open_alert: int
) -> None:
    [closed] = services.alerts.close_for_rotation("U0RAJ", acme.id)

    assert closed.waiting
    assert [a.status for a in alerts_in(database)] == ["waiting"]


def test_saying_it_changed_is_counted_once(
    services: Services, acme: BusinessAccount, open_alert: int
) -> None:
    assert len(services.alerts.report_changed("U0ANA", acme.id)) == 1
    assert services.alerts.report_changed("U0ANA", acme.id) == []
    assert services.alerts.close_for_rotation("U0ANA", acme.id) == []
    assert services.alerts.open_compromised("U0ANA") == []


def test_someone_not_on_the_account_closes_nothing(
    services: Services, database: Database, acme: BusinessAccount, open_alert: int
) -> None:
    assert services.alerts.close_for_rotation("U0DANA", acme.id) == []  # the manager
    assert services.alerts.close_for_rotation("U0NOBODY", acme.id) == []
    assert services.alerts.report_changed("U0DANA", acme.id) == []
    assert services.alerts.report_changed("U0NOBODY") == []
    assert [a.status for a in alerts_in(database)] == ["open"]
    assert compromised_line_of(services, "U0ANA").state is State.NEEDS_ACTION


def test_the_check_stays_red_while_another_account_has_an_open_alert(
    services: Services,
    database: Database,
    account: AccountFactory,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    with database.sessions() as session:
        ana = session.scalars(select(Member).where(Member.slack_user_id == "U0ANA")).one()
    bolt = account("Bolt Bikes Ads", members=[ana], platform_account_id="7012346")
    services.alerts.receive(alert(id="alert-124", account_id="7012346"))
    assert [a.account_name for a in services.alerts.open_compromised("U0ANA")] == [
        "Acme Shoes Ads",
        "Bolt Bikes Ads",
    ]

    services.alerts.report_changed("U0ANA", acme.id)

    line = compromised_line_of(services, "U0ANA")
    assert line.state is State.NEEDS_ACTION
    assert [account_line.account.name for account_line in line.accounts] == ["Bolt Bikes Ads"]
    assert "Bolt Bikes Ads" in line.explanation and "Acme" not in line.explanation
    assert compromised_line_of(services, "U0RAJ").state is State.UNKNOWN  # waiting
    services.alerts.report_changed("U0ANA")  # every account of hers with an open alert
    line = compromised_line_of(services, "U0ANA")
    assert line.state is State.UNKNOWN
    assert "Acme Shoes Ads and Bolt Bikes Ads" in line.explanation
    assert bolt.id not in {a.business_account_id for a in services.alerts.open_compromised("U0ANA")}


@pytest.mark.parametrize(
    ("open_for", "said"),
    [
        (timedelta(seconds=30), "under a minute"),
        (timedelta(hours=3, minutes=5), "3 h 5 min"),
        (timedelta(days=1, hours=3, minutes=5), "1 day 3 h"),
        (timedelta(days=2), "2 days"),
    ],
)
def test_how_long_an_alert_stayed_open_reads_with_the_right_plural(
    open_for: timedelta, said: str
) -> None:
    assert remediation_time(open_for) == said
