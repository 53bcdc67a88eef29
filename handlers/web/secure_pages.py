"""`/secure/<kind>/<token>`: the one-time pages a member opens from a link the bot sent in Slack.

Each request parses the form, asks bot/ whether the link is usable, calls one service and renders;
every rule (expiry, single use, codes, lockout) lives in bot/. What Slack should see afterwards
(the Home tab, the message that carried the link, a lockout DM) is sent once the page is rendered,
on its own thread, so a slow or failing Slack never costs the member the page.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol

from slack_sdk import WebClient

from bot.core import logs
from bot.core.errors import CodeRejected, NotAllowed
from bot.core.i18n import N_, _, browser_language, day, reading
from bot.core.secure_links import LinkGrant, LinkPurpose, LinkUnusable
from bot.core.text import slack_date
from bot.services import Services
from bot.twostep.authenticator import Enrolment, NoAuthenticator
from bot.workspaces.scope import serving
from handlers.slack.surfaces import publish_home
from handlers.web.pages import forms, redaction, templates
from handlers.web.pages.forms import (
    DEFAULT_LIMITS,
    CsrfCookie,
    FormLimits,
    FormTooLarge,
    FormUnreadable,
)
from handlers.web.pages.responses import PageResponse, send
from handlers.web.password_page import PasswordCheckFlow

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger("security_bot.pages")
PREFIX = "/secure/"
_PATH = re.compile(r"^/secure/([a-z_]{1,32})/([A-Za-z0-9_-]{1,128})$")
_ALLOWED = "GET, POST"
Job = Callable[[], None]


def in_background(job: Job) -> None:
    """After the page: in the request's context, so its workspace and correlation carry over."""
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(job,), name="secure-page-slack", daemon=True).start()


@dataclass(frozen=True)
class Visit:
    """One request to a page, with the link already checked and the form already read."""

    grant: LinkGrant
    form: dict[str, str] = field(repr=False)  # may hold passwords: never in a repr or a log
    csrf: str
    set_cookie: str

    def page(self, html: str) -> PageResponse:
        """A page carrying a form: the CSRF cookie goes with it."""
        return PageResponse(HTTPStatus.OK, html, set_cookie=self.set_cookie)


class Flow(Protocol):
    purpose: LinkPurpose
    form_limits: FormLimits

    def landing(self, visit: Visit) -> PageResponse: ...

    def submit(self, visit: Visit) -> PageResponse: ...


class SecurePages:
    """The WSGI app behind `/secure/...`."""

    def __init__(
        self,
        services: Services,
        client: WebClient,
        *,
        after_response: Callable[[Job], None] = in_background,
    ) -> None:
        slack = SlackFollowUp(services, client, after_response)
        flows: list[Flow] = [
            AuthenticatorFlow(services, slack),
            RecoveryCodesFlow(services, slack),
            PasswordCheckFlow(services, slack, LinkPurpose.PASSWORD_CHECK),
            PasswordCheckFlow(services, slack, LinkPurpose.PASSWORD_ROTATION),
        ]
        # The path names the link's purpose, as SecureLinks.issue builds it.
        self._flows = {flow.purpose.value: flow for flow in flows}
        self._links = services.secure_links
        self._csrf = CsrfCookie(https=services.settings.public_base_url.startswith("https://"))
        redaction.install()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self._route(environ)
        except Exception:  # the member gets a page, the log a reference
            reference = logs.current_id()  # the request's correlation id, in every log line of it
            logger.exception("secure page failed, reference %s", reference)
            response = _problem(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                _("Something went wrong"),
                _("Sorry, something went wrong on our side. Reference: `{reference}`.").format(
                    reference=reference
                ),
            )
        return send(response, start_response)

    def _route(self, environ: WSGIEnvironment) -> PageResponse:
        # Until the link names its member, the page speaks the browser's language.
        with reading(browser_language(environ.get("HTTP_ACCEPT_LANGUAGE"))):
            return self._answer(environ)

    def _answer(self, environ: WSGIEnvironment) -> PageResponse:
        match = _PATH.match(environ.get("PATH_INFO", ""))
        flow = self._flows.get(match.group(1)) if match else None
        if match is None or flow is None:
            return _problem(HTTPStatus.NOT_FOUND, _("Page not found"), _(_NO_SUCH_PAGE))
        method = environ.get("REQUEST_METHOD", "")
        if method not in ("GET", "POST"):
            response = _problem(HTTPStatus.METHOD_NOT_ALLOWED, _("Not allowed"), _(_METHOD))
            return PageResponse(response.status, response.html, allow=_ALLOWED)
        try:
            form = forms.read_form(environ, flow.form_limits) if method == "POST" else {}
        except FormTooLarge:
            return _problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _("Too much data"), _(_TOO_LARGE))
        except FormUnreadable:
            return _problem(HTTPStatus.BAD_REQUEST, _("Form not understood"), _(_UNREADABLE))
        try:
            grant = self._links.check(match.group(2), flow.purpose)
        except LinkUnusable as unusable:
            return _problem(
                _link_status(unusable), _("This link can't be used"), unusable.user_message
            )
        csrf = self._csrf.token_for(environ)
        visit = Visit(grant, form, csrf, self._csrf.set_cookie(csrf))
        # The link's workspace, and no other, from here on; the language of its member.
        with serving(grant.workspace), reading(grant.language):
            if method == "GET":
                return flow.landing(visit)
            if not self._csrf.matches(environ, form):
                return _problem(HTTPStatus.FORBIDDEN, _("Please try again"), _(_CSRF))
            return flow.submit(visit)


