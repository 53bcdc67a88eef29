"""The whole life of a case through signed requests and the Slack stand-in, checking what each
person receives: a managed client's case worked by its account manager in the escalation
channel, and an unmanaged client's case in the support channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.audit import export_lines
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import ANA, DANA, HOSTILE, OLGA, RAJ, SUPPORT, World
from tests.conftest import ADMIN, START
from tests.handlers.cases.conftest import (
    Codes,
    card,
    dms,
    enter_code,
    ephemeral_answers,
    submit,
    thread,
    thread_event,
    wait_for_dm,
    wait_for_modal,
)
from tests.handlers.conftest import Slack, text_of


def report(slack: Slack, standin: SlackStandIn, user: str, account: int, said: str) -> None:
    answer = slack.send(payloads.slash_command(user, "report", response_url=standin.response_url()))
    assert answer.status == 200 and not answer.body
    modal = wait_for_modal(standin, "case_report")
    assert [o["value"] for o in modal["blocks"][1]["element"]["options"]] == [str(account)]
    response = submit(
        slack, user, modal, account=str(account), what_happened=said, charges_seen="yes"
    )
    assert response.status == 200 and not response.body, response.body


def test_the_life_of_a_managed_case(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    world: World,
    codes: Codes,
) -> None:
    codes.link(ADMIN)
    codes.link(DANA)

    # Ana reports; the card goes to the escalation channel naming Dana, Ana gets the DM.
    report(slack, standin, ANA, world.acme.id, HOSTILE)
    parent = card(standin)
    shown = text_of(parent["blocks"])
    assert "Case #1 · Acme <Shoes> Ads" in shown and "account manager <@U0DANA>" in shown
    assert "&lt;!channel&gt; &lt;@U123&gt; *bold* &amp;" in shown
    assert "<!channel>" not in parent["text"]
    [ana_dm] = standin.wait_for(lambda: dms(standin, ANA))
    assert "Case #1" in ana_dm and "account manager <@U0DANA>" in ana_dm
    assert "Charges from unauthorized activity are reimbursed" in ana_dm

    # Raj reports too: his report joins case #1.
    report(slack, standin, RAJ, world.acme.id, "Same here")
    standin.wait_for(lambda: any("reported it too" in line for line in thread(standin, parent)))
    assert "joined" in standin.wait_for(lambda: dms(standin, RAJ))[0]

    # Dana takes it and suspends access; the members are told.
    slack.press(DANA, "case_take", value="1")
    standin.wait_for(lambda: "<@U0DANA> took the case" in thread(standin, parent))
    assert "*Handler*\n<@U0DANA>" in text_of(card(standin)["blocks"])
    slack.press(DANA, "case_suspend", value="1")
    standin.wait_for(lambda: len(dms(standin, ANA)) == 2 and len(dms(standin, RAJ)) == 2)
    assert "access is *not* suspended yet" in dms(standin, ANA)[-1]
    shown = text_of(card(standin)["blocks"])
    assert "Suspension requested" in shown and "no platform connection is configured" in shown

    # Notes in the thread become the timeline.
    note = thread_event(DANA, parent, "Called Ana <!channel>", ts="1700000999.000001")
    slack.send(payloads.event(note, event_id="EvNOTE1"))
    slack.send(payloads.event(note, event_id="EvNOTE1"), headers={"x-slack-retry-num": "1"})
    slack.press(DANA, "case_investigate", value="1")
    standin.wait_for(lambda: "<@U0DANA> started the investigation" in thread(standin, parent))

    # A charge: recorded by Dana, approved by Sam after a code, then reimbursed.
    slack.press(DANA, "case_record_charge", value="1")
    charge_modal = wait_for_modal(standin, "case_charge")
    submit(slack, DANA, charge_modal, amount="120.50", currency="EUR", description="Ads bought")
    charge = standin.wait_for(
        lambda: [m for m in standin.messages(parent["channel"]) if "Charge €120.50" in m["text"]]
    )[0]
    slack.press(DANA, "charge_approve", value="1")
    standin.wait_for(lambda: any("four eyes" in a for a in ephemeral_answers(standin)))
    views_before = len(standin.opened_views())
    slack.press(ADMIN, "charge_approve", value="1")
    enter_code(slack, standin, ADMIN, codes.code(ADMIN), views_before)
    standin.wait_for(lambda: "Approved by <@U0ADMIN>" in text_of(_now(standin, charge)["blocks"]))
    slack.press(DANA, "charge_processed", value="1")
    standin.wait_for(lambda: "reimbursed" in _now(standin, charge)["text"])
    assert "€120.50 claimed · €120.50 approved · €120.50 reimbursed" in text_of(
        card(standin)["blocks"]
    )

    # Dana resolves: a code first, then the outcome; the members get the results.
    views_before = len(standin.opened_views())
    slack.press(DANA, "case_resolve", value="1")
    resolve_modal = enter_code(slack, standin, DANA, codes.code(DANA), views_before)
    assert resolve_modal is not None and resolve_modal["callback_id"] == "case_resolve"
    submit(slack, DANA, resolve_modal, outcome="control_restored", summary="New password, 2SV on")
    standin.wait_for(lambda: card(standin)["text"].endswith(": resolved"))
    final = text_of(card(standin)["blocks"])
    assert "Outcome: Control restored" in final and "New password, 2SV on" in final
    for member in (ANA, RAJ):
        last = wait_for_dm(standin, member, "is resolved")
        assert "control restored" in last and "account manager <@U0DANA>" in last

    detail = services.cases.show(DANA, 1)
    assert [e.kind for e in detail.timeline].count("note") == 1  # the retried delivery: once
    requests = services.cases.platform.requests  # type: ignore[attr-defined]
    assert [r.action.value for r in requests] == ["suspend", "restore"]
    audit = "\n".join(export_lines(services.database, START - timedelta(days=1)))
    for action in (
        "cases.opened",
        "cases.report.joined",
        "cases.taken",
        "cases.suspended",
        "cases.note.added",
        "cases.investigating",
        "cases.charge.recorded",
        "cases.refused",
        "cases.charge.approved",
        "cases.charge.processed",
        "cases.resolved",
    ):
        assert f'"action": "{action}"' in audit


def test_the_life_of_an_unmanaged_case(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, codes: Codes
) -> None:
    codes.link(ADMIN)
    report(slack, standin, OLGA, world.shop.id, "My password stopped working")

    parent = card(standin, SUPPORT)
    assert "Not managed · support team" in text_of(parent["blocks"])
    [olga_dm] = standin.wait_for(lambda: dms(standin, OLGA))
    assert "The support team has the case, in <#C0SUPPORT>" in olga_dm
    assert "account manager" not in olga_dm

    slack.press(ADMIN, "case_take", value="1")
    standin.wait_for(lambda: "<@U0ADMIN> took the case" in thread(standin, parent))
    views_before = len(standin.opened_views())
    slack.press(ADMIN, "case_resolve", value="1")
    resolve_modal = enter_code(slack, standin, ADMIN, codes.code(ADMIN), views_before)
    assert resolve_modal is not None and resolve_modal["callback_id"] == "case_resolve"
    submit(slack, ADMIN, resolve_modal, outcome="false_alarm", summary="Caps lock was on")
    last = wait_for_dm(standin, OLGA, "is resolved")
    assert "false alarm" in last and "Contact the support team, in <#C0SUPPORT>" in last
    assert services.cases.platform.requests == []  # type: ignore[attr-defined]


def _now(standin: SlackStandIn, message: dict[str, Any]) -> dict[str, Any]:
    """A message as it is now, after chat.update."""
    return next(m for m in standin.messages(str(message["channel"])) if m["ts"] == message["ts"])


def test_a_resolution_needing_a_code_takes_two_requests_after_the_press(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, codes: Codes
) -> None:
    """The correct code answers with the resolution form itself: no second press of Resolve."""
    codes.link(ADMIN)
    report(slack, standin, OLGA, world.shop.id, "My password stopped working")
    card(standin, SUPPORT)
    seen, answered_before = len(standin.opened_views()), len(ephemeral_answers(standin))

    pressed = slack.press(ADMIN, "case_resolve", value="1")
    form = enter_code(slack, standin, ADMIN, codes.code(ADMIN), seen)  # request 1 after the press
    assert form is not None and form["callback_id"] == "case_resolve"
    resolved = submit(slack, ADMIN, form, outcome="false_alarm", summary="Caps lock was on")  # 2

    assert (pressed.status, resolved.status, resolved.body) == (200, 200, "")
    standin.wait_for(lambda: card(standin, SUPPORT)["text"].endswith(": resolved"))
    assert [view["callback_id"] for view in standin.opened_views()[seen:]] == ["step_up"]
    assert len(ephemeral_answers(standin)) == answered_before  # nothing asks to press again
