"""`/security 2sv` and its buttons, through the real Bolt app: the platform's 2-step verification
on each business account, and linking the authenticator to the bot, never confused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_blocks
from storage import members as member_store
from storage.models import AuditRecord
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of


def link_authenticator(services: Services, clock: FakeClock, user: str) -> str:
    """Link an app as the one-time page would; the next code comes from a new time step."""
    secret = services.authenticator.begin(user).secret
    services.authenticator.confirm(user, pyotp.TOTP(secret).at(clock.now()))
    clock.advance(timedelta(seconds=30))
    return secret


def code(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def audit_actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def button_ids(blocks: list[dict[str, Any]]) -> list[str]:
    found = []
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "button":
            found.append(accessory["action_id"])
        found.extend(e["action_id"] for e in block.get("elements", []) if e.get("type") == "button")
    return found


def halves(blocks: list[dict[str, Any]]) -> tuple[str, str]:
    """The text about business accounts, and the text about the authenticator, split at the divider."""
    cut = next(i for i, block in enumerate(blocks) if block["type"] == "divider")
    return text_of(blocks[:cut]), text_of(blocks[cut:])


def account_block(blocks: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The block of one business account: its name, its state, then its evidence in italics."""
    return next(b for b in blocks if name in text_of([b]) and "\n_" in text_of([b]))


def dm_link(standin: SlackStandIn, user: str) -> tuple[dict[str, Any], str]:
    """The latest DM to `user` and the URL of its one-time link button."""
    message = standin.wait_for(lambda: standin.messages(user))[-1]
    urls = [
        element["url"]
        for block in message["blocks"]
        for element in block.get("elements", [])
        if element.get("url")
    ]
    assert len(urls) == 1
    return message, urls[0]


# -- /security 2sv --------------------------------------------------------------------------------


def test_2sv_without_business_accounts(slack: Slack, member: MemberFactory) -> None:
    member("U0ANA")

    answer = slack.command("U0ANA", "2sv")

    assert answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"], surface="message") == []
    platform, authenticator = halves(answer["blocks"])
    assert "Your business accounts on the platform" in platform
    assert "No business accounts are on record for you yet" in platform
    assert "Your authenticator app, linked to this bot" in authenticator
    assert "Not linked" in authenticator
    assert button_ids(answer["blocks"]) == ["link_authenticator"]
    assert slack.standin.calls("response_url") == []  # answered in the acknowledgement


def test_2sv_with_one_business_account(
    slack: Slack, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    shoes = account("Acme Shoes Ads", members=[ana])

    answer = slack.command("U0ANA", "2sv")

    platform, authenticator = halves(answer["blocks"])
    assert "Acme Shoes Ads" in platform and "Acme Shoes Ads" not in authenticator
    assert "Not confirmed yet" in platform
    for step in ("profile picture", "User Settings", "Account Security", "verification method"):
        assert step in platform
    assert "Not linked" in authenticator and "Not linked" not in platform
    per_account = account_block(answer["blocks"], "Acme Shoes Ads")
    assert per_account["accessory"]["action_id"] == f"report_two_step:{shoes.id}"
    assert per_account["accessory"]["text"]["text"] == "I've turned it on"


def test_2sv_with_several_accounts_and_a_linked_authenticator(
    slack: Slack,
    member: MemberFactory,
    account: AccountFactory,
    services: Services,
    clock: FakeClock,
) -> None:
    ana = member("U0ANA")
    hats = account("Acme Hats Ads", members=[ana])
    shoes = account("Acme Shoes Ads", members=[ana])
    account("<!channel> *Bolt* Bikes", members=[ana])
    services.self_reports.two_step_turned_on("U0ANA", hats.id, "sms")
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=ana.id,
            check=Check.TWO_STEP,
            business_account_id=shoes.id,
            source=Source.PLATFORM,
            state=State.PASSING,
            observed_at=clock.now(),
            detail={"method": "authenticator_app"},
        )
    link_authenticator(services, clock, "U0ANA")

    answer = slack.command("U0ANA", "2sv")

    assert validate_blocks(answer["blocks"], surface="message") == []
    platform, authenticator = halves(answer["blocks"])
    assert "On, self-reported (with SMS)" in platform
    assert "self-reported" in platform
    assert "On, as the platform reports (with authenticator app)" in platform
    assert "platform-reported" in platform
    assert "&lt;!channel&gt; *Bolt* Bikes" in platform and "<!channel>" not in platform
    assert "Authenticator linked, verified <!date^" in authenticator
    assert "Recovery codes left: 10" in authenticator
    assert "Authenticator linked" not in platform and "Acme" not in authenticator
    bikes = account_block(answer["blocks"], "Bikes")
    buttons = button_ids(answer["blocks"])
    # only the account nobody reported on has the button; the authenticator can be managed
    assert buttons == [
        bikes["accessory"]["action_id"],
        "new_recovery_codes",
        "remove_authenticator",
    ]


def test_2sv_while_linking_is_pending(
    slack: Slack, member: MemberFactory, services: Services
) -> None:
    member("U0ANA")
    services.authenticator.begin("U0ANA")

    _, authenticator = halves(slack.command("U0ANA", "2sv")["blocks"])

    assert "Pending" in authenticator
    assert "Start again" in authenticator
    assert "link_authenticator" in button_ids(slack.command("U0ANA", "2sv")["blocks"])


def test_help_and_unknown_mention_2sv(slack: Slack) -> None:
    assert "/security 2sv" in text_of(slack.command("U0ANA", "help")["blocks"])
    assert "`/security 2sv`" in slack.command("U0ANA", "2sv what")["text"]


