"""Step-up before sensitive actions, shown through its first user: a security admin resetting a
member's authenticator link. Through the real Bolt app, with the Slack stand-in."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import BoltResponse

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_view
from tests.conftest import ADMIN, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_two_step import audit_actions, code, dm_link, link_authenticator

STALE = timedelta(minutes=11)  # a step-up is fresh for 10 minutes
CLOSES = {"response_action": "clear"}  # a correct code for an action: the modal closes


def reset_command(slack: Slack, user: str, text: str = "2sv reset <@U0ANA|ana>") -> BoltResponse:
    response = slack.send(
        payloads.slash_command(user, text, response_url=slack.standin.response_url())
    )
    assert response.status == 200
    return response


def submit_code(slack: Slack, user: str, modal: dict[str, Any], typed: str) -> BoltResponse:
    values = {"code": {"code": {"type": "plain_text_input", "value": typed}}}
    return slack.send(payloads.view_submission(user, modal, values))


def step_up_modal(standin: SlackStandIn) -> dict[str, Any]:
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "step_up"
    return modal


@pytest.fixture
def ana_linked(member: MemberFactory, services: Services, clock: FakeClock) -> str:
    member("U0ANA")
    return link_authenticator(services, clock, "U0ANA")


def test_admin_reset_asks_for_a_code_then_resets_and_tells_both(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member(ADMIN)
    admin_secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)

    response = reset_command(slack, ADMIN)

    assert response.body == ""  # nothing to show yet: the modal asks for the code
    modal = step_up_modal(standin)
    assert validate_view({k: modal[k] for k in ("type", "title", "blocks", "submit")}) == []
    assert "Enter a code from your authenticator app" in text_of(modal["blocks"])
    assert "reset a member's authenticator link" in text_of(modal["blocks"])
    metadata = json.loads(modal["private_metadata"])
    assert (metadata["purpose"], metadata["context"]) == (
        "reset_authenticator",
        {"subject": "U0ANA"},
    )
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE

    answer = submit_code(slack, ADMIN, modal, code(admin_secret, clock))

    assert answer.status == 200 and json.loads(answer.body) == CLOSES  # the modal closes
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert (
        told["text"] == "I've reset <@U0ANA>'s authenticator link with the bot and told them by DM."
    )
    assert services.authenticator.status("U0ANA").state is LinkState.NONE
    dm = standin.messages("U0ANA")[-1]
    assert dm["text"] == (
        "A security admin reset your authenticator link with the bot; "
        "link a new one with `/security 2sv`."
    )
    home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    assert "Reset by a security admin." in text_of(home["blocks"])
    actions = audit_actions(services)
    assert actions[-2:] == ["twostep.code.accepted", "twostep.authenticator.reset"]


def test_a_fresh_step_up_runs_the_reset_without_a_modal(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)  # linking counts as a step-up, for 10 minutes

    reset_command(slack, ADMIN)

    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"].startswith("I've reset <@U0ANA>'s authenticator link")
    assert services.authenticator.status("U0ANA").state is LinkState.NONE
    assert standin.opened_views() == []


def test_a_wrong_code_is_shown_on_the_input_and_nothing_is_done(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member(ADMIN)
    admin_secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    reset_command(slack, ADMIN)
    modal = step_up_modal(standin)

    answer = submit_code(slack, ADMIN, modal, "000000")

    errors = json.loads(answer.body)
    assert errors["response_action"] == "errors"
    assert errors["errors"]["code"].startswith("That code didn't work")
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE
    # The right code afterwards resets once: the wrong one ran nothing, not even later.
    submit_code(slack, ADMIN, modal, code(admin_secret, clock))
    standin.wait_for(standin.response_url_posts)
    assert audit_actions(services)[-3:] == [
        "twostep.code.rejected",
        "twostep.code.accepted",
        "twostep.authenticator.reset",
    ]
    assert audit_actions(services).count("twostep.authenticator.reset") == 1
    assert len(standin.response_url_posts()) == 1
    assert len(standin.messages("U0ANA")) == 1


def test_a_replayed_code_is_refused(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member(ADMIN)
    admin_secret = services.authenticator.begin(ADMIN).secret
    used = code(admin_secret, clock)
    services.authenticator.confirm(ADMIN, used)
    services.authenticator.policy = dataclasses.replace(
        services.authenticator.policy, step_up_fresh_for=timedelta(0)
    )
    clock.advance(timedelta(seconds=1))  # no longer fresh, still the same time step
    reset_command(slack, ADMIN)
    modal = step_up_modal(standin)

    replayed = submit_code(slack, ADMIN, modal, used)

    assert json.loads(replayed.body)["errors"]["code"].startswith("That code didn't work")
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE
    clock.advance(timedelta(seconds=30))
    fresh = submit_code(slack, ADMIN, modal, code(admin_secret, clock))
    assert json.loads(fresh.body) == CLOSES
    standin.wait_for(standin.response_url_posts)
    assert services.authenticator.status("U0ANA").state is LinkState.NONE


def test_a_lockout_is_told_by_dm(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    reset_command(slack, ADMIN)
    modal = step_up_modal(standin)

    answers = [json.loads(submit_code(slack, ADMIN, modal, "000000").body) for _ in range(5)]

    assert answers[-1]["errors"]["code"].startswith("Too many wrong codes")
    dm = standin.wait_for(lambda: standin.messages(ADMIN))[-1]
    assert dm["text"].startswith("Too many wrong codes")
    assert "tell a security admin" in dm["text"]
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE


def test_without_an_authenticator_the_admin_gets_the_link_instead_of_the_modal(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    settings: Settings,
    ana_linked: str,
) -> None:
    member(ADMIN)

    reset_command(slack, ADMIN)

    told = standin.wait_for(standin.response_url_posts)[-1]
    assert "I need a code from an authenticator app linked to the bot" in told["text"]
    assert told["text"].endswith("I've sent you a one-time link in a DM.")
    message, url = dm_link(standin, ADMIN)
    assert url.startswith(f"{settings.public_base_url}/secure/authenticator/")
    assert "reset a member's authenticator link" in text_of(message["blocks"])
    assert standin.opened_views() == []
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE


def test_a_non_admin_is_refused_before_any_code_and_audited(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member("U0RAJ")
    link_authenticator(services, clock, "U0RAJ")  # even with a fresh step-up

    answer = slack.command("U0RAJ", "2sv reset <@U0ANA>")

    assert answer["text"] == "Only security admins can reset someone's authenticator."
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE
    assert audit_actions(services)[-1] == "twostep.reset.refused"
    assert standin.opened_views() == [] and standin.messages("U0ANA") == []


def test_a_forged_step_up_submission_is_refused_by_the_service(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
    ana_linked: str,
) -> None:
    member("U0RAJ")
    raj_secret = link_authenticator(services, clock, "U0RAJ")
    metadata = json.dumps(
        {
            "purpose": "reset_authenticator",
            "context": {"subject": "U0ANA"},
            "response_url": standin.response_url(),
        }
    )
    forged = views_twostep.step_up_modal("reset a member's authenticator link", metadata)

    answer = submit_code(slack, "U0RAJ", forged, code(raj_secret, clock))

    assert json.loads(answer.body) == CLOSES  # Raj's own code is right...
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"] == "Only security admins can reset someone's authenticator."  # ...but
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE
    assert audit_actions(services)[-1] == "twostep.reset.refused"


def test_a_next_step_that_cannot_be_told_is_refused_on_the_code_input(
    slack: Slack, member: MemberFactory, services: Services, clock: FakeClock
) -> None:
    member(ADMIN)
    secret = link_authenticator(services, clock, ADMIN)
    unclear = views_twostep.step_up_modal("resolve a compromise case", '{"purpose":"resolve_case"}')
    unknown = views_twostep.step_up_modal("do something", '{"purpose":"launch_rockets"}')

    refused = submit_code(slack, ADMIN, unknown, code(secret, clock))
    clock.advance(timedelta(seconds=30))
    no_case = submit_code(slack, ADMIN, unclear, code(secret, clock))

    assert json.loads(refused.body)["errors"]["code"].startswith("This request can't be completed")
    assert json.loads(no_case.body)["errors"]["code"] == "I couldn't tell which case to resolve."


def test_reset_of_an_unparseable_person(slack: Slack) -> None:
    assert "like `/security 2sv reset @dana`" in slack.command(ADMIN, "2sv reset dana")["text"]
