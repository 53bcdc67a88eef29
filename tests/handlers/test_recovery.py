"""Recovery readiness through the real Bolt app and the Slack stand-in: `/security recovery`, the
address and code modals, the phone modal, and the masked display in every payload Slack receives
(the full address and number never appear once typed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import BoltResponse
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services, build_services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_view
from storage.database import Database
from storage.models import AuditRecord
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.mailbox import Mailbox

ADDRESS = "ana.private@example.com"
MASKED = "a•••@example.com"


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def services(
    settings: Settings, clock: FakeClock, database: Database, mailbox: Mailbox
) -> Services:
    return build_services(settings, clock, database, mailer=mailbox)


@pytest.fixture
def ana(member: MemberFactory, account: AccountFactory) -> None:
    # On a business account, so the recovery checks apply to her.
    account("Acme Shoes Ads", members=[member("U0ANA", time_zone="Europe/Berlin")])


def everything_slack_received(standin: SlackStandIn, *answers: BoltResponse) -> str:
    """Every Web API call's arguments, every response_url post, and the acknowledgements."""
    sent = [call.args for call in standin.calls()] + standin.response_url_posts()
    return json.dumps(sent, ensure_ascii=False) + "".join(answer.body for answer in answers)


def run_command(slack: Slack, standin: SlackStandIn, text: str) -> BoltResponse:
    response = slack.send(
        payloads.slash_command("U0ANA", text, response_url=standin.response_url())
    )
    assert (response.status, response.body) == (200, "")  # the modal is the answer
    return response


def newest_modal(standin: SlackStandIn, callback_id: str, *, after: int = 0) -> dict[str, Any]:
    """The latest modal with this callback id, once more than `after` modals were opened."""

    def found() -> dict[str, Any] | None:
        opened = standin.opened_views()
        views = [v for v in opened if v.get("callback_id") == callback_id]
        return views[-1] if views and len(opened) > after else None

    return standin.wait_for(found)


def submit(slack: Slack, view: dict[str, Any], block: str, value: str) -> BoltResponse:
    element = view_element(view, block)
    values = {block: {block: {"type": element["type"], "value": value}}}
    return slack.send(payloads.view_submission("U0ANA", view, values))


def view_element(view: dict[str, Any], block: str) -> dict[str, Any]:
    element: dict[str, Any] = next(b for b in view["blocks"] if b.get("block_id") == block)[
        "element"
    ]
    return element


def answer_of(response: BoltResponse) -> dict[str, Any]:
    assert response.status == 200
    answer: dict[str, Any] = json.loads(response.body)
    return answer


def home_with(standin: SlackStandIn, expected: str) -> str:
    def published() -> str | None:
        view = standin.published_view("U0ANA")
        shown = text_of(view["blocks"]) if view else ""
        return shown if expected in shown else None

    return standin.wait_for(published)


def confirm_address(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, text: str = "recovery"
) -> list[BoltResponse]:
    run_command(slack, standin, text)
    modal = newest_modal(standin, "recovery_email")
    sent = submit(slack, modal, "email", ADDRESS)
    code_view = {**answer_of(sent)["view"], "id": modal["id"]}
    standin.wait_for(lambda: mailbox.mails)
    confirmed = submit(slack, code_view, "code", mailbox.last_code())
    return [sent, confirmed]


def test_recovery_email_confirmed_with_the_mailed_code(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, services: Services, ana: None
) -> None:
    run_command(slack, standin, "recovery")
    modal = newest_modal(standin, "recovery_email")
    assert validate_view(modal) == []
    assert view_element(modal, "email")["type"] == "email_text_input"

    sent = submit(slack, modal, "email", ADDRESS)

    answer = answer_of(sent)
    assert answer["response_action"] == "update"
    code_view = answer["view"]
    assert validate_view(code_view) == []
    assert code_view["callback_id"] == "recovery_code"
    assert f"I've emailed a 6-digit code to {MASKED}" in text_of(code_view["blocks"])
    [mail] = standin.wait_for(lambda: mailbox.mails)
    assert mail.to == ADDRESS
    pending = home_with(standin, "A code was sent to")
    assert MASKED in pending

    confirmed = submit(slack, {**code_view, "id": modal["id"]}, "code", mailbox.last_code())

    done = answer_of(confirmed)
    assert done["response_action"] == "update"
    assert f"{MASKED} is your confirmed recovery email" in text_of(done["view"]["blocks"])
    home = home_with(standin, f"{MASKED}, confirmed with a code.")
    assert "verified by the bot" in home
    assert ADDRESS not in everything_slack_received(standin, sent, confirmed)


