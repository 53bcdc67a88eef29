"""The sweep: every member's situation read in bulk, the policy's decisions, written to the outbox.

One sweep reads each table once, streamed and ordered by member, and merges the streams in
Python: a constant number of statements and bounded memory whatever the number of members.
The reads share one snapshot, so the round numbers that key the outbox agree with the items read.
Decisions are written in batches (bot/nudges/writer.py) on a connection of their own while the
reading goes on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.campaigns.model import InForce, due_for
from bot.campaigns.progress import CampaignTally, running_campaigns
from bot.checklist.exempting import excuse, in_force
from bot.checklist.model import (
    ACCOUNT_CHECKS,
    CHECKS,
    TITLES,
    BusinessAccountRef,
    Check,
    Evidence,
    MemberRef,
    Source,
    State,
    evidence_of,
)
from bot.checklist.notes import said
from bot.checklist.rules import build_checklist
from bot.core.clock import Clock
from bot.core.i18n import language_for
from bot.core.i18n import reading as read_as
from bot.core.words import plural
from bot.nudges.hours import zone
from bot.nudges.outbox import EscalationBook, WriteCounts
from bot.nudges.policy import Decision, Gap, Level, Situation, Tracked, decide
from bot.nudges.settings import NudgePolicy
from bot.nudges.writer import BATCH, OutboxWriter
from bot.stats.tally import AdoptionTally
from storage import stats as stats_store
from storage import sweep_reads as reads
from storage.database import Database
from storage.sweep_reads import AccountRow, EvidenceRow, Exclusion, ExemptionRow, OpenItemRow

EVERY_CHECK = frozenset(Check)
WITHOUT_ACCOUNTS = EVERY_CHECK - ACCOUNT_CHECKS  # who works on no business account: README
EXCLUSION_WORDS = {"service_account": "service account", "on_leave": "on leave"}
# Each check's title as the checklist says it, read only where a message is written.
HEADINGS = {check: said(title) for check, title in TITLES.items()}


@dataclass
class SweepReport:
    at: datetime
    dry_run: bool
    members: int = 0
    with_gaps: int = 0
    excluded: int = 0
    reminders: int = 0
    escalations: int = 0
    closed: int = 0
    written: WriteCounts = field(default_factory=WriteCounts)
    decide_seconds: float = 0.0
    seconds: float = 0.0
    exemptions_ended: int = 0  # approved exemptions whose end this sweep recorded

    def summary(self) -> str:
        verb = "would send" if self.dry_run else "decided"
        ended = (
            f", {plural(self.exemptions_ended, 'exemption')} ended" if self.exemptions_ended else ""
        )
        return (
            f"{plural(self.members, 'member')}, {self.with_gaps} with open gaps, "
            f"{self.excluded} excluded; {verb} {plural(self.reminders, 'reminder')}, "
            f"{plural(self.escalations, 'escalated gap')}, {plural(self.closed, 'gap')} closed"
            f"{ended}, in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Sweep:
    """The sweep's collaborators; `run` is one sweep, as often as the scheduler asks."""

    database: Database
    clock: Clock
    policy: NudgePolicy
    admins: frozenset[str]
    batch: int = BATCH  # members written in one transaction

    def run(
        self,
        *,
        dry_run: bool = False,
        member_ids: Collection[int] | None = None,
        only_close: bool = False,
        on_decision: Callable[[Decision], None] | None = None,
    ) -> SweepReport:
        """Decide for every member (or only `member_ids`), and unless `dry_run`, write it down.

        `only_close` closes fixed gaps and nothing else (a recheck after new evidence).
        """
        started = time.perf_counter()
        now = self.clock.now()
        report = SweepReport(at=now, dry_run=dry_run)
        caps = {check.value: self.policy.check(check).cap for check in Check}
        limit = self.policy.snooze_limit
        writer = (
            None
            if dry_run
            else OutboxWriter(self.database, now, limit, caps, report.written, self.batch)
        )
        # Only a full sweep that writes sees everyone: its counts are the day's adoption.
        full = writer is not None and member_ids is None and not only_close
        tally = AdoptionTally() if full else None
        book = EscalationBook(self.admins)
        deciding = 0.0
        with self.database.sessions() as reading:
            reads.begin_snapshot(reading)
            excluded = reads.exclusions(reading)
            exempt = reads.exemptions_in_force(reading, now)
            campaigns = running_campaigns(reading)  # the one read of them: a cadence and a tally
            progress = CampaignTally(campaigns, now) if full and campaigns else None
            rounds = reads.recipient_rounds(reading, book.kinds)
            for situation, last_round, language in self._situations(
                reading, excluded, exempt, campaigns, now, member_ids
            ):
                # What the member will read is decided, and written down, in their words.
                with read_as(language):
                    tick = time.perf_counter()
                    decision = decide(self.policy, situation, now)
                    if only_close:
                        decision = replace(decision, reminders=(), escalations=())
                    deciding += time.perf_counter() - tick
                    self._count(report, situation, decision)
                    if tally is not None:
                        tally.add(situation)
                    if progress is not None:
                        progress.add(situation)
                    if on_decision is not None:
                        on_decision(decision)
                    if writer is None or not decision.changes_anything:
                        continue  # a dry run keeps nothing: memory stays flat
                    book.add(decision)
                    writer.add(decision, last_round + 1)
            if writer is not None:
                writer.finish()
                writer.escalations(book.messages(rounds))
        if tally is not None:
            self._save(tally, now)
        if progress is not None:
            progress.save(self.database, self.admins)
        report.decide_seconds = deciding
        report.seconds = time.perf_counter() - started
        return report

    def _save(self, tally: AdoptionTally, now: datetime) -> None:
        """The day's adoption snapshot (UTC day): three statements, whatever the members."""
        checks = [asdict(row) for row in tally.checks()]
        managers = [asdict(row) for row in tally.managers()]
        with self.database.sessions.begin() as session:
            stats_store.save_adoption(session, now.astimezone(UTC).date(), now, checks, managers)

    @staticmethod
    def _count(report: SweepReport, situation: Situation, decision: Decision) -> None:
        report.members += 1
        report.with_gaps += bool(situation.gaps)
        report.excluded += situation.excluded is not None
        report.reminders += decision.sends_reminder
        report.escalations += len(decision.escalations)
        report.closed += len(decision.closings)

    def _situations(
        self,
        session: Session,
        excluded: dict[int, Exclusion],
        exempt: dict[int, list[ExemptionRow]],
        campaigns: InForce,
        now: datetime,
        member_ids: Collection[int] | None,
    ) -> Iterator[tuple[Situation, int, str]]:
        accounts = _Grouped(reads.stream_accounts(session, member_ids))
        evidence = _Grouped(reads.stream_evidence(session, member_ids))
        items = _Grouped(reads.stream_open_items(session, member_ids))
        rounds = _Grouped(reads.stream_member_rounds(session, member_ids))
        default_zone = self.policy.default_time_zone
        details = Details()
        for member in reads.stream_members(session, member_ids):
            member_id = member.member_id
            last_round = rounds.take(member_id)
            found = situation(
                member_id=member_id,
                slack_user_id=member.slack_user_id,
                name=member.display_name or member.slack_user_id,
                time_zone=member.time_zone,
                default_zone=default_zone,
                joined_at=member.joined_at,
                accounts=accounts.take(member_id),
                evidence=evidence.take(member_id),
                items=items.take(member_id),
                exclusion=excluded.get(member_id),
                now=now,
                exemptions=exempt.get(member_id, ()),
                campaigns=campaigns,
                details=details,
            )
            language = language_for(member.locale, member.language)
            yield found, int(last_round[0].last_round) if last_round else 0, language


