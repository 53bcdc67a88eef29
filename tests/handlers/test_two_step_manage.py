"""Managing a linked authenticator from `/security 2sv`, through the real Bolt app: new recovery
codes and removing the authenticator."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.services import Services
from bot.twostep.authenticator import LinkState
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_view
from tests.conftest import MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_two_step import (
    audit_actions,
    button_ids,
    code,
    dm_link,
    halves,
    link_authenticator,
)

# -- New recovery codes ---------------------------------------------------------------------------


def test_new_recovery_codes_sends_a_one_time_link(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    settings: Settings,
    clock: FakeClock,
) -> None:
    member("U0ANA")
    link_authenticator(services, clock, "U0ANA")

    slack.press("U0ANA", "new_recovery_codes", value="two_step")

    message, url = dm_link(standin, "U0ANA")
    assert url.startswith(f"{settings.public_base_url}/secure/recovery_codes/")
    assert "old ones stop working" in text_of(message["blocks"])
    answer = standin.wait_for(standin.response_url_posts)[-1]  # sent after the link is attached
    assert answer["text"] == "I've sent you a one-time link in a DM."
    token = urlsplit(url).path.rsplit("/", 1)[1]
    assert services.secure_links.check(token, LinkPurpose.RECOVERY_CODES).slack_ts == message["ts"]


def test_new_recovery_codes_without_an_authenticator(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, services: Services
) -> None:
    member("U0ANA")

    slack.press("U0ANA", "new_recovery_codes")

    answer = standin.wait_for(standin.response_url_posts)[-1]
    assert "no authenticator linked to the bot yet" in answer["text"]
    assert standin.messages("U0ANA") == []
    assert "secure_link.issued" not in audit_actions(services)


# -- Remove authenticator ---------------------------------------------------------------------------


def _submit_code(slack: Slack, user: str, modal: dict[str, Any], typed: str) -> Any:
    values = {"code": {"code": {"type": "plain_text_input", "value": typed}}}
    return slack.send(payloads.view_submission(user, modal, values))


def test_remove_authenticator_needs_a_current_code(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
) -> None:
    member("U0ANA")
    secret = link_authenticator(services, clock, "U0ANA")

    slack.press("U0ANA", "remove_authenticator", value="two_step")
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "remove_authenticator"
    assert validate_view({k: modal[k] for k in ("type", "title", "blocks", "submit")}) == []

    wrong = _submit_code(slack, "U0ANA", modal, "000000")
    assert json.loads(wrong.body)["errors"]["code"].startswith("That code didn't work")
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE

    right = _submit_code(slack, "U0ANA", modal, code(secret, clock))

    assert right.status == 200 and right.body == ""
    assert services.authenticator.status("U0ANA").state is LinkState.NONE
    assert audit_actions(services)[-1] == "twostep.authenticator.removed"
    post = standin.wait_for(standin.response_url_posts)[-1]
    assert post["replace_original"] is True
    assert "Not linked" in halves(post["blocks"])[1]
    home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    assert "link_authenticator" in button_ids(home["blocks"])


def test_a_lockout_while_removing_is_told_by_dm_and_nothing_is_removed(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
) -> None:
    member("U0ANA")
    secret = link_authenticator(services, clock, "U0ANA")
    slack.press("U0ANA", "remove_authenticator", value="two_step")
    modal = standin.wait_for(standin.opened_views)[-1]

    answers = [json.loads(_submit_code(slack, "U0ANA", modal, "000000").body) for _ in range(5)]

    assert answers[-1]["errors"]["code"].startswith("Too many wrong codes")
    dm = standin.wait_for(lambda: standin.messages("U0ANA") or None)[-1]
    assert dm["text"].startswith("Too many wrong codes")
    assert dm["text"].endswith("If you didn't type those codes, tell a security admin now.")
    assert len(standin.messages("U0ANA")) == 1  # told once, when it locked
    right = json.loads(_submit_code(slack, "U0ANA", modal, code(secret, clock)).body)
    assert right["errors"]["code"].startswith("Too many wrong codes")
    assert services.authenticator.status("U0ANA").state is LinkState.ACTIVE


def test_remove_without_an_authenticator_opens_nothing(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")

    slack.press("U0ANA", "remove_authenticator")

    answer = standin.wait_for(standin.response_url_posts)[-1]
    assert "no authenticator linked to the bot yet" in answer["text"]
    assert standin.opened_views() == []
