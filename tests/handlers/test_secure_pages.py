"""The one-time pages under /secure, driven in-process through the same WSGI app as /slack/events,
against the real database, the shared fake clock and the Slack stand-in."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import IssuedLink, LinkPurpose
from bot.services import Services, build_services
from handlers.web.front import WsgiApp
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.models import AuditRecord
from tests.conftest import MemberFactory
from wiring import build_client, create_app, create_web

ANA = "U0ANA"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


class _Reader(HTMLParser):
    """What a test needs from a page: form fields, text by element id, list items by list id."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str]] = {}
        self.text_by_id: dict[str, str] = {}
        self.items_by_list: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._list: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.inputs[attributes.get("name", "")] = attributes
            return
        element_id = attributes.get("id")
        self._open.append((tag, element_id))
        if element_id is not None:
            self.text_by_id[element_id] = ""
            if tag in ("ol", "ul"):
                self._list = element_id
                self.items_by_list[element_id] = []
        if tag == "li" and self._list is not None:
            self.items_by_list[self._list].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, element_id = self._open.pop()
            if element_id == self._list:
                self._list = None

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id is not None:
                self.text_by_id[element_id] += data
        if self._list is not None and self.items_by_list[self._list]:
            self.items_by_list[self._list][-1] += data


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    html: str

    def read(self) -> _Reader:
        reader = _Reader()
        reader.feed(self.html)
        return reader

    @property
    def manual_key(self) -> str:
        return self.read().text_by_id["manual-key"]

    @property
    def recovery_codes(self) -> list[str]:
        return self.read().items_by_list["recovery-codes"]

    @property
    def csrf(self) -> str:
        return self.read().inputs["csrf"]["value"]


@dataclass
class Browser:
    """Calls the WSGI app as a browser would: keeps the cookies it is given."""

    web: WsgiApp
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Page:
        return self.call("GET", path)

    def post(self, path: str, form: dict[str, str], *, csrf: str | None = None) -> Page:
        return self.call("POST", path, urlencode({**form, "csrf": csrf or ""}).encode())

    def call(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Page:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": content_type,
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)
            return lambda data: None

        chunks = self.web(environ, start_response)
        html = b"".join(chunks).decode()
        set_cookie = answer["headers"].get("Set-Cookie")
        if set_cookie:
            name, _, value = set_cookie.split(";")[0].partition("=")
            self.cookies[name] = value
        return Page(answer["status"], answer["headers"], html)


@pytest.fixture
def web(settings: Settings, services: Services) -> Iterator[WsgiApp]:
    executor = ThreadPoolExecutor(max_workers=2)
    app = create_app(settings, services, client=build_client(settings), executor=executor)
    yield create_web(settings, services, app)
    executor.shutdown(wait=True)


@pytest.fixture
def browser(web: WsgiApp) -> Browser:
    return Browser(web)


def path_of(link: IssuedLink) -> str:
    return urlsplit(link.url).path


def code_now(page: Page, clock: FakeClock) -> str:
    return pyotp.TOTP(page.manual_key.replace(" ", "")).at(clock.now())


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def started(browser: Browser, path: str) -> Page:
    """Open the link and press Start."""
    landing = browser.get(path)
    assert landing.status == 200, landing.html
    page = browser.post(path, {"step": "start"}, csrf=landing.csrf)
    assert page.status == 200, page.html
    return page


