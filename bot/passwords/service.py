"""The password check behind the one-time page: passwords are evaluated in memory during the
request and thrown away; only the outcome is stored, per business account, with an audit record.

Never store, log or raise with a password: not in a check result, not in an audit record, not in
an exception message. Outcomes name accounts, never passwords.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.checklist.evidence import NewEvidence
from bot.checklist.members import business_accounts_of
from bot.checklist.model import BusinessAccountRef, Check, Source, State
from bot.core import member_audit
from bot.core.clock import Clock
from bot.core.errors import DomainError, InvalidInput
from bot.core.i18n import N_, _, ngettext, number
from bot.core.secure_links import LinkGrant, spend_within
from bot.core.words import platform_name
from bot.passwords import rules
from bot.passwords.rules import Acceptance, Breach, BreachLookupFailed, BreachRanges, Strength
from storage import members as member_store
from storage import password_checks as check_store
from storage.database import Database

CHECKED = "password.checked"
REFUSED = "password.check.refused"
CHECKS_PER_HOUR = 10
WINDOW = timedelta(hours=1)


class TooManyChecks(DomainError):
    def __init__(self, retry_at: datetime) -> None:
        super().__init__(
            _(
                "You have checked passwords {count} times in the last hour, the most the "
                "bot allows. You can check again from {time} UTC."
            ).format(count=number(CHECKS_PER_HOUR), time=f"{retry_at:%H:%M}")
        )
        self.retry_at = retry_at


@dataclass(frozen=True)
class CheckForm:
    """What the page asks for: one field per business account, or one field without accounts."""

    display_name: str | None
    accounts: tuple[BusinessAccountRef, ...]


@dataclass(frozen=True)
class AccountVerdict:
    """One password's verdict; `account` is None for the single field of a member without any."""

    account: BusinessAccountRef | None
    strength: Strength
    acceptance: Acceptance
    breach: Breach
    reused_with: tuple[str, ...]  # names of the member's other accounts with the same password
    min_score: int

    @property
    def name(self) -> str:
        return self.account.name if self.account is not None else _(YOUR_PASSWORD)

    @property
    def platform(self) -> str | None:
        return self.account.platform if self.account is not None else None

    @property
    def strong(self) -> bool:
        return self.strength.score >= self.min_score

    @property
    def passed(self) -> bool:
        """The strong-password check: strong enough, accepted, and not known to be breached. A
        lookup that failed is not a clean one."""
        clean = self.breach in (Breach.NOT_FOUND, Breach.NOT_CONFIGURED)
        return self.strong and self.acceptance.accepted and clean

    @property
    def ready_for_rotation(self) -> bool:
        """A compromised password is replaced only by one that passes and is used nowhere else."""
        return self.passed and not self.reused_with

    @property
    def state(self) -> State:
        if self.passed:
            return State.PASSING
        if self.strong and self.acceptance.accepted and self.breach is Breach.FAILED:
            return State.UNKNOWN
        return State.NEEDS_ACTION


@dataclass(frozen=True)
class CheckOutcome:
    verdicts: tuple[AccountVerdict, ...]
    reused: tuple[tuple[str, ...], ...]  # groups of account names sharing a password
    unique: State
    unique_note: str
    checked_at: datetime


