"""How stored evidence becomes the checklist: one rule a check, the platform's word first.

The vocabulary (checks, states, evidence, lines) is bot/checklist/model.py's; this is the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

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


def build_checklist(
    member: MemberRef, accounts: Sequence[BusinessAccountRef], evidence: Iterable[Evidence]
) -> Checklist:
    """Turn stored evidence into the seven checks, in the order members should fix them."""
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]] = {}
    for item in evidence:
        by_key.setdefault((item.check, item.business_account_id), {})[item.source] = item
    member_wide = {check: _strongest(by_key.get((check, None), {})) for check in Check}
    lines = (
        _two_step(accounts, by_key),
        _authenticator(member_wide[Check.AUTHENTICATOR]),
        _strong_password(accounts, by_key),
        _reported(
            Check.UNIQUE_PASSWORDS,
            member_wide[Check.UNIQUE_PASSWORDS],
            _NOT_CHECKED,
            fix=Fix.CHECK_PASSWORDS,
        ),
        _compromised(accounts, by_key, member_wide[Check.NO_COMPROMISED_PASSWORD]),
        _recovery_email(accounts, by_key),
        _recovery_phone(accounts, by_key),
    )
    if not accounts:
        # The checks about business accounts cannot pass without one: they do not apply.
        applying = tuple(line for line in lines if line.check not in ACCOUNT_CHECKS)
        others = tuple(line for line in lines if line.check in ACCOUNT_CHECKS)
        return Checklist(member=member, accounts=(), lines=applying, not_applicable=others)
    # An open compromised-password alert is the most urgent thing a member can fix: always first.
    urgent = tuple(line for line in lines if _is_open_alert(line))
    ordered = urgent + tuple(line for line in lines if not _is_open_alert(line))
    return Checklist(member=member, accounts=tuple(accounts), lines=ordered)


def _strongest(sources: dict[Source, Evidence]) -> Evidence | None:
    """The platform outranks what the bot verified, which outranks what the member said."""
    for source in (Source.PLATFORM, Source.BOT, Source.SELF):
        if source in sources:
            return sources[source]
    return None


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
            explanation="No business accounts are on record for you yet.",
            fix=None,
        )
    account_lines = tuple(
        _two_step_account(account, by_key.get((Check.TWO_STEP, account.id), {}))
        for account in accounts
    )
    return _per_account(
        Check.TWO_STEP,
        account_lines,
        passing="On for every business account.",
        needs_action="Needs turning on: ",
        fix=Fix.REPORT_TWO_STEP,
    )


def _two_step_account(account: BusinessAccountRef, sources: dict[Source, Evidence]) -> AccountLine:
    platform, said = sources.get(Source.PLATFORM), sources.get(Source.SELF)
    if platform is not None:
        contradicted = said is not None and said.state is State.PASSING
        if platform.state is not State.PASSING and contradicted and said is not None:
            if said.observed_at > platform.observed_at:
                # Turned on after the platform's "off": only the platform's next report settles it.
                explanation = (
                    "Reported on" + _method(said) + "; waiting for the platform to confirm."
                )
                return AccountLine(
                    account,
                    State.UNKNOWN,
                    Source.SELF,
                    said.observed_at,
                    explanation,
                    pending_since=said.observed_at,
                )
            explanation = "Reported on, but the platform's later report says it is off."
        elif platform.state is State.PASSING:
            explanation = "On, as the platform reports" + _method(platform) + "."
        else:
            explanation = "Off, as the platform reports."
        return AccountLine(
            account, platform.state, platform.source, platform.observed_at, explanation
        )
    if said is not None:
        explanation = "On, self-reported" + _method(said) + "."
        return AccountLine(account, said.state, said.source, said.observed_at, explanation)
    return AccountLine(account, State.UNKNOWN, None, None, "Not confirmed yet.")


def _method(evidence: Evidence) -> str:
    raw = evidence.detail.get("method")
    try:
        return f" (with {METHOD_NAMES[TwoStepMethod(str(raw))]})"
    except ValueError:
        return ""


def _authenticator(evidence: Evidence | None) -> CheckLine:
    """Read from the check result the authenticator service writes, so no extra query is needed."""
    check, fix = Check.AUTHENTICATOR, Fix.LINK_AUTHENTICATOR
    if evidence is None:
        return CheckLine(check, State.NEEDS_ACTION, None, None, "Not linked yet.", fix)
    return _from_evidence(check, evidence, fix)


def _reported(
    check: Check, evidence: Evidence | None, missing: str, *, fix: Fix | None = None
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
    check = Check.STRONG_PASSWORD
    if not accounts:
        return _reported(
            check, _strongest(by_key.get((check, None), {})), _NOT_CHECKED, fix=Fix.CHECK_PASSWORDS
        )
    account_lines = []
    for account in accounts:
        evidence = _strongest(by_key.get((check, account.id), {}))
        if evidence is None:
            account_lines.append(AccountLine(account, State.UNKNOWN, None, None, _NOT_CHECKED))
        else:
            account_lines.append(
                AccountLine(
                    account, evidence.state, evidence.source, evidence.observed_at, _said(evidence)
                )
            )
    return _per_account(
        check,
        tuple(account_lines),
        passing="Meets the policy on every business account.",
        needs_action="Needs a new password: ",
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
    naming the accounts that need action (or, failing those, the ones not confirmed yet)."""
    states = {line.state for line in account_lines}
    pending_since = None
    if states == {State.PASSING}:
        state, explanation = State.PASSING, passing
    elif State.NEEDS_ACTION in states:
        state = State.NEEDS_ACTION
        names = [line.account.name for line in account_lines if line.state is State.NEEDS_ACTION]
        explanation = needs_action + ", ".join(names) + "."
    else:
        state = State.UNKNOWN
        unknown = [line for line in account_lines if line.state is State.UNKNOWN]
        waiting = [line for line in unknown if line.pending_since is not None]
        parts = []
        if len(waiting) < len(unknown):
            names = [line.account.name for line in unknown if line.pending_since is None]
            parts.append("Not confirmed yet for: " + ", ".join(names) + ".")
        if waiting:
            names = [line.account.name for line in waiting]
            parts.append("Waiting for the platform to confirm: " + ", ".join(names) + ".")
        explanation = " ".join(parts)
        if len(waiting) == len(unknown):
            pending_since = min(line.pending_since for line in waiting if line.pending_since)
    dated = [line for line in account_lines if line.observed_at is not None]
    newest = max(dated, key=lambda line: line.observed_at or line.account.id, default=None)
    return CheckLine(
        check=check,
        state=state,
        source=newest.source if newest else None,
        observed_at=newest.observed_at if newest else None,
        explanation=explanation,
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
    line = _reported(Check.NO_COMPROMISED_PASSWORD, evidence, "No report from the platform yet.")
    open_accounts = []
    for account in accounts:
        platform = by_key.get((Check.NO_COMPROMISED_PASSWORD, account.id), {}).get(Source.PLATFORM)
        if platform is not None and platform.state is State.NEEDS_ACTION:
            explanation = "Compromised: the platform recommends changing the password immediately."
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
    missing: str,
) -> tuple[AccountLine, ...]:
    """The accounts the platform reported on, for a check the member otherwise answers once."""
    lines = []
    for account in accounts:
        platform = by_key.get((check, account.id), {}).get(Source.PLATFORM)
        if platform is not None:
            said = "Set on the platform." if platform.state is State.PASSING else missing
            lines.append(
                AccountLine(account, platform.state, Source.PLATFORM, platform.observed_at, said)
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
        check, accounts, by_key, missing="The platform reports no recovery email."
    )
    if confirmed is None or confirmed.state is not State.PASSING:
        said = "Not confirmed yet." if confirmed is None else _said(confirmed)
        source = confirmed.source if confirmed else None
        observed_at = confirmed.observed_at if confirmed else None
        fix = Fix.CONFIRM_RECOVERY_EMAIL
        return CheckLine(check, State.NEEDS_ACTION, source, observed_at, said, fix, platform)
    lacking, newest = _lacking(platform) if platform else ("", None)
    if lacking and newest is not None:
        said = f"{_said(confirmed)} But the platform reports no recovery email on: {lacking}."
        return CheckLine(
            check, State.NEEDS_ACTION, Source.PLATFORM, newest.observed_at, said, None, platform
        )
    return CheckLine(
        check, State.PASSING, Source.BOT, confirmed.observed_at, _said(confirmed), None, platform
    )