def test_the_checklist_offers_linking_until_the_authenticator_is_linked(
    slack: Slack, member: MemberFactory, services: Services, clock: FakeClock
) -> None:
    member("U0ANA")
    assert "link_authenticator" in button_ids(slack.command("U0ANA", "status")["blocks"])

    link_authenticator(services, clock, "U0ANA")

    answer = slack.command("U0ANA", "status")
    assert "link_authenticator" not in button_ids(answer["blocks"])
    assert answer["text"] == "1 of 1 check passes"  # no business accounts: only this applies


# -- "I've turned it on" per account --------------------------------------------------------------


def test_ive_turned_it_on_preselects_the_account_and_records_a_self_report(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
    services: Services,
) -> None:
    ana = member("U0ANA")
    account("Acme Hats Ads", members=[ana])
    shoes = account("Acme Shoes Ads", members=[ana])
    answer = slack.command("U0ANA", "2sv")
    button = account_block(answer["blocks"], "Acme Shoes Ads")["accessory"]

    slack.press("U0ANA", button["action_id"], value=button["value"])

    modal = standin.wait_for(standin.opened_views)[-1]
    chosen = modal["blocks"][2]["element"]["initial_option"]
    assert chosen["value"] == str(shoes.id)
    response = slack.send(
        payloads.view_submission(
            "U0ANA",
            modal,
            {
                "account": {"account": {"type": "static_select", "selected_option": chosen}},
                "method": {
                    "method": {"type": "radio_buttons", "selected_option": {"value": "email"}}
                },
            },
        )
    )

    assert response.status == 200 and response.body == ""
    with services.database.sessions() as session:
        record = session.scalars(select(AuditRecord)).one()
    assert (record.actor, record.action, record.target, record.details) == (
        "U0ANA",
        "twostep.self_reported",
        f"business_account:{shoes.id}",
        {"method": "email"},
    )
    post = standin.wait_for(standin.response_url_posts)[-1]
    assert post["replace_original"] is True
    assert post["text"].startswith("2-step verification: on for 1 of 2")  # the 2sv message again
    assert "On, self-reported (with email)" in text_of(post["blocks"])
    home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    assert "On, self-reported (with email)" in text_of(home["blocks"])


def test_a_forged_account_is_not_preselected(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, account: AccountFactory
) -> None:
    ana, raj = member("U0ANA"), member("U0RAJ")
    account("Acme Shoes Ads", members=[ana])
    rajs = account("Raj's own", members=[raj])

    slack.press("U0ANA", f"report_two_step:{rajs.id}", value=f"two_step:{rajs.id}")

    modal = standin.wait_for(standin.opened_views)[-1]
    element = modal["blocks"][2]["element"]
    assert "initial_option" not in element
    assert str(rajs.id) not in [option["value"] for option in element["options"]]


# -- Link an authenticator app ----------------------------------------------------------------------


def test_link_an_authenticator_app_sends_a_one_time_link_by_dm(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    settings: Settings,
) -> None:
    member("U0ANA")
    pending = services.authenticator.begin("U0ANA")  # an earlier attempt, never finished

    slack.press("U0ANA", "link_authenticator", value="two_step")

    message, url = dm_link(standin, "U0ANA")
    assert url.startswith(f"{settings.public_base_url}/secure/authenticator/")
    shown = text_of(message["blocks"])
    assert "works once, for 10 minutes" in shown
    assert "never ask for a password or a code in a DM" in shown
    assert url not in message["text"] and url not in shown  # only in the button
    post_call = standin.calls("chat.postMessage")[-1]
    assert post_call.args["unfurl_links"] is False and post_call.args["unfurl_media"] is False
    answer = standin.wait_for(standin.response_url_posts)[-1]  # sent after the link is attached
    assert answer["text"] == "I've sent you a one-time link in a DM."
    assert answer["replace_original"] is False
    token = urlsplit(url).path.rsplit("/", 1)[1]
    grant = services.secure_links.check(token, LinkPurpose.LINK_AUTHENTICATOR)
    assert (grant.slack_user_id, grant.slack_channel, grant.slack_ts) == (
        "U0ANA",
        message["channel"],
        message["ts"],
    )
    everything = json.dumps([c.args for c in standin.calls()] + standin.response_url_posts())
    assert pending.secret not in everything
    assert pending.grouped_key not in everything


def test_link_from_the_home_tab_only_sends_the_dm(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, services: Services
) -> None:
    member("U0ANA")

    slack.press("U0ANA", "link_authenticator", from_home=True)

    _, url = dm_link(standin, "U0ANA")
    token = urlsplit(url).path.rsplit("/", 1)[1]
    standin.wait_for(  # the handler's last step before it would say anything more
        lambda: services.secure_links.check(token, LinkPurpose.LINK_AUTHENTICATOR).slack_ts
    )
    assert standin.response_url_posts() == []
    assert len(standin.messages("U0ANA")) == 1  # no second DM saying a DM was sent


def test_link_is_refused_while_an_authenticator_is_linked(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    services: Services,
    clock: FakeClock,
) -> None:
    member("U0ANA")
    link_authenticator(services, clock, "U0ANA")

    slack.press("U0ANA", "link_authenticator")

    answer = standin.wait_for(standin.response_url_posts)[-1]
    assert "You already have an authenticator linked. Remove it" in answer["text"]
    assert standin.messages("U0ANA") == []
    assert "secure_link.issued" not in audit_actions(services)
