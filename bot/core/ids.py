"""Every slash command, action id and callback id the app uses; manifest.yml must match."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    SECURITY = "/security"


class Action(StrEnum):
    REPORT_TWO_STEP = "report_two_step"
    REPORT_RECOVERY_PHONE = "report_recovery_phone"
    REFRESH_STATUS = "refresh_status"
    LINK_AUTHENTICATOR = "link_authenticator"
    NEW_RECOVERY_CODES = "new_recovery_codes"
    REMOVE_AUTHENTICATOR = "remove_authenticator"
    OPEN_SECURE_LINK = "open_secure_link"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - "I've changed it", after an alert
    REPORT_FROM_ALERT = "report_from_alert"  # "Report unauthorized activity" on an alert DM
    CHECK_PASSWORDS = "check_passwords"
    SNOOZE_NUDGE = "snooze_nudge"
    EXPLAIN_NUDGE = "explain_nudge"

    # compromise cases (bot/cases, handlers/slack/cases.py)
    REPORT_COMPROMISE = "report_compromise"
    CASE_TAKE = "case_take"
    CASE_SUSPEND = "case_suspend"
    CASE_INVESTIGATE = "case_investigate"
    CASE_RESOLVE = "case_resolve"
    CASE_REOPEN = "case_reopen"
    CASE_RECORD_CHARGE = "case_record_charge"
    CASE_ADD_INFO = "case_add_info"
    CASE_SEVERITY = "case_severity"  # "Change severity" on the card: a modal
    CASE_TICKET = "case_ticket"  # "Platform ticket" on the card: a modal
    CHARGE_APPROVE = "charge_approve"
    CHARGE_PROCESSED = "charge_processed"
    CHARGE_REJECT = "charge_reject"
    LOGIN_WAS_ME = "login_was_me"
    LOGIN_NOT_ME = "login_not_me"

    # recovery readiness (handlers/slack/recovery.py)
    CONFIRM_RECOVERY_EMAIL = "confirm_recovery_email"
    CHANGE_RECOVERY_EMAIL = "change_recovery_email"  # in the code modal: another address

    # exemptions (handlers/slack/exemptions.py)
    REQUEST_EXEMPTION = "request_exemption"  # on a checklist line and on a reminder
    APPROVE_EXEMPTION = "approve_exemption"  # on the approver's DM
    REJECT_EXEMPTION = "reject_exemption"

    # the account manager's desk (handlers/slack/desk.py): on the Home tab and an account's page
    DESK_REMIND = "desk_remind"  # per gap owner; the value is the member's Slack id
    DESK_OPEN_CASE = "desk_open_case"  # per account; the value is the account's id
    DESK_NEXT = "desk_next"  # the value is where the next page starts
    DESK_PREVIOUS = "desk_previous"


class Callback(StrEnum):
    TWO_STEP_REPORT = "two_step_report"
    STEP_UP = "step_up"
    REMOVE_AUTHENTICATOR = "remove_authenticator"
    CASE_REPORT = "case_report"
    CASE_RESOLVE = "case_resolve"
    CASE_CHARGE = "case_charge"
    CHARGE_REJECT = "charge_reject"
    CASE_ADD_INFO = "case_add_info"
    CASE_SEVERITY = "case_severity"
    CASE_TICKET = "case_ticket"
    RECOVERY_EMAIL = "recovery_email"
    RECOVERY_CODE = "recovery_code"
    RECOVERY_PHONE = "recovery_phone"
    WORKSPACE_SETTINGS = "workspace_settings"
    EXEMPTION_REQUEST = "exemption_request"
    CAMPAIGN_START = "campaign_start"


class Block(StrEnum):
    """Block ids of inputs inside modals."""

    ACCOUNT = "account"
    METHOD = "method"
    CODE = "code"
    WHAT_HAPPENED = "what_happened"
    CHARGES_SEEN = "charges_seen"
    OUTCOME = "outcome"
    SUMMARY = "summary"
    AMOUNT = "amount"
    CURRENCY = "currency"
    DESCRIPTION = "description"
    REASON = "reason"
    SEVERITY = "severity"  # the case severity modal's choice
    REFERENCE = "reference"  # the platform's ticket or appeal reference
    ANSWER = "answer"  # what the platform answered
    EMAIL = "email"
    PHONE = "phone"
    # the workspace settings modal (bot/workspaces/settings_views.py): one per setting
    SECURITY_ADMINS = "security_admins"
    ESCALATION_CHANNEL = "escalation_channel"
    SUPPORT_CHANNEL = "support_channel"
    SUPPORT_CONTACT = "support_contact"
    SUPPORT_HANDLERS = "support_handlers"
    REMINDER_CAP = "reminder_cap"
    WORKING_HOURS_START = "working_hours_start"
    WORKING_HOURS_END = "working_hours_end"
    WORKING_DAYS = "working_days"
    DEFAULT_TIME_ZONE = "default_time_zone"
    LANGUAGE = "language"  # the language of the workspace's channels
    # the cases' targets per severity (bot/cases/targets.py FIELDS)
    TAKE_CRITICAL = "take_critical"
    RESOLVE_CRITICAL = "resolve_critical"
    TAKE_HIGH = "take_high"
    RESOLVE_HIGH = "resolve_high"
    TAKE_MEDIUM = "take_medium"
    RESOLVE_MEDIUM = "resolve_medium"
    TAKE_LOW = "take_low"
    RESOLVE_LOW = "resolve_low"
    # the exemption request modal (bot/exemptions/views.py)
    CHECK = "check"
    ENDS_ON = "ends_on"
    # the campaign start modal (bot/campaigns/views.py); its check is CHECK
    SCOPE = "scope"
    MANAGER = "manager"
    PLATFORM = "platform"
    DEADLINE = "deadline"
    TITLE = "title"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    MESSAGE = "message"  # message.channels / message.groups: notes in case threads
    APP_UNINSTALLED = "app_uninstalled"  # its tokens deleted at once (OAuth mode)
    TOKENS_REVOKED = "tokens_revoked"


class Surface(StrEnum):
    """Where a button was pressed, carried in its value, so the right message is refreshed."""

    STATUS = "status"
    TWO_STEP = "two_step"
    ALERT = "alert"  # a DM about a platform alert
    NUDGE = "nudge"  # a reminder DM; the item is the reminder's id


# A message may not repeat an action_id, so a button repeated per item (one per business account)
# carries `<action>:<item>`; handlers/slack/actions.py routes it to the action's one listener.
ITEM_SEPARATOR = ":"


def item_action(action: Action, item: str | int) -> str:
    return f"{action.value}{ITEM_SEPARATOR}{item}"


def base_action(action_id: str) -> Action | None:
    """The action a per-item action id belongs to, if any."""
    try:
        return Action(action_id.split(ITEM_SEPARATOR, 1)[0])
    except ValueError:
        return None


def button_value(surface: Surface, item: str | int | None = None) -> str:
    """A button's value: the surface it sits on, and the item it is about, if any."""
    return surface.value if item is None else f"{surface.value}{ITEM_SEPARATOR}{item}"


def read_button_value(value: str | None) -> tuple[Surface, str | None]:
    """The surface and item of a button's value; buttons without one sit on the checklist."""
    head, _, item = (value or "").partition(ITEM_SEPARATOR)
    try:
        surface = Surface(head)
    except ValueError:
        return Surface.STATUS, None
    return surface, item or None