class PasswordChecks:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        breach_ranges: BreachRanges | None = None,
        *,
        min_score: int = rules.DEFAULT_MIN_SCORE,
        per_hour: int = CHECKS_PER_HOUR,
    ) -> None:
        self._database = database
        self._clock = clock
        self._ranges = breach_ranges
        self.min_score = min_score
        self._per_hour = per_hour
        # Checks of one process queue here for their short write. On SQLite a writer that finds
        # the database locked sleeps and polls (up to 100 ms at a time, in no order), so ten
        # submissions at once left some waiting for seconds; the member's row lock still orders
        # checks across processes.
        self._writes = threading.Lock()

    def form_for(self, slack_user_id: str) -> CheckForm:
        """The page's fields; refused up front when the member has no checks left this hour."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            accounts = tuple(business_accounts_of(session, member.id)) if member is not None else ()
            retry_at = self._retry_at(session, slack_user_id)
        if retry_at is not None:
            raise TooManyChecks(retry_at)
        return CheckForm(member.display_name if member else None, accounts)

    def check(
        self,
        slack_user_id: str,
        passwords: Mapping[int | None, str],
        *,
        link: LinkGrant | None = None,
    ) -> CheckOutcome:
        """Evaluate the passwords typed for each business account (key: account id; None for the
        single field of a member without accounts); blank ones are skipped. `link`, the one-time
        link the page was opened with, is used up in the same transaction that keeps the outcome:
        a second submission of it (LinkUnusable) keeps nothing."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                raise InvalidInput(_(_NO_MEMBER))
            accounts = tuple(business_accounts_of(session, member.id))
            email, display_name = member.email, member.display_name
            early_refusal = self._retry_at(session, slack_user_id)
        if early_refusal is not None:
            self._refuse(slack_user_id, early_refusal)
        entries = _entries(accounts, passwords)
        words = rules.own_words(
            display_name=display_name,
            email=email,
            account_names=[account.name for account in accounts],
            platforms={account.platform for account in accounts},
        )
        outcome = self._evaluate(entries, words, total=max(1, len(accounts)))
        with self._writes, self._database.sessions.begin() as session:
            check_store.lock_member(session, member.id)
            retry_at = self._retry_at(session, slack_user_id)
            if retry_at is None:
                if link is not None:
                    spend_within(session, link, outcome.checked_at)
                self._save(session, member.id, slack_user_id, outcome)
        if retry_at is not None:
            self._refuse(slack_user_id, retry_at)
        return outcome

    def _evaluate(
        self, entries: Sequence[tuple[BusinessAccountRef | None, str]], words: list[str], total: int
    ) -> CheckOutcome:
        strengths: dict[str, Strength] = {}
        for _account, password in entries:
            if password not in strengths:
                strengths[password] = rules.strength(password, words)
        breaches = self._breaches([password for _account, password in entries])
        groups = rules.reuse_groups({n: password for n, (_account, password) in enumerate(entries)})
        reused_with: dict[int, tuple[str, ...]] = {}
        names = [account.name if account else _(YOUR_PASSWORD) for account, _typed in entries]
        for group in groups:
            for n in group:
                reused_with[n] = tuple(names[other] for other in group if other != n)
        verdicts = tuple(
            AccountVerdict(
                account=account,
                strength=strengths[password],
                acceptance=rules.acceptance(password, account.platform if account else None),
                breach=breaches[n],
                reused_with=reused_with.get(n, ()),
                min_score=self.min_score,
            )
            for n, (account, password) in enumerate(entries)
        )
        reused = tuple(tuple(names[n] for n in group) for group in groups)
        unique, note = _uniqueness(reused, checked=len(entries), total=total)
        return CheckOutcome(verdicts, reused, unique, note, self._clock.now())

    def _breaches(self, passwords: Sequence[str]) -> list[Breach]:
        """One range lookup per distinct prefix, all at once; every password without a usable
        answer is FAILED, never NOT_FOUND."""
        if self._ranges is None:
            return [Breach.NOT_CONFIGURED for _password in passwords]
        digests = [rules.sha1_hex(password) for password in passwords]
        answers = self._ranges.ranges(sorted({digest[:5] for digest in digests}))
        found: list[Breach] = []
        for digest in digests:
            body = answers.get(digest[:5])
            try:
                count = None if body is None else rules.breach_count(body, digest[5:])
            except BreachLookupFailed:
                count = None
            if count is None:
                found.append(Breach.FAILED)
            else:
                found.append(Breach.FOUND if count > 0 else Breach.NOT_FOUND)
        return found

    def _save(self, session: Session, member_id: int, user: str, outcome: CheckOutcome) -> None:
        now = outcome.checked_at
        for verdict in outcome.verdicts:
            account = verdict.account.id if verdict.account else None
            strength = _strength_detail(verdict, now)
            NewEvidence(
                member_id, Check.STRONG_PASSWORD, verdict.state, now, strength, Source.BOT, account
            ).save(session)
        unique = {
            "reused": bool(outcome.reused),
            "accounts_checked": len(outcome.verdicts),
            "checked_at": now.isoformat(),
            "note": outcome.unique_note,
        }
        NewEvidence(member_id, Check.UNIQUE_PASSWORDS, outcome.unique, now, unique).save(session)
        member_audit.record(
            session,
            now,
            user,
            CHECKED,
            accounts=[v.account.id if v.account else None for v in outcome.verdicts],
            passed=[v.account.id if v.account else None for v in outcome.verdicts if v.passed],
            reused=bool(outcome.reused),
            breach_lookup_failed=any(v.breach is Breach.FAILED for v in outcome.verdicts),
        )

    def _retry_at(self, session: Session, user: str) -> datetime | None:
        """When the member may check again, or None while checks are left this hour."""
        since = self._clock.now() - WINDOW
        times = check_store.times_since(
            session, target=member_audit.target(user), action=CHECKED, since=since
        )
        if len(times) < self._per_hour:
            return None
        return times[-self._per_hour] + WINDOW

    def _refuse(self, user: str, retry_at: datetime) -> None:
        with self._database.sessions.begin() as session:
            member_audit.record(session, self._clock.now(), user, REFUSED)
        raise TooManyChecks(retry_at)


