"""The weekly summary reaches each security admin once per ISO week, by DM, inside their own
working hours, with a PNG chart uploaded through files_upload_v2 to the Slack stand-in; two
processes never both send it, and a failed or abandoned attempt is picked up again later."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import wiring
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services
from bot.stats.summary import CLAIM_FOR, MAX_ATTEMPTS, SummaryRun
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import UPLOAD, SlackStandIn
from storage import summaries as summary_store
from storage.stats_models import WeeklySummary
from tests.bot.stats.test_chart import size_of
from tests.conftest import ADMIN, MemberFactory, carrying

TOKYO_ADMIN = "U0TOKYO"
WEDNESDAY_TOKYO_MORNING = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, security_admins=frozenset({ADMIN, TOKYO_ADMIN}))


@pytest.fixture
def messenger(settings: Settings) -> SlackMessenger:
    return wiring.build_messenger(settings)


@pytest.fixture
def admins(services: Services, member: MemberFactory) -> None:
    """Both admins are members too (their Slack time zones known), and a sweep counted them."""
    member(ADMIN, time_zone="Europe/Berlin")
    member(TOKYO_ADMIN, time_zone="Asia/Tokyo")
    services.nudges.sweep()


def send(services: Services, messenger: SlackMessenger, holder: str = "process-a") -> SummaryRun:
    return services.summaries.send_due(messenger, holder)


def shared(standin: SlackStandIn) -> list[dict[str, Any]]:
    """Files the bot uploaded and shared (an upload never completed is not a message)."""
    return [found for found in standin.uploaded_files() if found["channels"]]


def rows(services: Services) -> list[WeeklySummary]:
    with services.database.sessions() as session:
        return summary_store.summaries(session)


@pytest.mark.usefixtures("admins")
def test_each_admin_gets_one_summary_a_week_with_a_png_chart_in_their_working_hours(
    services: Services, messenger: SlackMessenger, standin: SlackStandIn, clock: FakeClock
) -> None:
    # Tuesday 10:00 UTC: 11:00 in Berlin, 19:00 in Tokyo.
    run = send(services, messenger)
    assert (run.sent, run.outside_hours) == ([ADMIN], [TOKYO_ADMIN])
    [upload] = shared(standin)
    assert upload["channels"] == [standin.dm_channel(ADMIN)]
    assert upload["name"] == "adoption-2026-W48.png" and upload["mimetype"] == "image/png"
    content = upload["content"]
    assert isinstance(content, bytes) and size_of(content) == (800, 500)
    [comment] = upload["comments"]
    assert "Weekly security summary* · 2026-W48" in comment
    assert "2 members in scope" in comment
    [dm] = standin.messages(ADMIN)
    assert dm["files"][0]["id"] == upload["id"] and dm["text"] == comment

    # Again the same week, even an hour later: nothing more.
    assert send(services, messenger).not_due == [ADMIN]
    clock.advance(timedelta(hours=1))
    assert send(services, messenger, "process-b").not_due == [ADMIN]
    assert len(shared(standin)) == 1

    # Wednesday morning in Tokyo: the other admin's turn (01:00 in Berlin, and sent already).
    clock.set(WEDNESDAY_TOKYO_MORNING)
    assert send(services, messenger).sent == [TOKYO_ADMIN]
    assert [f["channels"] for f in shared(standin)][-1] == [standin.dm_channel(TOKYO_ADMIN)]

    # The next week, each gets the next one.
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    assert send(services, messenger).sent == [ADMIN]
    clock.set(WEDNESDAY_TOKYO_MORNING + timedelta(days=7))
    assert send(services, messenger).sent == [TOKYO_ADMIN]
    assert len(shared(standin)) == 4
    assert sorted((r.recipient, r.week, r.state) for r in rows(services)) == [
        (ADMIN, "2026-W48", "sent"),
        (ADMIN, "2026-W49", "sent"),
        (TOKYO_ADMIN, "2026-W48", "sent"),
        (TOKYO_ADMIN, "2026-W49", "sent"),
    ]
    assert all(r.file_id for r in rows(services))
    assert len(standin.calls("conversations.open")) == 2  # each DM channel learnt once


@pytest.mark.usefixtures("admins")
def test_the_chart_carries_alt_text_that_says_what_it_shows(
    services: Services, messenger: SlackMessenger, standin: SlackStandIn
) -> None:
    assert send(services, messenger).sent == [ADMIN]
    [upload] = shared(standin)
    [asked] = standin.calls("files.getUploadURLExternal")
    assert asked.args["alt_txt"] == upload["alt_txt"]
    assert upload["alt_txt"].startswith(
        "Line chart of the share of members in scope passing every check, and each check"
    )
    assert "of 2 members in scope: every check 0%" in upload["alt_txt"]
    # Both members work on no business account: the account checks apply to neither.
    assert "Authenticator linked to the bot 0%" in upload["alt_txt"]
    assert "Recovery phone applies to no one yet" in upload["alt_txt"]


@pytest.mark.usefixtures("admins")
def test_nothing_is_sent_outside_working_hours(
    services: Services, messenger: SlackMessenger, standin: SlackStandIn, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # a Saturday
    run = send(services, messenger)
    assert sorted(run.outside_hours) == [ADMIN, TOKYO_ADMIN] and run.sent == []
    clock.set(datetime(2026, 11, 24, 17, 30, tzinfo=UTC))  # Tuesday 18:30 in Berlin
    assert ADMIN in send(services, messenger).outside_hours
    clock.set(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))  # Christmas Day, a Friday
    assert ADMIN in send(services, messenger).outside_hours
    assert standin.uploaded_files() == [] and rows(services) == []


@pytest.mark.usefixtures("admins")
def test_two_processes_at_once_send_each_admin_one_summary(
    services: Services, messenger: SlackMessenger, standin: SlackStandIn
) -> None:
    start = threading.Barrier(2)
    runs: list[SummaryRun] = []

    def process(holder: str) -> None:
        start.wait()
        runs.append(send(services, messenger, holder))

    threads = [
        threading.Thread(target=carrying(process), args=(h,)) for h in ("process-a", "process-b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(len(run.sent) for run in runs) == [0, 1]
    assert len(shared(standin)) == 1
    assert len(standin.calls("files.completeUploadExternal")) == 1


@pytest.mark.usefixtures("admins")
def test_a_failed_upload_is_retried_later_and_an_abandoned_claim_taken_over(
    services: Services, messenger: SlackMessenger, standin: SlackStandIn, clock: FakeClock
) -> None:
    standin.fail_next(UPLOAD, status=500)
    assert send(services, messenger).failed == [ADMIN]
    [row] = rows(services)
    assert (row.state, row.last_error, row.attempts) == ("pending", "upload: HTTPError", 1)
    assert send(services, messenger).not_due == [ADMIN]  # not before its retry time
    clock.advance(timedelta(minutes=11))
    assert send(services, messenger).sent == [ADMIN]
    assert len(shared(standin)) == 1

    # Next week a process claims it and dies before sending: another takes over once it expires.
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    now = clock.now()
    with services.database.sessions.begin() as session:
        assert summary_store.claim(
            session, ADMIN, "2026-W49", "dead", now, now + CLAIM_FOR, MAX_ATTEMPTS
        )
    assert send(services, messenger, "process-b").not_due == [ADMIN]
    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    assert send(services, messenger, "process-b").sent == [ADMIN]
    latest = rows(services)[-1]
    assert (latest.week, latest.state, latest.attempts) == ("2026-W49", "sent", 2)
    assert len(shared(standin)) == 2


def test_an_admin_slack_does_not_know_is_given_up_on(
    services: Services,
    messenger: SlackMessenger,
    standin: SlackStandIn,
    clock: FakeClock,
    member: MemberFactory,
) -> None:
    member(ADMIN)
    # TOKYO_ADMIN is neither a member nor a Slack user: UTC working hours, and no DM to open.
    run = send(services, messenger)
    assert (run.sent, run.failed) == ([ADMIN], [TOKYO_ADMIN])
    failed = next(r for r in rows(services) if r.recipient == TOKYO_ADMIN)
    assert (failed.state, failed.last_error) == ("failed", "user_not_found")
    clock.advance(timedelta(hours=2))
    assert TOKYO_ADMIN in send(services, messenger).not_due
    assert len(standin.calls("conversations.open")) == 2  # the admin's and the failed one, once
