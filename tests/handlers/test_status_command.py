"""`/security` through the real Bolt app, signed as Slack signs it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services, build_services
from sandbox.slack_standin import SlackStandIn, validate_blocks
from storage.database import connect
from storage.models import AuditRecord, Member
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of
from wiring import build_client, create_app


def test_status_is_answered_in_the_acknowledgement(
    slack: Slack, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])

    answer = slack.command("U0ANA", "status")

    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "0 of 7 checks pass"
    shown = text_of(answer["blocks"])
    assert "Acme Shoes Ads" in shown
    assert "2-step verification on each business account" in shown
    assert validate_blocks(answer["blocks"], surface="message") == []
    assert slack.standin.calls("response_url") == []  # no second round trip needed


def test_empty_text_means_status(slack: Slack, member: MemberFactory) -> None:
    member("U0ANA")  # no business accounts: only the authenticator check applies
    assert slack.command("U0ANA", "")["text"] == "0 of 1 check passes"


def test_first_contact_caches_the_slack_profile(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    standin.add_user(
        "U0NEW", email="New.Person@Example.com", real_name="New Person", tz="Asia/Tokyo"
    )

    slack.command("U0NEW", "status")

    standin.wait_for(lambda: standin.calls("users.info"))

    def cached() -> Member | None:
        with services.database.sessions() as session:
            return session.scalars(select(Member).where(Member.time_zone.is_not(None))).first()

    found = standin.wait_for(cached)
    assert (found.slack_user_id, found.email, found.time_zone) == (
        "U0NEW",
        "new.person@example.com",
        "Asia/Tokyo",
    )
    slack.command("U0NEW", "status")
    assert len(standin.calls("users.info")) == 1  # cached, not fetched again


def test_help_lists_the_subcommands(slack: Slack) -> None:
    answer = slack.command("U0ANA", "help")
    shown = text_of(answer["blocks"])
    assert "/security status" in shown
    assert "/security help" in shown
    assert validate_blocks(answer["blocks"], surface="message") == []


@pytest.mark.parametrize("typed", ["statistics", "status a b", "help me", "<!channel> *boom* &"])
def test_unknown_subcommands_get_a_friendly_escaped_answer(slack: Slack, typed: str) -> None:
    shown = slack.command("U0ANA", typed)["text"]
    assert "Try `/security status`" in shown
    assert "<!channel>" not in shown
    if "<" in typed:
        assert "&lt;!channel&gt;" in shown


def test_status_of_someone_else_for_admin_and_manager_only(
    slack: Slack, member: MemberFactory, account: AccountFactory, services: Services
) -> None:
    ana, dana = member("U0ANA", name="Ana"), member("U0DANA")
    member("U0RAJ")
    account("Acme Shoes Ads", members=[ana], manager=dana)

    by_manager = slack.command("U0DANA", "status <@U0ANA|ana>")
    by_admin = slack.command(ADMIN, "status <@U0ANA>")
    by_peer = slack.command("U0RAJ", "status <@U0ANA>")

    assert "Security checklist of Ana" in text_of(by_manager["blocks"])
    assert "Security checklist of Ana" in text_of(by_admin["blocks"])
    assert "Only security admins and the member's account manager" in by_peer["text"]
    assert "Acme Shoes Ads" not in str(by_peer)
    assert "actions" not in {block["type"] for block in by_manager["blocks"]}  # no fix buttons
    with services.database.sessions() as session:
        actions = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions == ["checklist.viewed", "checklist.viewed", "checklist.view.refused"]


def test_status_with_an_unparseable_person(slack: Slack) -> None:
    assert "couldn't tell who you mean" in slack.command("U0ANA", "status dana")["text"]


def test_an_unexpected_failure_shows_only_a_reference(
    settings: Settings, clock: FakeClock, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = connect("sqlite:////nonexistent-directory/bot.db")
    services = build_services(settings, clock, unreachable)
    app = create_app(settings, services, client=build_client(settings))
    slack = Slack(app=app, signing_secret=settings.slack_signing_secret or "", standin=standin)

    answer = slack.command("U0ANA", "status")

    assert answer["text"].startswith("Sorry, something went wrong on my side. Reference: `")
    assert "sqlite" not in answer["text"].lower()
    reference = answer["text"].split("`")[1]
    assert any(reference in record.getMessage() for record in caplog.records)
