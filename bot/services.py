"""The services a listener may call, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.authenticator import AuthenticatorService
from bot.clock import Clock
from bot.config import Settings
from bot.deliveries import DeliveryLog
from bot.members import MemberService
from bot.secret_box import SecretBox
from bot.secure_links import SecureLinks
from bot.self_reports import SelfReports
from storage.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    database: Database
    members: MemberService
    self_reports: SelfReports
    deliveries: DeliveryLog
    authenticator: AuthenticatorService
    secure_links: SecureLinks

    def __deepcopy__(self, memo: dict[int, object]) -> Services:
        """Shared, not copied: Bolt deep-copies its context for lazy listeners."""
        return self


def build_services(settings: Settings, clock: Clock, database: Database) -> Services:
    return Services(
        settings=settings,
        clock=clock,
        database=database,
        members=MemberService(database, clock, settings.security_admins),
        self_reports=SelfReports(database, clock),
        deliveries=DeliveryLog(database, clock),
        authenticator=AuthenticatorService(
            database, clock, SecretBox(settings.security_bot_keys), settings.security_admins
        ),
        secure_links=SecureLinks(database, clock, settings.public_base_url),
    )
