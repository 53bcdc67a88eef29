"""The Home tab and the checklist's buttons: acknowledged at once, the work done right after."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from sandbox import payloads
from storage.models import AuditRecord, CheckResult, SlackDelivery
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

RECOVERY_PHONE_BUTTON = {
    "type": "button",
    "action_id": "report_recovery_phone",
    "block_id": "recovery_phone",
    "text": {"type": "plain_text", "text": "Add a recovery phone"},
}
RETRY_HEADERS = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def home_text(app: RunningApp, user_id: str) -> str | None:
    view = app.standin.published_view(user_id)
    return None if view is None else json.dumps(view["blocks"], ensure_ascii=False)


def publishes_for(app: RunningApp, user_id: str) -> list[dict[str, Any]]:
    return [
        call.args for call in app.standin.calls("views.publish") if call.args["user_id"] == user_id
    ]


def test_opening_the_home_tab_publishes_the_checklist(
    running_app: RunningApp, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", name="Ana")
    account("Acme Shoes Ads", members=[ana])
    running_app.standin.add_user("U0ANA", email="u0ana@example.com", real_name="Ana")

    answer = running_app.send(payloads.app_home_opened("U0ANA"))
    assert answer.status == 200

    shown = running_app.standin.wait_for(lambda: home_text(running_app, "U0ANA"))
    assert "0 of 7 checks pass" in shown
    assert "Acme Shoes Ads" in shown
    assert running_app.standin.calls("views.publish")[0].ok


def test_the_recovery_phone_modal_updates_the_message_and_the_home_tab_and_is_audited(
    running_app: RunningApp, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", name="Ana")
    account("Acme Shoes Ads", members=[ana])
    standin = running_app.standin
    standin.add_user("U0ANA", email="u0ana@example.com", real_name="Ana")
    response_url = standin.response_url()

    press = payloads.block_action("U0ANA", RECOVERY_PHONE_BUTTON, response_url=response_url)
    answer = running_app.send(press)
    assert answer.status == 200
    assert answer.seconds < 3.0
    (modal,) = standin.wait_for(standin.opened_views)
    values = {"phone": {"phone": {"type": "plain_text_input", "value": "+49 30 12345612"}}}
    saved = running_app.send(payloads.view_submission("U0ANA", modal, values))
    assert saved.status == 200 and saved.json()["response_action"] == "update"

    (update,) = standin.wait_for(standin.response_url_posts)
    assert update["replace_original"] is True
    assert update["text"] == "1 of 7 checks pass"
    assert "+49 ••• ••• 12 on record." in json.dumps(update["blocks"], ensure_ascii=False)
    standin.wait_for(lambda: "1 of 7 checks pass" in (home_text(running_app, "U0ANA") or ""))
    assert len(publishes_for(running_app, "U0ANA")) == 1

    assert running_app.database is not None
    with running_app.database.sessions() as session:
        audited = session.execute(select(AuditRecord.actor, AuditRecord.action)).all()
        results = session.execute(
            select(CheckResult.check, CheckResult.source, CheckResult.state)
        ).all()
    assert [tuple(row) for row in audited] == [("U0ANA", "recovery.phone.recorded")]
    assert [tuple(row) for row in results] == [("recovery_phone", "self", "passing")]


def test_a_retried_event_delivery_is_handled_once(
    running_app: RunningApp, member: MemberFactory
) -> None:
    standin = running_app.standin
    for user_id in ("U0ANA", "U0BEN"):
        member(user_id)
        standin.add_user(user_id, email=f"{user_id.lower()}@example.com", real_name=user_id)
    delivery = payloads.app_home_opened("U0ANA", event_id="Ev0RETRIED01")

    assert running_app.send(delivery).status == 200
    standin.wait_for(lambda: publishes_for(running_app, "U0ANA"))
    running_app.send(delivery, headers=RETRY_HEADERS)
    # Another event afterwards, as a marker: once it is handled, a wrongly handled retry has had
    # the same time to show up.
    assert running_app.send(payloads.app_home_opened("U0BEN")).status == 200
    standin.wait_for(lambda: publishes_for(running_app, "U0BEN"))

    assert len(publishes_for(running_app, "U0ANA")) == 1
    assert running_app.database is not None
    with running_app.database.sessions() as session:
        claimed = session.scalars(select(SlackDelivery.event_id)).all()
    assert "Ev0RETRIED01" in claimed
    assert len(claimed) == 2


def test_a_retried_event_delivery_is_acknowledged_so_slack_stops_retrying(
    running_app: RunningApp, member: MemberFactory
) -> None:
    member("U0ANA")
    running_app.standin.add_user("U0ANA", email="u0ana@example.com", real_name="Ana")
    delivery = payloads.app_home_opened("U0ANA", event_id="Ev0RETRIED02")
    assert running_app.send(delivery).status == 200
    running_app.standin.wait_for(lambda: publishes_for(running_app, "U0ANA"))

    retry = running_app.send(delivery, headers=RETRY_HEADERS)

    # Slack retries (and eventually disables the subscription) on anything but a 2xx.
    assert retry.status == 200, f"the retry was answered {retry.status} {retry.text}"


def test_a_home_tab_that_cannot_be_published_is_reported_to_the_member(
    running_app: RunningApp, member: MemberFactory
) -> None:
    member("U0ANA")
    running_app.errors_asserted = True  # one logged error is expected; checked below
    standin = running_app.standin
    standin.add_user("U0ANA", email="u0ana@example.com", real_name="Ana")
    standin.fail_next("views.publish", error="internal_error")

    assert running_app.send(payloads.app_home_opened("U0ANA")).status == 200

    standin.wait_for(lambda: standin.calls("views.publish"))
    told = standin.wait_for(lambda: standin.messages("U0ANA"))
    assert "Reference" in told[0]["text"]
    assert "internal_error" not in told[0]["text"]  # never the exception itself
    # The failure is logged once, with the reference the member was given.
    errors = running_app.logged_errors()
    assert any("reference" in line for line in errors), running_app.stderr()
