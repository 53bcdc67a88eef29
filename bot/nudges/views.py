"""Block Kit for the nudges: the reminder DM, its in-place update, the account manager DM, the
security admins' digest, and the "why" explanation. Pure: payloads in, messages out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.campaigns.words import campaign_pace, due_line
from bot.checklist.model import CHECKS, EXEMPTABLE, STATES, Check, Fix, State
from bot.checklist.views import FIX_BUTTONS, ICONS, STATE_WORDS, exemption_element
from bot.core.blocks import mrkdwn, plain
from bot.core.i18n import _, duration, ngettext, number
from bot.core.ids import Action, Surface, button_value, item_action
from bot.core.text import escape, shorten, slack_date
from bot.core.words import slack_time
from bot.nudges.settings import DAY, NudgePolicy, SnoozeChoice

MAX_MEMBERS_LISTED = 40  # a message holds 50 blocks; a digest lists at most this many members


@dataclass(frozen=True)
class ItemNow:
    """How a gap named in a sent message stands now."""

    closed_reason: str | None  # fixed, withdrawn, or None while open
    snoozed_until: datetime | None


def reminder_message(
    message_id: int,
    payload: Mapping[str, Any],
    now: Mapping[str, ItemNow],
    choices: Sequence[SnoozeChoice],
    *,
    snoozed_until: datetime | None = None,
    checklist_now: Mapping[str, tuple[State, str]] | None = None,
    today: date | None = None,  # the member's own day: a campaign's countdown counts from it
) -> dict[str, Any]:
    """The DM: one section per gap with its fix button, then Snooze and "Why am I getting this?".

    `now` says which gaps were fixed since (shown done, without buttons); when all are, the whole
    message thanks the member. `checklist_now` (by check: state and explanation, as the checklist
    reads now) replaces what the gaps said when decided.
    """
    items = list(payload.get("items") or [])
    open_items = [item for item in items if _state(item, now) is None]
    urgent = any(item.get("urgent") for item in open_items)
    # Translators: in place of a member's name, when it is unknown ("Hi there").
    name = escape(str(payload.get("name") or _("there")), limit=80)
    if not open_items:
        intro = _("✅ *Done — thank you, {name}!* Everything in this reminder is sorted.")
    elif urgent:
        intro = _(
            "🚨 *{name}, this one is urgent.* The platform reports that a password of one of "
            "your business accounts is known to attackers. Please change it now."
        )
    else:
        intro = _(
            "Hi {name}, a few minutes now keep your business accounts safe. "
            "Here is what is still open on your security checklist:"
        )
    intro = intro.format(name=name)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(intro)}]
    for item in items:
        check = str(item.get("check"))
        if checklist_now and check in checklist_now:
            state, explanation = checklist_now[check]
            item = {**item, "state": state.value, "explanation": explanation}
        blocks.append(_item_block(message_id, item, _state(item, now)))
        if _state(item, now) is None and (due := due_line(item.get("due"), today)):
            blocks[-1]["text"]["text"] += due  # a campaign asks for it by a day
    if open_items:
        blocks.append(_actions(message_id, payload, choices, open_items))
        blocks.append({"type": "context", "elements": [mrkdwn(_footer(open_items, snoozed_until))]})
    text = intro if open_items else _("Done — thank you, {name}!").format(name=name)
    return {"text": _plain_text(text), "blocks": blocks}


def _state(item: Mapping[str, Any], now: Mapping[str, ItemNow]) -> str | None:
    found = now.get(str(item.get("check")))
    return None if found is None else found.closed_reason


def _item_block(message_id: int, item: Mapping[str, Any], closed: str | None) -> dict[str, Any]:
    title = escape(_stored(item.get("title")), limit=150)
    if closed == "fixed":
        done = _("✅ ~{title}~\nDone — thank you!").format(title=title)
        return {"type": "section", "text": mrkdwn(done)}
    if closed is not None:
        gone = _("▫️ ~{title}~\nNothing to do here any more.").format(title=title)
        return {"type": "section", "text": mrkdwn(gone)}
    state = _item_state(item)
    icon = "🚨" if item.get("urgent") else ICONS[state]
    explanation = escape(_stored(item.get("explanation")), limit=600)
    section: dict[str, Any] = {
        "type": "section",
        "text": mrkdwn(f"{icon} *{title}* · {_(STATE_WORDS[state])}\n{explanation}"),
    }
    fix = _fix(item.get("fix"))
    if fix is not None:
        action, label = FIX_BUTTONS[fix]
        section["accessory"] = {
            "type": "button",
            # A message may not repeat an action_id; the router strips the item again.
            "action_id": item_action(action, str(item.get("check"))),
            "text": plain(_(label)),
            "value": button_value(Surface.NUDGE, message_id),
            "style": "danger" if item.get("urgent") else "primary",
        }
    return section


def _stored(text: Any) -> str:
    """A text the reminder kept from when it was decided (a check's title, the checklist's
    explanation), in the reader's language when the catalogue has it."""
    return _(str(text)) if text else ""


