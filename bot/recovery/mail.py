"""Sending mail: through SMTP when SMTP_URL is set, else into a local outbox folder.

`smtp://user:password@host:587` speaks STARTTLS before it logs in or sends anything. A server
that does not offer STARTTLS is refused, except on the loopback interface (a local relay or a
test server), where the mail is sent in the clear only if the server offers no TLS at all.
`smtps://host:465` uses TLS from the first byte.

Without SMTP_URL each mail is written as an .eml file to the outbox folder (readable by its
owner only: it carries a code), so the sandbox and a development machine need no mail server.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from bot.core.config import Settings
from bot.core.errors import DomainError
from bot.core.i18n import N_, _

SMTP_TIMEOUT = 10.0  # seconds for each step of the exchange
DEFAULT_SENDER = "security-bot@localhost"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    at: datetime


class MailNotSent(DomainError):
    """The mail could not be handed over; the message is safe to show, the details are logged."""


class Mailer(Protocol):
    @property
    def where(self) -> str:
        """Where mail goes, for the operator (never an address or a password)."""
        ...

    def send(self, mail: Mail) -> str:
        """Hand the mail over; returns where it went, for the log (never the address or body)."""
        ...


def compose(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(mail.body)
    return message


class SmtpMailer:
    def __init__(
        self,
        url: str,
        sender: str | None,
        *,
        tls: ssl.SSLContext | None = None,
        require_tls: bool | None = None,
        timeout: float = SMTP_TIMEOUT,
    ) -> None:
        """`tls` is the context the server's certificate is checked with (default: the system's
        trust store); `require_tls` defaults to True everywhere but the loopback interface."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender or DEFAULT_SENDER
        self._tls = tls or ssl.create_default_context()
        self._require_tls = not _is_loopback(self._host) if require_tls is None else require_tls
        self._timeout = timeout

    @property
    def where(self) -> str:
        return f"SMTP server {self._host}:{self._port}"

    def send(self, mail: Mail) -> str:
        message = compose(mail, self._sender)
        try:
            if self._implicit_tls:
                with smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=self._tls
                ) as smtp:
                    self._deliver(smtp, message)
            else:
                with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=self._tls)
                        smtp.ehlo()
                    elif self._require_tls:
                        raise MailNotSent(_(_NOT_SENT)) from _NoStartTls(self._host)
                    self._deliver(smtp, message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotSent(_(_NOT_SENT)) from error
        return self.where

    def _deliver(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        if self._user is not None:
            smtp.login(self._user, self._password or "")
        smtp.send_message(message)


class OutboxMailer:
    """Writes each mail to `folder` as an .eml file instead of sending it."""

    def __init__(self, folder: Path, sender: str | None = None) -> None:
        self.folder = folder
        self._sender = sender or DEFAULT_SENDER

    @property
    def where(self) -> str:
        return f"outbox folder {self.folder.resolve()}"

    def send(self, mail: Mail) -> str:
        message = compose(mail, self._sender)
        name = f"{mail.at.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}.eml"
        # Written under another name and renamed whole: whoever watches the folder for *.eml (the
        # sandbox console, a mail client) never reads a mail half written.
        partial = self.folder / f".{name}.partial"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(message.as_bytes())
            os.replace(partial, self.folder / name)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise MailNotSent(_(_NOT_SENT)) from error
        return str((self.folder / name).resolve())


def mailer_for(settings: Settings) -> SmtpMailer | OutboxMailer:
    """SMTP_URL's server, or the outbox folder beside the database when it is unset."""
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, settings.smtp_from)
    return OutboxMailer(outbox_folder(settings.database_url), settings.smtp_from)


def outbox_folder(database_url: str) -> Path:
    """`outbox/` beside a SQLite database file, else in the working directory."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        path = database_url[len(prefix) :].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).parent / "outbox"
    return Path("outbox")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoStartTls(Exception):
    def __init__(self, host: str) -> None:
        super().__init__(f"{host} does not offer STARTTLS; refusing to send in the clear")


_NOT_SENT = N_("I couldn't send the email just now. Please try again in a few minutes.")
