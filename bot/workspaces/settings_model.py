"""A workspace's own settings as plain values: what it chose (None: the default), the defaults
from the environment, what is in force (the two merged), and the checks on a proposed change.

The reminder knobs a workspace may change are few on purpose (the rest stays in
NUDGE_POLICY_FILE): the cap on reminders per gap, the working hours (start, end, days) and the
time zone for members whose Slack profile has none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from typing import Any

from bot.cases import targets as case_targets
from bot.cases.records import Routing
from bot.cases.severity import SEVERITY_INLINE, TARGETS, Severity, Target
from bot.checklist.model import Check
from bot.core.config import SUPPORT_CONTACT_LIMIT, Settings
from bot.core.errors import InvalidInput
from bot.core.i18n import ENGLISH, LANGUAGES, N_, _, number
from bot.nudges.hours import zone
from bot.nudges.settings import NudgePolicy

logger = logging.getLogger("security_bot")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")
CAP_RANGE = range(1, 31)
DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


@dataclass(frozen=True)
class Chosen:
    """One value per editable setting; None means "use the default"."""

    security_admins: frozenset[str] | None = None
    escalation_channel: str | None = None
    support_channel: str | None = None
    support_contact: str | None = None
    support_handlers: frozenset[str] | None = None
    reminder_cap: int | None = None
    working_hours_start: time | None = None
    working_hours_end: time | None = None
    working_days: frozenset[int] | None = None
    default_time_zone: str | None = None
    language: str | None = None  # of the workspace's channels (case cards)
    # The cases' targets per severity (bot/cases/targets.py): one setting each, kept together in
    # one column of the settings row.
    take_critical: timedelta | None = None
    resolve_critical: timedelta | None = None
    take_high: timedelta | None = None
    resolve_high: timedelta | None = None
    take_medium: timedelta | None = None
    resolve_medium: timedelta | None = None
    take_low: timedelta | None = None
    resolve_low: timedelta | None = None

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(item.name for item in fields(Chosen))

    def stored(self) -> dict[str, Any]:
        """The values as storage keeps them: lists sorted, times as HH:MM, the targets together
        in minutes."""
        kept = {
            name: _to_stored(getattr(self, name))
            for name in self.names()
            if name not in case_targets.FIELDS
        }
        kept["case_targets"] = case_targets.stored_of(self.targets())
        return kept

    def targets(self) -> dict[str, timedelta | None]:
        return {name: getattr(self, name) for name in case_targets.FIELDS}

    @staticmethod
    def from_stored(values: dict[str, Any]) -> Chosen:
        def users(name: str) -> frozenset[str] | None:
            found = values.get(name)
            return None if found is None else frozenset(str(user) for user in found)

        def clock(name: str) -> time | None:
            found = values.get(name)
            return None if found is None else time.fromisoformat(found)

        days = values.get("working_days")
        return Chosen(
            security_admins=users("security_admins"),
            escalation_channel=values.get("escalation_channel"),
            support_channel=values.get("support_channel"),
            support_contact=values.get("support_contact"),
            support_handlers=users("support_handlers"),
            reminder_cap=values.get("reminder_cap"),
            working_hours_start=clock("working_hours_start"),
            working_hours_end=clock("working_hours_end"),
            working_days=None if days is None else frozenset(int(day) for day in days),
            default_time_zone=values.get("default_time_zone"),
            language=values.get("language"),
            **case_targets.from_stored(values.get("case_targets")),
        )


def _to_stored(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def defaults_of(settings: Settings) -> Chosen:
    """The environment's values: what a workspace with no row of its own works with. The reminder
    cap has no single default when the policy file gives checks different caps (None then).

    People and channels are one workspace's: in OAuth mode, where any workspace may install the
    bot, SECURITY_ADMINS, the channels and the support team of the environment are nobody's
    default (an operator's admin must not become every customer's); each workspace starts with
    its installer as its one admin. The reminder policy and working hours stay defaults in both."""
    policy = settings.nudge_policy
    caps = {policy.check(check).cap for check in Check}
    own = not settings.oauth_mode
    return Chosen(
        security_admins=settings.security_admins if own else frozenset(),
        escalation_channel=settings.escalation_channel if own else None,
        support_channel=settings.support_channel if own else None,
        support_contact=settings.support_contact if own else None,
        support_handlers=settings.support_handlers if own else frozenset(),
        reminder_cap=caps.pop() if len(caps) == 1 else None,
        working_hours_start=policy.hours.start,
        working_hours_end=policy.hours.end,
        working_days=policy.hours.days,
        default_time_zone=policy.default_time_zone,
        language=ENGLISH,
        **{
            case_targets.field_name(kind, level): getattr(TARGETS[level], kind)
            for level in Severity
            for kind in case_targets.KINDS
        },
    )


@dataclass(frozen=True)
class WorkspaceSettings:
    """What is in force for one workspace: its choices over the defaults."""

    chosen: Chosen
    defaults: Chosen
    policy: NudgePolicy = field(repr=False)
    changed_at: datetime | None = None
    changed_by: str | None = None

    def value(self, name: str) -> Any:
        mine = getattr(self.chosen, name)
        return getattr(self.defaults, name) if mine is None else mine

    def is_default(self, name: str) -> bool:
        return getattr(self.chosen, name) is None

    @property
    def admins(self) -> frozenset[str]:
        found = self.value("security_admins")
        return found if found is not None else frozenset()

    @property
    def language(self) -> str:
        """What the workspace's channels read (case cards): one language for everyone there."""
        found = self.value("language")
        return found if found in LANGUAGES else ENGLISH

    @property
    def targets(self) -> dict[Severity, Target]:
        """The cases' targets per severity in force: the workspace's, else the defaults."""
        return case_targets.targets_of({name: self.value(name) for name in case_targets.FIELDS})

    @property
    def routing(self) -> Routing:
        handlers = self.value("support_handlers")
        return Routing(
            self.value("escalation_channel"),
            self.value("support_channel"),
            handlers if handlers is not None else frozenset(),
            self.value("support_contact"),
        )