def test_the_full_address_never_reaches_slack_after_it_was_typed(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, ana: None
) -> None:
    answers = confirm_address(slack, standin, mailbox)
    home_with(standin, "confirmed with a code")
    answers.append(slack.send(payloads.app_home_opened("U0ANA")))
    answers.append(
        slack.send(payloads.slash_command("U0ANA", "status", response_url=standin.response_url()))
    )
    opened = len(standin.opened_views())
    run_command(slack, standin, "recovery")  # the modal again, showing the confirmed address
    again = newest_modal(standin, "recovery_email", after=opened)
    assert f"Your confirmed recovery email is {MASKED}" in text_of(again["blocks"])
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 3 or None)

    everything = everything_slack_received(standin, *answers)
    assert MASKED in everything
    assert ADDRESS not in everything and "ana.private" not in everything


def test_a_wrong_code_shows_an_error_in_the_modal(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, ana: None
) -> None:
    run_command(slack, standin, "recovery")
    modal = newest_modal(standin, "recovery_email")
    code_view = {**answer_of(submit(slack, modal, "email", ADDRESS))["view"], "id": modal["id"]}
    standin.wait_for(lambda: mailbox.mails)
    wrong = f"{(int(mailbox.last_code()) + 1) % 10**6:06d}"

    answer = answer_of(submit(slack, code_view, "code", wrong))

    assert answer["response_action"] == "errors"
    assert "That code didn't work" in answer["errors"]["code"]


def test_five_wrong_codes_lock_and_the_member_is_told_by_dm(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, services: Services, ana: None
) -> None:
    run_command(slack, standin, "recovery")
    modal = newest_modal(standin, "recovery_email")
    code_view = {**answer_of(submit(slack, modal, "email", ADDRESS))["view"], "id": modal["id"]}
    standin.wait_for(lambda: mailbox.mails)
    wrong = f"{(int(mailbox.last_code()) + 1) % 10**6:06d}"

    answers = [answer_of(submit(slack, code_view, "code", wrong)) for _ in range(5)]

    assert "Too many wrong codes" in answers[-1]["errors"]["code"]
    dm = standin.wait_for(lambda: standin.messages("U0ANA") or None)[-1]
    assert "If you didn't type those codes, tell a security admin now." in dm["text"]
    right = answer_of(submit(slack, code_view, "code", mailbox.last_code()))
    assert "Too many wrong codes" in right["errors"]["code"]


def test_an_invalid_address_and_too_many_mails_are_field_errors(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, ana: None
) -> None:
    run_command(slack, standin, "recovery email")
    modal = newest_modal(standin, "recovery_email")

    invalid = answer_of(submit(slack, modal, "email", "ana at example"))
    assert invalid == {
        "response_action": "errors",
        "errors": {"email": "That doesn't look like an email address, e.g. ana@example.com."},
    }
    for _ in range(5):
        assert answer_of(submit(slack, modal, "email", ADDRESS))["response_action"] == "update"
    too_many = answer_of(submit(slack, modal, "email", ADDRESS))
    assert "5 codes in the last hour" in too_many["errors"]["email"]
    standin.wait_for(lambda: len(mailbox.mails) == 5 or None)


def test_a_mail_that_cannot_be_sent_is_explained_in_the_modal(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, ana: None
) -> None:
    mailbox.failing = True
    run_command(slack, standin, "recovery")
    modal = newest_modal(standin, "recovery_email")

    submit(slack, modal, "email", ADDRESS)

    def updated() -> dict[str, Any] | None:
        view = newest_modal(standin, "recovery_email")
        return view if "couldn't send the email" in text_of(view["blocks"]) else None

    assert validate_view(standin.wait_for(updated)) == []


