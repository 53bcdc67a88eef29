"""Starting, listing, showing and stopping campaigns: security admins only, every change and
every refusal audited (`campaign.started`, `campaign.stopped`, `campaign.refused`).

Nothing runs when a campaign starts: the reminder sweep reads the running campaigns on its next
run (bot/campaigns/progress.py), and the checklist on its next read (bot/campaigns/deadlines.py).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.campaigns.figures import CampaignView, Progress, campaign_view, progress_of
from bot.campaigns.model import CAMPAIGN_CHECKS, Scope
from bot.checklist.model import CHECKS
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.i18n import N_, _
from bot.core.ids import Block
from bot.core.text import mention
from bot.nudges.hours import zone
from bot.nudges.settings import PolicySource, policy_of
from storage import campaigns as store
from storage.campaign_models import Campaign
from storage.database import Database

TITLE_LIMIT = 150
LONGEST = timedelta(days=365)
SERIES = timedelta(weeks=12)  # the days a campaign's chart and its full view show


class FormError(InvalidInput):
    """A campaign the form can't start: shown on the input `field` (a Block id)."""

    def __init__(self, field: Block, user_message: str) -> None:
        super().__init__(user_message)
        self.field = field


@dataclass(frozen=True)
class StartForm:
    """What the start modal offers: the platforms of the workspace's business accounts."""

    platforms: tuple[str, ...]
    today: date  # in the workspace's time zone, where a campaign's last day ends


@dataclass(frozen=True)
class Proposal:
    """A campaign as the start modal submitted it, not checked yet."""

    check: str
    scope: str
    manager: str | None
    platform: str | None
    deadline: date | None
    title: str