def in_force(
    chosen: Chosen,
    defaults: Chosen,
    base: NudgePolicy,
    *,
    changed_at: datetime | None = None,
    changed_by: str | None = None,
) -> WorkspaceSettings:
    return WorkspaceSettings(chosen, defaults, merged_policy(base, chosen), changed_at, changed_by)


def merged_policy(base: NudgePolicy, chosen: Chosen) -> NudgePolicy:
    """The policy file's policy with the workspace's knobs; a knob that no longer fits the file
    (working hours that would end before they start) is left out, and logged."""
    policy = base
    if chosen.reminder_cap is not None:
        checks = {check: replace(base.check(check), cap=chosen.reminder_cap) for check in Check}
        policy = replace(policy, checks=checks)
    if chosen.default_time_zone is not None:
        policy = replace(policy, default_time_zone=chosen.default_time_zone)
    hours = base.hours
    try:
        hours = replace(
            hours,
            start=chosen.working_hours_start or hours.start,
            end=chosen.working_hours_end or hours.end,
            days=chosen.working_days or hours.days,
        )
    except ValueError:
        logger.warning("a workspace's working hours do not fit the policy file's; using the file's")
    return replace(policy, hours=hours)


# -- a proposed change, as the settings modal sends it -----------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What an admin submitted: plain values, each checked by `checked` (blank: the default)."""

    security_admins: AbstractSet[str] = frozenset()
    escalation_channel: str | None = None
    support_channel: str | None = None
    support_contact: str = ""
    support_handlers: AbstractSet[str] = frozenset()
    reminder_cap: str = ""
    working_hours_start: str | None = None
    working_hours_end: str | None = None
    working_days: AbstractSet[int] = frozenset()
    default_time_zone: str = ""
    language: str = ""
    targets: Mapping[str, str] = field(default_factory=dict)  # by field name: "15m", "4h"


