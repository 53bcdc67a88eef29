"""Requesting exemptions, and deciding on them: who may, with a step-up to approve, all audited.

An approved exemption holds until the day after its end date; the checklist and the reminder
sweep read it from there (bot/checklist/exempting.py), so nothing needs to happen when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.checklist.members import business_accounts_of, member_for
from bot.checklist.model import CHECKS, EXEMPTABLE, BusinessAccountRef, Check
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import DomainError, InvalidInput, NotAllowed, NotFound, StepUpNeeded
from bot.core.i18n import N_, _
from bot.core.ids import Block
from bot.core.text import mention
from storage import exemptions as store
from storage import members as member_store
from storage.database import Database
from storage.exemption_models import Exemption

REASON_LIMIT = 500
LONGEST = timedelta(days=365)


class Status(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class FormError(InvalidInput):
    """A request the form can't take: shown on the input `field` (a Block id)."""

    def __init__(self, field: Block, user_message: str) -> None:
        super().__init__(user_message)
        self.field = field


@dataclass(frozen=True)
class ApproverDM:
    """A DM that asked one approver to decide: where to update it once someone has."""

    approver: str  # Slack user id
    channel: str
    ts: str


@dataclass(frozen=True)
class ExemptionView:
    id: int
    member: str  # Slack user id
    member_name: str | None
    account_id: int
    account_name: str
    manager: str | None  # the account manager's Slack id
    check: Check
    reason: str
    until: datetime  # the first moment it no longer holds
    status: Status
    decided_by: str | None
    asked: tuple[ApproverDM, ...] = ()  # the approvers' DMs about the request, as recorded

    @property
    def last_day(self) -> date:
        return (self.until - timedelta(days=1)).date()


@dataclass(frozen=True)
class Requested:
    exemption: ExemptionView
    approvers: tuple[str, ...]  # who is asked to decide: the account manager, else the admins


