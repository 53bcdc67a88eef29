"""Adoption as one full sweep finds it, counted member by member while the sweep decides.

The sweep already evaluates every member's checklist; counting there costs a few additions per
member and no statement, and reporting reads one snapshot per day instead of evaluating 50,000
checklists again (storage/stats.py writes and reads them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.checklist.model import Check
from bot.nudges.policy import Situation
from storage.stats_models import ALL_CHECKS


@dataclass(frozen=True)
class CheckCount:
    check: str  # a Check's value, or ALL_CHECKS for members passing every check
    in_scope: int
    passing: int
    needs_action: int
    unknown: int


@dataclass(frozen=True)
class ManagerCount:
    manager_slack_id: str
    members: int
    fully_passing: int
    open_gaps: int


class AdoptionTally:
    """Members in scope (not excluded) and, per check, how many it applies to (README, "Who each
    check applies to") and of those how many pass, need action or are unknown; per account
    manager, the members on their business accounts."""

    def __init__(self) -> None:
        self.in_scope = 0
        # Members in scope by what their checks are: the checks that apply, pass, need action.
        # A sweep's 50,000 members come in a few dozen such shapes, spread over the checks once.
        self._shapes: Counter[tuple[frozenset[Check], frozenset[Check], frozenset[Check]]] = (
            Counter()
        )
        self._managers: dict[str, list[int]] = {}

    def add(self, situation: Situation) -> None:
        if situation.excluded is not None:
            return  # service accounts and people on leave are out of scope
        self.in_scope += 1
        self._shapes[situation.in_scope, situation.passing, situation.needs_action] += 1
        if not situation.managers:
            return
        every = _fully_passing(situation.in_scope, situation.passing)
        gaps = len(situation.gaps)
        for manager in situation.managers:
            counts = self._managers.setdefault(manager, [0, 0, 0])
            counts[0] += 1
            counts[1] += every
            counts[2] += gaps

    def checks(self) -> list[CheckCount]:
        applies: Counter[Check] = Counter()  # members in scope the check applies to
        passing: Counter[Check] = Counter()
        needs_action: Counter[Check] = Counter()
        fully_passing = any_needs_action = 0
        for (in_scope, passed, needing), members in self._shapes.items():
            for counter, checks in (
                (applies, in_scope),
                (passing, passed),
                (needs_action, needing),
            ):
                for check in checks:
                    counter[check] += members
            fully_passing += members * _fully_passing(in_scope, passed)
            any_needs_action += members * bool(needing)
        rows = [
            self._row(check.value, applies[check], passing[check], needs_action[check])
            for check in Check
        ]
        rows.append(self._row(ALL_CHECKS, self.in_scope, fully_passing, any_needs_action))
        return rows

    def managers(self) -> list[ManagerCount]:
        return [
            ManagerCount(manager, members, fully_passing, gaps)
            for manager, (members, fully_passing, gaps) in sorted(self._managers.items())
        ]

    @staticmethod
    def _row(check: str, in_scope: int, passing: int, needs_action: int) -> CheckCount:
        unknown = in_scope - passing - needs_action
        return CheckCount(check, in_scope, passing, needs_action, unknown)


def _fully_passing(in_scope: frozenset[Check], passing: frozenset[Check]) -> bool:
    """Every check that applies to the member passes: one without business accounts can pass
    them all."""
    return passing >= in_scope
