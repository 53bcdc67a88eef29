"""`/secure/password_check/<token>` (and `/secure/password_rotation/<token>`, the same page sent
after a compromised-password alert): masked fields, evaluated on the server, thrown away.

The passwords exist only in this request's form and in bot/'s evaluation: they are never stored,
never logged, never put in an exception message and never written back into a page. A failure
while they are in hand is logged by its type and place only, since an exception's message could
quote what it was given.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING

from bot.core import logs
from bot.core.errors import InvalidInput
from bot.core.i18n import N_, _, ngettext, number
from bot.core.secure_links import LinkGrant, LinkPurpose, LinkUnusable
from bot.core.text import escape, slack_date
from bot.passwords.service import CheckOutcome, TooManyChecks
from bot.platform.compromised import ClosedAlert, remediation_time
from bot.services import Services
from handlers.slack import alerts
from handlers.web.pages import password_templates, templates
from handlers.web.pages.forms import FormLimits
from handlers.web.pages.password_templates import FIELD, FIELD_PREFIX, Rotation
from handlers.web.pages.responses import PageResponse

if TYPE_CHECKING:
    from handlers.web.secure_pages import SlackFollowUp, Visit

logger = logging.getLogger("security_bot.pages")
MAX_ACCOUNTS = 60  # fields on one page; a member with more checks the rest with another link


class PasswordCheckFlow:
    """The password check page, for a plain check or for the new password after an alert."""

    # Long passwords must reach the evaluation, which scores a bounded prefix whatever the length;
    # the limit is the one the front door keeps for Slack's requests (handlers.web.MAX_BODY_BYTES).
    form_limits = FormLimits(max_bytes=256 * 1024, max_fields=MAX_ACCOUNTS + 2)

    def __init__(self, services: Services, slack: SlackFollowUp, purpose: LinkPurpose) -> None:
        if purpose not in (LinkPurpose.PASSWORD_CHECK, LinkPurpose.PASSWORD_ROTATION):
            raise ValueError(f"not a password page: {purpose}")
        self.purpose: LinkPurpose = purpose
        self._services = services
        self._slack = slack

    def landing(self, visit: Visit, error: str | None = None) -> PageResponse:
        try:
            form = self._services.passwords.form_for(visit.grant.slack_user_id)
        except TooManyChecks as refused:
            return _too_many(refused)
        minutes = int(self._services.secure_links.lifetime.total_seconds() // 60)
        html = password_templates.check_form(
            display_name=form.display_name or visit.grant.display_name,
            accounts=form.accounts[:MAX_ACCOUNTS],
            hidden_accounts=max(0, len(form.accounts) - MAX_ACCOUNTS),
            link_minutes=minutes,
            csrf=visit.csrf,
            rotation=self.purpose is LinkPurpose.PASSWORD_ROTATION,
            error=error,
        )
        return visit.page(html)

    def submit(self, visit: Visit) -> PageResponse:
        if visit.form.get("step") != "check":
            return _problem(HTTPStatus.BAD_REQUEST, _("Form not understood"), _(_UNREADABLE))
        try:
            outcome = self._services.passwords.check(
                visit.grant.slack_user_id, read_passwords(visit.form), link=visit.grant
            )
        except TooManyChecks as refused:
            return _too_many(refused)
        except LinkUnusable as used:  # submitted twice at once: the other one was checked
            return _problem(HTTPStatus.GONE, _("This link can't be used"), used.user_message)
        except InvalidInput as invalid:
            return self.landing(visit, error=invalid.user_message)
        except Exception as error:  # noqa: BLE001 - logged without its message, see the docstring
            reference = logs.current_id()  # the request's correlation id, in every log line of it
            logger.error("password check failed, reference %s: %s", reference, _where(error))
            return _problem(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                _("Something went wrong"),
                _("Sorry, something went wrong on our side. Reference: `{reference}`.").format(
                    reference=reference
                ),
            )
        rotation = self._rotate(visit.grant, outcome) if self._for_rotation else None
        self._slack.done(visit.grant, _slack_line(outcome, rotation))
        return PageResponse(HTTPStatus.OK, password_templates.verdicts(outcome, rotation))

    @property
    def _for_rotation(self) -> bool:
        return self.purpose is LinkPurpose.PASSWORD_ROTATION

    def _rotate(self, grant: LinkGrant, outcome: CheckOutcome) -> Rotation:
        """Close the alert of each account whose new password is ready; the DMs about the alerts
        are updated in place after the page is answered."""
        user = grant.slack_user_id
        closed: list[ClosedAlert] = []
        try:
            for verdict in outcome.verdicts:
                if verdict.account is not None and verdict.ready_for_rotation:
                    closed.extend(
                        self._services.alerts.close_for_rotation(user, verdict.account.id)
                    )
            still_open = self._services.alerts.open_compromised(user)
        except Exception:  # the verdicts are saved and shown; the member can press again
            logger.exception("closing alerts after a password check failed")
            return Rotation(_closed_lines(closed), (), failed=True)
        if closed:
            services = self._services
            self._slack.run(
                "alert messages",
                lambda client: alerts.update_rotated_messages(client, services, closed),
            )
        open_names = tuple(dict.fromkeys(alert.account_name for alert in still_open))
        return Rotation(_closed_lines(closed), open_names)


def read_passwords(form: dict[str, str]) -> dict[int | None, str]:
    """The password fields by business account id (None: the single field); other fields of the
    form (csrf, step) are not passwords. A malformed field name is a forged form."""
    found: dict[int | None, str] = {}
    for name, value in form.items():
        if name == FIELD:
            found[None] = value
        elif name.startswith(FIELD_PREFIX):
            account_id = name.removeprefix(FIELD_PREFIX)
            if not account_id.isdigit() or len(account_id) > 18:
                raise InvalidInput(_(_STALE))
            found[int(account_id)] = value
    return found


def _closed_lines(closed: list[ClosedAlert]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (alert.account_name, remediation_time(alert.time_to_remediate)) for alert in closed
    )


def _slack_line(outcome: CheckOutcome, rotation: Rotation | None) -> str:
    """What replaces the DM that carried the link: the outcome, never a password."""
    when = slack_date(outcome.checked_at)
    passing = sum(1 for verdict in outcome.verdicts if verdict.passed)
    total = len(outcome.verdicts)
    sentences = [
        ngettext(
            "🔐 Passwords checked {date}: {passing} of {total} meets the policy.",
            "🔐 Passwords checked {date}: {passing} of {total} meet the policy.",
            total,
        ).format(date=when, passing=number(passing), total=number(total))
    ]
    if outcome.reused:
        sentences.append(_("The same password is used on more than one account."))
    if rotation is not None and rotation.closed:
        names = ", ".join(escape(name, limit=80) for name, _took in rotation.closed)
        sentences.append(
            _("The alert on {accounts} now waits for the platform to confirm the change.").format(
                accounts=names
            )
        )
    return " ".join(sentences)


def _where(error: Exception) -> str:
    """The exception's type and innermost place, never its message."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return type(error).__name__ + place


def _too_many(refused: TooManyChecks) -> PageResponse:
    return _problem(HTTPStatus.TOO_MANY_REQUESTS, _("Too many checks"), refused.user_message)


def _problem(status: HTTPStatus, title: str, message: str) -> PageResponse:
    return PageResponse(status, templates.problem(title, message))


_UNREADABLE = N_("The form could not be read. Go back, reload the page and try again.")
_STALE = N_("This form doesn't match your business accounts any more. Reload the page.")
