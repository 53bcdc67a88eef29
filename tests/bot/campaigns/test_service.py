"""Starting, listing, showing and stopping campaigns: security admins only, every field checked
with a friendly word on its input, every change and every refusal audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.campaigns.model import Scope
from bot.campaigns.service import FormError
from bot.checklist.model import Check
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.ids import Block
from bot.services import Services
from storage.models import AuditRecord
from tests.bot.campaigns.conftest import DEADLINE, Directory, Start
from tests.conftest import ADMIN


def audit_trail(services: Services) -> list[tuple[str, str, str, dict[str, Any]]]:
    with services.database.sessions() as session:
        rows = session.execute(
            select(AuditRecord.actor, AuditRecord.action, AuditRecord.target, AuditRecord.details)
            .where(AuditRecord.action.like("campaign.%"))
            .order_by(AuditRecord.id)
        )
        return [(actor, action, target, details) for actor, action, target, details in rows]


def test_an_admin_starts_a_campaign_and_it_is_audited(
    services: Services, directory: Directory, start: Start
) -> None:
    started = start("two_step", "platform", platform="tiktok_business", title="2SV on TikTok")

    assert (started.check, started.scope, started.scope_value) == (
        Check.TWO_STEP,
        Scope.PLATFORM,
        "tiktok_business",
    )
    assert started.running and started.deadline == DEADLINE
    # The last day ends at midnight in the workspace's time zone (UTC by default).
    assert started.due_at == datetime(2026, 12, 19, tzinfo=UTC)
    assert audit_trail(services) == [
        (
            ADMIN,
            "campaign.started",
            f"campaign:{started.id}",
            {
                "check": "two_step",
                "scope": "platform",
                "scope_value": "tiktok_business",
                "deadline": "2026-12-18",
            },
        )
    ]
    listed = services.campaigns.listed(ADMIN)
    assert [found.campaign.id for found in listed] == [started.id]
    assert listed[0].latest is None  # no sweep has counted it yet
    assert services.campaigns.show(ADMIN, started.id).campaign.title == "2SV on TikTok"


def test_only_security_admins_and_every_refusal_is_audited(
    services: Services, directory: Directory, start: Start
) -> None:
    campaign = start()
    campaigns = services.campaigns
    attempts: list[Callable[[], object]] = [
        lambda: start(by="U0DANA"),
        lambda: campaigns.start_form("U0DANA"),
        lambda: campaigns.listed("U0DANA"),
        lambda: campaigns.show("U0DANA", campaign.id),
        lambda: campaigns.stop("U0DANA", campaign.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="Only security admins can run campaigns"):
            attempt()
    refused = [row for row in audit_trail(services) if row[1] == "campaign.refused"]
    assert [(actor, details["attempted"]) for actor, _a, _t, details in refused] == [
        ("U0DANA", "start"),
        ("U0DANA", "start"),
        ("U0DANA", "list"),
        ("U0DANA", "show"),
        ("U0DANA", "stop"),
    ]
    assert refused[3][2] == f"campaign:{campaign.id}"
    assert services.campaigns.show(ADMIN, campaign.id).campaign.running  # nothing changed
    assert campaigns.overview("U0DANA") is None  # no campaigns on a non-admin's Home


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"deadline": date(2026, 11, 24)}, Block.DEADLINE, "after today"),
        ({"deadline": date(2026, 11, 1)}, Block.DEADLINE, "after today"),
        ({"deadline": date(2027, 11, 25)}, Block.DEADLINE, "within a year"),
        ({"deadline": None}, Block.DEADLINE, "Choose the last day"),
        ({"check": "authenticator"}, Block.CHECK, "Choose one of the checks"),
        ({"check": "no_compromised_password"}, Block.CHECK, "Choose one of the checks"),
        ({"scope": "team"}, Block.SCOPE, "Choose who the campaign is for"),
        ({"scope": "manager"}, Block.MANAGER, "Choose the account manager"),
        ({"scope": "manager", "manager": "U0ANA"}, Block.MANAGER, "manages no business account"),
        ({"scope": "platform"}, Block.PLATFORM, "Choose one of the platforms"),
        ({"scope": "platform", "platform": "myspace"}, Block.PLATFORM, "Choose one of the"),
    ],
)
def test_a_form_that_cannot_start_names_its_field(
    services: Services,
    directory: Directory,
    start: Start,
    change: dict[str, Any],
    field: Block,
    words: str,
) -> None:
    with pytest.raises(FormError, match=words) as refused:
        start(**change)
    assert refused.value.field == field
    assert services.campaigns.listed(ADMIN) == []
    assert [row[1] for row in audit_trail(services)] == []


def test_a_deadline_a_year_away_is_the_furthest(directory: Directory, start: Start) -> None:
    assert start(deadline=date(2027, 11, 24)).deadline == date(2027, 11, 24)
    assert start(deadline=date(2026, 11, 25)).deadline == date(2026, 11, 25)  # tomorrow


def test_one_managers_accounts(services: Services, directory: Directory, start: Start) -> None:
    started = start("strong_password", "manager", manager="U0DANA")
    assert (started.scope, started.scope_value) == (Scope.MANAGER, "U0DANA")


def test_stopping_is_audited_and_happens_once(
    services: Services, directory: Directory, start: Start
) -> None:
    campaign = start()
    stopped = services.campaigns.stop(ADMIN, campaign.id)
    assert not stopped.running and stopped.stopped_by == ADMIN
    with pytest.raises(InvalidInput, match=f"#{campaign.id} was already stopped by <@{ADMIN}>"):
        services.campaigns.stop(ADMIN, campaign.id)
    with pytest.raises(NotFound, match="There is no campaign #999"):
        services.campaigns.stop(ADMIN, 999)
    with pytest.raises(NotFound):
        services.campaigns.show(ADMIN, 999)
    actions = [(row[1], row[2]) for row in audit_trail(services)]
    assert actions[-1] == ("campaign.stopped", f"campaign:{campaign.id}")
    assert actions.count(("campaign.stopped", f"campaign:{campaign.id}")) == 1
    # A stopped campaign is listed after the running ones and no longer on any Home tab.
    running = start(deadline=DEADLINE + timedelta(days=7))
    assert [found.campaign.id for found in services.campaigns.listed(ADMIN)] == [
        running.id,
        campaign.id,
    ]
    overview = services.campaigns.overview(ADMIN)
    assert overview is not None and [found.campaign.id for found in overview] == [running.id]