def test_the_landing_page_greets_the_member_and_shows_no_secret(
    browser: Browser, services: Services, member: MemberFactory
) -> None:
    member(ANA, name="Ana <Admin>")
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)

    page = browser.get(path_of(link))

    assert page.status == 200
    assert "Link an authenticator app" in page.html
    assert "Hello Ana &lt;Admin&gt;," in page.html
    reader = page.read()
    assert reader.inputs["step"]["value"] == "start"
    assert "manual-key" not in reader.text_by_id and "code" not in reader.inputs
    assert "otpauth" not in page.html and "<svg" not in page.html
    assert services.authenticator.pending_enrolment(ANA) is None
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("secure-csrf=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/secure/" in cookie and "Secure" not in cookie


def test_linking_shows_recovery_codes_once_turns_the_check_green_and_updates_slack(
    browser: Browser,
    services: Services,
    settings: Settings,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA, name="Ana", email="ana@example.com")
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    sent = build_client(settings).chat_postMessage(channel=ANA, text=f"Open <{link.url}|this>")
    services.secure_links.attach_message(link, sent["channel"], sent["ts"])
    token = path_of(link).rsplit("/", 1)[1]

    page = started(browser, path_of(link))
    reader = page.read()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page.manual_key)
    assert '<svg width="' in page.html and 'class="segno"' in page.html
    assert "Account Security" in page.html and "ana@example.com" in page.html
    code_field = reader.inputs["code"]
    assert code_field["inputmode"] == "numeric"
    assert code_field["autocomplete"] == "one-time-code"
    assert reader.inputs["step"]["value"] == "confirm"

    done = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf
    )

    assert done.status == 200, done.html
    assert "Authenticator linked" in done.html
    codes = done.recovery_codes
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    assert token not in done.html
    line = services.members.status(ANA).checklist.line(Check.AUTHENTICATOR)
    assert line.state is State.PASSING
    assert "secure_link.used" in actions(services)

    home = standin.wait_for(lambda: standin.published_view(ANA))
    assert "Authenticator linked to the bot" in str(home["blocks"])

    def updated() -> dict[str, Any] | None:
        message = standin.messages(ANA)[0]
        return message if "Authenticator linked, verified" in message["text"] else None

    message = standin.wait_for(updated)
    assert message["text"].startswith("✅ Authenticator linked, verified <!date^")
    assert token not in str(message) and "secure" not in str(message)
    assert len(standin.messages(ANA)) == 1

    again = browser.get(path_of(link))
    assert again.status == 410 and "already been used" in again.html
    assert token not in again.html


def test_without_a_message_to_update_the_member_is_told_by_dm(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))

    browser.post(path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf)

    dm = standin.wait_for(lambda: standin.messages(ANA))
    assert "Authenticator linked, verified" in dm[0]["text"]


def test_a_wrong_code_shows_the_error_and_the_same_key(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))

    wrong = browser.post(
        path_of(link),
        {"step": "confirm", "code": wrong_code(code_now(page, clock))},
        csrf=page.csrf,
    )

    assert wrong.status == 200
    assert "That code didn&#x27;t work." in wrong.html
    assert wrong.manual_key == page.manual_key
    assert services.authenticator.status(ANA).state.value == "pending"
    right = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=wrong.csrf
    )
    assert right.status == 200 and len(right.recovery_codes) == 10


def test_a_lockout_is_shown_and_told_by_dm(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))
    bad = {"step": "confirm", "code": wrong_code(code_now(page, clock))}

    for _ in range(4):
        assert "didn&#x27;t work" in browser.post(path_of(link), bad, csrf=page.csrf).html
    assert standin.messages(ANA) == []
    locked = browser.post(path_of(link), bad, csrf=page.csrf)

    assert locked.status == 200 and "Too many wrong codes" in locked.html
    assert locked.manual_key == page.manual_key
    (dm,) = standin.wait_for(lambda: standin.messages(ANA))
    assert "Too many wrong codes" in dm["text"]
    right = {"step": "confirm", "code": code_now(page, clock)}
    refused = browser.post(path_of(link), right, csrf=page.csrf)
    assert "Too many wrong codes" in refused.html
    assert services.authenticator.status(ANA).state.value == "pending"
    assert len(standin.messages(ANA)) == 1  # told once, when it locked


