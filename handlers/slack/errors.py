"""Errors are translated once, here: domain errors shown as they are, others as a reference id."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from bot.core import logs
from bot.core.errors import DatabaseUnavailable, DomainError, database_unavailable
from bot.core.i18n import _, known_language, reading

logger = logging.getLogger("security_bot")


def reference_id() -> str:
    """The reference an error is shown and logged with: the request's correlation id, so a
    member's report finds every log line of that request."""
    return logs.current_id()


def member_message(error: Exception) -> str:
    """What the member may read about `error`; unknown errors are logged with a reference id."""
    if database_unavailable(error):
        reference = reference_id()
        # The class only: the driver's message may quote the statement and its parameters.
        logger.warning("database unavailable (%s), reference %s", type(error).__name__, reference)
        # In the language known so far: looking it up would ask the database that is down.
        with reading(known_language()):
            reference_line = _("Reference: `{reference}`.").format(reference=reference)
            return f"{DatabaseUnavailable().user_message} {reference_line}"
    if isinstance(error, DomainError):
        return error.user_message
    reference = reference_id()
    logger.error("unhandled error, reference %s", reference, exc_info=error)
    return _("Sorry, something went wrong on my side. Reference: `{reference}`.").format(
        reference=reference
    )


def handle_error(error: Exception, body: dict[str, Any], client: WebClient) -> BoltResponse:
    """The app-wide error handler: a slash command gets its answer in the acknowledgement."""
    message = member_message(error)
    if "command" in body:
        answer = {"response_type": "ephemeral", "text": message}
        return BoltResponse(
            status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
        )
    _tell(body, client, None, message)
    return BoltResponse(status=200, body="")


def tells_member(listener: Callable[..., None]) -> Callable[..., None]:
    """For lazy listeners, which run after the acknowledgement: report failures to the member."""

    @functools.wraps(listener)
    def wrapper(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none swallowed
            message = member_message(error)
            body = kwargs.get("body") or {"event": kwargs.get("event") or {}}
            _tell(body, kwargs.get("client"), kwargs.get("respond"), message)

    return wrapper


def _tell(body: dict[str, Any], client: WebClient | None, respond: Any, message: str) -> None:
    try:
        if respond is not None and getattr(respond, "response_url", None):
            respond(text=message, response_type="ephemeral", replace_original=False)
            return
        user = (
            (body.get("user") or {}).get("id")
            or body.get("user_id")
            or (body.get("event") or {}).get("user")
        )
        if client is not None and user:
            client.chat_postMessage(channel=user, text=message)
    except Exception:  # the member could not be told; the log has it
        logger.exception("could not tell the member about an error")
