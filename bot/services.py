"""The services a listener may call, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.campaigns.service import Campaigns
from bot.cases.platform import PlatformHook, RecordingHook
from bot.cases.service import CaseService
from bot.checklist.languages import MemberLanguages
from bot.checklist.members import MemberService
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.deliveries import DeliveryLog
from bot.core.secret_box import SecretBox
from bot.core.secure_links import SecureLinks
from bot.desk.reminders import Reminders
from bot.desk.service import Desk
from bot.exemptions.service import Exemptions
from bot.nudges.service import NudgeService
from bot.passwords.rules import BreachRanges
from bot.passwords.service import PasswordChecks
from bot.platform.alerts import AlertService
from bot.platform.posture import PostureService
from bot.recovery.email import RecoveryEmailService
from bot.recovery.mail import Mailer, mailer_for
from bot.recovery.phone import RecoveryPhoneService
from bot.stats.report import StatsService
from bot.stats.summary import WeeklySummaries
from bot.twostep.authenticator import AuthenticatorService
from bot.twostep.self_reports import SelfReports
from bot.workspaces.rounds import WorkspaceRounds
from bot.workspaces.service import Workspaces
from bot.workspaces.settings import Admins, SettingsBook
from storage.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    database: Database
    workspace_settings: SettingsBook  # each workspace's own admins, channels and reminder knobs
    admins: Admins  # the served workspace's security admins, asked at use
    members: MemberService
    languages: MemberLanguages
    self_reports: SelfReports
    deliveries: DeliveryLog
    authenticator: AuthenticatorService
    secure_links: SecureLinks
    alerts: AlertService
    passwords: PasswordChecks
    nudges: NudgeService
    recovery_email: RecoveryEmailService
    recovery_phone: RecoveryPhoneService
    posture: PostureService
    cases: CaseService
    stats: StatsService
    summaries: WeeklySummaries
    workspace_rounds: WorkspaceRounds
    workspaces: Workspaces
    exemptions: Exemptions
    desk: Desk  # the account manager's desk and a business account's page
    desk_reminders: Reminders  # "Remind now"
    campaigns: Campaigns

    def __deepcopy__(self, memo: dict[int, object]) -> Services:
        """Shared, not copied: Bolt deep-copies its context for lazy listeners."""
        return self


def build_services(
    settings: Settings,
    clock: Clock,
    database: Database,
    *,
    breach_ranges: BreachRanges | None = None,
    mailer: Mailer | None = None,
    platform_hook: PlatformHook | None = None,
) -> Services:
    """`breach_ranges` reaches PWNED_PASSWORDS_URL; the composition root builds it from settings.
    `mailer` sends recovery-email codes (default: SMTP_URL's server, else the outbox folder).
    `platform_hook` takes suspend and restore requests (default: recorded only)."""
    if settings.pwned_passwords_url and breach_ranges is None:
        raise ValueError("PWNED_PASSWORDS_URL is set but no breach lookup was given")
    # Each workspace's own settings, asked at use (the environment's values are the defaults);
    # the book asks the authenticator, built after it, whether an admin stepped up recently.
    book = SettingsBook(database, clock, settings, fresh=lambda user: authenticator.is_fresh(user))
    admins = book.admins
    authenticator = AuthenticatorService(
        database, clock, SecretBox(settings.security_bot_keys), admins
    )
    stats = StatsService(database, clock, admins, book.targets)
    campaigns = Campaigns(database, clock, admins, book.policy)
    languages = MemberLanguages(database, clock)
    return Services(
        settings=settings,
        clock=clock,
        database=database,
        workspace_settings=book,
        admins=admins,
        members=MemberService(database, clock, admins),
        languages=languages,
        self_reports=SelfReports(database, clock),
        deliveries=DeliveryLog(database, clock),
        authenticator=authenticator,
        secure_links=SecureLinks(database, clock, settings.public_base_url),
        alerts=AlertService(database, clock, authenticator),
        passwords=PasswordChecks(
            database, clock, breach_ranges, min_score=settings.password_min_score
        ),
        nudges=NudgeService(database, clock, book.policy, admins),
        recovery_email=RecoveryEmailService(
            database, clock, mailer or mailer_for(settings), settings.security_bot_keys
        ),
        recovery_phone=RecoveryPhoneService(database, clock),
        posture=PostureService(database, clock),
        cases=CaseService(
            database,
            clock,
            admins,
            book.routing,
            authenticator.is_fresh,
            platform_hook or RecordingHook(),
            book.targets,
        ),
        stats=stats,
        summaries=WeeklySummaries(
            database,
            clock,
            stats,
            admins,
            book.policy,
            languages=languages.of,
            campaigns=campaigns.running_series,
        ),
        workspace_rounds=WorkspaceRounds(database),
        workspaces=Workspaces(database, clock),
        exemptions=Exemptions(database, clock, admins, authenticator.is_fresh),
        desk=Desk(database, clock, admins),
        desk_reminders=Reminders(database, clock, book.policy, admins, languages.of),
        campaigns=campaigns,
    )
