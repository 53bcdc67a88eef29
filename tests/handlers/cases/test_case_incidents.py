"""`/security case severity | ticket | review` over signed requests against the Slack stand-in, and
the case figures of `/security stats`."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from bot.cases.model import ChargesSeen, Outcome
from bot.core.clock import FakeClock
from bot.services import Services
from sandbox.slack_standin import SlackStandIn, validate_blocks
from tests.bot.cases.conftest import ANA, DANA, EVE, World
from tests.conftest import ADMIN
from tests.handlers.cases.conftest import card, thread
from tests.handlers.conftest import Slack, text_of


def test_severity_and_ticket_show_on_the_card_and_in_its_thread(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    slack.command(DANA, "case open 7012345 Client says the ads changed")
    parent = card(standin)
    assert "*Severity*\n🟨 Medium" in text_of(parent["blocks"])
    assert "severity medium" in parent["text"]

    refused = slack.command(EVE, "case severity 1 low nothing happened")
    answer = slack.command(DANA, "case severity 1 critical charges confirmed")
    ticket = slack.command(DANA, "case ticket 1 TT-4711 appeal received")

    assert refused["text"].startswith("Sorry, you can't change the severity of case #1")
    assert answer["text"].startswith("Case *#1* is now of severity 🟥 Critical")
    assert ticket["text"] == "The platform's ticket is on case *#1*."
    lines = standin.wait_for(lambda: t if len(t := thread(standin, parent)) >= 2 else None)
    assert "<@U0DANA> changed the severity from medium to *critical*" in lines[0]
    assert "recorded the platform's ticket `TT-4711`" in lines[1]

    def updated() -> str | None:
        shown = text_of(card(standin)["blocks"])
        return shown if "TT-4711" in shown else None

    shown = standin.wait_for(updated)
    assert "🟥 Critical · set by <@U0DANA>" in shown and "*Targets*" in shown
    assert "The platform answered: appeal received" in shown
    assert validate_blocks(card(standin)["blocks"], surface="message") == []


def test_case_review_posts_in_the_thread_and_uploads_the_markdown(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, clock: FakeClock
) -> None:
    slack.command(DANA, "case open 7012345 Client says the ads changed")
    parent = card(standin)
    assert slack.command(DANA, "case review 1")["text"].startswith("Case #1 is still open")
    services.cases.take(DANA, 1)
    secret = services.authenticator.begin(DANA).secret
    services.authenticator.confirm(DANA, pyotp.TOTP(secret).at(clock.now()))
    services.cases.resolve(DANA, 1, Outcome.FALSE_ALARM, "Nothing found")

    answer = slack.command(DANA, "case review 1")

    assert "Posting the review of case *#1*" in answer["text"]
    review = standin.wait_for(
        lambda: [m for m in standin.messages(parent["channel"]) if "Post-incident" in m["text"]]
    )[0]
    assert review["thread_ts"] == parent["ts"]
    assert validate_blocks(review["blocks"], surface="message") == []
    assert "*Time to resolve*" in text_of(review["blocks"])
    uploaded = standin.wait_for(
        lambda: [f for f in standin.uploaded_files() if f["content"] and f["channels"]]
    )[0]
    assert uploaded["name"] == "case-1-review.md"
    assert b"## Timeline and actions" in uploaded["content"]


def test_stats_show_the_case_figures(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, clock: FakeClock
) -> None:
    services.cases.report(ANA, world.acme.id, "Ads bought", ChargesSeen.YES)
    clock.advance(timedelta(minutes=20))

    slack.command(ADMIN, "stats")

    def figures() -> str | None:
        posts = [p for p in standin.response_url_posts() if "blocks" in p]
        shown = [text_of(p["blocks"]) for p in posts]
        return next((s for s in shown if "*Cases*" in s), None)

    shown = standin.wait_for(figures)
    assert "1 open case: 🟥 1 critical" in shown
    assert "targets missed: 1 to take, 0 to resolve" in shown
