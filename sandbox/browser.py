"""The member's browser, for the bot's one-time pages in the sandbox: it keeps the pages' cookie
(the CSRF double submit needs it), posts their forms and reads them as plain text.

It goes over real HTTP to the app the sandbox serves, as a browser would; nothing here knows how
the pages are built beyond what any browser sees: headings, paragraphs, forms and element ids.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

TIMEOUT_SECONDS = 10


@dataclass
class Page:
    """What a page shows: its heading, its text lines, the fields of its form, and the text of
    each element with an id (e.g. `manual-key`)."""

    url: str
    status: int
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, str] = field(default_factory=dict)


class _Reader(HTMLParser):
    BLOCKS = ("h1", "p", "li", "dt", "dd", "label", "code", "button")

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self.open: list[tuple[str, str | None]] = []  # (tag, id) of the elements being read
        self.text: list[str] = []
        self.skip = 0  # inside <style>, <svg> (the QR code)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in ("style", "svg", "title"):
            self.skip += 1
        elif tag == "input" and named.get("name"):
            self.page.form[str(named["name"])] = named.get("value") or ""
        elif tag in self.BLOCKS or named.get("id"):
            self.open.append((tag, named.get("id")))
            self.text = [] if len(self.open) == 1 else self.text

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "title"):
            self.skip = max(0, self.skip - 1)
        elif self.open and self.open[-1][0] == tag:
            _, element_id = self.open.pop()
            text = " ".join("".join(self.text).split())
            if element_id:
                self.page.by_id[element_id] = text
            if tag == "h1":
                self.page.heading = text
            elif not self.open and text and tag not in ("button",):
                self.page.lines.append(text)
            self.text.append(" ")  # e.g. the items of a list: words apart, not run together

    def handle_data(self, data: str) -> None:
        if not self.skip and self.open:
            self.text.append(data)


class Browser:
    def __init__(self) -> None:
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self._opener = urllib.request.build_opener(cookies)

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url))  # noqa: S310 - the sandbox's own app

    def submit(self, page: Page, **fields: str) -> Page:
        """Post the page's form back to its own address, with `fields` filled in."""
        body = urllib.parse.urlencode({**page.form, **fields}).encode()
        return self._open(urllib.request.Request(page.url, data=body, method="POST"))  # noqa: S310

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
                status, html = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode("utf-8", "replace")
        page = Page(request.full_url, status)
        reader = _Reader(page)
        reader.feed(html)
        reader.close()
        return page
