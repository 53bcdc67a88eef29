"""An approved exemption's end, on a real database: recorded by the full sweep with one
`exemption.expired` audit record and one DM in the outbox, exactly once even when two processes
sweep at the same moment; requests still waiting, rejections and exemptions not yet ended are
left alone; and the DM waits for the member's working hours, in their language."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.i18n import PSEUDO, reading
from bot.exemptions.ended import ended_message, expire_ended
from bot.nudges.outbox import EXEMPTION_ENDED
from bot.nudges.sender import Sender
from bot.services import Services, build_services
from storage.database import connect
from storage.exemption_models import Exemption
from storage.models import AuditRecord, BusinessAccount, Member
from storage.nudge_models import NudgeOutbox
from tests.bot.nudges.conftest import FAST
from tests.conftest import AccountFactory, MemberFactory, carrying
from tests.i18n_check import escaped_words
from wiring import build_messenger

END = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday: the last day was Monday 30 November


def exemption(
    services: Services, who: Member, where: BusinessAccount, status: str, ends: datetime = END
) -> int:
    with services.database.sessions.begin() as session:
        row = Exemption(
            member_id=who.id, business_account_id=where.id, check="two_step",
            reason="Agency holds the 2SV", ends_at=ends, status=status,
            requested_at=ends - timedelta(days=30), decided_by="U0DANA",
            decided_at=ends - timedelta(days=29),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def ana(member: MemberFactory) -> Member:
    return member("U0ANA", name="Ana")


@pytest.fixture
def shop(account: AccountFactory, ana: Member) -> BusinessAccount:
    return account("Ana's Shop", members=[ana])


def recorded(services: Services) -> tuple[list[str], list[NudgeOutbox]]:
    with services.database.sessions() as session:
        targets = list(
            session.scalars(
                select(AuditRecord.target).where(AuditRecord.action == "exemption.expired")
            )
        )
        told = list(session.scalars(select(NudgeOutbox).where(NudgeOutbox.kind == EXEMPTION_ENDED)))
        return targets, told


def test_only_approved_exemptions_that_ended_are_recorded_once(
    services: Services, clock: FakeClock, ana: Member, shop: BusinessAccount
) -> None:
    ended = exemption(services, ana, shop, "approved")
    exemption(services, ana, shop, "approved", END + timedelta(days=30))  # not yet
    exemption(services, ana, shop, "rejected")
    exemption(services, ana, shop, "requested")

    clock.set(END - timedelta(minutes=1))
    assert services.nudges.sweep().exemptions_ended == 0
    clock.set(END)
    report = services.nudges.sweep()
    assert report.exemptions_ended == 1 and "1 exemption ended" in report.summary()
    services.nudges.sweep(dry_run=True)
    assert services.nudges.sweep().exemptions_ended == 0

    targets, told = recorded(services)
    assert targets == [f"exemption:{ended}"]
    [dm] = told
    assert (dm.recipient, dm.round_number, dm.state) == ("U0ANA", ended, "pending")
    assert dm.payload["last_day"] == "2026-11-30" and dm.payload["account"] == "Ana's Shop"


def test_two_processes_at_once_record_each_end_once(
    services: Services,
    settings: Settings,
    clock: FakeClock,
    database_url: str,
    ana: Member,
    shop: BusinessAccount,
) -> None:
    for _ in range(5):
        exemption(services, ana, shop, "approved")
    clock.set(END + timedelta(hours=1))
    other_database = connect(database_url, pool_size=2)
    other = build_services(settings, clock, other_database)
    counts: list[int] = []
    start = threading.Barrier(2)

    def run(process: Services) -> None:
        start.wait()
        counts.append(expire_ended(process.database, clock))

    try:
        threads = [threading.Thread(target=carrying(run), args=(p,)) for p in (services, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other_database.dispose()

    assert sum(counts) == 5
    targets, told = recorded(services)
    assert len(targets) == len(set(targets)) == 5 and len(told) == 5


def test_the_dm_waits_for_the_member_s_working_hours(
    services: Services, clock: FakeClock, ana: Member, shop: BusinessAccount
) -> None:
    exemption(services, ana, shop, "approved", datetime(2026, 12, 5, tzinfo=UTC))  # a Saturday
    clock.set(datetime(2026, 12, 5, 0, 5, tzinfo=UTC))
    services.nudges.sweep()
    sender = Sender(
        services.database,
        clock,
        build_messenger(services.settings),
        services.nudges.policy,
        "s",
        pace=FAST,
    )

    assert sender.deliver().deferred == 1  # the weekend, in Berlin
    clock.set(datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
    assert sender.deliver().sent == 1
    _, [dm] = recorded(services)
    assert dm.state == "sent" and dm.sent_at == clock.now()


def test_the_dm_reads_from_the_catalogue() -> None:
    payload = {"check": "two_step", "account": "<!channel>", "last_day": "2026-11-30"}
    with reading(PSEUDO):
        message = ended_message(payload)
    assert escaped_words(message["text"], allowed=["&lt;!channel&gt;"]) == []
    with reading("de"):
        german = ended_message(payload)["text"]
    assert german.startswith("⏰ Ihre Ausnahme von *Bestätigung in zwei Schritten für jedes")
    assert "&lt;!channel&gt;" in german and "30.11.2026" in german
