"""Nudge fixtures: evidence on record, a fast sender against the Slack stand-in, and helpers to
read the outbox and the DMs the stand-in received."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import wiring
from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.nudges.settings import CheckPolicy, DeliveryPace, NudgePolicy
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from storage import members as member_store
from storage.database import Database
from storage.models import BusinessAccount, Member
from storage.nudge_models import NudgeItem, NudgeOutbox

# Other features keep giving checks a fix (passwords, recovery email); these tests nudge about
# the checks below, whose fixes they know, whatever else lands.
NUDGED = frozenset(
    {Check.TWO_STEP, Check.AUTHENTICATOR, Check.RECOVERY_PHONE, Check.NO_COMPROMISED_PASSWORD}
)
CORE_POLICY = dataclasses.replace(
    NudgePolicy(),
    checks={
        check: rules if check in NUDGED else CheckPolicy(enabled=False)
        for check, rules in NudgePolicy().checks.items()
    },
)
FAST = DeliveryPace(messages_per_minute=60_000, updates_per_minute=60_000, per_channel=timedelta(0))
Evidence = Callable[..., None]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, nudge_policy=CORE_POLICY)


@pytest.fixture
def evidence(database: Database, clock: FakeClock) -> Evidence:
    """evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=shop): a check result on record."""

    def save(
        person: Member,
        check: Check,
        state: State,
        *,
        source: Source = Source.PLATFORM,
        account: BusinessAccount | None = None,
    ) -> None:
        with database.sessions.begin() as session:
            member_store.save_check_result(
                session,
                member_id=person.id,
                check=check,
                business_account_id=None if account is None else account.id,
                source=source,
                state=state,
                observed_at=clock.now(),
                detail={},
            )

    return save


@pytest.fixture
def messenger(settings: Settings) -> SlackMessenger:
    return wiring.build_messenger(settings)


@pytest.fixture
def sender(services: Services, clock: FakeClock, messenger: SlackMessenger) -> Sender:
    return Sender(
        services.database, clock, messenger, services.nudges.policy, "sender-1", pace=FAST
    )


def outbox(database: Database, kind: str | None = None) -> list[NudgeOutbox]:
    with database.sessions() as session:
        statement = select(NudgeOutbox).order_by(NudgeOutbox.id)
        if kind is not None:
            statement = statement.where(NudgeOutbox.kind == kind)
        return list(session.scalars(statement))


def items(database: Database) -> list[NudgeItem]:
    with database.sessions() as session:
        return list(session.scalars(select(NudgeItem).order_by(NudgeItem.id)))


def checks_in(message: NudgeOutbox) -> list[str]:
    return [str(item["check"]) for item in message.payload["items"]]


def text_of(message: dict[str, Any]) -> str:
    """All the visible text of a posted message."""
    parts: list[str] = [str(message.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for each in node:
                walk(each)

    walk(message.get("blocks", []))
    return "\n".join(parts)


def action_ids(message: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for block in message.get("blocks", []):
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if "action_id" in element:
                found.append(str(element["action_id"]))
    return found
