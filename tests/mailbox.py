"""A mailer for tests: keeps every mail it was given, and can be told to fail."""

from __future__ import annotations

import re
import threading

from bot.recovery.mail import Mail, MailNotSent

CODE = re.compile(r"\b([0-9]{6})\b")


class Mailbox:
    where = "test mailbox"

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.failing = False
        self._lock = threading.Lock()

    def send(self, mail: Mail) -> str:
        if self.failing:
            raise MailNotSent(
                "I couldn't send the email just now. Please try again in a few minutes."
            )
        with self._lock:
            self.mails.append(mail)
        return self.where

    def last_code(self, to: str | None = None) -> str:
        mails = [mail for mail in self.mails if to is None or mail.to == to]
        found = CODE.search(mails[-1].body)
        assert found is not None, mails[-1].body
        return found.group(1)
