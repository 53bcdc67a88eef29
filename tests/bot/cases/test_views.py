"""What people wrote reaches cards, thread lines and DMs escaped: `<!channel>`, `<@U123>`,
links and `&<>` cannot notify, mention or link; `*bold*` stays text inside our own formatting.
Every message is one Slack accepts."""

from __future__ import annotations

import json
from typing import Any

from bot.cases import modals, views
from bot.cases.model import CaseChange, ChargesSeen, Outcome
from bot.services import Services
from sandbox.slack_standin import validate_blocks, validate_view
from tests.bot.cases.conftest import ANA, DANA, HOSTILE, StepUp, World
from tests.conftest import AccountFactory, MemberFactory

ESCAPED = "Hacked &lt;!channel&gt; &lt;@U123&gt; *bold* &amp; &lt;https://evil.example|click&gt; &gt;quote"


def rendered(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def parsed_texts(node: Any) -> list[str]:
    """Every text Slack parses as mrkdwn: the fallback text and mrkdwn objects. plain_text
    (headers, buttons) is shown literally, so it cannot notify anyone."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") != "plain_text" and isinstance(node.get("text"), str):
            found.append(node["text"])
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                found.extend(parsed_texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(parsed_texts(item))
    return found


def assert_harmless(message: dict[str, Any]) -> None:
    for text in parsed_texts(message):
        assert "<!channel>" not in text and "<@U123>" not in text and "<https://" not in text
    assert validate_blocks(message["blocks"], surface="message") == []


def test_hostile_words_in_every_case_message(
    services: Services,
    world: World,
    member: MemberFactory,
    account: AccountFactory,
    step_up: StepUp,
) -> None:
    hostile = account(HOSTILE, members=[member("U0MIA")], manager=member("U0MAX"))
    opened = services.cases.report("U0MIA", hostile.id, HOSTILE, ChargesSeen.YES)
    number = opened.case.number
    joined = services.cases.open_by_command("U0MAX", hostile.platform_account_id, HOSTILE)
    info = services.cases.add_info("U0MIA", number, HOSTILE)
    charge = services.cases.charges.record("U0MAX", number, "12", "EUR", HOSTILE)
    rejected = services.cases.charges.reject("U0MAX", charge.charge.id, HOSTILE)  # type: ignore[union-attr]
    suspended = services.cases.suspend("U0MAX", number)
    step_up("U0MAX")
    resolved = services.cases.resolve("U0MAX", number, Outcome.NOT_RECOVERABLE, HOSTILE)
    changes: list[CaseChange] = [opened, joined, info, charge, rejected, suspended, resolved]

    for change in changes:
        assert_harmless(views.card_message(change.case))
        for notice in change.notices:
            assert_harmless(notice.message)
        if change.line:
            assert "<!channel>" not in change.line and "<@U123>" not in change.line
    assert ESCAPED in rendered(views.card_message(resolved.case))
    assert ESCAPED in rendered(resolved.notices[0].message)
    assert_harmless(views.charge_message(rejected.charge, "U0MAX"))  # type: ignore[arg-type]
    detail = services.cases.show("U0MAX", number)
    assert_harmless(views.case_detail(detail))
    assert ESCAPED[:40] in rendered(views.case_detail(detail))
    assert_harmless(views.case_list(services.cases.list_for("U0MAX")))


def test_the_card_names_the_manager_and_its_buttons_follow_the_state(
    services: Services, world: World, step_up: StepUp
) -> None:
    opened = services.cases.report(ANA, world.acme.id, "Odd logins", ChargesSeen.UNSURE)
    number = opened.case.number

    def buttons(change: CaseChange) -> list[str]:
        blocks = views.card_message(change.case)["blocks"]
        return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]

    assert "account manager <@U0DANA>" in rendered(views.card_message(opened.case))
    incident = ["case_severity", "case_ticket"]  # the handler's, as the commands
    assert buttons(opened) == [
        "case_take",
        "case_suspend",
        "case_investigate",
        "case_record_charge",
        *incident,
        "case_resolve",
    ]
    suspended = services.cases.suspend(DANA, number)
    assert buttons(suspended) == [
        "case_investigate",
        "case_record_charge",
        *incident,
        "case_resolve",
    ]
    investigating = services.cases.investigate(DANA, number)
    assert buttons(investigating) == ["case_record_charge", *incident, "case_resolve"]
    step_up(DANA)
    resolved = services.cases.resolve(DANA, number, Outcome.CONTROL_RESTORED, "Back")
    assert buttons(resolved) == ["case_reopen", "case_ticket"]  # the platform may answer later
    assert "Not managed" in rendered(
        views.card_message(services.cases.report("U0OLGA", world.shop.id, "x", ChargesSeen.NO).case)
    )


def test_the_modals_are_valid() -> None:
    for modal in (
        modals.report_modal([(1, "Acme"), (2, HOSTILE)]),
        modals.resolve_modal(12, "{}"),
        modals.charge_modal(12, "{}"),
        modals.reject_modal("{}"),
        modals.add_info_modal(12, "{}"),
        modals.severity_modal(12, "{}"),
        modals.ticket_modal(12, "{}"),
    ):
        assert validate_view(modal) == []
