"""Reading what a browser sent to a one-time page: the form, the cookies, and the CSRF check.

CSRF is a double submit: a random token in an HttpOnly, SameSite=Strict cookie and the same token
in a hidden field. On https the cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so no
other host can plant it; on plain http it is scoped to /secure/.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 16
FORM_TYPE = "application/x-www-form-urlencoded"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class FormLimits:
    """How much a page's form may send; most pages need little, the password page more."""

    max_bytes: int = MAX_FORM_BYTES
    max_fields: int = MAX_FIELDS


DEFAULT_LIMITS = FormLimits()


class FormTooLarge(Exception):
    pass


class FormUnreadable(Exception):
    pass


def read_form(environ: WSGIEnvironment, limits: FormLimits = DEFAULT_LIMITS) -> dict[str, str]:
    """The urlencoded form fields (first value of each), refusing bodies over the limits."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > limits.max_bytes:
        raise FormTooLarge
    body: bytes = environ["wsgi.input"].read(limits.max_bytes + 1)
    if len(body) > limits.max_bytes:
        raise FormTooLarge
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if body and content_type != FORM_TYPE:
        raise FormUnreadable
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=limits.max_fields,
        )
    except (UnicodeDecodeError, ValueError):
        raise FormUnreadable from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def read_cookies(environ: WSGIEnvironment) -> dict[str, str]:
    """Name to value; malformed pieces are skipped rather than ending the parse."""
    cookies: dict[str, str] = {}
    for piece in (environ.get("HTTP_COOKIE") or "").split(";"):
        name, sep, value = piece.strip().partition("=")
        if sep and name:
            cookies.setdefault(name, value.strip().strip('"'))
    return cookies


@dataclass(frozen=True)
class CsrfCookie:
    """The CSRF cookie's name and attributes, which depend on whether the pages are on https."""

    https: bool

    @property
    def name(self) -> str:
        return "__Host-secure-csrf" if self.https else "secure-csrf"

    def token_for(self, environ: WSGIEnvironment) -> str:
        """The browser's current token, reused so two open pages both keep working; else a new one."""
        current = read_cookies(environ).get(self.name, "")
        return current if _TOKEN.match(current) else secrets.token_urlsafe(32)

    def set_cookie(self, token: str) -> str:
        if self.https:
            return f"{self.name}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"
        return f"{self.name}={token}; Path=/secure/; HttpOnly; SameSite=Strict"

    def matches(self, environ: WSGIEnvironment, form: dict[str, str]) -> bool:
        """The hidden field equals the cookie; both present and well formed."""
        cookie = read_cookies(environ).get(self.name, "")
        field = form.get("csrf", "")
        if not _TOKEN.match(cookie) or not _TOKEN.match(field):
            return False
        return hmac.compare_digest(cookie, field)