def test_an_expired_link_is_refused_and_changes_nothing(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    landing = browser.get(path_of(link))
    clock.advance(timedelta(minutes=10))
    before = actions(services)

    opened = browser.get(path_of(link))
    pressed = browser.post(path_of(link), {"step": "start"}, csrf=landing.csrf)

    for page in (opened, pressed):
        assert page.status == 410
        assert "This link has expired" in page.html
        assert "<code>/security 2sv</code>" in page.html
    assert services.authenticator.pending_enrolment(ANA) is None
    assert actions(services) == before


def test_a_used_link_is_refused_and_changes_nothing(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))
    browser.post(path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf)
    clock.advance(timedelta(seconds=30))
    before = actions(services)

    for form in ({"step": "start"}, {"step": "confirm", "code": code_now(page, clock)}):
        again = browser.post(path_of(link), form, csrf=page.csrf)
        assert again.status == 410 and "already been used" in again.html
    assert actions(services) == before
    assert services.authenticator.status(ANA).state.value == "active"


def test_unknown_and_foreign_links_are_refused(
    browser: Browser, services: Services, member: MemberFactory
) -> None:
    member(ANA)
    password_link = services.secure_links.issue(ANA, LinkPurpose.PASSWORD_CHECK)
    token = path_of(password_link).rsplit("/", 1)[1]
    before = actions(services)

    unknown = browser.get("/secure/authenticator/" + "x" * 43)
    wrong_purpose = browser.get(f"/secure/authenticator/{token}")

    for page in (unknown, wrong_purpose):
        assert page.status == 404
        assert "This link is not valid" in page.html
        assert "<code>/security 2sv</code>" in page.html
    assert actions(services) == before


def test_a_form_without_the_matching_csrf_token_is_refused_and_changes_nothing(
    web: WsgiApp, services: Services, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    member_browser = Browser(web)
    landing = member_browser.get(path_of(link))
    before = actions(services)

    wrong_field = member_browser.post(path_of(link), {"step": "start"}, csrf="y" * 43)
    no_field = member_browser.post(path_of(link), {"step": "start"})
    no_cookie = Browser(web).post(path_of(link), {"step": "start"}, csrf=landing.csrf)

    for page in (wrong_field, no_field, no_cookie):
        assert page.status == 403
        assert "nothing was changed" in page.html
    assert services.authenticator.pending_enrolment(ANA) is None
    assert actions(services) == before


def test_starting_with_an_authenticator_already_linked_explains_what_to_do(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    secret = services.authenticator.begin(ANA).secret
    services.authenticator.confirm(ANA, pyotp.TOTP(secret).at(clock.now()))
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    landing = browser.get(path_of(link))

    page = browser.post(path_of(link), {"step": "start"}, csrf=landing.csrf)

    assert page.status == 409
    assert "You already have an authenticator linked" in page.html
    assert "manual-key" not in page.read().text_by_id


def test_slack_failing_after_success_still_shows_the_codes(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))
    standin.fail_next("views.publish", error="internal_error")
    standin.fail_next("chat.postMessage", error="channel_not_found")

    done = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf
    )

    assert done.status == 200 and len(done.recovery_codes) == 10
    standin.wait_for(lambda: len(standin.calls("chat.postMessage")) == 1)
    warned = standin.wait_for(
        lambda: [r for r in caplog.records if "could not update Slack" in r.getMessage()][1:]
    )
    assert warned[0].levelno == logging.WARNING


