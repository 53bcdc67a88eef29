"""Domain errors carry a message that is safe to show the member as it is."""

from __future__ import annotations


class DomainError(Exception):
    """An error whose message may be shown to the member."""

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
