"""How stored evidence becomes the checklist: one rule a check, the platform's word first.

The vocabulary (checks, states, evidence, lines) is bot/checklist/model.py's; this is the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from bot.checklist import states
from bot.checklist.model import (
    ACCOUNT_CHECKS,
    METHOD_NAMES,
    AccountLine,
    BusinessAccountRef,
    Check,
    CheckLine,
    Checklist,
    Evidence,
    Fix,
    MemberRef,
    Source,
    State,
    TwoStepMethod,
)
from bot.checklist.notes import Readable, Said, Sentences, WithoutStop, note_of, said
from bot.core.i18n import N_


def build_checklist(
    member: MemberRef, accounts: Sequence[BusinessAccountRef], evidence: Iterable[Evidence]
) -> Checklist:
    """Turn stored evidence into the seven checks, in the order members should fix them."""
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]] = {}
    for item in evidence:
        by_key.setdefault((item.check, item.business_account_id), {})[item.source] = item
    lines: tuple[CheckLine, ...] = (
        _two_step(accounts, by_key),
        _authenticator(_member_wide(by_key, Check.AUTHENTICATOR)),
        _strong_password(accounts, by_key),
        _reported(
            Check.UNIQUE_PASSWORDS,
            _member_wide(by_key, Check.UNIQUE_PASSWORDS),
            said(_NOT_CHECKED),
            fix=Fix.CHECK_PASSWORDS,
        ),
        _compromised(accounts, by_key, _member_wide(by_key, Check.NO_COMPROMISED_PASSWORD)),
        _recovery_email(accounts, by_key),
        _recovery_phone(accounts, by_key),
    )
    if not accounts:
        # The checks about business accounts cannot pass without one: they do not apply.
        applying = tuple(line for line in lines if line.check not in ACCOUNT_CHECKS)
        others = tuple(line for line in lines if line.check in ACCOUNT_CHECKS)
        return Checklist(member=member, accounts=(), lines=applying, not_applicable=others)
    # An open compromised-password alert is the most urgent thing a member can fix: always first.
    compromised = lines[4]
    if _is_open_alert(compromised):
        lines = (compromised, *(line for line in lines if line is not compromised))
    return Checklist(member=member, accounts=tuple(accounts), lines=lines)


def _member_wide(
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]], check: Check
) -> Evidence | None:
    """The strongest evidence of `check` about the member rather than one business account."""
    sources = by_key.get((check, None))
    return None if sources is None else _strongest(sources)


_strongest = states.strongest  # the platform, then the bot, then the member


def _two_step(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    if not accounts:
        return CheckLine(
            check=Check.TWO_STEP,
            state=State.UNKNOWN,
            source=None,
            observed_at=None,
            said=said(N_("No business accounts are on record for you yet.")),
            fix=None,
        )
    account_lines = tuple(
        _two_step_account(account, by_key.get((Check.TWO_STEP, account.id), {}))
        for account in accounts
    )
    return _per_account(
        Check.TWO_STEP,
        account_lines,
        passing=N_("On for every business account."),
        # Translators: {names} lists business accounts ("Acme Ads and Bolt Ads")
        needs_action=N_("Needs turning on: {names}."),
        fix=Fix.REPORT_TWO_STEP,
    )


def _two_step_account(account: BusinessAccountRef, sources: dict[Source, Evidence]) -> AccountLine:
    platform, own = sources.get(Source.PLATFORM), sources.get(Source.SELF)
    state = states.two_step(platform, own)
    if own is not None and states.two_step_pending(platform, own):
        # Turned on after the platform's "off": only the platform's next report settles it.
        explanation = _with_method(
            own,
            N_("Reported on; waiting for the platform to confirm."),
            # Translators: {method} is "authenticator app", "SMS" or "email"
            N_("Reported on (with {method}); waiting for the platform to confirm."),
        )
        at = own.observed_at  # pending since
        return AccountLine(account, state, Source.SELF, at, explanation, at)
    if platform is not None:
        contradicted = own is not None and own.state is State.PASSING
        if platform.state is not State.PASSING and contradicted:
            explanation = said(N_("Reported on, but the platform's later report says it is off."))
        elif platform.state is State.PASSING:
            explanation = _with_method(
                platform,
                N_("On, as the platform reports."),
                N_("On, as the platform reports (with {method})."),
            )
        else:
            explanation = said(N_("Off, as the platform reports."))
        return AccountLine(account, state, platform.source, platform.observed_at, explanation)
    if own is not None:
        explanation = _with_method(
            own, N_("On, self-reported."), N_("On, self-reported (with {method}).")
        )
        return AccountLine(account, state, own.source, own.observed_at, explanation)
    return AccountLine(account, state, None, None, said(N_("Not confirmed yet.")))


def _with_method(evidence: Evidence, without: str, with_method: str) -> Readable:
    """`with_method` naming the 2-step verification method of the evidence, when it names one."""
    method = _METHODS.get(str(evidence.detail.get("method")))
    if method is None:
        return said(without)
    return _naming_method(with_method, method)


@lru_cache(maxsize=64)
def _naming_method(text: str, method: str) -> Said:
    """One of a few texts naming one of three methods: each said once, however many say it."""
    return said(text, method=said(method))


def _authenticator(evidence: Evidence | None) -> CheckLine:
    """Read from the check result the authenticator service writes, so no extra query is needed."""
    check, fix = Check.AUTHENTICATOR, Fix.LINK_AUTHENTICATOR
    if evidence is None:
        return CheckLine(check, State.NEEDS_ACTION, None, None, said(N_("Not linked yet.")), fix)
    return _from_evidence(check, evidence, fix)


def _reported(
    check: Check, evidence: Evidence | None, missing: Readable, *, fix: Fix | None = None
) -> CheckLine:
    """`fix` is offered unless the check passes."""
    if evidence is None:
        return CheckLine(check, State.UNKNOWN, None, None, missing, fix)
    return _from_evidence(check, evidence, fix)


def _from_evidence(check: Check, evidence: Evidence, fix: Fix | None) -> CheckLine:
    # Built once with its fix: dataclasses.replace costs more than the line (the sweep builds
    # hundreds of thousands).
    return CheckLine(
        check,
        evidence.state,
        evidence.source,
        evidence.observed_at,
        _said(evidence),
        None if evidence.state is State.PASSING else fix,
    )


def _strong_password(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    """Per business account, from the latest check on the password page; a member without
    accounts has one member-wide result."""
    check, not_checked = Check.STRONG_PASSWORD, said(_NOT_CHECKED)
    if not accounts:
        evidence = _strongest(by_key.get((check, None), {}))
        return _reported(check, evidence, not_checked, fix=Fix.CHECK_PASSWORDS)
    account_lines = []
    for account in accounts:
        evidence = _strongest(by_key.get((check, account.id), {}))
        if evidence is None:
            account_lines.append(AccountLine(account, State.UNKNOWN, None, None, not_checked))
        else:
            account_lines.append(
                AccountLine(
                    account, evidence.state, evidence.source, evidence.observed_at, _said(evidence)
                )
            )
    return _per_account(
        check,
        tuple(account_lines),
        passing=N_("Meets the policy on every business account."),
        needs_action=N_("Needs a new password: {names}."),
        fix=Fix.CHECK_PASSWORDS,  # both password checks are fixed on the one-time password page
    )


def _per_account(
    check: Check,
    account_lines: tuple[AccountLine, ...],
    *,
    passing: str,
    needs_action: str,
    fix: Fix,
) -> CheckLine:
    """A check that holds per business account: passing only when it passes on every one, and
    naming the accounts that need action (`{names}` of `needs_action`), or the unconfirmed ones."""
    state = states.across_accounts(line.state for line in account_lines)
    pending_since = None
    explanation: Readable
    if state is State.PASSING:
        explanation = said(passing)
    elif state is State.NEEDS_ACTION:
        names = [line.account.name for line in account_lines if line.state is State.NEEDS_ACTION]
        explanation = said(needs_action, names=", ".join(names))
    else:
        unknown = [line for line in account_lines if line.state is State.UNKNOWN]
        waiting = [line for line in unknown if line.pending_since is not None]
        parts: list[Said] = []
        if len(waiting) < len(unknown):
            names = [line.account.name for line in unknown if line.pending_since is None]
            parts.append(said(N_("Not confirmed yet for: {names}."), names=", ".join(names)))
        if waiting:
            names = [line.account.name for line in waiting]
            parts.append(
                said(N_("Waiting for the platform to confirm: {names}."), names=", ".join(names))
            )
        explanation = parts[0] if len(parts) == 1 else Sentences(tuple(parts))
        if len(waiting) == len(unknown):
            pending_since = min(line.pending_since for line in waiting if line.pending_since)
    # The account line observed last (the first of those observed together).
    newest: AccountLine | None = None
    newest_at: datetime | None = None
    for line in account_lines:
        observed = line.observed_at
        if observed is not None and (newest_at is None or observed > newest_at):
            newest, newest_at = line, observed
    return CheckLine(
        check=check,
        state=state,
        source=newest.source if newest else None,
        observed_at=newest.observed_at if newest else None,
        said=explanation,
        fix=None if state is State.PASSING else fix,
        accounts=account_lines,
        pending_since=pending_since,
    )


def _compromised(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
    evidence: Evidence | None,
) -> CheckLine:
    """Member-wide evidence says red or green; each account with an open alert is named."""
    line = _reported(
        Check.NO_COMPROMISED_PASSWORD, evidence, said(N_("No report from the platform yet."))
    )
    open_accounts = []
    for account in accounts:
        platform = by_key.get((Check.NO_COMPROMISED_PASSWORD, account.id), {}).get(Source.PLATFORM)
        if platform is not None and states.compromised(platform):
            explanation = said(
                N_("Compromised: the platform recommends changing the password immediately.")
            )
            open_accounts.append(
                AccountLine(
                    account, State.NEEDS_ACTION, Source.PLATFORM, platform.observed_at, explanation
                )
            )
    if not open_accounts and line.state is not State.NEEDS_ACTION:
        return line
    return replace(
        line, state=State.NEEDS_ACTION, fix=Fix.CHANGED_PASSWORD, accounts=tuple(open_accounts)
    )


def _is_open_alert(line: CheckLine) -> bool:
    return line.check is Check.NO_COMPROMISED_PASSWORD and line.state is State.NEEDS_ACTION


def _platform_accounts(
    check: Check,
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
    *,
    missing: Readable,
) -> tuple[AccountLine, ...]:
    """The accounts the platform reported on, for a check the member otherwise answers once."""
    lines = []
    for account in accounts:
        platform = by_key.get((check, account.id), {}).get(Source.PLATFORM)
        if platform is not None:
            set_ = said(N_("Set on the platform.")) if platform.state is State.PASSING else missing
            lines.append(
                AccountLine(account, platform.state, Source.PLATFORM, platform.observed_at, set_)
            )
    return tuple(lines)


def _lacking(lines: tuple[AccountLine, ...]) -> tuple[str, AccountLine]:
    """The names of the accounts the platform reports lacking, and the newest line (of some)."""
    names = ", ".join(line.account.name for line in lines if line.state is State.NEEDS_ACTION)
    newest = max(lines, key=lambda line: line.observed_at.timestamp() if line.observed_at else 0.0)
    return names, newest


def _recovery_email(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    """Confirmed with a code (verified by the bot); red where the platform reports an account
    without any recovery email."""
    check = Check.RECOVERY_EMAIL
    confirmed = by_key.get((check, None), {}).get(Source.BOT)
    platform = _platform_accounts(
        check, accounts, by_key, missing=said(N_("The platform reports no recovery email."))
    )
    state = states.recovery_email(confirmed, (line.state for line in platform))
    if confirmed is None or confirmed.state is not State.PASSING:
        unconfirmed = said(N_("Not confirmed yet.")) if confirmed is None else _said(confirmed)
        source = confirmed.source if confirmed else None
        observed_at = confirmed.observed_at if confirmed else None
        fix = Fix.CONFIRM_RECOVERY_EMAIL
        return CheckLine(check, state, source, observed_at, unconfirmed, fix, platform)
    if state is State.NEEDS_ACTION:  # confirmed, but an account is reported without one
        lacking, newest = _lacking(platform)
        # Translators: {said} is a whole sentence about the confirmed email, {names} accounts
        explained = said(
            N_("{said} But the platform reports no recovery email on: {names}."),
            said=_said(confirmed),
            names=lacking,
        )
        return CheckLine(
            check, state, Source.PLATFORM, newest.observed_at, explained, None, platform
        )
    return CheckLine(
        check, state, Source.BOT, confirmed.observed_at, _said(confirmed), None, platform
    )


def _recovery_phone(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    """A number the member gave (self-reported), outranked by what the platform reports."""
    check, fix = Check.RECOVERY_PHONE, Fix.REPORT_RECOVERY_PHONE
    own = by_key.get((check, None), {}).get(Source.SELF)
    given = said(N_("On record.")) if own is None or "note" not in own.detail else _said(own)
    platform = _platform_accounts(
        check, accounts, by_key, missing=said(N_("The platform reports no recovery phone."))
    )
    state = states.recovery_phone(own, (line.state for line in platform))
    if platform and state is State.NEEDS_ACTION:
        lacking, newest = _lacking(platform)
        explanation = said(N_("The platform reports no recovery phone on: {names}."), names=lacking)
        if own is not None and own.state is State.PASSING:
            # Translators: {given} is what the member gave ("+49 *** 12 on record"), no full stop
            explanation = said(
                N_(
                    "{given} (self-reported), but the platform reports no recovery phone on: "
                    "{names}."
                ),
                given=WithoutStop(given),
                names=lacking,
            )
        at = newest.observed_at
        return CheckLine(check, state, Source.PLATFORM, at, explanation, fix, platform)
    if platform:
        _, newest = _lacking(platform)
        explanation = said(N_("On record, as the platform reports."))
        return CheckLine(
            check, state, Source.PLATFORM, newest.observed_at, explanation, None, platform
        )
    if own is None:
        return CheckLine(check, state, None, None, said(N_("Not on record yet.")), fix)
    passing = state is State.PASSING
    return CheckLine(check, state, own.source, own.observed_at, given, None if passing else fix)


_METHODS: dict[str, str] = {method.value: METHOD_NAMES[method] for method in TwoStepMethod}
_NOT_CHECKED = N_("Not checked yet.")
_SAID = {
    State.PASSING: N_("Passing."),
    State.NEEDS_ACTION: N_("Needs action."),
    State.UNKNOWN: N_("Unknown."),
}


def _said(evidence: Evidence) -> Readable:
    """The evidence's note, else its state."""
    note = note_of(evidence.detail)
    return said(_SAID[evidence.state]) if note is None else note