def test_the_checklist_button_opens_the_address_then_the_code_modal(
    slack: Slack, standin: SlackStandIn, mailbox: Mailbox, ana: None
) -> None:
    status = slack.command("U0ANA", "status")
    labels = [b["accessory"]["text"]["text"] for b in status["blocks"] if "accessory" in b]
    assert "Confirm a recovery email" in labels and "Add a recovery phone" in labels

    slack.press("U0ANA", "confirm_recovery_email")
    modal = newest_modal(standin, "recovery_email")
    submit(slack, modal, "email", ADDRESS)
    standin.wait_for(lambda: mailbox.mails)

    slack.press("U0ANA", "confirm_recovery_email", from_home=True)
    code_modal = newest_modal(standin, "recovery_code")
    assert MASKED in text_of(code_modal["blocks"])

    # "No email? Send a new code" goes back to the address
    button = {"type": "button", "action_id": "change_recovery_email", "block_id": "b"}
    slack.send(
        payloads.block_action(
            "U0ANA",
            button,
            response_url=None,
            container={"type": "view", "view_id": code_modal["id"]},
            view=code_modal,
        )
    )

    def back() -> dict[str, Any] | None:
        view = next(v for v in standin.opened_views() if v["id"] == code_modal["id"])
        return view if view["callback_id"] == "recovery_email" else None

    assert validate_view(standin.wait_for(back)) == []


# -- the recovery phone -----------------------------------------------------------------------------


def phone_modal(slack: Slack, standin: SlackStandIn) -> dict[str, Any]:
    slack.press("U0ANA", "report_recovery_phone")
    return newest_modal(standin, "recovery_phone")


def test_a_national_number_is_recorded_and_shown_masked(
    slack: Slack, standin: SlackStandIn, services: Services, ana: None
) -> None:
    modal = phone_modal(slack, standin)
    assert validate_view(modal) == []
    hint = next(b for b in modal["blocks"] if b.get("block_id") == "phone")["hint"]["text"]
    assert "+49 (DE), from your Slack time zone" in hint

    saved = submit(slack, modal, "phone", "030 12345612")

    answer = answer_of(saved)
    assert answer["response_action"] == "update"
    assert "+49 ••• ••• 12 is on record as your recovery phone" in text_of(answer["view"]["blocks"])
    post = standin.wait_for(standin.response_url_posts)[-1]
    assert post["replace_original"] is True
    shown = text_of(post["blocks"])
    assert "+49 ••• ••• 12 on record." in shown and "self-reported" in shown
    home_with(standin, "+49 ••• ••• 12 on record.")
    everything = everything_slack_received(standin, saved)
    assert "12345612" not in everything and "+493012345612" not in everything
    with services.database.sessions() as session:
        assert session.scalars(select(AuditRecord.action)).all() == ["recovery.phone.recorded"]


def test_an_invalid_number_is_a_field_error(slack: Slack, standin: SlackStandIn, ana: None) -> None:
    modal = phone_modal(slack, standin)

    answer = answer_of(submit(slack, modal, "phone", "12 34"))

    assert answer["response_action"] == "errors"
    assert "isn't a valid phone number" in answer["errors"]["phone"]


def test_recovery_phone_subcommand_opens_the_phone_modal(
    slack: Slack, standin: SlackStandIn, ana: None
) -> None:
    run_command(slack, standin, "recovery phone")
    modal = newest_modal(standin, "recovery_phone")
    saved = answer_of(submit(slack, modal, "phone", "+44 20 7946 0958"))
    assert "+44 ••• ••• 58" in text_of(saved["view"]["blocks"])
    home_with(standin, "+44 ••• ••• 58 on record.")


def test_help_mentions_recovery(slack: Slack, ana: None) -> None:
    assert "/security recovery" in json.dumps(slack.command("U0ANA", "help"))
