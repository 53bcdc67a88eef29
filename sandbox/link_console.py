"""Console commands for the one-time authenticator page and the sandbox's authenticator app
(mixed into sandbox.console.Console, ahead of the case commands, whose `code` this replaces):

link    open the latest one-time authenticator link in your DMs, as your browser would: the page
        shows the key, and the sandbox's authenticator app adds it
code    the code that app shows now; on an open link page it is also entered there

So a member links an authenticator and steps up (approvals, resolutions) without a phone or curl.
"""

from __future__ import annotations

from typing import Any

import pyotp

from sandbox import phone, render
from sandbox.browser import Browser, Page
from sandbox.screen import Screen

HELP = """\
  link                     open the one-time authenticator link from your DMs here: the page
                           shows the key and the sandbox's authenticator app adds it
  code                     the code that app shows now (on the open link page: entered there)"""
LINK_PATH = "/secure/authenticator/"


class LinkCommands(Screen):
    authenticator_keys: dict[str, str]  # the key each member's app holds, as the page showed it
    link_pages: dict[str, tuple[Browser, Page]]  # a link page waiting for its first code

    def start_authenticators(self) -> None:
        self.authenticator_keys, self.link_pages = {}, {}

    def do_link(self, _: str) -> None:
        url = self._latest_link()
        if url is None:
            self.say(
                "No one-time authenticator link in your DMs yet: /security 2sv, then press "
                "Link an authenticator app (a step that needs a code sends one too)."
            )
            return
        browser = Browser()
        self.say(f"(your browser opens {url})", "dim")
        page = browser.get(url)
        if "step" in page.form and page.form["step"] == "start":  # the landing page: Start
            page = browser.submit(page)
        key = page.by_id.get("manual-key")
        if key is None:
            self.show_page(page)
            return
        secret = "".join(key.split())
        self.authenticator_keys[self.person.user_id] = secret
        self.link_pages[self.person.user_id] = (browser, page)
        self.show_page(page, lines=[f"{page.heading}.", f"Key: {key}"])
        self.say(
            "The sandbox's authenticator app added this key, as if you had scanned the QR code. "
            "Type code: it shows the app's code and enters it on this page."
        )

    def do_code(self, _: str) -> None:
        code = self.authenticator_code()
        if code is None:
            self.say("You have no authenticator linked yet: /security 2sv, then link.")
            return
        waiting = self.link_pages.pop(self.person.user_id, None)
        if waiting is None:
            self.say(f"Your authenticator app shows {code}. Type it with: type 1 {code}")
            return
        browser, page = waiting
        self.say(f"Your authenticator app shows {code}; you enter it on the page.")
        done = browser.submit(page, code=code)
        self.show_page(done)
        if done.form.get("step") == "confirm":  # refused: the page asks again
            self.link_pages[self.person.user_id] = (browser, done)
        self.settle(expect=True)  # the Home tab, and the DM that carried the link, update

    def authenticator_code(self) -> str | None:
        """What the member's app shows at the app's time: from the key a link page showed, else
        (an authenticator linked in an earlier session) from the member's stored link."""
        if self.place is None:
            return None
        now = self.place.clock.now()
        if (secret := self.authenticator_keys.get(self.person.user_id)) is not None:
            return pyotp.TOTP(secret).at(now)
        services = self.place.services
        return phone.current_code(services.database, self.place.keys.keys, self.person.user_id, now)

    def show_page(self, page: Page, lines: list[str] | None = None) -> None:
        shown = lines if lines is not None else [page.heading, *page.lines]
        body = "\n".join(f"│ {line}" for text in shown for line in render.wrap(text, 78))
        self.say(f"┌─ web page · {page.status} ─\n{body}\n└─")

    def _latest_link(self) -> str | None:
        channel = self.standin.dm_channel(self.person.user_id, team_id=self.team_id)
        found = [
            button.url
            for message in self.standin.messages(channel, team_id=self.team_id)
            for button in render.buttons(_blocks(message))
            if button.url and LINK_PATH in button.url
        ]
        return found[-1] if found else None


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    return list(message.get("blocks") or [])