def situation(
    *,
    member_id: int,
    slack_user_id: str,
    name: str,
    time_zone: str | None,
    default_zone: str,
    joined_at: datetime,
    accounts: Sequence[AccountRow],
    evidence: Sequence[EvidenceRow],
    items: Sequence[OpenItemRow],
    exclusion: Exclusion | None,
    now: datetime,
    exemptions: Sequence[ExemptionRow] = (),
    campaigns: InForce | None = None,
    details: Details | None = None,
) -> Situation:
    """One member as the policy sees them, from their rows of each stream."""
    details = details or Details()
    # Positional (in BusinessAccountRef's order) but by name: keywords cost twice as much here.
    refs = [
        BusinessAccountRef(
            row.account_id,
            row.platform_account_id,
            row.name,
            row.platform,
            row.managed,
            row.manager_slack_id,
        )
        for row in accounts
    ]
    facts: list[Evidence] = []
    urgent = False
    for row in evidence:
        detail = details.read(row.detail_json)
        fact = evidence_of(
            row.check, row.business_account_id, row.state, row.source, row.observed_at, detail
        )
        if fact is None:
            continue  # a check or state this version does not know
        facts.append(fact)
        check, state, source = fact.check, fact.state, fact.source
        # An open compromised-password alert: the platform's needs_action evidence, exactly.
        urgent = urgent or (
            check is Check.NO_COMPROMISED_PASSWORD
            and source is Source.PLATFORM
            and state is State.NEEDS_ACTION
        )
    checklist = build_checklist(MemberRef(member_id, slack_user_id, name), refs, facts)
    if exemptions:  # an exempt gap is not reminded about, as if it passed (bot/exemptions)
        checklist = excuse(checklist, in_force(exemptions, now))
    # Running campaigns: where the member stands in each (each gap's nearest deadline below).
    marks = campaigns.mark(refs, checklist) if campaigns else ()
    gaps: list[Gap] = []
    passing: list[Check] = []
    needs_action: list[Check] = []
    for line in checklist.lines:
        if line.state is State.PASSING:
            passing.append(line.check)
            continue
        if line.state is State.NEEDS_ACTION:
            needs_action.append(line.check)
        alert = urgent and line.check is Check.NO_COMPROMISED_PASSWORD
        if line.fix is not None or alert:
            state = State.NEEDS_ACTION if alert else line.state
            heading = HEADINGS[line.check]
            due = due_for(marks, line.check) if marks else None
            gap = Gap(
                line.check, alert, heading, line.said, line.fix, state, line.pending_since, due
            )
            gaps.append(gap)
    managers = tuple(
        sorted(
            {
                ref.account_manager_slack_id
                for ref in refs
                if ref.account_manager_slack_id and ref.account_manager_slack_id != slack_user_id
            }
        )
    )
    return Situation(
        member_id=member_id,
        slack_user_id=slack_user_id,
        name=name,
        time_zone=zone(time_zone, default_zone),
        joined_at=joined_at,
        managers=managers,
        gaps=tuple(gaps),
        passing=frozenset(passing),
        tracked=tuple(_tracked(row) for row in items if row.check in CHECKS) if items else (),
        excluded=_excluded(exclusion, now),
        needs_action=frozenset(needs_action),
        in_scope=EVERY_CHECK if refs else WITHOUT_ACCOUNTS,
        has_accounts=bool(refs),
        campaigns=marks,
    )