def test_unknown_pages_other_methods_and_large_forms(
    browser: Browser, services: Services, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    landing = browser.get(path_of(link))

    assert browser.get("/secure/nothing/abc").status == 404
    assert browser.get("/secure/authenticator").status == 404
    assert browser.get(path_of(link) + "/more").status == 404
    put = browser.call("PUT", path_of(link))
    assert (put.status, put.headers["Allow"]) == (405, "GET, POST")
    huge = urlencode({"step": "start", "csrf": landing.csrf, "pad": "x" * 16_400}).encode()
    assert browser.call("POST", path_of(link), huge).status == 413
    json_body = browser.call("POST", path_of(link), b'{"step": "start"}', "application/json")
    assert json_body.status == 400
    assert services.authenticator.pending_enrolment(ANA) is None


def test_every_secure_response_carries_the_security_headers(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    path = path_of(link)
    landing = browser.get(path)
    enrolment = browser.post(path, {"step": "start"}, csrf=landing.csrf)
    pages = [
        landing,
        enrolment,
        browser.post(path, {"step": "confirm", "code": "12345"}, csrf=landing.csrf),
        browser.post(path, {"step": "start"}, csrf="z" * 43),
        browser.get("/secure/authenticator/unknown"),
        browser.get("/secure/elsewhere/x"),
        browser.call("DELETE", path),
        browser.call("POST", path, b"x" * 20_000),
        browser.post(
            path, {"step": "confirm", "code": code_now(enrolment, clock)}, csrf=landing.csrf
        ),
        browser.get(path),
    ]

    assert [p.status for p in pages] == [200, 200, 200, 403, 404, 404, 405, 413, 200, 410]
    for page in pages:
        for name, value in SECURITY_HEADERS.items():
            assert page.headers[name] == value
        policy = dict(
            part.strip().split(" ", 1)
            for part in page.headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'none'"
        assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", policy["style-src"])
        assert policy["img-src"] == "data:"
        assert policy["form-action"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<script" not in page.html


def test_the_token_never_reaches_the_logs(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    path = path_of(link)
    token = path.rsplit("/", 1)[1]
    page = started(browser, path)
    bad = {"step": "confirm", "code": wrong_code(code_now(page, clock))}
    for _ in range(5):
        browser.post(path, bad, csrf=page.csrf)
    standin.wait_for(lambda: standin.messages(ANA))
    clock.advance(timedelta(minutes=16))
    done = browser.post(path, {"step": "confirm", "code": "000000"}, csrf=page.csrf)
    assert done.status == 410  # expired meanwhile
    # waitress names the path when a request fails or the client goes away
    logging.getLogger("waitress").info("Client disconnected while serving %s", path)

    assert caplog.records
    assert token not in caplog.text
    assert "Client disconnected while serving /secure/authenticator/…" in caplog.text


def test_without_a_signing_secret_slack_events_are_not_served(
    settings: Settings, clock: FakeClock, database: Database
) -> None:
    """Socket Mode serves the pages over HTTP, but it has no secret to verify Slack's requests."""
    socket_settings = dataclasses.replace(settings, slack_signing_secret=None)
    socket_services = build_services(socket_settings, clock, database)
    app = create_app(socket_settings, socket_services, client=build_client(settings))
    web = create_web(socket_settings, socket_services, app)

    answer = Browser(web).call("POST", "/slack/events", b"command=%2Fsecurity", "text/plain")

    assert answer.status == 404


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    secret = services.authenticator.begin(ANA).secret
    old_codes = services.authenticator.confirm(ANA, pyotp.TOTP(secret).at(clock.now()))
    clock.advance(timedelta(seconds=30))
    link = services.secure_links.issue(ANA, LinkPurpose.RECOVERY_CODES)
    path = path_of(link)

    landing = browser.get(path)
    assert landing.status == 200 and "New recovery codes" in landing.html
    assert landing.read().inputs["code"]["autocomplete"] == "one-time-code"
    right = pyotp.TOTP(secret).at(clock.now())
    wrong = browser.post(path, {"step": "confirm", "code": wrong_code(right)}, csrf=landing.csrf)
    assert "didn&#x27;t work" in wrong.html
    done = browser.post(path, {"step": "confirm", "code": right}, csrf=landing.csrf)

    assert done.status == 200
    assert len(done.recovery_codes) == 10 and not set(done.recovery_codes) & set(old_codes)
    assert browser.get(path).status == 410
    assert "twostep.recovery_codes.replaced" in actions(services)
    standin.wait_for(lambda: standin.published_view(ANA))