def _entries(
    accounts: Sequence[BusinessAccountRef], passwords: Mapping[int | None, str]
) -> list[tuple[BusinessAccountRef | None, str]]:
    """The filled fields, in the page's order; a field for an account that is not the member's
    means a forged or stale form."""
    by_id: dict[int | None, BusinessAccountRef | None] = {a.id: a for a in accounts}
    if not accounts:
        by_id[None] = None
    if any(key not in by_id for key in passwords):
        raise InvalidInput(_(_STALE_FORM))
    entries = [(by_id[key], password) for key, password in passwords.items() if password]
    if not entries:
        raise InvalidInput(_("Type at least one password to check."))
    return entries


def _uniqueness(reused: Sequence[Sequence[str]], *, checked: int, total: int) -> tuple[State, str]:
    if reused:
        same = _("The same or nearly the same password is used on {accounts}.")
        return State.NEEDS_ACTION, " ".join(same.format(accounts=_and(group)) for group in reused)
    if checked >= total:
        return State.PASSING, _("A different password on each business account.")
    some = ngettext(
        "No reuse among the {count} account checked; check all {total} to confirm.",
        "No reuse among the {count} accounts checked; check all {total} to confirm.",
        checked,
    )
    return State.UNKNOWN, some.format(count=number(checked), total=number(total))


def _strength_detail(verdict: AccountVerdict, now: datetime) -> dict[str, Any]:
    breached: bool | str = {Breach.FOUND: True, Breach.NOT_FOUND: False}.get(
        verdict.breach, "unknown"
    )
    return {
        "score": verdict.strength.score,
        "passed": verdict.passed,
        "accepted": verdict.acceptance.accepted,
        "breached": breached,
        "breach_check": verdict.breach.value,
        "reused": bool(verdict.reused_with),
        "checked_at": now.isoformat(),
        "note": strength_note(verdict),
    }


def strength_note(verdict: AccountVerdict) -> str:
    """The verdict in one line, for the checklist: what passed, or what needs changing."""
    score = number(verdict.strength.score)
    if verdict.passed:
        if verdict.platform:
            accepted = _("Strong (score {score} of 4) and accepted by {platform}.")
            return accepted.format(score=score, platform=platform_name(verdict.platform))
        return _("Strong (score {score} of 4) and accepted by the platform.").format(score=score)
    if verdict.state is State.UNKNOWN:
        return _(
            "Strong (score {score} of 4) and accepted, but it could not be checked against "
            "known breaches."
        ).format(score=score)
    problems = []
    if not verdict.strong:
        problems.append(_("too weak (score {score} of 4)").format(score=score))
    if not verdict.acceptance.accepted:
        missing = ", ".join(verdict.acceptance.problems)
        if verdict.platform:
            refused = _("{platform} won't accept it ({problems})")
            problems.append(
                refused.format(platform=platform_name(verdict.platform), problems=missing)
            )
        else:
            problems.append(_("the platform won't accept it ({problems})").format(problems=missing))
    if verdict.breach is Breach.FOUND:
        problems.append(_("found in known data breaches"))
    # Translators: {problems} lists what is wrong, separated by semicolons.
    return _("Needs a new password: {problems}.").format(problems="; ".join(problems))


def _and(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    # Translators: the last two of a list of business accounts: "Shoes Ads, Hats Ads and Bags Ads".
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


YOUR_PASSWORD = N_("Your password")  # the field's name for a member without business accounts
_NO_MEMBER = N_("The bot doesn't know you yet. Open the bot in Slack and try again.")
_STALE_FORM = N_("This form doesn't match your business accounts any more. Reload the page.")