class Details:
    """Check results' details decoded from their stored JSON, each text once a sweep: most are
    one of a few ("{\"method\": \"sms\"}"). The rules only read them, so members share them."""

    KEPT = 10_000

    def __init__(self) -> None:
        self._decoded: dict[str, dict[str, Any]] = {}

    def read(self, raw: str | None) -> dict[str, Any]:
        if not raw or raw == "{}" or raw == "null":
            return {}
        found = self._decoded.get(raw)
        if found is None:
            found = json.loads(raw)
            if len(self._decoded) < self.KEPT:  # a note naming a number is one member's own
                self._decoded[raw] = found
        return found


def _tracked(row: OpenItemRow) -> Tracked:
    return Tracked(
        item_id=row.item_id,
        check=CHECKS[row.check],
        first_nudged_at=row.first_nudged_at,
        last_nudged_at=row.last_nudged_at,
        cadence_from=row.cadence_from,
        nudge_count=row.nudge_count,
        snoozed_until=row.snoozed_until,
        snooze_count=row.snooze_count,
        level=Level(min(row.level, Level.ADMINS)),
        escalated_at=row.escalated_at,
    )


def _excluded(exclusion: Exclusion | None, now: datetime) -> str | None:
    if exclusion is None:
        return None
    reason, until = exclusion
    if until is not None and until <= now:
        return None
    words = EXCLUSION_WORDS.get(reason, reason)
    return f"excluded: {words}" + (f" until {until:%Y-%m-%d}" if until is not None else "")


class _OfMember(Protocol):
    @property
    def member_id(self) -> int: ...


Row = TypeVar("Row", bound=_OfMember)


class _Grouped(Generic[Row]):
    """Rows ordered by member id, taken one member at a time."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self._next: Row | None = next(rows, None)

    def take(self, member_id: int) -> list[Row]:
        found: list[Row] = []
        row = self._next
        while row is not None and (key := row.member_id) <= member_id:
            if key == member_id:
                found.append(row)
            row = next(self._rows, None)
        self._next = row
        return found
