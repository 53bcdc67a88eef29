"""Suspending a case's account reaches the platform through the webhook the composition root
builds from PLATFORM_WEBHOOK_URL, signed with ALERTS_SIGNING_SECRET."""

from __future__ import annotations

import dataclasses

import wiring
from bot.cases.model import ChargesSeen
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform import signature as platform_signature
from handlers.outbound.platform_webhook import WebhookHook
from storage.database import Database
from tests.bot.cases.conftest import ANA, DANA, World
from tests.handlers.test_platform_webhook import Receiver, receiver

__all__ = ["receiver"]


def test_suspend_posts_the_signed_request(
    settings: Settings,
    clock: FakeClock,
    database: Database,
    world: World,
    receiver: Receiver,
) -> None:
    configured = dataclasses.replace(
        settings, platform_webhook_url=receiver.url, alerts_signing_secret="s3cret"
    )
    services = wiring.build(configured, clock, database)
    assert isinstance(services.cases.platform, WebhookHook)
    number = services.cases.report(ANA, world.acme.id, "x", ChargesSeen.NO).case.number

    change = services.cases.suspend(DANA, number)

    assert change.line is not None and change.line.endswith("the platform confirmed the request")
    [(headers, body)] = receiver.received
    assert platform_signature.verify("s3cret", headers, body, clock.now())
    assert b'"action":"suspend"' in body and b'"account_id":"7012345"' in body
