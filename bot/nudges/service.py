"""What members and security admins do with nudges: snooze, ask why, fix from the DM, and
exclusions. The sweep and delivery themselves run in the scheduler (handlers/jobs/scheduler.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from bot.checklist.members import member_for
from bot.checklist.model import Checklist
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.i18n import _, ngettext, number
from bot.exemptions.ended import expire_ended
from bot.nudges.hours import zone
from bot.nudges.outbox import MEMBER
from bot.nudges.policy import Decision, snooze_length
from bot.nudges.sender import refreshed_reminder
from bot.nudges.settings import NudgePolicy, PolicySource, policy_of
from bot.nudges.sweep import Sweep, SweepReport
from bot.nudges.views import why_message
from storage import members as member_store
from storage import nudges as store
from storage import outbox as outbox_store
from storage.database import Database
from storage.nudge_models import NudgeExclusion, NudgeOutbox

RECHECK_BATCH = 500


class Reason:
    SERVICE_ACCOUNT = "service_account"
    ON_LEAVE = "on_leave"


@dataclass(frozen=True)
class Snoozed:
    until: datetime
    capped: bool  # an urgent gap was snoozed for less than chosen
    message: dict[str, Any]


@dataclass(frozen=True)
class Exclusion:
    slack_user_id: str
    name: str
    reason: str
    until: datetime | None
    by: str


class NudgeService:
    def __init__(
        self, database: Database, clock: Clock, policy: PolicySource, admins: AbstractSet[str]
    ) -> None:
        self._database = database
        self._clock = clock
        self.policies = policy  # asked at use: the served workspace's policy
        self._admins = admins

    @property
    def policy(self) -> NudgePolicy:
        """The served workspace's policy, now."""
        return policy_of(self.policies)

    @property
    def _policy(self) -> NudgePolicy:
        return self.policy

    def sweep(
        self,
        *,
        dry_run: bool = False,
        member_ids: Collection[int] | None = None,
        only_close: bool = False,
        on_decision: Callable[[Decision], None] | None = None,
    ) -> SweepReport:
        """One sweep now (see bot/nudges/sweep.py), with the served workspace's policy and
        admins as they are at its start. A full sweep also records the exemptions that ended
        (bot/exemptions/ended.py)."""
        full = not dry_run and member_ids is None and not only_close
        ended = expire_ended(self._database, self._clock) if full else 0
        sweep = Sweep(self._database, self._clock, self.policy, frozenset(self._admins))
        report = sweep.run(
            dry_run=dry_run, member_ids=member_ids, only_close=only_close, on_decision=on_decision
        )
        report.exemptions_ended = ended
        return report

    def recheck(self, member_ids: Collection[int] | None = None) -> int:
        """Close the gaps of members whose evidence changed (`save_check_result` asks for it)."""
        if member_ids is None:
            with self._database.sessions() as session:
                member_ids = store.members_wanting_recheck(session, RECHECK_BATCH)
        if not member_ids:
            return 0
        # Cleared first: evidence arriving during the sweep asks again, and is not lost.
        with self._database.sessions.begin() as session:
            store.clear_recheck(session, member_ids)
        return self.sweep(member_ids=member_ids, only_close=True).closed

    # -- the member, from the DM -------------------------------------------------------------

    def snooze(self, slack_user_id: str, message_id: int, choice_key: str) -> Snoozed:
        choice = self._policy.snooze(choice_key)
        if choice is None:
            raise InvalidInput(_("Please choose how long to snooze for."))
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            message = _own_reminder(session, slack_user_id, message_id)
            assert message.member_id is not None
            checks = [str(item.get("check")) for item in message.payload.get("items", [])]
            urgent = {
                str(i.get("check")) for i in message.payload.get("items", []) if i.get("urgent")
            }
            open_items = [
                item
                for item in outbox_store.items_of_message(session, message.member_id, checks)
                if item.closed_at is None
            ]
            if not open_items:
                raise NotFound(_("Everything in this reminder is already done. Thank you!"))
            snoozed: list[datetime] = []
            capped = False
            for item in open_items:
                is_urgent = item.check in urgent or item.urgent
                length = snooze_length(self._policy, choice, is_urgent)
                capped = capped or length < choice.length
                if outbox_store.snooze_item(
                    session, item.id, now + length, self._policy.snooze_limit
                ):
                    snoozed.append(now + length)
            trail = audit.Trail(session, now, slack_user_id, f"nudge:{message_id}")
            if not snoozed:
                trail.record("nudge.snooze.refused")
                limit = self._policy.snooze_limit
                refusal = NotAllowed(
                    ngettext(
                        "You have already snoozed this {count} time, the most I allow. The "
                        "buttons above fix it in a minute.",
                        "You have already snoozed this {count} times, the most I allow. The "
                        "buttons above fix it in a minute.",
                        limit,
                    ).format(count=number(limit))
                )
            else:
                trail.record("nudge.snoozed", choice=choice.key, until=max(snoozed).isoformat())
                session.flush()
                rendered = refreshed_reminder(session, message, self._policy, now)
                assert rendered is not None
                return Snoozed(until=max(snoozed), capped=capped, message=rendered)
        raise refusal

    def explain(self, slack_user_id: str, message_id: int) -> dict[str, Any]:
        with self._database.sessions() as session:
            message = _own_reminder(session, slack_user_id, message_id)
            return why_message(self._policy, message.payload)

    def after_fix(
        self, slack_user_id: str, message_id: int | None, checklist: Checklist | None = None
    ) -> dict[str, Any] | None:
        """After a fix button in a reminder: close what is fixed, and the reminder as it reads
        now (the caller replaces the message in place with it), in the words of `checklist`."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
        if member is None:
            return None
        self.recheck([member.id])
        if message_id is None:
            return None
        with self._database.sessions.begin() as session:
            try:
                message = _own_reminder(session, slack_user_id, message_id)
            except (NotFound, NotAllowed):
                return None
            if message.refresh_wanted_at is not None:
                outbox_store.refreshed(session, message.id, message.refresh_wanted_at)
            reads = None
            if checklist is not None:
                reads = {
                    line.check.value: (line.state, line.explanation) for line in checklist.lines
                }
            now = self._clock.now()
            return refreshed_reminder(session, message, self._policy, now, reads)

    # -- security admins: who is left alone ----------------------------------------------------

    def exclude(
        self, actor: str, subject: str, reason: str, until: date | None = None
    ) -> Exclusion:
        self._require_admin(actor, "nudge.exclusion.refused", subject)
        if reason not in (Reason.SERVICE_ACCOUNT, Reason.ON_LEAVE):
            raise InvalidInput(_("Say `service` for a service account, or `leave` and a date."))
        if reason == Reason.ON_LEAVE and until is None:
            raise InvalidInput(_("Say until when, e.g. `leave 2026-12-24`."))
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_for(session, subject, self._clock)
            ends = None
            if until is not None:
                local = zone(member.time_zone, self._policy.default_time_zone)
                ends = datetime.combine(until, time(0), tzinfo=local).astimezone(UTC)
                if ends <= now:
                    raise InvalidInput(_("That date has passed; say a date in the future."))
            exclusion = store.exclusion_of(session, member.id)
            if exclusion is None:
                exclusion = NudgeExclusion(member_id=member.id)
                session.add(exclusion)
            exclusion.reason, exclusion.until = reason, ends
            exclusion.created_by, exclusion.created_at = actor, now
            audit.record(
                session,
                at=now,
                actor=actor,
                action="nudge.exclusion.added",
                target=subject,
                reason=reason,
                until=ends.isoformat() if ends else None,
            )
            return Exclusion(subject, member.display_name or subject, reason, ends, actor)

    def include(self, actor: str, subject: str) -> bool:
        """Lift an exclusion; False when there was none."""
        self._require_admin(actor, "nudge.exclusion.refused", subject)
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, subject)
            exclusion = None if member is None else store.exclusion_of(session, member.id)
            if exclusion is None:
                return False
            session.delete(exclusion)
            audit.record(
                session,
                at=self._clock.now(),
                actor=actor,
                action="nudge.exclusion.lifted",
                target=subject,
            )
            return True

    def exclusions(self, actor: str) -> list[Exclusion]:
        self._require_admin(actor, "nudge.exclusions.view.refused", actor)
        now = self._clock.now()
        with self._database.sessions() as session:
            return [
                Exclusion(
                    row.slack_user_id or "?",
                    row.display_name or row.slack_user_id or "?",
                    row.exclusion.reason,
                    row.exclusion.until,
                    row.exclusion.created_by,
                )
                for row in store.all_exclusions(session)
                if row.exclusion.until is None or row.exclusion.until > now
            ]

    def _require_admin(self, actor: str, refused: str, target: str) -> None:
        if actor in self._admins:
            return
        with self._database.sessions.begin() as session:
            audit.record(session, at=self._clock.now(), actor=actor, action=refused, target=target)
        raise NotAllowed(_("Only security admins manage who the reminders leave alone."))


def _own_reminder(session: Session, slack_user_id: str, message_id: int) -> NudgeOutbox:
    message = outbox_store.message(session, message_id)
    if message is None or message.kind != MEMBER:
        raise NotFound(_("I couldn't find that reminder any more."))
    if message.recipient != slack_user_id:
        raise NotAllowed(_("That reminder was for someone else."))
    return message
