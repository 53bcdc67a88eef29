"""Listener tests: the real Bolt app in-process, requests signed as Slack signs them, and the
Slack stand-in recording what the bot sent; and the /secure pages, called as a browser calls them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from bot.core.config import Settings
from bot.core.logs import CarryingPool
from bot.services import Services
from handlers.web.front import WsgiApp
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from wiring import build_client, create_app, create_web


@dataclass
class Slack:
    """Acts as Slack towards the app: signs requests and reads what the bot answered."""

    app: App
    signing_secret: str
    standin: SlackStandIn

    def send(
        self, request: tuple[bytes, str], headers: dict[str, str] | None = None
    ) -> BoltResponse:
        body, content_type = request
        all_headers: dict[str, str | Sequence[str]] = {
            "content-type": content_type,
            **{k.lower(): v for k, v in payloads.sign(self.signing_secret, body).items()},
            **(headers or {}),
        }
        return self.app.dispatch(BoltRequest(body=body.decode(), headers=all_headers))

    def command(self, user: str, text: str) -> dict[str, Any]:
        """Run `/security {text}` and return the ephemeral answer carried by the acknowledgement."""
        response = self.send(
            payloads.slash_command(user, text, response_url=self.standin.response_url())
        )
        assert response.status == 200, response.body
        answer: dict[str, Any] = json.loads(response.body)
        return answer

    def press(
        self, user: str, action_id: str, *, value: str | None = None, from_home: bool = False
    ) -> BoltResponse:
        action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b"}
        if value is not None:
            action["value"] = value
        if from_home:
            request = payloads.block_action(
                user, action, response_url=None, container={"type": "view"}
            )
        else:
            request = payloads.block_action(user, action, response_url=self.standin.response_url())
        return self.send(request)


@pytest.fixture
def slack(settings: Settings, services: Services, standin: SlackStandIn) -> Iterator[Slack]:
    executor = CarryingPool(max_workers=4)
    app = create_app(settings, services, client=build_client(settings), executor=executor)
    yield Slack(app=app, signing_secret=settings.slack_signing_secret or "", standin=standin)
    executor.shutdown(wait=True)  # lazy listeners finish before the stand-in stops


def text_of(blocks: list[dict[str, Any]]) -> str:
    """All the visible text of some blocks, for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


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
    executor = CarryingPool(max_workers=2)
    app = create_app(settings, services, client=build_client(settings), executor=executor)
    yield create_web(settings, services, app)
    executor.shutdown(wait=True)


@pytest.fixture
def browser(web: WsgiApp) -> Browser:
    return Browser(web)