class Exemptions:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        admins: AbstractSet[str],
        fresh: Callable[[str], bool],
    ) -> None:
        self._database = database
        self._clock = clock
        self._admins = admins
        self._fresh = fresh  # stepped up recently enough to approve

    def accounts(self, user: str) -> list[BusinessAccountRef]:
        """The member's business accounts, for the request form."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, user)
            return [] if member is None else business_accounts_of(session, member.id)

    def request(
        self, user: str, check: str, business_account_id: int, reason: str, last_day: date
    ) -> Requested:
        """Ask to be excused from `check` on one business account through `last_day`."""
        now = self._clock.now()
        known = CHECKS.get(check)
        if known is None or known not in EXEMPTABLE:
            raise FormError(Block.CHECK, _(_ONLY_PER_ACCOUNT))
        reason = reason.strip()[:REASON_LIMIT]
        if not reason:
            raise FormError(Block.REASON, _("Say why the check can't be met on this account."))
        today = now.astimezone(UTC).date()
        if last_day <= today:
            raise FormError(Block.ENDS_ON, _("Choose an end date after today."))
        if last_day > today + LONGEST:
            raise FormError(Block.ENDS_ON, _("Choose an end date within a year from today."))
        target = f"business_account:{business_account_id}"
        refusal: DomainError
        with self._database.sessions.begin() as session:
            trail = audit.Trail(session, now, user, target)
            member = member_for(session, user, self._clock)
            if not member_store.is_member_of(session, member.id, business_account_id):
                trail.record("exemption.request.refused", check=check, reason="not_a_member")
                refusal = NotAllowed(_("You can only ask for exemptions on accounts you work on."))
            elif store.open_one(session, member.id, business_account_id, check, now) is not None:
                refusal = FormError(Block.ACCOUNT, _(_ALREADY_OPEN))
            else:
                exemption = store.add(
                    session,
                    Exemption(
                        member_id=member.id,
                        business_account_id=business_account_id,
                        check=known.value,
                        reason=reason,
                        ends_at=datetime.combine(last_day + timedelta(days=1), time(), UTC),
                        status=Status.REQUESTED.value,
                        requested_at=now,
                    ),
                )
                trail.record(
                    "exemption.requested",
                    exemption=exemption.id,
                    check=known.value,
                    last_day=last_day.isoformat(),
                )
                view = self._view(session, exemption.id)
                return Requested(view, self._approvers(view))
        raise refusal

    def remember_dm(self, exemption_id: int, approver: str, channel: str, ts: str) -> None:
        """Where the DM asking `approver` to decide went, to update it in place once decided."""
        with self._database.sessions.begin() as session:
            store.remember_message(session, exemption_id, approver, channel, ts, self._clock.now())

    def check_decision(self, actor: str, exemption_id: int) -> ExemptionView:
        """Before asking for a step-up code: refuse (audited) whoever could not decide anyway."""
        return self._decide(actor, exemption_id, None)

    def approve(self, actor: str, exemption_id: int) -> ExemptionView:
        return self._decide(actor, exemption_id, Status.APPROVED)

    def reject(self, actor: str, exemption_id: int) -> ExemptionView:
        return self._decide(actor, exemption_id, Status.REJECTED)

    def _decide(self, actor: str, exemption_id: int, decision: Status | None) -> ExemptionView:
        now = self._clock.now()
        refusal: DomainError
        with self._database.sessions.begin() as session:
            row = store.find(session, exemption_id, lock=decision is not None)
            if row is None:
                raise NotFound(_("That exemption request is no longer on record."))
            exemption = row.exemption
            trail = audit.Trail(session, now, actor, f"exemption:{exemption.id}")
            may = actor in self._admins or (
                row.manager_slack_id is not None and actor == row.manager_slack_id
            )
            attempted = (decision or Status.APPROVED).value
            if not may or actor == row.member_slack_id:
                why = "own_request" if actor == row.member_slack_id else "not_manager_or_admin"
                trail.record("exemption.decision.refused", attempted=attempted, reason=why)
                refusal = NotAllowed(_(_NOT_YOUR_OWN if may else _WHO_DECIDES))
            elif exemption.status != Status.REQUESTED.value:
                done = _DONE[exemption.status]
                refusal = InvalidInput(_(done).format(person=mention(exemption.decided_by or "")))
            elif decision is Status.APPROVED and not self._fresh(actor):
                trail.record("exemption.decision.refused", attempted=attempted, reason="step_up")
                refusal = StepUpNeeded(_(_STEP_UP_FIRST))
            else:
                if decision is not None:
                    exemption.status, exemption.decided_by = decision.value, actor
                    exemption.decided_at = now
                    trail.record(
                        f"exemption.{decision.value}",
                        member=row.member_slack_id,
                        business_account=exemption.business_account_id,
                        check=exemption.check,
                    )
                    session.flush()
                return self._view(session, exemption.id)
        raise refusal

    def _view(self, session: Session, exemption_id: int) -> ExemptionView:
        row = store.find(session, exemption_id)
        if row is None:
            raise NotFound(_("That exemption request is no longer on record."))
        found = row.exemption
        return ExemptionView(
            id=found.id,
            member=row.member_slack_id or "",
            member_name=row.member_name,
            account_id=found.business_account_id,
            account_name=row.account_name,
            manager=row.manager_slack_id,
            check=CHECKS[found.check],
            reason=found.reason,
            until=found.ends_at,
            status=Status(found.status),
            decided_by=found.decided_by,
            asked=tuple(ApproverDM(*dm) for dm in store.messages_of(session, found.id)),
        )

    def _approvers(self, view: ExemptionView) -> tuple[str, ...]:
        if view.manager is not None and view.manager != view.member:
            return (view.manager,)
        return tuple(sorted(admin for admin in self._admins if admin != view.member))


_ONLY_PER_ACCOUNT = N_(
    "Exemptions are for checks that hold per business account: 2-step verification and strong "
    "passwords."
)
_ALREADY_OPEN = N_("An exemption from this check on this account is already requested or in force.")
_WHO_DECIDES = N_("Only the account's manager or a security admin can decide on this request.")
_NOT_YOUR_OWN = N_("You can't decide on your own exemption request.")
_STEP_UP_FIRST = N_(
    "Approving an exemption needs a fresh code from your authenticator app. Press Approve again."
)
_DONE = {
    Status.APPROVED.value: N_("This request was already approved by {person}."),
    Status.REJECTED.value: N_("This request was already rejected by {person}."),
}
