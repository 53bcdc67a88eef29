"""Mail for recovery-email codes over a real SMTP exchange with a loopback server (aiosmtpd):
plain SMTP end to end, STARTTLS with a login, and refusals; and the outbox folder used when
SMTP_URL is unset."""

from __future__ import annotations

import email
import ipaddress
import socket
import ssl
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.recovery.email import RecoveryEmailService
from bot.recovery.mail import Mail, MailNotSent, OutboxMailer, SmtpMailer, mailer_for, outbox_folder
from storage.database import Database
from tests.conftest import MemberFactory, carrying
from tests.mailbox import CODE

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MAIL = Mail(to="ana.private@example.com", subject="Hello", body="Your code is 123456\n", at=AT)


@dataclass
class Received:
    """What the loopback server saw of each mail."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    reject_with: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject_with:
            return self.reject_with
        self.messages.append(email.message_from_bytes(envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"bot@example.com", b"p@ss:word")
        if good:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=good)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def self_signed() -> tuple[bytes, bytes]:
    """A certificate for 127.0.0.1 and its key, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


@dataclass
class Server:
    received: Received
    port: int
    client_tls: ssl.SSLContext | None = None


@pytest.fixture
def plain_server() -> Iterator[Server]:
    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield Server(received, controller.port)
    controller.stop()


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[Server]:
    """Offers STARTTLS, requires it before anything else, and a login after it."""
    certificate, key = self_signed()
    (tmp_path / "cert.pem").write_bytes(certificate)
    (tmp_path / "key.pem").write_bytes(key)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    received = Received()
    controller = Controller(
        received,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=received.authenticate,
        auth_required=True,
    )
    controller.start()
    client_tls = ssl.create_default_context(cadata=certificate.decode())
    yield Server(received, controller.port, client_tls)
    controller.stop()


def test_plain_smtp_on_loopback_delivers_the_mail(plain_server: Server) -> None:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{plain_server.port}", "security@example.com")

    assert mailer.send(MAIL) == f"SMTP server 127.0.0.1:{plain_server.port}"

    [message] = plain_server.received.messages
    assert plain_server.received.envelopes == [
        ("security@example.com", ["ana.private@example.com"])
    ]
    assert (message["From"], message["To"], message["Subject"]) == (
        "security@example.com",
        "ana.private@example.com",
        "Hello",
    )
    assert "Your code is 123456" in message.get_payload()
    assert plain_server.received.tls == [False]


def test_starttls_is_used_before_logging_in_and_sending(starttls_server: Server) -> None:
    url = f"smtp://bot%40example.com:p%40ss%3Aword@127.0.0.1:{starttls_server.port}"
    mailer = SmtpMailer(url, "security@example.com", tls=starttls_server.client_tls)

    mailer.send(MAIL)

    assert starttls_server.received.tls == [True]
    assert starttls_server.received.logins == ["bot@example.com"]


def test_a_certificate_that_is_not_trusted_is_refused(starttls_server: Server) -> None:
    url = f"smtp://bot%40example.com:p%40ss%3Aword@127.0.0.1:{starttls_server.port}"
    mailer = SmtpMailer(url, "security@example.com")  # the system's trust store only

    with pytest.raises(MailNotSent) as refused:
        mailer.send(MAIL)
    assert isinstance(refused.value.__cause__, ssl.SSLError)
    assert starttls_server.received.messages == []


def test_a_wrong_password_is_refused(starttls_server: Server) -> None:
    url = f"smtp://bot%40example.com:wrong@127.0.0.1:{starttls_server.port}"
    # aiosmtpd waits out the second mechanism smtplib tries; a short timeout keeps the test quick
    mailer = SmtpMailer(url, "security@example.com", tls=starttls_server.client_tls, timeout=1)

    with pytest.raises(MailNotSent, match="couldn't send the email"):
        mailer.send(MAIL)
    assert starttls_server.received.messages == []


