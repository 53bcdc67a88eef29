"""Domain errors carry a message that is safe to show the member as it is."""

from __future__ import annotations

from bot.core.i18n import N_, _
from storage.database import cannot_reach


class DomainError(Exception):
    """An error whose message may be shown to the member: already in the reader's language (the
    raiser translates it with `_()`, in the request of the member it is for)."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotAllowed(DomainError):
    """The actor may not do this; the attempt is audited by the caller."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class StepUpNeeded(DomainError):
    """A sensitive action arrived without a fresh step-up (a forged or late request): the member
    must enter a current code from their authenticator first."""


class CodeRejected(DomainError):
    """A code the member typed was wrong, malformed, replayed or expired, or they are locked out.

    `locked_now`: this very attempt started the lockout, so the member is told outside the form
    too (whoever typed the codes may not be the member)."""

    def __init__(self, user_message: str, *, locked_now: bool = False) -> None:
        super().__init__(user_message)
        self.locked_now = locked_now


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable, never its value."""


DATABASE_UNAVAILABLE = N_("I cannot reach my database right now. Please try again in a minute.")


class DatabaseUnavailable(DomainError):
    """The database did not answer in time, or refused us: nothing the member did, and nothing
    a retry now would change, so they are told to come back rather than shown an error."""

    def __init__(self) -> None:
        super().__init__(_(DATABASE_UNAVAILABLE))


def database_unavailable(error: BaseException) -> bool:
    """True when `error` means the database could not be reached (storage tells which those are),
    rather than a fault in what was asked of it."""
    return isinstance(error, DatabaseUnavailable) or cannot_reach(error)