def _recovery_phone(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    """A number the member gave (self-reported), outranked by what the platform reports."""
    check, fix = Check.RECOVERY_PHONE, Fix.REPORT_RECOVERY_PHONE
    said = by_key.get((check, None), {}).get(Source.SELF)
    given = "On record." if said is None or "note" not in said.detail else _said(said)
    platform = _platform_accounts(
        check, accounts, by_key, missing="The platform reports no recovery phone."
    )
    lacking, newest = _lacking(platform) if platform else ("", None)
    if newest is not None and lacking:
        explanation = f"The platform reports no recovery phone on: {lacking}."
        if said is not None and said.state is State.PASSING:
            explanation = (
                f"{given.removesuffix('.')} (self-reported), but the platform reports no "
                f"recovery phone on: {lacking}."
            )
        return CheckLine(
            check,
            State.NEEDS_ACTION,
            Source.PLATFORM,
            newest.observed_at,
            explanation,
            fix,
            platform,
        )
    if newest is not None:
        explanation = "On record, as the platform reports."
        return CheckLine(
            check, State.PASSING, Source.PLATFORM, newest.observed_at, explanation, None, platform
        )
    if said is None:
        return CheckLine(check, State.UNKNOWN, None, None, "Not on record yet.", fix)
    passing = said.state is State.PASSING
    return CheckLine(
        check, said.state, said.source, said.observed_at, given, None if passing else fix
    )


_NOT_CHECKED = "Not checked yet."


def _said(evidence: Evidence) -> str:
    words = {
        State.PASSING: "Passing",
        State.NEEDS_ACTION: "Needs action",
        State.UNKNOWN: "Unknown",
    }
    note = evidence.detail.get("note")
    return f"{words[evidence.state]}." if not isinstance(note, str) else note
