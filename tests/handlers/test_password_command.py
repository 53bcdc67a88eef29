"""`/security password` and the checklist's "Check my passwords", through the real Bolt app: both
DM the one-time link to the password check page, and nothing in Slack asks for a password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.core.secure_links import LinkPurpose
from bot.services import Services
from sandbox.slack_standin import SlackStandIn, validate_blocks
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_two_step import button_ids, dm_link


def test_security_password_answers_at_once_and_dms_a_one_time_link(
    slack: Slack, standin: SlackStandIn, services: Services, member: MemberFactory
) -> None:
    member("U0ANA")

    answer = slack.command("U0ANA", "password")

    assert answer["response_type"] == "ephemeral"
    assert "one-time link in a DM" in answer["text"] and "Never type a password" in answer["text"]
    message, url = dm_link(standin, "U0ANA")
    assert urlsplit(url).path.startswith("/secure/password_check/")
    assert "Check your passwords" in message["text"]
    assert validate_blocks(message["blocks"], surface="message") == []
    shown = text_of(message["blocks"])
    assert "never in Slack" in shown and "works once" in shown
    assert url not in message["text"]  # the URL travels only in the button
    token = urlsplit(url).path.rsplit("/", 1)[1]
    grant = services.secure_links.check(token, LinkPurpose.PASSWORD_CHECK)
    assert grant.slack_user_id == "U0ANA"


def test_help_lists_the_password_check(slack: Slack, member: MemberFactory) -> None:
    member("U0ANA")
    assert "`/security password`" in slack.command("U0ANA", "help")["text"]


def test_the_checklist_offers_check_my_passwords_on_both_password_checks(
    slack: Slack, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])

    answer = slack.command("U0ANA", "status")

    assert validate_blocks(answer["blocks"], surface="message") == []  # no repeated action_id
    ids = button_ids(answer["blocks"])
    assert "check_passwords:strong_password" in ids and "check_passwords:unique_passwords" in ids
    labels = [
        block["accessory"]["text"]["text"]
        for block in answer["blocks"]
        if block.get("accessory", {}).get("action_id", "").startswith("check_passwords")
    ]
    assert labels == ["Check my passwords", "Check my passwords"]


def test_check_my_passwords_dms_the_link_and_says_so_where_it_was_pressed(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")

    response = slack.press("U0ANA", "check_passwords:unique_passwords")

    assert response.status == 200
    _, url = dm_link(standin, "U0ANA")
    assert "/secure/password_check/" in url
    post = standin.wait_for(standin.response_url_posts)[0]
    assert post["replace_original"] is False and "one-time link in a DM" in post["text"]


def test_from_the_home_tab_the_dm_is_the_answer(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")

    slack.press("U0ANA", "check_passwords:strong_password", from_home=True)

    dm_link(standin, "U0ANA")
    assert standin.response_url_posts() == []


def test_nothing_the_bot_sends_asks_for_a_password_in_slack(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    slack.command("U0ANA", "password")
    dm_link(standin, "U0ANA")
    slack.press("U0ANA", "check_passwords:strong_password")
    standin.wait_for(lambda: len(standin.messages("U0ANA")) == 2)

    sent: list[dict[str, Any]] = [call.args for call in standin.calls()]
    for args in sent:
        for block in args.get("blocks") or []:
            assert block.get("type") != "input"  # no field to type into
    assert standin.opened_views() == []  # and no modal
