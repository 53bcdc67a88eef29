"""Step-up's plumbing: one continuation per purpose, the private-metadata limit, `perform` from
anywhere, and `reply` where the member acted. Through the real Bolt client and the Slack stand-in."""

from __future__ import annotations

import pytest
from slack_bolt import App

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services
from bot.twostep.authenticator import LinkState
from handlers.slack import alerts, cases, exemptions, step_up, two_step, workspace_settings
from handlers.slack.step_up import StepUp
from handlers.slack.suspicious_login import CONFIRM
from sandbox.slack_standin import SlackStandIn
from tests.conftest import ADMIN, MemberFactory
from tests.handlers.test_step_up import (
    STALE,
    ana_linked,
    step_up_modal,
)
from tests.handlers.test_two_step import link_authenticator
from wiring import build_client

__all__ = ["ana_linked"]  # fixtures shared with the original module

CONTINUATIONS: list[step_up.Continuation] = [
    two_step.RESET,
    alerts.ROTATE,
    cases.RESOLVE,
    cases.APPROVE,
    CONFIRM,
    workspace_settings.CHANGE,
    exemptions.APPROVE,
]


def test_every_purpose_has_one_continuation_and_a_reason(settings: Settings) -> None:
    assert sorted(then.purpose for then in CONTINUATIONS) == sorted(StepUp)
    assert all(then.reason for then in CONTINUATIONS)
    app = App(client=build_client(settings), token_verification_enabled=False)
    with pytest.raises(RuntimeError, match="without a continuation: approve_reimbursement"):
        step_up.register(app, [c for c in CONTINUATIONS if c is not cases.APPROVE])
    with pytest.raises(RuntimeError, match="resolve_case has two continuations"):
        step_up.register(app, [*CONTINUATIONS, cases.RESOLVE])


def test_a_context_too_large_for_private_metadata_is_refused(
    settings: Settings,
    services: Services,
    clock: FakeClock,
    member: MemberFactory,
    standin: SlackStandIn,
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    with pytest.raises(ValueError, match="too large"):
        step_up.perform(
            build_client(settings),
            services,
            two_step.RESET,
            user=ADMIN,
            trigger_id="1.2.3",
            arguments={"subject": "U" + "X" * 3000},
        )
    assert standin.opened_views() == []


def perform_reset(settings: Settings, services: Services) -> None:
    """The admin resets Ana's link through `perform`, from the Home tab (no response_url)."""
    step_up.perform(
        build_client(settings),
        services,
        two_step.RESET,
        user=ADMIN,
        trigger_id="1.2.3",
        arguments={"subject": "U0ANA"},
    )


@pytest.mark.usefixtures("ana_linked")
def test_perform_runs_the_purposes_continuation_at_once_when_fresh(
    settings: Settings,
    services: Services,
    clock: FakeClock,
    member: MemberFactory,
    standin: SlackStandIn,
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)  # linking counts as a step-up, for 10 minutes

    perform_reset(settings, services)

    assert services.authenticator.status("U0ANA").state is LinkState.NONE
    assert standin.opened_views() == []
    told = standin.messages(ADMIN)[-1]  # no response_url: the admin is told by DM
    assert told["text"].startswith("I've reset <@U0ANA>'s authenticator link")


@pytest.mark.usefixtures("ana_linked")
def test_perform_only_asks_for_a_code_when_stale(
    settings: Settings,
    services: Services,
    clock: FakeClock,
    member: MemberFactory,
    standin: SlackStandIn,
) -> None:
    member(ADMIN)
    link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)

    perform_reset(settings, services)

    assert step_up_modal(standin)["callback_id"] == "step_up"
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE


def test_reply_answers_where_the_member_acted_or_by_dm(
    settings: Settings, member: MemberFactory, standin: SlackStandIn
) -> None:
    member("U0ANA")
    client = build_client(settings)
    message = {"text": "Done."}

    step_up.reply(client, "U0ANA", step_up.respond_from({"response_url": None}), message)
    step_up.reply(
        client, "U0ANA", step_up.respond_from({"response_url": standin.response_url()}), message
    )

    assert [dm["text"] for dm in standin.messages("U0ANA")] == ["Done."]
    [post] = standin.wait_for(standin.response_url_posts)
    assert (post["text"], post["response_type"], post["replace_original"]) == (
        "Done.",
        "ephemeral",
        False,
    )
