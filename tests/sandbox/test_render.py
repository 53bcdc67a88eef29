"""Block Kit as terminal text: what the sandbox console shows for the app's real views."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checklist import views
from bot.checklist.model import BusinessAccountRef, MemberRef
from bot.checklist.rules import build_checklist
from bot.stats import views as views_stats
from sandbox import render

ACME = BusinessAccountRef(1, "7012345", "Acme Shoes Ads", "tiktok_business", True, "U0DANA")
SHOP = BusinessAccountRef(3, "7034567", "Ana's Pop-up Shop", "tiktok_business", False, None)


def plain(text: str) -> str:
    return render.mrkdwn(text, color=False)


def status_blocks() -> list[dict[str, Any]]:
    checklist = build_checklist(MemberRef(1, "U0ANA", "Ana Example"), [ACME, SHOP], [])
    return views.status_message(checklist, own=True)["blocks"]  # type: ignore[no-any-return]


# -- mrkdwn --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("*0 of 7 checks pass*", "0 of 7 checks pass"),
        ("_only_ you", "only you"),
        ("~gone~", "~gone~"),
        ("type `/security status`", "type `/security status`"),
        ("Tom &amp; Jerry &lt;b&gt;", "Tom & Jerry <b>"),
        ("&amp;lt;", "&lt;"),
        ("seen <!date^1795600000^{date_short}|24 Nov 2026>", "seen 24 Nov 2026"),
        ("ask <@U0DANA>", "ask @U0DANA"),
        ("ask <@U0DANA|dana>", "ask @dana"),
        ("in <#C0SEC|security>", "in #security"),
        ("<!here> look", "@here look"),
        ("<https://example.com/steps|the steps>", "the steps (https://example.com/steps)"),
        ("<https://example.com>", "https://example.com"),
        ("<mailto:sam@example.com|sam@example.com>", "sam@example.com"),
        ("2*3*4 and snake_case_name", "2*3*4 and snake_case_name"),
        ("`*not bold*`", "`*not bold*`"),
        ("&lt;https://evil.example|click&gt;", "<https://evil.example|click>"),
        ("*<https://example.com|bold link>*", "bold link (https://example.com)"),
        ("```line one\nline *two*```", "line one\nline *two*"),
    ],
)
def test_mrkdwn_reads_as_slack_shows_it(text: str, shown: str) -> None:
    assert plain(text) == shown


def test_mrkdwn_in_color_uses_ansi_styles() -> None:
    shown = render.mrkdwn("*Passing* · `code` · _why_", color=True)

    assert shown == "\x1b[1mPassing\x1b[22m · \x1b[36mcode\x1b[39m · \x1b[3mwhy\x1b[23m"


def test_width_counts_columns_not_escapes_or_characters() -> None:
    assert render.width_of("\x1b[1mabc\x1b[22m") == 3
    assert render.width_of("✅ ok") == 5
    assert render.width_of("⚠️") == 1


def test_wrap_breaks_at_words_and_hangs_bullets() -> None:
    text = "• ⚪ Acme Shoes Ads: Not confirmed yet, so please turn it on"

    lines = render.wrap(text, width=30)

    assert lines == ["• ⚪ Acme Shoes Ads: Not", "  confirmed yet, so please", "  turn it on"]
    assert all(render.width_of(line) <= 30 for line in lines)


# -- messages, Home tab, modals ------------------------------------------------------------------


def test_the_checklist_message_reads_like_slack() -> None:
    shown = render.render_message(
        {"blocks": status_blocks()},
        sender="Account Security",
        note="only visible to you",
        color=False,
    )
    lines = shown.splitlines()

    assert lines[0].startswith("┌─ Account Security · only visible to you ─")
    assert lines[1:4] == [
        "│ Your security checklist",
        "│ ═══════════════════════",
        "│ 0 of 7 checks pass",
    ]
    assert "│ ⚪ 2-step verification on each business account" in lines
    assert "│ • ⚪ Acme Shoes Ads: Not confirmed yet." in lines
    assert "│   [ I've turned it on ]" in lines
    assert "│   [ Add a recovery phone ]" in lines
    assert "│ Unknown · no evidence yet" in lines
    assert "│ [ Refresh ]  [ Report a compromised account ]" in lines
    assert lines[-1].startswith("└─")
    assert "\x1b" not in shown
    assert all(render.width_of(line) <= 100 for line in lines)


def test_color_marks_primary_buttons_and_dims_context() -> None:
    lines = render.render_blocks(status_blocks(), color=True)

    assert "  \x1b[1;32m[ I've turned it on ]\x1b[22;39m" in lines
    assert "\x1b[90mUnknown · no evidence yet\x1b[39m" in lines


def test_a_message_without_blocks_shows_its_text_as_mrkdwn() -> None:
    shown = render.render_message({"text": "*Done* &amp; dusted"}, sender="Bot", color=False)

    assert shown.splitlines()[1] == "│ Done & dusted"


def test_the_home_tab_is_framed_as_the_home_tab() -> None:
    checklist = build_checklist(MemberRef(1, "U0ANA", "Ana"), [ACME], [])

    shown = render.render_home(
        views_stats.home_view(checklist, None), app="Account Security", color=False
    )

    assert shown.splitlines()[0].startswith("┌─ Account Security · Home tab ─")
    assert "│ [ Refresh ]  [ Report a compromised account ]" in shown.splitlines()


def test_a_link_button_shows_where_it_leads() -> None:
    link = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Open"},
        "url": "https://x.example/s/1",
    }

    lines = render.render_blocks([{"type": "actions", "elements": [link]}], color=False)

    assert lines == ["[ Open ]", "  ↗ https://x.example/s/1"]
    assert (
        render.buttons([{"type": "actions", "elements": [link]}])[0].url == "https://x.example/s/1"
    )


def test_blocks_the_sandbox_cannot_show_are_named() -> None:
    lines = render.render_blocks([{"type": "video", "title": {}}], color=False)

    assert lines == ["[a video block the sandbox cannot show]"]


def test_the_two_step_modal_numbers_its_inputs_and_options() -> None:
    modal = views.two_step_modal([ACME, SHOP])

    lines = render.render_modal(modal, values={}, color=False).splitlines()

    assert lines[0].startswith("┌─ 2-step verification (a modal) ─")
    assert "│ 1. Business account" in lines
    assert "│     1) Acme Shoes Ads" in lines
    assert "│     2) Ana's Pop-up Shop" in lines
    assert "│     (nothing chosen yet)" in lines
    assert "│ 2. Verification method you chose" in lines
    assert "│   ( ) 1) Authenticator app" in lines
    assert "│ [ Cancel ]  [ I've turned it on ]" in lines


def test_a_modal_shows_the_choices_made_and_the_errors_next_to_their_inputs() -> None:
    modal = views.two_step_modal([ACME, SHOP])
    [account, method] = render.inputs(modal["blocks"])
    values = {method.block_id: {method.action_id: {"selected_option": method.options[1]}}}
    errors = {account.block_id: "Choose a business account."}

    lines = render.render_modal(modal, values=values, errors=errors, color=False).splitlines()

    assert lines[lines.index("│ 1. Business account") + 4] == "│   ⚠ Choose a business account."
    assert "│   (•) 2) SMS" in lines
    assert "│   ( ) 1) Authenticator app" in lines


# -- what can be pressed and filled in -----------------------------------------------------------


def test_buttons_carry_the_action_slack_would_send() -> None:
    blocks = status_blocks()

    found = {button.label: button.action for button in render.buttons(blocks)}

    assert {"I've turned it on", "Add a recovery phone", "Refresh"} <= set(found)
    two_step = found["I've turned it on"]
    assert (two_step["type"], two_step["action_id"], two_step["style"]) == (
        "button",
        "report_two_step",
        "primary",
    )
    assert two_step["text"]["text"] == "I've turned it on"
    index = next(i for i, b in enumerate(blocks) if "accessory" in b)
    assert two_step["block_id"] == blocks[index].get("block_id", f"sandbox-{index}")


def test_state_values_have_slacks_shape_for_every_input() -> None:
    modal = views.two_step_modal([ACME])
    [account, method] = render.inputs(modal["blocks"])
    chosen = {
        account.block_id: {
            account.action_id: {"type": "static_select", "selected_option": account.options[0]}
        }
    }

    values = render.state_values(modal["blocks"], chosen)

    assert values == {
        "account": {
            "account": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Acme Shoes Ads", "emoji": True},
                    "value": "1",
                },
            }
        },
        "method": {"method": {"type": "radio_buttons", "selected_option": None}},
    }
    assert render.chosen_label(values, account) == "Acme Shoes Ads"
    assert render.chosen_label(values, method) is None


def test_inputs_name_their_kind_and_whether_they_are_optional() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Why?"}},
        {
            "type": "input",
            "optional": True,
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "note"},
        },
    ]

    [note] = render.inputs(blocks)

    assert (note.number, note.block_id, note.kind, note.optional) == (
        1,
        "sandbox-1",
        "plain_text_input",
        True,
    )
    assert render.render_blocks(blocks, color=False)[1:] == [
        "1. Note (optional)",
        "  (type 1 <text>)",
    ]


def test_wrapping_keeps_a_lines_indent_and_hangs_a_bullets_later_lines() -> None:
    text = "  help   the first line\n             its second line\n• a bullet that wraps here"
    assert render.wrap(text, width=20) == [
        "  help   the first",
        "  line",
        "             its",
        "             second",
        "             line",
        "• a bullet that",
        "  wraps here",
    ]


def test_a_modal_starts_with_its_initial_values_as_slack_sends_them() -> None:
    """What the member leaves alone is submitted as shown: a typed default, a chosen option, the
    people and days a form came with."""
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": "cap", "label": {"type": "plain_text", "text": "Cap"},
         "element": {"type": "plain_text_input", "action_id": "cap", "initial_value": "6"}},
        {"type": "input", "block_id": "admins", "label": {"type": "plain_text", "text": "Admins"},
         "element": {"type": "multi_users_select", "action_id": "admins",
                     "initial_users": ["U0SAM"]}},
        {"type": "input", "block_id": "zone", "label": {"type": "plain_text", "text": "Zone"},
         "element": {"type": "plain_text_input", "action_id": "zone"}},
    ]  # fmt: skip
    values = render.initial_values(blocks)
    state = render.state_values(blocks, values)

    assert state["cap"]["cap"]["value"] == "6"
    assert state["admins"]["admins"]["selected_users"] == ["U0SAM"]
    assert state["zone"]["zone"]["value"] is None
    shown = render.render_modal({"blocks": blocks, "title": {"text": "Settings"}}, values=values,
                                color=False)  # fmt: skip
    assert "[ 6 ]" in shown and "[ @U0SAM ]  (as it is" in shown and "(type 3 <text>)" in shown