class SettingsInvalid(InvalidInput):
    """Some submitted values are wrong: `errors` names each field and why, in plain words."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def checked(proposal: Proposal, defaults: Chosen) -> Chosen:
    """The proposal as choices, a value equal to its default stored as the default itself (so a
    later change of the environment reaches it); raises SettingsInvalid naming every bad field."""
    errors: dict[str, str] = {}
    admins = frozenset(proposal.security_admins)
    if not admins:
        errors["security_admins"] = _(
            "A workspace needs at least one security admin: add someone before removing yourself."
        )
    elif not all(USER_ID.match(user) for user in admins):
        errors["security_admins"] = _("Pick people from the list (Slack user ids such as U012ABC).")
    handlers = frozenset(proposal.support_handlers)
    if not all(USER_ID.match(user) for user in handlers):
        errors["support_handlers"] = _(
            "Pick people from the list (Slack user ids such as U012ABC)."
        )
    for name in ("escalation_channel", "support_channel"):
        channel = getattr(proposal, name)
        if channel and not CHANNEL_ID.match(channel):
            errors[name] = _("Pick a channel from the list (not a direct message).")
    contact = proposal.support_contact.strip()
    if len(contact) > SUPPORT_CONTACT_LIMIT or not contact.isprintable():
        errors["support_contact"] = _(
            "One line of at most {limit} characters, such as an email address or a URL."
        ).format(limit=number(SUPPORT_CONTACT_LIMIT))
    cap = _cap(proposal.reminder_cap, errors)
    start = _clock(proposal.working_hours_start, "working_hours_start", errors)
    end = _clock(proposal.working_hours_end, "working_hours_end", errors)
    days = frozenset(proposal.working_days)
    if not days or not days <= frozenset(range(7)):
        errors["working_days"] = _("Choose at least one working day.")
    time_zone = proposal.default_time_zone.strip()
    if time_zone and zone(time_zone, "").key != time_zone:
        errors["default_time_zone"] = _(
            "{typed} is not a time zone name; use one such as Europe/Berlin."
        ).format(typed=repr(time_zone[:64]))
    language = proposal.language.strip()
    if language and language not in LANGUAGES:
        errors["language"] = _("Choose one of the languages listed.")
    typed_targets: dict[str, Any] = _targets(proposal.targets, defaults, errors)
    chosen = Chosen(
        **typed_targets,
        language=language or None,
        security_admins=admins,
        escalation_channel=proposal.escalation_channel or None,
        support_channel=proposal.support_channel or None,
        support_contact=contact or None,
        support_handlers=handlers,
        reminder_cap=cap,
        working_hours_start=start,
        working_hours_end=end,
        working_days=days,
        default_time_zone=time_zone or None,
    )
    first = chosen.working_hours_start or defaults.working_hours_start
    last = chosen.working_hours_end or defaults.working_hours_end
    if first is not None and last is not None and first >= last:
        errors.setdefault("working_hours_end", _("Working hours must end after they start."))
    if errors:
        raise SettingsInvalid(errors)
    same = [name for name in Chosen.names() if getattr(chosen, name) == getattr(defaults, name)]
    return replace(chosen, **dict.fromkeys(same))


def _targets(
    typed: Mapping[str, str], defaults: Chosen, errors: dict[str, str]
) -> dict[str, timedelta | None]:
    """Each target typed (blank: the default), then each severity's time to take no longer than
    its time to resolve, as they would be in force."""
    found: dict[str, timedelta | None] = {}
    for name in case_targets.FIELDS:
        text = typed.get(name, "").strip()
        if not text:
            found[name] = None
            continue
        try:
            value = case_targets.parse_duration(text)
        except case_targets.NotADuration:
            errors[name] = _("A time with its unit, such as 15m, 4h or 3d.")
            continue
        if not case_targets.SHORTEST <= value <= case_targets.LONGEST:
            errors[name] = _("At least a minute and at most 90 days.")
            continue
        found[name] = value
    for level in Severity:
        take, resolve = (case_targets.field_name(kind, level) for kind in case_targets.KINDS)
        if take in errors or resolve in errors:
            continue
        took = found.get(take) or getattr(defaults, take)
        solved = found.get(resolve) or getattr(defaults, resolve)
        if took is not None and solved is not None and took > solved:
            errors[take] = _(
                "The time to take a {severity} case can't be longer than its time to resolve."
            ).format(severity=_(SEVERITY_INLINE[level]))
    return found


def _cap(raw: str, errors: dict[str, str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in CAP_RANGE:
        errors["reminder_cap"] = _("A whole number of reminders from {low} to {high}.").format(
            low=number(CAP_RANGE.start), high=number(CAP_RANGE.stop - 1)
        )
        return None
    return int(text)


def _clock(raw: str | None, name: str, errors: dict[str, str]) -> time | None:
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        errors[name] = _("A time such as 09:00.")
        return None


def changes(before: Chosen, after: Chosen) -> list[str]:
    """The names of the settings whose choice differs, in the modal's order."""
    return [name for name in Chosen.names() if getattr(before, name) != getattr(after, name)]
