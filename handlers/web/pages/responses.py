"""What every one-time page sends back, and the headers that keep it out of caches and frames."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from handlers.web.pages.templates import STYLE_HASH

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src '{STYLE_HASH}'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Robots-Tag", "noindex, nofollow"),
)


@dataclass(frozen=True)
class PageResponse:
    status: HTTPStatus
    html: str
    set_cookie: str | None = None
    allow: str | None = None


def send(response: PageResponse, start_response: StartResponse) -> list[bytes]:
    body = response.html.encode()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *SECURITY_HEADERS,
    ]
    if response.set_cookie is not None:
        headers.append(("Set-Cookie", response.set_cookie))
    if response.allow is not None:
        headers.append(("Allow", response.allow))
    start_response(f"{response.status.value} {response.status.phrase}", headers)
    return [body]