def _item_state(item: Mapping[str, Any]) -> State:
    """The checklist's state of a gap when it was decided; reminders written before the state was
    kept were about red gaps only."""
    state = STATES.get(str(item.get("state")), State.NEEDS_ACTION)
    return State.NEEDS_ACTION if item.get("urgent") else state


def _fix(raw: Any) -> Fix | None:
    try:
        fix = Fix(str(raw))
    except ValueError:
        return None
    return fix if fix in FIX_BUTTONS else None


def _actions(
    message_id: int,
    payload: Mapping[str, Any],
    choices: Sequence[SnoozeChoice],
    open_items: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if int(payload.get("snoozes_left") or 0) > 0 and choices:
        elements.append(
            {
                "type": "static_select",
                "action_id": Action.SNOOZE_NUDGE,
                "placeholder": plain(_("Snooze")),
                "options": [
                    {"text": plain(_snooze(choice)), "value": f"{message_id}:{choice.key}"}
                    for choice in choices[:100]
                ],
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": Action.EXPLAIN_NUDGE,
            "text": plain(_("Why am I getting this?")),
            "value": button_value(Surface.NUDGE, message_id),
        }
    )
    exemptable = [str(item.get("check")) for item in open_items if _exemptable(item)]
    if exemptable:
        # One button; the check comes preselected when only one open gap can be exempted.
        check = CHECKS[exemptable[0]] if len(exemptable) == 1 else None
        elements.append(exemption_element(Surface.NUDGE, message_id, check))
    return {"type": "actions", "elements": elements}


def _exemptable(item: Mapping[str, Any]) -> bool:
    """A gap proven red on a check held per business account (as on the checklist)."""
    found = CHECKS.get(str(item.get("check")))
    proven = _item_state(item) is State.NEEDS_ACTION and not item.get("urgent")
    return found is not None and found in EXEMPTABLE and proven


def _snooze(choice: SnoozeChoice) -> str:
    """The option "Snooze 3 days", in whole weeks or days where the length is one."""
    days, rest = divmod(choice.length, DAY)
    if not rest and days and days % 7 == 0:
        weeks = days // 7
        return ngettext("Snooze {count} week", "Snooze {count} weeks", weeks).format(
            count=number(weeks)
        )
    if not rest and days:
        return ngettext("Snooze {count} day", "Snooze {count} days", days).format(
            count=number(days)
        )
    return _("Snooze {length}").format(length=duration(choice.length, relative=False))


def _footer(open_items: list[Mapping[str, Any]], snoozed_until: datetime | None) -> str:
    parts: list[str] = []
    counted = [item for item in open_items if item.get("number")]
    if counted and not any(item.get("urgent") for item in counted):
        first = counted[0]
        if first.get("cap"):
            parts.append(
                _("Reminder {number} of {cap}").format(
                    number=number(int(first["number"])), cap=number(int(first["cap"]))
                )
            )
    if any(item.get("urgent") for item in open_items):
        parts.append(_("urgent items come back every few working hours until fixed"))
    if snoozed_until is not None:
        parts.append(_("😴 snoozed until {when}").format(when=slack_time(snoozed_until)))
    parts.append(_("sent in your working hours"))
    return " · ".join(parts)


def _plain_text(text: str) -> str:
    return text.replace("*", "")


# -- escalations ----------------------------------------------------------------------------------


def manager_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    members = list(payload.get("members") or [])
    intro = _(
        "As their account manager, you may want to help: these members have had several "
        "reminders about their business account security and the gaps below are still open."
    )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(intro)}]
    blocks.extend(_member_block(entry) for entry in members[:MAX_MEMBERS_LISTED])
    blocks.extend(_more(len(members)))
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn(_("See a member's checklist with `/security status @someone`."))],
        }
    )
    text = ngettext(
        "{count} member needs a hand with account security",
        "{count} members need a hand with account security",
        len(members),
    ).format(count=number(len(members)))
    return {"text": text, "blocks": blocks}


def digest_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    members = list(payload.get("members") or [])
    urgent = sum(1 for entry in members for item in entry.get("items", []) if item.get("urgent"))
    heading = ngettext(
        "Security nudges digest: {count} member still has open gaps",
        "Security nudges digest: {count} members still have open gaps",
        len(members),
    ).format(count=number(len(members)))
    if urgent:
        said = _(
            "Reminders (and account managers, where there are any) have not closed these "
            "gaps; *{count} urgent*."
        ).format(count=number(urgent))
    else:
        said = _(
            "Reminders (and account managers, where there are any) have not closed these gaps."
        )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(shorten(heading, 150))},
        {"type": "section", "text": mrkdwn(said)},
    ]
    blocks.extend(_member_block(entry, managers=True) for entry in members[:MAX_MEMBERS_LISTED])
    blocks.extend(_more(len(members)))
    return {"text": heading, "blocks": blocks}


