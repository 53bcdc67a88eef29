"""Isolation between workspaces at every entry point: a security admin of workspace A runs every
`/security` subcommand, presses every button, submits every modal, writes in threads, opens the
Home tab, posts to the alerts and posture APIs and uses the one-time pages, each naming the
records of workspace B. Every request is signed and goes through the real app; B's rows are
compared before and after, and nothing B holds may show in what A was answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp

from bot.core.clock import FakeClock
from bot.core.ids import Action, Callback, Surface, button_value
from bot.core.logs import CarryingPool
from handlers.slack import command_line
from handlers.slack.commands import SUBCOMMANDS
from handlers.slack.step_up import StepUp
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import ADMIN
from tests.handlers.conftest import Slack
from tests.handlers.isolation.conftest import A, untouched
from tests.handlers.isolation.world import Seeded, changed, rows_of

# Buttons whose value names no record of the bot's (only the surface they sit on): they act on
# the presser's own records. They are pressed with B's ids all the same.
NO_RECORD = {
    Action.OPEN_SECURE_LINK: "a URL button: the click is only acknowledged",
    Action.LINK_AUTHENTICATOR: "the presser's own authenticator",
    Action.NEW_RECOVERY_CODES: "the presser's own recovery codes",
    Action.REMOVE_AUTHENTICATOR: "the presser's own authenticator (a modal)",
    Action.CHECK_PASSWORDS: "a link to the presser's own password page",
    Action.CONFIRM_RECOVERY_EMAIL: "the presser's own recovery email (a modal)",
    Action.CHANGE_RECOVERY_EMAIL: "the presser's own recovery email (a modal)",
    Action.REPORT_RECOVERY_PHONE: "the presser's own recovery phone (a modal)",
    Action.REPORT_COMPROMISE: "a modal listing the presser's own business accounts",
    Action.REQUEST_EXEMPTION: "a modal listing the presser's own business accounts",
    Action.DESK_NEXT: "a page of the presser's own desk",
    Action.DESK_PREVIOUS: "a page of the presser's own desk",
}


def b_values(b: Seeded) -> dict[Action, list[str]]:
    """The values that name B's records, per button; a button not here nor in NO_RECORD fails
    test_every_action_id_is_covered."""
    case, charge, login = str(b.case), str(b.charge), str(b.login_alert)
    return {
        Action.REPORT_TWO_STEP: [button_value(s, b.account) for s in Surface],
        Action.REFRESH_STATUS: [button_value(s, b.reminder) for s in Surface],
        Action.PASSWORD_CHANGED: [button_value(Surface.ALERT, b.account)],
        Action.REPORT_FROM_ALERT: [button_value(Surface.ALERT, b.alert)],
        Action.SNOOZE_NUDGE: [f"{b.reminder}:1d", f"{b.reminder}:1w"],  # the menu's options
        Action.EXPLAIN_NUDGE: [button_value(Surface.NUDGE, b.reminder)],
        Action.CASE_TAKE: [case],
        Action.CASE_SUSPEND: [case],
        Action.CASE_INVESTIGATE: [case],
        Action.CASE_RESOLVE: [case],
        Action.CASE_REOPEN: [case],
        Action.CASE_RECORD_CHARGE: [case],
        Action.CASE_ADD_INFO: [case],
        Action.CASE_SEVERITY: [case],
        Action.CASE_TICKET: [case],
        Action.CHARGE_APPROVE: [charge],
        Action.CHARGE_PROCESSED: [charge],
        Action.CHARGE_REJECT: [charge],
        Action.LOGIN_WAS_ME: [login],
        Action.LOGIN_NOT_ME: [login],
        Action.APPROVE_EXEMPTION: [str(b.exemption)],
        Action.REJECT_EXEMPTION: [str(b.exemption)],
        Action.DESK_REMIND: [b.people.member, b.people.manager],
        Action.DESK_OPEN_CASE: [str(b.account)],
    }


# -- commands ------------------------------------------------------------------------------------


def command_lines(b: Seeded) -> list[str]:
    ben, dana, sam = (f"<@{user}>" for user in (b.people.member, b.people.manager, b.people.admin))
    return [
        "status",
        f"status {ben}",
        f"status {dana}",
        "2sv",
        f"2sv reset {ben}",
        "password",
        "recovery",
        "recovery phone",
        "report",
        "case list",
        f"case show {b.case}",
        f"case {b.case}",
        f"case open {b.account} taken over",
        f"case open {b.platform_account} taken over",
        f"case severity {b.case} critical taken over",
        f"case ticket {b.case} TT-1 appeal received",
        f"case review {b.case}",
        f"account {b.platform_account}",
        f"account {b.team} Ads",
        f"exclude {ben} service",
        f"exclude {sam} leave 2027-01-04",
        f"include {dana}",
        "excluded",
        "campaign start",
        "campaign list",
        f"campaign show {b.campaign}",
        f"campaign stop {b.campaign}",
        f"campaign {b.campaign}",
        "stats",
        "settings",
        "language de",
        "help",
    ]


def test_every_subcommand_from_a_names_nothing_of_b(
    worlds: tuple[Seeded, Seeded],
    attacker: Slack,
    pool: CarryingPool,
    database: Database,
    standin: SlackStandIn,
) -> None:
    _, b = worlds
    lines = command_lines(b)
    named = {
        command_line.read({"user_id": ADMIN, "text": line}, SUBCOMMANDS, "status").subcommand
        for line in lines
    }
    assert {row.name for row in named if row is not None} == set(SUBCOMMANDS)
    answers: list[Any] = []

    def attack() -> Any:
        for line in lines:
            response = attacker.send(
                payloads.slash_command(ADMIN, line, response_url=standin.response_url())
            )
            assert response.status == 200, (line, response.body)
            answers.append(response.body)
        return answers

    untouched(database, standin, b, attack, pool)


# -- buttons -------------------------------------------------------------------------------------


def test_every_action_id_is_covered(worlds: tuple[Seeded, Seeded]) -> None:
    _, b = worlds
    assert set(b_values(b)) | set(NO_RECORD) == set(Action)
    assert not set(b_values(b)) & set(NO_RECORD)


def test_every_button_from_a_with_b_s_ids_changes_nothing_of_b(
    worlds: tuple[Seeded, Seeded],
    attacker: Slack,
    pool: CarryingPool,
    database: Database,
    standin: SlackStandIn,
) -> None:
    _, b = worlds
    ids = [str(b.case), str(b.charge), str(b.alert), str(b.login_alert), str(b.account)]
    every = ids + [button_value(s, item) for s in Surface for item in [*ids, str(b.reminder)]]

    def attack() -> Any:
        for action in Action:
            values = b_values(b).get(action, []) + every
            for value in values:
                button: dict[str, Any] = {
                    "type": "button",
                    "action_id": action.value,
                    "value": value,
                }
                if action is Action.SNOOZE_NUDGE:
                    button = {
                        "type": "static_select",
                        "action_id": action.value,
                        "selected_option": {"value": value},
                    }
                for from_home in (False, True):
                    response = attacker.send(
                        payloads.block_action(
                            ADMIN,
                            {**button, "block_id": "b"},
                            response_url=None if from_home else standin.response_url(),
                            container={"type": "view"} if from_home else None,
                        )
                    )
                    assert response.status == 200, (action, value, response.body)

    untouched(database, standin, b, attack, pool)


# -- modals --------------------------------------------------------------------------------------


def _field(block: str, value: str, *, option: bool = False) -> dict[str, Any]:
    entry = {"selected_option": {"value": value}} if option else {"value": value}
    return {block: {block: {"type": "static_select" if option else "plain_text_input", **entry}}}


def submissions(
    b: Seeded, code: Callable[[], str]
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(callback, private_metadata, values) of every modal, naming B's records."""
    case = {"item": b.case, "response_url": None}
    context = {
        "case": b.case, "charge": b.charge, "alert": b.login_alert,
        "account": b.account, "subject": b.people.member, "exemption": b.exemption,
    }  # fmt: skip
    step_ups = [
        (
            Callback.STEP_UP.value,
            {"purpose": purpose.value, "context": context},
            _field("code", code()),
        )
        for purpose in StepUp
    ]
    return [
        *step_ups,
        (
            Callback.TWO_STEP_REPORT.value,
            {"surface": "status"},
            {
                **_field("account", str(b.account), option=True),
                **_field("method", "sms", option=True),
            },
        ),
        (Callback.REMOVE_AUTHENTICATOR.value, {"subject": b.people.member}, _field("code", code())),
        (
            Callback.CASE_REPORT.value,
            {},
            {
                **_field("account", str(b.account), option=True),
                **_field("what_happened", "forged"),
                **_field("charges_seen", "yes", option=True),
            },
        ),
        (
            Callback.CASE_RESOLVE.value,
            case,
            {**_field("outcome", "recovered", option=True), **_field("summary", "forged")},
        ),
        (
            Callback.CASE_CHARGE.value,
            case,
            {**_field("amount", "99"), **_field("currency", "EUR"), **_field("description", "x")},
        ),
        (Callback.CHARGE_REJECT.value, {"item": b.charge}, _field("reason", "forged")),
        (Callback.CASE_ADD_INFO.value, case, _field("what_happened", "forged")),
        (
            Callback.CASE_SEVERITY.value,
            case,
            {**_field("severity", "low", option=True), **_field("reason", "forged")},
        ),
        (
            Callback.CASE_TICKET.value,
            case,
            {**_field("reference", "FORGED-1"), **_field("answer", "forged")},
        ),
        (Callback.RECOVERY_EMAIL.value, {"member": b.people.member}, _field("email", b.email)),
        (Callback.RECOVERY_CODE.value, {"member": b.people.member}, _field("code", "123456")),
        (Callback.RECOVERY_PHONE.value, {"member": b.people.member}, _field("phone", "+491511111")),
        (
            Callback.EXEMPTION_REQUEST.value,
            {},
            {
                **_field("check", "two_step", option=True),
                **_field("account", str(b.account), option=True),
                **_field("reason", "forged"),
                "ends_on": {"ends_on": {"type": "datepicker", "selected_date": "2027-01-31"}},
            },
        ),
        (  # a campaign of A's for B's account manager and platform: refused, nothing of B's
            Callback.CAMPAIGN_START.value,
            {},
            {
                **_field("check", "two_step", option=True),
                **_field("scope", "manager", option=True),
                "manager": {"manager": {"type": "users_select", "selected_user": b.people.manager}},
                "deadline": {"deadline": {"type": "datepicker", "selected_date": "2027-01-31"}},
                **_field("title", f"{b.team} forged"),
            },
        ),
        (  # A's settings, set to B's people: A's row may change, nothing of B's
            Callback.WORKSPACE_SETTINGS.value,
            {},
            {
                "security_admins": {
                    "security_admins": {
                        "type": "multi_users_select",
                        "selected_users": [b.people.member],
                    }
                },
                **_field("support_contact", "forged"),
            },
        ),
    ]