def test_a_server_without_starttls_is_refused_when_tls_is_required(plain_server: Server) -> None:
    """Off the loopback interface TLS is always required; here it is asked for explicitly."""
    mailer = SmtpMailer(f"smtp://127.0.0.1:{plain_server.port}", None, require_tls=True)

    with pytest.raises(MailNotSent):
        mailer.send(MAIL)
    assert plain_server.received.messages == []


def test_tls_is_required_everywhere_but_loopback() -> None:
    assert SmtpMailer("smtp://mail.example.com:587", None)._require_tls
    assert not SmtpMailer("smtp://localhost:25", None)._require_tls
    assert not SmtpMailer("smtp://[::1]:25", None)._require_tls


def test_a_refused_mail_and_an_unreachable_server_raise(plain_server: Server) -> None:
    plain_server.received.reject_with = "550 No such user"
    with pytest.raises(MailNotSent):
        SmtpMailer(f"smtp://127.0.0.1:{plain_server.port}", None).send(MAIL)
    with pytest.raises(MailNotSent):
        SmtpMailer(f"smtp://127.0.0.1:{free_port()}", None, timeout=2).send(MAIL)


def test_the_code_travels_over_smtp_and_confirms_the_address(
    plain_server: Server,
    settings: Settings,
    clock: FakeClock,
    database: Database,
    member: MemberFactory,
) -> None:
    member("U0ANA")
    mailer = SmtpMailer(f"smtp://127.0.0.1:{plain_server.port}", "security@example.com")
    recovery = RecoveryEmailService(database, clock, mailer, settings.security_bot_keys)

    recovery.deliver(recovery.request_code("U0ANA", "ana.private@example.com"))

    [message] = plain_server.received.messages
    assert message["To"] == "ana.private@example.com"
    found = CODE.search(str(message.get_payload()))
    assert found is not None
    assert recovery.confirm("U0ANA", found.group(1)) == "a•••@example.com"


def test_without_smtp_url_mails_are_written_to_the_outbox(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    mailer = OutboxMailer(folder, "security@example.com")

    written = Path(mailer.send(MAIL))

    assert written.parent == folder.resolve() and written.suffix == ".eml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it carries a code
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    message = email.message_from_bytes(written.read_bytes())
    assert message["To"] == "ana.private@example.com"
    assert "Your code is 123456" in message.get_payload()
    assert mailer.where == f"outbox folder {folder.resolve()}"


def test_a_mail_in_the_outbox_is_never_seen_half_written(tmp_path: Path) -> None:
    """The sandbox console (and any mail client) watches the folder for *.eml while mails land."""
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o700)
    mailer = OutboxMailer(folder, "security@example.com")
    big = Mail(to=MAIL.to, subject=MAIL.subject, body="Your code is 123456\n" * 20_000, at=AT)
    seen: dict[str, bytes] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for path in folder.glob("*.eml"):
                seen.setdefault(path.name, path.read_bytes())

    watcher = threading.Thread(target=carrying(watch))
    watcher.start()
    try:
        for _ in range(40):
            mailer.send(big)
    finally:
        done.set()
        watcher.join()

    whole = len(big.body.encode())
    assert seen, "the watcher saw no mail at all"
    assert all(len(found) > whole for found in seen.values())
    left = [path.name for path in folder.iterdir()]
    assert len(left) == 40 and all(name.endswith(".eml") for name in left)  # no partial files


def test_the_outbox_is_beside_a_sqlite_database(tmp_path: Path) -> None:
    assert outbox_folder(f"sqlite:///{tmp_path}/bot.db") == tmp_path / "outbox"
    assert outbox_folder("sqlite:///security-bot.db") == Path("outbox")
    assert outbox_folder("postgresql+psycopg://db/bot") == Path("outbox")
    with_smtp = mailer_for(Settings(smtp_url="smtp://mail.example.com:587"))
    assert isinstance(with_smtp, SmtpMailer)
    assert isinstance(mailer_for(Settings(database_url=f"sqlite:///{tmp_path}/x.db")), OutboxMailer)
