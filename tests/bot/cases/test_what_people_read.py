"""What the case's people read is what happened: a suspension without a platform connection is
requested and recorded, not done; the reporter's "there are charges I didn't make" stays in
sight; the support team works unmanaged clients' cases; people, accounts and times by name."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from bot.cases import views
from bot.cases.model import ChargesSeen, Outcome
from bot.cases.platform import PlatformRequest
from bot.core.errors import NotAllowed
from bot.services import Services
from storage.database import Database
from tests.bot.cases.conftest import ANA, DANA, OLGA, RAJ, StepUp, World, audit_trail, reported

SUE = "U0SUE"  # on the support team


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False).replace("\\n", "\n")


class ConfirmingPlatform:
    """A platform connection that answers 2xx to every request."""

    connected = True

    def __init__(self) -> None:
        self.requests: list[PlatformRequest] = []

    def send(self, request: PlatformRequest) -> None:
        self.requests.append(request)


def test_without_a_platform_connection_no_one_is_told_access_is_suspended(
    services: Services, world: World, step_up: StepUp
) -> None:
    number = reported(services, world).case.number
    suspended = services.cases.suspend(DANA, number)

    card = shown(views.card_message(suspended.case))
    assert "suspended" not in card.replace("Suspension", "")
    assert "Suspension requested" in card
    assert (
        "Suspension requested from the platform; recorded only, no platform connection is "
        "configured. <@U0DANA> (the case's handler) must suspend access on the platform by hand,"
        " or contact the platform." in card
    )
    dm = shown(suspended.notices[0].message)
    assert "is now suspended" not in dm and "access is *not* suspended yet" in dm
    assert suspended.line is not None and "Recorded only, no platform connection" in suspended.line
    detail = shown(views.case_detail(services.cases.show(DANA, number)))
    assert "requested suspension of account access (recorded only, no platform connection" in detail

    step_up(DANA)
    resolved = services.cases.resolve(DANA, number, Outcome.CONTROL_RESTORED, "Back in")

    assert "Restoring access requested from the platform; recorded only" in shown(
        resolved.notices[0].message
    )
    assert (
        resolved.line is not None and "requested that account access be restored" in resolved.line
    )
    assert "restored account access" not in shown(
        views.case_detail(services.cases.show(DANA, number))
    )


def test_with_a_platform_connection_the_words_say_the_platform_confirmed(
    services: Services, world: World, database: Database
) -> None:
    services.cases.platform = ConfirmingPlatform()
    number = reported(services, world).case.number

    suspended = services.cases.suspend(DANA, number)

    assert "Suspension requested from the platform; the platform confirmed the request." in shown(
        views.card_message(suspended.case)
    )
    assert "the platform confirmed the request" in shown(suspended.notices[0].message)
    assert "recorded only" not in shown(suspended.notices[0].message)
    assert suspended.line == (
        "<@U0DANA> took the case and requested suspension of account access; the platform "
        "confirmed the request"
    )


def test_the_reporters_charges_stay_in_sight_until_recorded(
    services: Services, world: World
) -> None:
    opened = services.cases.report(ANA, world.acme.id, "Odd logins", ChargesSeen.NO)
    assert "unauthorized charges" not in shown(views.card_message(opened.case))

    joined = services.cases.report(RAJ, world.acme.id, "Ads I never bought", ChargesSeen.YES)

    number = joined.case.number
    prompt = (
        "Reporter says there are unauthorized charges: none recorded yet — press *Record a charge*."
    )
    assert prompt in shown(views.card_message(joined.case))
    assert joined.line is not None and "says there are unauthorized charges" in joined.line
    detail = shown(views.case_detail(services.cases.show(DANA, number)))
    assert prompt in detail and "<@U0RAJ> said there are unauthorized charges" in detail
    recorded = services.cases.charges.record(DANA, number, "120.50", "EUR", "Ads bought")
    card = shown(views.card_message(recorded.case))
    assert "Reporter says there are unauthorized charges." in card and "none recorded" not in card


def test_the_timeline_shows_the_time_of_day_and_accounts_by_name(
    services: Services, world: World
) -> None:
    number = reported(services, world).case.number

    detail = shown(views.case_detail(services.cases.show(DANA, number)))

    assert "• <!date^" in detail and "^{date_short} {time}|" in detail
    assert "TikTok for Business · Acme &lt;Shoes&gt; Ads (7012345)" in detail
    assert "tiktok_business" not in detail


def test_the_support_team_works_unmanaged_cases_only(
    services: Services, world: World, database: Database
) -> None:
    routing = services.cases.desk.routing
    services.cases.desk.routing = dataclasses.replace(routing, support_handlers=frozenset({SUE}))
    shop = services.cases.report(OLGA, world.shop.id, "Password changed", ChargesSeen.NO)
    acme = reported(services, world)

    taken = services.cases.take(SUE, shop.case.number)
    suspended = services.cases.suspend(SUE, shop.case.number)

    assert taken.case.handler == SUE and suspended.case.access_suspended
    assert [c.number for c in services.cases.list_for(SUE).cases] == [shop.case.number]
    with pytest.raises(NotAllowed, match="support team for unmanaged clients"):
        services.cases.take(SUE, acme.case.number)
    assert audit_trail(database, f"case:{acme.case.number}")[-1] == (SUE, "cases.refused")
    opened = services.cases.open_by_command(SUE, "7099999", "More on the shop")
    assert opened.line == "<@U0SUE> added information: “More on the shop”"
