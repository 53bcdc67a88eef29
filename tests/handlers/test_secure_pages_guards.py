"""What the /secure pages refuse, and what every answer carries: expired, used, unknown and forged
requests, the security headers, and the token kept out of the logs."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.services import Services, build_services
from handlers.web.front import WsgiApp
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import MemberFactory
from tests.handlers.conftest import Browser
from tests.handlers.test_secure_pages import (
    ANA,
    SECURITY_HEADERS,
    actions,
    code_now,
    path_of,
    started,
    wrong_code,
)
from wiring import build_client, create_app, create_web


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


def test_a_page_that_fails_shows_the_requests_own_reference(
    browser: Browser, services: Services, database: Database, member: MemberFactory
) -> None:
    """The reference on the error page is the request's correlation id, the one its log lines and
    its X-Request-Id header carry, so a member's screenshot finds the failure in the logs."""
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    with database.engine.begin() as connection:  # the page can no longer read its link
        connection.execute(text("ALTER TABLE secure_links RENAME TO secure_links_gone"))
    try:
        page = browser.get(path_of(link))
    finally:  # the schema is shared with the tests that follow
        with database.engine.begin() as connection:
            connection.execute(text("ALTER TABLE secure_links_gone RENAME TO secure_links"))

    assert page.status == 500
    reference = re.findall(r"Reference: <code>([^<]+)</code>|Reference: `([^`]+)`", page.html)
    shown = next(part for found in reference for part in found if part)
    assert shown == page.headers["X-Request-Id"]
