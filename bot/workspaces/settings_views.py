"""The settings modal of `/security settings`: each setting an input filled with the value in
force, the defaults said as such, and what a saved change said back. Pure builders."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from bot.cases.severity import SEVERITY_INLINE, SEVERITY_WORDS, Severity
from bot.cases.targets import FIELDS, duration_text
from bot.core.blocks import Blocks, modal, mrkdwn, plain
from bot.core.i18n import LANGUAGE_NAMES, N_, _, ngettext, number
from bot.core.ids import Block, Callback
from bot.core.text import escape
from bot.core.words import slack_time
from bot.workspaces.settings_model import DAY_NAMES, WorkspaceSettings

# Translators: the modal's title, at most 24 characters.
TITLE = N_("Workspace settings")
DEFAULT_HINT = N_("Default (the bot's configuration).")
TARGETS_INTRO = N_(
    "How long a case of each severity may wait until someone takes it, and until it is "
    "resolved: its card turns amber when three quarters of the time are gone and red when "
    "the target is missed. Type a time with its unit: 15m, 4h, 3d."
)
# Translators: the labels of the settings' inputs, at most 2000 characters.
_LABELS = {
    Block.SECURITY_ADMINS: N_("Security admins"),
    Block.ESCALATION_CHANNEL: N_("Escalation channel (managed clients' cases)"),
    Block.SUPPORT_CHANNEL: N_("Support channel (other clients' cases)"),
    Block.SUPPORT_CONTACT: N_("Support contact given to reporters"),
    Block.SUPPORT_HANDLERS: N_("Support team (works other clients' cases)"),
    Block.REMINDER_CAP: N_("Most reminders per open check"),
    Block.WORKING_HOURS_START: N_("Working hours start"),
    Block.WORKING_HOURS_END: N_("Working hours end"),
    Block.WORKING_DAYS: N_("Working days"),
    Block.DEFAULT_TIME_ZONE: N_("Time zone for members without one"),
    Block.LANGUAGE: N_("Language of the bot's messages in channels (case cards)"),
}
# What a saved change names each setting by, in the list "Saved 2 settings …: …".
_NAMES = {
    Block.SECURITY_ADMINS: N_("security admins"),
    Block.ESCALATION_CHANNEL: N_("escalation channel"),
    Block.SUPPORT_CHANNEL: N_("support channel"),
    Block.SUPPORT_CONTACT: N_("support contact given to reporters"),
    Block.SUPPORT_HANDLERS: N_("support team"),
    Block.REMINDER_CAP: N_("most reminders per open check"),
    Block.WORKING_HOURS_START: N_("working hours start"),
    Block.WORKING_HOURS_END: N_("working hours end"),
    Block.WORKING_DAYS: N_("working days"),
    Block.DEFAULT_TIME_ZONE: N_("time zone for members without one"),
    Block.LANGUAGE: N_("language in channels"),
}


def label(name: str) -> str:
    if name in FIELDS:
        kind, level = _target_of(name)
        if kind == "take":
            return _("{severity}: time to take").format(severity=_(SEVERITY_WORDS[level]))
        return _("{severity}: time to resolve").format(severity=_(SEVERITY_WORDS[level]))
    return _(_LABELS[Block(name)])


def _named(name: str) -> str:
    """What a saved change calls the setting, inside a list."""
    if name in FIELDS:
        kind, level = _target_of(name)
        if kind == "take":
            return _("time to take a {severity} case").format(severity=_(SEVERITY_INLINE[level]))
        return _("time to resolve a {severity} case").format(severity=_(SEVERITY_INLINE[level]))
    return _(_NAMES[Block(name)])


def _target_of(name: str) -> tuple[str, Severity]:
    kind, _sep, level = name.partition("_")
    return kind, Severity(level)


def settings_modal(current: WorkspaceSettings) -> dict[str, Any]:
    intro = _(
        "These settings are this workspace's own. A value marked _default_ comes from the "
        "bot's configuration; change it here to set your own, or set it back to the same value "
        "to follow the default again. Changing the security admins asks for a code from your "
        "authenticator app."
    )
    blocks: Blocks = [{"type": "section", "text": mrkdwn(intro)}]
    if current.changed_at is not None and current.changed_by:
        changed = _("Last changed by {person} on {time}.").format(
            person=f"<@{current.changed_by}>", time=slack_time(current.changed_at)
        )
        blocks.append({"type": "context", "elements": [mrkdwn(changed)]})
    blocks += [
        _users(current, Block.SECURITY_ADMINS, optional=False),
        _channel(current, Block.ESCALATION_CHANNEL),
        _channel(current, Block.SUPPORT_CHANNEL),
        _text(current, Block.SUPPORT_CONTACT, max_length=200),
        _users(current, Block.SUPPORT_HANDLERS, optional=True),
        {"type": "header", "text": plain(_("Reminders"))},
        _text(
            current, Block.REMINDER_CAP, max_length=2, hint_unset=_("as each check's policy says")
        ),
        _time(current, Block.WORKING_HOURS_START),
        _time(current, Block.WORKING_HOURS_END),
        _days(current),
        _text(current, Block.DEFAULT_TIME_ZONE, max_length=64, hint_unset=_("UTC")),
        _language(current),
        {"type": "header", "text": plain(_("Case targets"))},
        {"type": "context", "elements": [mrkdwn(_(TARGETS_INTRO))]},
        *(_target(current, Block(name)) for name in FIELDS),
    ]
    return modal(Callback.WORKSPACE_SETTINGS, _(TITLE), _("Save"), blocks)


def saved_message(changed: list[str]) -> str:
    """What the admin is told after saving; mrkdwn, safe."""
    if not changed:
        return _("Nothing changed: the workspace settings are as they were.")
    names = ", ".join(_named(name) for name in changed)
    return ngettext(
        "Saved {count} setting of this workspace: {names}.",
        "Saved {count} settings of this workspace: {names}.",
        len(changed),
    ).format(count=number(len(changed)), names=escape(names))


def _input(
    current: WorkspaceSettings,
    block: Block,
    element: dict[str, Any],
    *,
    optional: bool,
    hint: str = "",
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "type": "input",
        "block_id": block,
        "label": plain(label(block)),
        "element": element | {"action_id": block},
        "optional": optional,
    }
    words = [_(DEFAULT_HINT)] if current.is_default(block) else []
    words += [hint] if hint else []
    if words:
        found["hint"] = plain(" ".join(words)[:150])
    return found


def _target(current: WorkspaceSettings, block: Block) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": 20}
    value = current.value(block)
    if isinstance(value, timedelta):
        element["initial_value"] = duration_text(value)
    return _input(current, block, element, optional=True, hint=_("For example 15m, 4h or 3d."))


def _language(current: WorkspaceSettings) -> dict[str, Any]:
    options = [{"text": plain(name), "value": code} for code, name in LANGUAGE_NAMES.items()]
    chosen = next(option for option in options if option["value"] == current.language)
    element = {"type": "static_select", "options": options, "initial_option": chosen}
    hint = _("Each member reads their own messages in their own language.")
    return _input(current, Block.LANGUAGE, element, optional=True, hint=hint)


def _users(current: WorkspaceSettings, block: Block, *, optional: bool) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select"}
    chosen = sorted(current.value(block) or ())
    if chosen:
        element["initial_users"] = chosen
    return _input(current, block, element, optional=optional)


def _channel(current: WorkspaceSettings, block: Block) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    chosen = current.value(block)
    if chosen:
        element["initial_conversation"] = chosen
    hint = _("Invite the bot to the channel, so it can post cases there.")
    return _input(current, block, element, optional=True, hint=hint)


def _text(
    current: WorkspaceSettings, block: Block, *, max_length: int, hint_unset: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length}
    value = current.value(block)
    if value is not None:
        element["initial_value"] = str(value)
    hint = (
        _("Not set: {default}.").format(default=hint_unset) if value is None and hint_unset else ""
    )
    return _input(current, block, element, optional=True, hint=hint)


def _time(current: WorkspaceSettings, block: Block) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "timepicker"}
    value = current.value(block)
    if isinstance(value, time):
        element["initial_time"] = value.strftime("%H:%M")
    return _input(current, block, element, optional=True, hint=_("In each member's own time zone."))


def _days(current: WorkspaceSettings) -> dict[str, Any]:
    options = [{"text": plain(_(name)), "value": str(day)} for day, name in enumerate(DAY_NAMES)]
    element: dict[str, Any] = {"type": "checkboxes", "options": options}
    chosen = current.value(Block.WORKING_DAYS) or frozenset()
    initial = [option for day, option in enumerate(options) if day in chosen]
    if initial:
        element["initial_options"] = initial
    return _input(current, Block.WORKING_DAYS, element, optional=False)
