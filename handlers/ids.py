"""Every slash command, action id and callback id the app uses; manifest.yml must match."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    SECURITY = "/security"


class Action(StrEnum):
    REPORT_TWO_STEP = "report_two_step"
    REPORT_RECOVERY_PHONE = "report_recovery_phone"
    REFRESH_STATUS = "refresh_status"


class Callback(StrEnum):
    TWO_STEP_REPORT = "two_step_report"


class Block(StrEnum):
    """Block ids of inputs inside modals."""

    ACCOUNT = "account"
    METHOD = "method"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