class Campaigns:
    def __init__(
        self, database: Database, clock: Clock, admins: AbstractSet[str], policies: PolicySource
    ) -> None:
        self._database = database
        self._clock = clock
        self._admins = admins
        self._policies = policies  # the served workspace's: its time zone ends the last day

    # -- who may ------------------------------------------------------------------------------

    def is_admin(self, user: str) -> bool:
        return user in self._admins

    def check_admin(self, user: str, attempted: str, target: str = "campaigns") -> None:
        """Security admins only; anyone else is refused, and the refusal audited."""
        if user in self._admins:
            return
        with self._database.sessions.begin() as session:
            audit.record(
                session,
                at=self._clock.now(),
                actor=user,
                action="campaign.refused",
                target=target,
                attempted=attempted,
                reason="not_security_admin",
            )
        raise NotAllowed(_("Only security admins can run campaigns."))

    # -- starting -----------------------------------------------------------------------------

    def start_form(self, user: str) -> StartForm:
        self.check_admin(user, "start")
        with self._database.sessions() as session:
            platforms = tuple(store.platforms(session))
        return StartForm(platforms, self._today())

    def start(self, user: str, proposal: Proposal) -> CampaignView:
        """A new running campaign, after every field is checked (FormError names the field)."""
        self.check_admin(user, "start")
        now = self._clock.now()
        check = CHECKS.get(proposal.check)
        if check is None or check not in CAMPAIGN_CHECKS:
            raise FormError(Block.CHECK, _("Choose one of the checks offered."))
        try:
            scope = Scope(proposal.scope)
        except ValueError:
            raise FormError(Block.SCOPE, _("Choose who the campaign is for.")) from None
        deadline = self._deadline(proposal.deadline)
        time_zone = policy_of(self._policies).default_time_zone
        with self._database.sessions.begin() as session:
            value = self._scope_value(session, scope, proposal)
            campaign = store.add(
                session,
                Campaign(
                    check=check.value,
                    title=proposal.title.strip()[:TITLE_LIMIT],
                    scope=scope.value,
                    scope_value=value,
                    deadline=deadline,
                    time_zone=time_zone,
                    due_at=_end_of(deadline, time_zone),
                    status=store.RUNNING,
                    started_by=user,
                    started_at=now,
                ),
            )
            audit.record(
                session,
                at=now,
                actor=user,
                action="campaign.started",
                target=f"campaign:{campaign.id}",
                check=check.value,
                scope=scope.value,
                scope_value=value,
                deadline=deadline.isoformat(),
            )
            return campaign_view(campaign)

    def _today(self) -> date:
        time_zone = policy_of(self._policies).default_time_zone
        return self._clock.now().astimezone(zone(time_zone)).date()

    def _deadline(self, deadline: date | None) -> date:
        today = self._today()
        if deadline is None:
            raise FormError(Block.DEADLINE, _("Choose the last day."))
        if deadline <= today:
            raise FormError(Block.DEADLINE, _("Choose a last day after today."))
        if deadline > today + LONGEST:
            raise FormError(Block.DEADLINE, _("Choose a last day within a year from today."))
        return deadline

    def _scope_value(self, session: Session, scope: Scope, proposal: Proposal) -> str | None:
        if scope is Scope.MANAGER:
            manager = proposal.manager
            if not manager:
                raise FormError(Block.MANAGER, _("Choose the account manager."))
            if store.accounts_managed(session, manager) == 0:
                raise FormError(
                    Block.MANAGER,
                    _("{person} manages no business account here.").format(person=mention(manager)),
                )
            return manager
        if scope is Scope.PLATFORM:
            platform = proposal.platform
            if not platform or not store.has_platform(session, platform):
                raise FormError(Block.PLATFORM, _("Choose one of the platforms offered."))
            return platform
        return None

    # -- stopping -----------------------------------------------------------------------------

    def stop(self, user: str, campaign_id: int) -> CampaignView:
        target = f"campaign:{campaign_id}"
        self.check_admin(user, "stop", target)
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            found = store.find(session, campaign_id, lock=True)
            if found is None:
                raise NotFound(_(_NOT_FOUND).format(number=campaign_id))
            if found.status != store.RUNNING:
                raise InvalidInput(
                    _("Campaign #{number} was already stopped by {person}.").format(
                        number=campaign_id, person=mention(found.stopped_by or "")
                    )
                )
            found.status, found.stopped_by, found.stopped_at = store.STOPPED, user, now
            audit.record(session, at=now, actor=user, action="campaign.stopped", target=target)
            session.flush()
            return campaign_view(found)

    # -- reading ------------------------------------------------------------------------------

    def listed(self, user: str) -> list[Progress]:
        """Running campaigns, nearest deadline first, then the stopped: with their latest day."""
        self.check_admin(user, "list")
        today = self._today()
        with self._database.sessions() as session:
            campaigns = [campaign_view(row) for row in store.listed(session)]
            latest = store.latest_days(session, [found.id for found in campaigns])
        return [progress_of(found, today, latest.get(found.id)) for found in campaigns]

    def show(self, user: str, campaign_id: int) -> Progress:
        """One campaign in full: per day, per account manager, the accounts most behind."""
        self.check_admin(user, "show", f"campaign:{campaign_id}")
        with self._database.sessions() as session:
            found = store.find(session, campaign_id)
            if found is None:
                raise NotFound(_(_NOT_FOUND).format(number=campaign_id))
            return self._progress(session, [found])[0]

    def overview(self, user: str) -> list[Progress] | None:
        """For a security admin's Home tab: the running campaigns; nothing for anyone else."""
        return self.running_series() if user in self._admins else None

    def running_series(self) -> list[Progress]:
        """The running campaigns with their days (the Home tab, the weekly summary's chart)."""
        with self._database.sessions() as session:
            return self._progress(session, store.running_campaigns(session))

    def _progress(self, session: Session, found: list[Campaign]) -> list[Progress]:
        """`found` with their latest days and their series: two statements more."""
        ids = [row.id for row in found]
        today = self._today()
        since = self._clock.now().astimezone(UTC).date() - SERIES
        latest = store.latest_days(session, ids)
        series = store.series(session, ids, since)
        return [
            progress_of(
                campaign_view(row),
                today,
                latest.get(row.id),
                [point for point in series if point.campaign_id == row.id],
            )
            for row in found
        ]


def _end_of(deadline: date, time_zone: str) -> datetime:
    """The first moment after `deadline`, in `time_zone`, as UTC."""
    start = datetime.combine(deadline + timedelta(days=1), time(), tzinfo=zone(time_zone))
    return start.astimezone(UTC)


_NOT_FOUND = N_("There is no campaign #{number}.")
