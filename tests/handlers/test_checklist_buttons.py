"""Fix buttons and the 2-step verification form, through the real Bolt app."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.models import AuditRecord, CheckResult
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of


def _home_text(standin: SlackStandIn, user: str, expected: str) -> str:
    def published() -> str | None:
        view = standin.published_view(user)
        shown = text_of(view["blocks"]) if view else ""
        return shown if expected in shown else None

    return standin.wait_for(published)


def _submit_phone(slack: Slack, standin: SlackStandIn, number: str) -> None:
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "recovery_phone"
    values = {"phone": {"phone": {"type": "plain_text_input", "value": number}}}
    response = slack.send(payloads.view_submission("U0ANA", modal, values))
    assert json.loads(response.body)["response_action"] == "update"


def test_recovery_phone_button_opens_the_modal_then_updates_the_message_and_home(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
    services: Services,
) -> None:
    account("Acme Shoes Ads", members=[member("U0ANA")])  # the recovery phone applies

    response = slack.press("U0ANA", "report_recovery_phone")
    assert response.status == 200
    _submit_phone(slack, standin, "+49 30 12345612")

    post = standin.wait_for(standin.response_url_posts)[0]
    assert post["replace_original"] is True
    assert post["text"] == "1 of 7 checks pass"
    assert "self-reported" in text_of(post["blocks"])
    _home_text(standin, "U0ANA", "1 of 7 checks pass")
    with services.database.sessions() as session:
        assert session.scalars(select(AuditRecord.action)).all() == ["recovery.phone.recorded"]


def test_button_on_home_republishes_home(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, account: AccountFactory
) -> None:
    account("Acme Shoes Ads", members=[member("U0ANA")])  # the recovery phone applies
    slack.press("U0ANA", "report_recovery_phone", from_home=True)
    _submit_phone(slack, standin, "+49 30 12345612")
    _home_text(standin, "U0ANA", "1 of 7 checks pass")
    assert standin.response_url_posts() == []


def _open_two_step_form(slack: Slack, standin: SlackStandIn) -> dict[str, Any]:
    slack.press("U0ANA", "report_two_step")
    return standin.wait_for(standin.opened_views)[-1]


def test_two_step_form_records_a_self_report_per_account(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
    services: Services,
) -> None:
    ana = member("U0ANA")
    shoes = account("Acme Shoes Ads", members=[ana])
    modal = _open_two_step_form(slack, standin)
    shown = text_of(modal["blocks"])
    assert "User Settings" in shown and "Account Security" in shown
    options = modal["blocks"][2]["element"]["options"]
    assert [option["value"] for option in options] == [str(shoes.id)]

    response = slack.send(
        payloads.view_submission(
            "U0ANA",
            modal,
            {
                "account": {
                    "account": {"type": "static_select", "selected_option": options[0]},
                },
                "method": {
                    "method": {
                        "type": "radio_buttons",
                        "selected_option": {"value": "authenticator_app"},
                    }
                },
            },
        )
    )

    assert response.status == 200
    assert response.body == ""  # the modal closes
    home = _home_text(standin, "U0ANA", "1 of 7 checks pass")
    assert "On, self-reported (with authenticator app)" in home
    post = standin.wait_for(standin.response_url_posts)[-1]
    assert post["replace_original"] is True and post["text"] == "1 of 7 checks pass"


def test_two_step_form_refuses_an_account_of_someone_else(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
    services: Services,
) -> None:
    ana, raj = member("U0ANA"), member("U0RAJ")
    account("Acme Shoes Ads", members=[ana])
    rajs = account("Raj's own", members=[raj])
    modal = _open_two_step_form(slack, standin)

    forged_choice = {"value": str(rajs.id), "text": {"type": "plain_text", "text": "x"}}
    response = slack.send(
        payloads.view_submission(
            "U0ANA",
            modal,
            {
                "account": {"account": {"type": "static_select", "selected_option": forged_choice}},
                "method": {
                    "method": {"type": "radio_buttons", "selected_option": {"value": "sms"}}
                },
            },
        )
    )

    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert "only report on business accounts you work on" in answer["errors"]["account"]
    with services.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 0
        assert session.scalars(select(AuditRecord.action)).all() == ["twostep.self_report.refused"]


def test_two_step_button_without_accounts_explains(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    slack.press("U0ANA", "report_two_step")
    post = standin.wait_for(standin.response_url_posts)[0]
    assert "No business accounts are on record" in post["text"]
    assert standin.opened_views() == []
