"""A case's life: taken, suspended (through the platform hook), investigated, resolved with an
outcome after a step-up, reopened within 30 days; and who may do each of these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.cases.access import Operation
from bot.cases.model import Outcome, PlatformUnavailable, Status
from bot.cases.platform import PlatformAction, PlatformRequest, RecordingHook
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed, NotFound, StepUpNeeded
from bot.services import Services
from storage.database import Database
from storage.models import BusinessAccount
from tests.bot.cases.conftest import (
    ANA,
    DANA,
    EVE,
    RAJ,
    StepUp,
    World,
    audit_trail,
    reported,
)
from tests.conftest import ADMIN


def test_the_whole_life_of_a_case(
    services: Services, world: World, step_up: StepUp, database: Database
) -> None:
    number = reported(services, world).case.number
    cases = services.cases

    taken = cases.take(DANA, number)
    suspended = cases.suspend(DANA, number)
    investigating = cases.investigate(DANA, number)
    step_up(DANA)
    resolved = cases.resolve(DANA, number, Outcome.CONTROL_RESTORED, "Password reset, 2SV on")

    assert taken.case.handler == DANA and taken.line == "<@U0DANA> took the case"
    assert suspended.case.status is Status.SUSPENDED and suspended.case.access_suspended
    assert {n.recipient for n in suspended.notices} == {ANA, RAJ}
    assert "Suspension requested" in suspended.notices[0].message["text"]
    assert investigating.case.status is Status.INVESTIGATING
    assert investigating.case.access_suspended
    card = resolved.case
    assert (card.status, card.outcome, card.access_suspended) == (
        Status.RESOLVED,
        Outcome.CONTROL_RESTORED,
        False,
    )
    assert {n.recipient for n in resolved.notices} == {ANA, RAJ}
    assert "change its password" in resolved.notices[0].message["blocks"][0]["text"]["text"]
    hook = cases.platform
    assert isinstance(hook, RecordingHook)
    assert [(r.action, r.account_id, r.case_number) for r in hook.requests] == [
        (PlatformAction.SUSPEND, "7012345", number),
        (PlatformAction.RESTORE, "7012345", number),
    ]
    assert [a for _, a in audit_trail(database, f"case:{number}")] == [
        "cases.opened",
        "cases.taken",
        "cases.platform.requested",
        "cases.suspended",
        "cases.investigating",
        "cases.platform.requested",
        "cases.resolved",
    ]


def test_not_recoverable_keeps_access_suspended(
    services: Services, world: World, step_up: StepUp
) -> None:
    number = reported(services, world).case.number
    services.cases.suspend(ADMIN, number)
    step_up(ADMIN)

    resolved = services.cases.resolve(ADMIN, number, Outcome.NOT_RECOVERABLE, "Owner lost it")

    assert resolved.case.access_suspended and resolved.case.handler == ADMIN
    assert len(services.cases.platform.requests) == 1  # type: ignore[attr-defined]


def test_moving_an_untaken_case_takes_it(services: Services, world: World) -> None:
    number = reported(services, world).case.number
    change = services.cases.suspend(ADMIN, number)
    assert change.case.handler == ADMIN
    assert change.line is not None
    assert change.line.startswith(
        "<@U0ADMIN> took the case and requested suspension of account access. Recorded only"
    )


def test_when_the_platform_does_not_confirm_nothing_changes(
    services: Services, world: World, database: Database
) -> None:
    class Down:
        connected = True

        def send(self, request: PlatformRequest) -> None:
            raise PlatformUnavailable("The platform did not confirm.")

    services.cases.platform = Down()
    number = reported(services, world).case.number

    with pytest.raises(PlatformUnavailable):
        services.cases.suspend(DANA, number)

    assert services.cases.card(number).case.status is Status.REPORTED
    assert (DANA, "cases.platform.failed") in audit_trail(database, f"case:{number}")


def test_resolving_needs_a_fresh_step_up_and_a_summary(
    services: Services, world: World, step_up: StepUp, clock: FakeClock, database: Database
) -> None:
    number = reported(services, world).case.number
    with pytest.raises(StepUpNeeded):
        services.cases.resolve(DANA, number, Outcome.FALSE_ALARM, "Nothing found")
    step_up(DANA)
    clock.advance(timedelta(minutes=11))
    with pytest.raises(StepUpNeeded):
        services.cases.resolve(DANA, number, Outcome.FALSE_ALARM, "Nothing found")
    with pytest.raises(InvalidInput):
        services.cases.resolve(DANA, number, Outcome.FALSE_ALARM, "  ")
    assert audit_trail(database, f"case:{number}").count((DANA, "cases.refused")) == 2


def test_reopen_within_30_days_only(
    services: Services, world: World, step_up: StepUp, clock: FakeClock
) -> None:
    number = reported(services, world).case.number
    step_up(DANA)
    services.cases.resolve(DANA, number, Outcome.FALSE_ALARM, "Was the client's new phone")
    clock.advance(timedelta(days=29))

    reopened = services.cases.reopen(DANA, number)

    assert reopened.case.status is Status.INVESTIGATING and reopened.case.outcome is None
    assert reported(services, world, who=RAJ).case.number == number  # joins the reopened case
    step_up(DANA)
    services.cases.resolve(DANA, number, Outcome.FALSE_ALARM, "Still nothing")
    clock.advance(timedelta(days=31))
    with pytest.raises(InvalidInput, match="30 days"):
        services.cases.reopen(DANA, number)


def test_a_new_report_after_resolution_opens_a_new_case(
    services: Services, world: World, step_up: StepUp
) -> None:
    first = reported(services, world).case.number
    step_up(ADMIN)
    services.cases.resolve(ADMIN, first, Outcome.FALSE_ALARM, "Nothing")

    second = reported(services, world)

    assert second.opened and second.case.number != first
    with pytest.raises(InvalidInput, match=f"#{second.case.number}"):
        services.cases.reopen(ADMIN, first)


def test_nothing_changes_twice(services: Services, world: World) -> None:
    number = reported(services, world).case.number
    services.cases.take(DANA, number)
    services.cases.suspend(DANA, number)
    with pytest.raises(InvalidInput):
        services.cases.take(DANA, number)
    with pytest.raises(InvalidInput):
        services.cases.suspend(DANA, number)
    assert len(services.cases.platform.requests) == 1  # type: ignore[attr-defined]


Attempt = Callable[[Services, str, int], object]
ATTEMPTS: dict[Operation, Attempt] = {
    Operation.TAKE: lambda s, who, n: s.cases.take(who, n),
    Operation.SUSPEND: lambda s, who, n: s.cases.suspend(who, n),
    Operation.INVESTIGATE: lambda s, who, n: s.cases.investigate(who, n),
    Operation.RESOLVE: lambda s, who, n: s.cases.resolve(who, n, Outcome.FALSE_ALARM, "x"),
    Operation.REOPEN: lambda s, who, n: s.cases.reopen(who, n),
    Operation.RECORD_CHARGE: lambda s, who, n: s.cases.charges.record(who, n, "10", "EUR", "x"),
    Operation.ADD_INFO: lambda s, who, n: s.cases.add_info(who, n, "more"),
    Operation.VIEW: lambda s, who, n: s.cases.show(who, n),
}


@pytest.mark.parametrize("operation", list(ATTEMPTS), ids=str)
def test_an_outsider_is_refused_every_action_and_it_is_audited(
    services: Services, world: World, step_up: StepUp, database: Database, operation: Operation
) -> None:
    number = reported(services, world).case.number
    step_up(EVE)  # a fresh code does not make anyone allowed

    with pytest.raises(NotAllowed, match="Sorry, you can't"):
        ATTEMPTS[operation](services, EVE, number)

    assert audit_trail(database, f"case:{number}")[-1] == (EVE, "cases.refused")


@pytest.mark.parametrize(
    "operation", [Operation.TAKE, Operation.SUSPEND, Operation.INVESTIGATE, Operation.RESOLVE]
)
def test_a_reporter_may_look_and_add_but_not_work_the_case(
    services: Services, world: World, step_up: StepUp, operation: Operation
) -> None:
    number = reported(services, world).case.number
    step_up(ANA)

    services.cases.add_info(ANA, number, "The ads changed at 3 am")
    assert services.cases.show(ANA, number).timeline[-1].text == "The ads changed at 3 am"
    with pytest.raises(NotAllowed):
        ATTEMPTS[operation](services, ANA, number)


def test_the_handler_moves_the_case_even_after_the_manager_changes(
    services: Services, world: World, database: Database
) -> None:
    number = reported(services, world).case.number
    services.cases.take(DANA, number)
    with database.sessions.begin() as session:
        account = session.get(BusinessAccount, world.acme.id)
        assert account is not None
        account.account_manager_id = None

    assert services.cases.investigate(DANA, number).case.status is Status.INVESTIGATING
    with pytest.raises(NotAllowed):
        services.cases.take(DANA, number)  # taking is for admins and the current manager


def test_an_unknown_case_is_not_found(services: Services, world: World) -> None:
    with pytest.raises(NotFound):
        services.cases.take(ADMIN, 999)
