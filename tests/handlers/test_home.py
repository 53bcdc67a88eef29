"""The Home tab, and how the app copes with Slack's retries, rate limits and errors."""

from __future__ import annotations

from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of


def test_home_tab_is_published_with_the_checklist(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])

    response = slack.send(payloads.app_home_opened("U0ANA"))

    assert response.status == 200
    view = standin.wait_for(lambda: standin.published_view("U0ANA"))
    assert view["type"] == "home"
    assert "Acme Shoes Ads" in text_of(view["blocks"])
    assert "0 of 7 checks pass" in text_of(view["blocks"])


def test_a_retried_delivery_is_handled_once(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    first = slack.send(payloads.app_home_opened("U0ANA", event_id="Ev0SAME"))
    standin.wait_for(lambda: standin.published_view("U0ANA"))
    retry = slack.send(
        payloads.app_home_opened("U0ANA", event_id="Ev0SAME"),
        headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"},
    )
    slack.send(payloads.app_home_opened("U0ANA", event_id="Ev0OTHER"))
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 2)

    assert (first.status, retry.status) == (200, 200)
    assert len(standin.calls("views.publish")) == 2  # the first and Ev0OTHER, not the retry


def test_rate_limited_publish_is_waited_out(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    standin.fail_next("views.publish", status=429, retry_after=1)

    slack.send(payloads.app_home_opened("U0ANA"))

    standin.wait_for(lambda: standin.published_view("U0ANA"), timeout=10)
    assert [call.ok for call in standin.calls("views.publish")] == [False, True]


def test_server_errors_are_retried(
    slack: Slack, standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    standin.fail_next("views.publish", status=503, times=2)

    slack.send(payloads.app_home_opened("U0ANA"))

    standin.wait_for(lambda: standin.published_view("U0ANA"), timeout=10)
    assert [call.ok for call in standin.calls("views.publish")] == [False, False, True]
