"""Opening a case: by a member's report, by a manager's command, by a takeover alert; a second
report joins the open case; the case goes to the channel its client belongs in."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest

from bot.cases import views
from bot.cases.model import PLATFORM, ChargesSeen, Status, Via
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.platform.alerts import AlertService
from bot.services import Services
from storage.database import Database
from tests.bot.cases.conftest import (
    ANA,
    DANA,
    ESCALATION,
    EVE,
    OLGA,
    RAJ,
    SUPPORT,
    World,
    audit_trail,
    reported,
)
from tests.conftest import ADMIN, carrying


def test_a_members_report_opens_a_managed_case_in_the_escalation_channel(
    services: Services, world: World, database: Database
) -> None:
    change = reported(services, world)

    card = change.case
    assert change.opened and change.line is None
    assert (card.status, card.channel, card.card_ts) == (Status.REPORTED, ESCALATION, None)
    assert card.account.managed and card.account.manager == DANA
    assert card.reporters == (ANA,) and card.handler is None
    assert card.charges_seen is ChargesSeen.YES and card.opened_via is Via.REPORT
    [notice] = change.notices
    assert notice.recipient == ANA
    assert "account manager <@U0DANA>" in notice.message["blocks"][1]["text"]["text"]
    assert (ANA, "cases.opened") in audit_trail(database, f"case:{card.number}")


def test_an_unmanaged_clients_case_goes_to_support_and_names_the_support_channel(
    services: Services, world: World
) -> None:
    change = services.cases.report(OLGA, world.shop.id, "Password changed", ChargesSeen.NO)

    assert change.case.channel == SUPPORT and not change.case.account.managed
    text = change.notices[0].message["blocks"][1]["text"]["text"]
    assert f"The support team has the case, in <#{SUPPORT}>" in text
    assert f"Contact the support team, in <#{SUPPORT}> immediately" in text
    assert "customer support" not in text and "account manager" not in text


def test_the_reporter_of_an_unmanaged_case_gets_the_support_contact(
    services: Services, world: World
) -> None:
    services.cases.desk.routing = dataclasses.replace(
        services.cases.desk.routing, support_contact="help@example.com <https://evil.example>"
    )

    change = services.cases.report(OLGA, world.shop.id, "Password changed", ChargesSeen.NO)

    text = change.notices[0].message["blocks"][1]["text"]["text"]
    assert (
        "Contact the support team: help@example.com &lt;https://evil.example&gt; immediately"
        in text
    )


def test_a_second_report_joins_the_open_case(services: Services, world: World) -> None:
    first = reported(services, world)
    second = reported(services, world, who=RAJ, said="Me too")

    assert not second.opened
    assert second.case.number == first.case.number
    assert second.case.reporters == (ANA, RAJ)
    assert second.line is not None and "Me too" in second.line
    [notice] = second.notices
    assert notice.recipient == RAJ and "joined" in notice.message["text"]


def test_two_reports_at_once_still_make_one_case(services: Services, world: World) -> None:
    numbers: list[int] = []
    errors: list[BaseException] = []

    def report(who: str) -> None:
        try:
            numbers.append(reported(services, world, who=who).case.number)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=carrying(report), args=(who,)) for who in (ANA, RAJ)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(set(numbers)) == 1


def test_only_members_of_the_account_can_report_it(
    services: Services, world: World, database: Database
) -> None:
    with pytest.raises(NotAllowed):
        services.cases.report(EVE, world.acme.id, "I saw something", ChargesSeen.NO)
    with pytest.raises(InvalidInput):
        services.cases.report(ANA, world.acme.id, "   ", ChargesSeen.NO)
    assert (EVE, "cases.refused") in audit_trail(database, f"business_account:{world.acme.id}")


def test_the_manager_or_an_admin_opens_a_case_by_command(
    services: Services, world: World, database: Database
) -> None:
    by_manager = services.cases.open_by_command(DANA, "7012345", "Client called: ads changed")
    by_admin = services.cases.open_by_command(ADMIN, "7099999", "Shop hijacked")

    assert by_manager.opened and by_manager.case.reporters == ()
    assert by_manager.case.opened_by == DANA
    assert by_manager.case.opener_role == "account manager"
    assert by_manager.case.opened_via is Via.COMMAND
    assert by_admin.case.channel == SUPPORT
    with pytest.raises(NotAllowed):
        services.cases.open_by_command(ANA, "7012345", "I am not the manager")
    with pytest.raises(NotFound):
        services.cases.open_by_command(ADMIN, "404", "No such account")
    assert (ANA, "cases.refused") in audit_trail(database, "platform_account:7012345")


def test_an_admin_opened_case_tells_the_members_and_the_manager_who_opened_it(
    services: Services, world: World
) -> None:
    change = services.cases.open_by_command(ADMIN, "7012345", "Client called: ads changed")

    assert {n.recipient for n in change.notices} == {ANA, RAJ, DANA}
    text = change.notices[0].message["blocks"][1]["text"]["text"]
    assert f"The security admin <@{ADMIN}> opened case *#1* about" in text
    assert "Client called: ads changed" in text
    fields = [f["text"] for f in views.card_message(change.case)["blocks"][1]["fields"]]
    assert f"*Reported by*\nOpened by security admin <@{ADMIN}>" in fields
    assert not services.cases.show(ADMIN, 1).card.reporters  # not a reporter


def test_a_command_on_an_open_case_adds_to_its_timeline_without_reporting(
    services: Services, world: World
) -> None:
    number = reported(services, world).case.number

    change = services.cases.open_by_command(DANA, "7012345", "The client called again")

    assert not change.opened and change.case.number == number
    assert change.case.reporters == (ANA,) and change.notices == ()
    assert change.line == "<@U0DANA> added information: “The client called again”"


def test_a_takeover_alert_opens_a_case_once_and_tells_the_members(
    services: Services, world: World
) -> None:
    _receive(services.alerts, "alert-t1", "account_takeover")

    change = services.cases.open_from_alert("alert-t1")
    again = services.cases.open_from_alert("alert-t1")

    assert change is not None and again is None
    assert change.case.reporters == (PLATFORM,)
    assert change.case.opened_via is Via.ACCOUNT_TAKEOVER
    assert {notice.recipient for notice in change.notices} == {ANA, RAJ}
    assert "may have been taken over" in change.notices[0].message["blocks"][1]["text"]["text"]


def test_other_alerts_open_nothing(services: Services, world: World) -> None:
    _receive(services.alerts, "alert-p1", "compromised_password")
    assert services.cases.open_from_alert("alert-p1") is None
    assert services.cases.open_from_alert("never-seen") is None


def test_without_any_case_channel_the_admins_are_told(
    services: Services, world: World, settings: object
) -> None:
    services.cases.desk.routing = type(services.cases.desk.routing)(None, None)

    change = reported(services, world)

    assert change.case.channel is None
    assert ADMIN in {notice.recipient for notice in change.notices}


def _receive(alerts: AlertService, alert_id: str, kind: str) -> None:
    detected = datetime(2026, 11, 24, 9, 0, tzinfo=UTC).isoformat()
    document = (
        f'{{"id": "{alert_id}", "kind": "{kind}", "account_id": "7012345", '
        f'"member_email": "u0ana@example.com", "detected_at": "{detected}", "detail": "From abroad"}}'
    )
    alerts.receive(document)