def _member_block(entry: Mapping[str, Any], *, managers: bool = False) -> dict[str, Any]:
    lines = [_who(entry)]
    for item in entry.get("items", [])[:10]:
        icon = "🚨" if item.get("urgent") else ICONS[_item_state(item)]
        title = escape(_stored(item.get("title")), limit=120)
        since = _since(item.get("since"))
        count = int(item.get("reminders") or 0)
        line = ngettext(
            "{title}: {count} reminder since {since}",
            "{title}: {count} reminders since {since}",
            count,
        ).format(title=title, count=number(count), since=since)
        lines.append(f"{icon} {line}")
    if managers:
        told = [f"<@{manager}>" for manager in entry.get("managers", [])[:5]]
        if told:
            lines.append(
                ngettext(
                    "Account manager: {managers}", "Account managers: {managers}", len(told)
                ).format(managers=", ".join(told))
            )
        elif entry.get("has_accounts", True):
            lines.append(_("No account manager on record for their business accounts"))
        else:
            lines.append(_("Works on no business account, so there is no account manager to tell"))
    return {"type": "section", "text": mrkdwn(shorten("\n".join(lines), 3000))}


def _who(entry: Mapping[str, Any]) -> str:
    """A member by mention: Slack shows the name they go by now."""
    return f"*<@{entry.get('member')}>*"


def _more(count: int) -> list[dict[str, Any]]:
    if count <= MAX_MEMBERS_LISTED:
        return []
    hidden = count - MAX_MEMBERS_LISTED
    more = ngettext("…and {count} more member.", "…and {count} more members.", hidden).format(
        count=number(hidden)
    )
    return [{"type": "context", "elements": [mrkdwn(more)]}]


def _since(raw: Any) -> str:
    try:
        return slack_date(datetime.fromisoformat(str(raw)))
    except ValueError:
        # Translators: ends "{count} reminders since {since}" when the date is unknown.
        return _("a while")


# -- answers to the buttons -----------------------------------------------------------------------


def why_message(policy: NudgePolicy, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ephemeral answer to "Why am I getting this?": the rules, in plain words."""
    hours = policy.hours
    zone = escape(str(payload.get("time_zone") or policy.default_time_zone))
    rules = policy.check(_first_check(payload))
    cadence = ", ".join(number(_whole(offset / DAY)) for offset in rules.cadence)
    every = policy.urgent.every.total_seconds() / 3600
    lines = [
        _("*Why am I getting this?*"),
        _(
            "Your security checklist shows gaps you can close yourself, and each one is a way "
            "into your business accounts. I remind you until they are closed."
        ),
        _(
            "• Reminders come only in your working hours ({start} to {end} on working days, "
            "{zone} time; never on your country's public holidays or the company's days off), "
            "on day {cadence} and then weekly."
        ).format(
            start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}", zone=zone, cadence=cadence
        ),
        ngettext(
            "• After {count} reminder about the same gap that needs action (🔴), I let your "
            "account manager know instead; if it stays open, the security team. A check that "
            "is only not checked yet (⚪) is reminded, never taken further.",
            "• After {count} reminders about the same gap that needs action (🔴), I let your "
            "account manager know instead; if it stays open, the security team. A check that "
            "is only not checked yet (⚪) is reminded, never taken further.",
            rules.cap,
        ).format(count=number(rules.cap)),
        ngettext(
            "• An open compromised-password alert is urgent: I remind you every {hours} working "
            "hour, and your account manager after a working day.",
            "• An open compromised-password alert is urgent: I remind you every {hours} working "
            "hours, and your account manager after a working day.",
            _count_of(every),
        ).format(hours=number(_whole(every))),
        ngettext(
            "• *Snooze* pauses a reminder (at most {count} time per gap; urgent ones for at "
            "most {length}).",
            "• *Snooze* pauses a reminder (at most {count} times per gap; urgent ones for at "
            "most {length}).",
            policy.snooze_limit,
        ).format(
            count=number(policy.snooze_limit),
            length=duration(policy.urgent.snooze_max, relative=False),
        ),
    ]
    lines += campaign_pace(payload.get("items", []))
    # Gaps reminded for the same reason share one line, so no sentence is said twice.
    reasons: dict[str, list[str]] = {}
    for item in payload.get("items", []):
        if item.get("why"):
            reasons.setdefault(str(item["why"]), []).append(_stored(item.get("title")))
    if reasons:
        lines.append(_("*This message*"))
        for why, titles in list(reasons.items())[:10]:
            lines.append("• " + escape(f"{', '.join(titles)}: {why}", limit=300) + ".")
    text = "\n".join(lines)
    return {"text": _plain_text(lines[0]), "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def _whole(value: float) -> int | float:
    """3.0 reads "3", 0.5 reads "0.5" ("0,5")."""
    return int(value) if value == int(value) else value


def _count_of(value: float) -> int:
    """The count that chooses the plural form of a figure that may have a fraction."""
    return int(value) if value == int(value) else 2


def _first_check(payload: Mapping[str, Any]) -> Check:
    for item in payload.get("items", []):
        try:
            return Check(str(item.get("check")))
        except ValueError:
            continue
    return Check.TWO_STEP