class _AuthenticatorPage:
    """The authenticator's pages: small forms, and Slack told afterwards."""

    form_limits = DEFAULT_LIMITS

    def __init__(self, services: Services, slack: SlackFollowUp) -> None:
        self._services = services
        self._slack = slack


class AuthenticatorFlow(_AuthenticatorPage):
    """Link an authenticator app: Start shows the QR code and key, a correct code activates it."""

    purpose = LinkPurpose.LINK_AUTHENTICATOR

    def landing(self, visit: Visit) -> PageResponse:
        minutes = int(self._services.secure_links.lifetime.total_seconds() // 60)
        return visit.page(
            templates.authenticator_landing(visit.grant.display_name, minutes, visit.csrf)
        )

    def submit(self, visit: Visit) -> PageResponse:
        step = visit.form.get("step")
        if step == "start":
            return self._start(visit)
        if step == "confirm":
            return self._confirm(visit, visit.form.get("code", ""))
        return _problem(HTTPStatus.BAD_REQUEST, _("Form not understood"), _(_UNREADABLE))

    def _start(self, visit: Visit) -> PageResponse:
        try:
            enrolment = self._services.authenticator.begin(visit.grant.slack_user_id)
        except NotAllowed as refused:
            return _problem(HTTPStatus.CONFLICT, _("Already linked"), refused.user_message)
        return _enrolment_page(visit, enrolment)

    def _confirm(self, visit: Visit, code: str) -> PageResponse:
        user = visit.grant.slack_user_id
        try:
            recovery_codes = self._services.authenticator.confirm(user, code)
        except NoAuthenticator as missing:
            return _problem(HTTPStatus.CONFLICT, _("Nothing to link"), missing.user_message)
        except CodeRejected as rejected:
            if rejected.locked_now:
                self._slack.tell_locked(user, rejected.user_message)
            enrolment = self._services.authenticator.pending_enrolment(user)
            if enrolment is None:
                return _problem(HTTPStatus.CONFLICT, _("Nothing to link"), rejected.user_message)
            return _enrolment_page(visit, enrolment, error=rejected.user_message)
        _spend(self._services, visit.grant)
        now = self._services.clock.now()
        self._slack.done(
            visit.grant,
            _("✅ Authenticator linked, verified {date}").format(date=slack_date(now)),
        )
        return PageResponse(
            HTTPStatus.OK, templates.authenticator_linked(_page_date(now), recovery_codes)
        )


class RecoveryCodesFlow(_AuthenticatorPage):
    """New recovery codes: a current code from the app replaces the whole set."""

    purpose = LinkPurpose.RECOVERY_CODES

    def landing(self, visit: Visit, error: str | None = None) -> PageResponse:
        grant = visit.grant
        return visit.page(
            templates.recovery_codes_landing(grant.display_name, visit.csrf, error=error)
        )

    def submit(self, visit: Visit) -> PageResponse:
        if visit.form.get("step") != "confirm":
            return _problem(HTTPStatus.BAD_REQUEST, _("Form not understood"), _(_UNREADABLE))
        user = visit.grant.slack_user_id
        try:
            codes = self._services.authenticator.new_recovery_codes(
                user, visit.form.get("code", "")
            )
        except NoAuthenticator as missing:
            return _problem(HTTPStatus.CONFLICT, _("No authenticator linked"), missing.user_message)
        except CodeRejected as rejected:
            if rejected.locked_now:
                self._slack.tell_locked(user, rejected.user_message)
            return self.landing(visit, error=rejected.user_message)
        _spend(self._services, visit.grant)
        now = self._services.clock.now()
        self._slack.done(
            visit.grant, _("✅ New recovery codes made {date}").format(date=slack_date(now))
        )
        return PageResponse(HTTPStatus.OK, templates.recovery_codes_replaced(codes))


class SlackFollowUp:
    """What Slack shows after a page did its work; failures are logged, never shown to the page."""

    def __init__(
        self, services: Services, client: WebClient, after_response: Callable[[Job], None]
    ) -> None:
        self._services = services
        self._client = client
        self._later = after_response

    def done(self, grant: LinkGrant, line: str) -> None:
        """Republish the Home tab; replace the message that carried the link (or DM the line)."""
        self._later(lambda: self._done(grant, line))

    def run(self, what: str, call: Callable[[WebClient], object]) -> None:
        """Any other update to Slack after a page, on the same terms: later, and logged if it fails."""
        self._later(lambda: self._try(what, call, self._client))

    def tell_locked(self, user: str, message: str) -> None:
        text = _(
            "{refusal} This came from wrong codes on your authenticator page. If that wasn't "
            "you, tell a security admin."
        ).format(refusal=message)
        self._later(lambda: self._try("lockout message", self._dm, user, text))

    def _done(self, grant: LinkGrant, line: str) -> None:
        user = grant.slack_user_id
        self._try("Home tab", publish_home, user, self._client, self._services)
        if grant.slack_channel and grant.slack_ts:
            self._try("link message", self._replace, grant.slack_channel, grant.slack_ts, line)
        else:
            self._try("confirmation message", self._dm, user, line)

    def _replace(self, channel: str, ts: str, line: str) -> None:
        # Blocks replace the old ones too, so the button with the spent link disappears.
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": line}}]
        self._client.chat_update(channel=channel, ts=ts, text=line, blocks=blocks)

    def _dm(self, user: str, text: str) -> None:
        self._client.chat_postMessage(channel=user, text=text)

    @staticmethod
    def _try(what: str, call: Callable[..., object], *args: object) -> None:
        try:
            call(*args)
        except Exception:  # the page already succeeded; the log keeps the rest
            logger.warning("could not update Slack (%s) after a secure page", what, exc_info=True)


def _enrolment_page(visit: Visit, enrolment: Enrolment, error: str | None = None) -> PageResponse:
    return visit.page(
        templates.authenticator_enrolment(
            uri=enrolment.uri,
            grouped_key=enrolment.grouped_key,
            issuer=enrolment.issuer,
            label=enrolment.label,
            csrf=visit.csrf,
            error=error,
        )
    )


def _spend(services: Services, grant: LinkGrant) -> None:
    """The link is used up. A spend that loses a race still shows the codes already made."""
    try:
        services.secure_links.spend(grant)
    except LinkUnusable:
        logger.warning("a secure link was spent twice for one successful code")


def _link_status(unusable: LinkUnusable) -> HTTPStatus:
    """410 for a link that existed and is now used up or expired; 404 for anything else."""
    return HTTPStatus.GONE if unusable.gone else HTTPStatus.NOT_FOUND


def _problem(status: HTTPStatus, title: str, message: str) -> PageResponse:
    return PageResponse(status, templates.problem(title, message))


def _page_date(moment: datetime) -> str:
    return day(moment, "UTC")


_NO_SUCH_PAGE = N_("There is no page at this address. Links from the security bot open its pages.")
_METHOD = N_("This page can only be opened or submitted.")
_TOO_LARGE = N_("The form sent more than this page accepts. Go back and try again.")
_UNREADABLE = N_("The form could not be read. Go back, reload the page and try again.")
_CSRF = N_(
    "This form could not be checked, so nothing was changed. It may have been open too long "
    "or sent from another page. Go back, reload the page and try again."
)