def test_every_modal_from_a_with_b_s_ids_changes_nothing_of_b(
    worlds: tuple[Seeded, Seeded],
    attacker: Slack,
    pool: CarryingPool,
    database: Database,
    standin: SlackStandIn,
    clock: FakeClock,
) -> None:
    a, b = worlds

    def code() -> str:
        clock.advance(timedelta(seconds=30))
        return pyotp.TOTP(a.authenticator_secret).at(clock.now())

    forms = submissions(b, code)
    assert {callback for callback, _, _ in forms} == {c.value for c in Callback}

    def attack() -> Any:
        for callback, metadata, values in forms:
            view = {
                "id": "V0FORGED",
                "type": "modal",
                "callback_id": callback,
                "private_metadata": json.dumps(metadata),
            }
            response = attacker.send(payloads.view_submission(ADMIN, view, values))
            assert response.status == 200, (callback, response.body)

    untouched(database, standin, b, attack, pool)


# -- events: the Home tab, notes in B's case thread, an uninstall naming B -----------------------


def test_events_from_a_about_b_s_thread_and_home_change_nothing_of_b(
    worlds: tuple[Seeded, Seeded],
    attacker: Slack,
    pool: CarryingPool,
    database: Database,
    standin: SlackStandIn,
) -> None:
    _, b = worlds
    channel, ts = b.card
    note = {"channel": channel, "thread_ts": ts, "channel_type": "channel"}
    events: list[dict[str, Any]] = [
        {"type": "message", "user": ADMIN, "text": "forged note", "ts": "1795511000.000100", **note},
        {
            "type": "message", "subtype": "message_changed", "channel": channel,
            "message": {"user": b.people.admin, "text": "rewritten", "ts": "1795510900.000100",
                        "thread_ts": ts, "edited": {"ts": "1795511001.000100"}},
        },
        {
            "type": "message", "subtype": "message_deleted", "channel": channel,
            "deleted_ts": "1795510900.000100",
            "previous_message": {"user": b.people.admin, "ts": "1795510900.000100", "thread_ts": ts},
        },
    ]  # fmt: skip

    def attack() -> Any:
        for body in events:
            assert attacker.send(payloads.event(body, team_id=A)).status == 200
        for user in (ADMIN, b.people.member):
            assert attacker.send(payloads.app_home_opened(user, team_id=A)).status == 200

    untouched(database, standin, b, attack, pool)


# -- the control: the same requests with A's own ids reach A's records ---------------------------


def test_the_same_requests_with_a_s_own_ids_reach_a_s_records(
    worlds: tuple[Seeded, Seeded],
    attacker: Slack,
    pool: CarryingPool,
    database: Database,
    standin: SlackStandIn,
) -> None:
    a, _ = worlds
    before = rows_of(database, a.team)

    shown = attacker.send(
        payloads.slash_command(ADMIN, f"case show {a.case}", response_url=standin.response_url())
    )
    button = {"type": "button", "action_id": Action.CASE_TAKE.value, "value": str(a.case)}
    taken = attacker.send(
        payloads.block_action(
            ADMIN, {**button, "block_id": "b"}, response_url=standin.response_url()
        )
    )
    pool.shutdown(wait=True)

    assert shown.status == taken.status == 200
    assert f"{a.team} ads I never made" in str(shown.body)
    assert "cases" in changed(before, rows_of(database, a.team))
