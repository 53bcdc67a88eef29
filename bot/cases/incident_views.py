"""What the card says of a case as an incident (its severity, its clocks against the targets, the
platform's ticket and answer), and the thread lines of those changes. Pure builders; what people
wrote is escaped."""

from __future__ import annotations

from bot.cases.model import CaseCard
from bot.cases.severity import (
    SEVERITY_ICONS,
    SEVERITY_INLINE,
    SEVERITY_WORDS,
    STANDING_ICONS,
    TARGETS,
    Severity,
    Target,
    Timer,
    timer,
)
from bot.cases.wording import elapsed, person
from bot.core.i18n import N_, _
from bot.core.text import escape

SEVERITY_USAGE = N_(
    "Use `/security case severity <number> <critical|high|medium|low> <reason>`, for example "
    "`/security case severity 12 critical charges confirmed on the card`."
)
TICKET_USAGE = N_(
    "Use `/security case ticket <number> <reference> [what the platform answered]`, for example "
    "`/security case ticket 12 TT-4711 appeal received, review within 48 h`."
)


def severity_of(card: CaseCard) -> Severity:
    return Severity(card.severity)


def severity_words(card: CaseCard) -> str:
    """ "🟥 Critical", and who set it when it was set by hand."""
    chosen = severity_of(card)
    shown = f"{SEVERITY_ICONS[chosen]} {_(SEVERITY_WORDS[chosen])}"
    if card.severity_set_by is not None:
        shown += " · " + _("set by {person}").format(person=person(card.severity_set_by))
    return shown


def target_of(card: CaseCard) -> Target:
    """The targets of the case's severity in its workspace (the defaults on a card without)."""
    return card.target if card.target is not None else TARGETS[severity_of(card)]


def take_timer(card: CaseCard) -> Timer:
    return timer(card.opened_at, card.taken_at, card.now, target_of(card).take)


def resolve_timer(card: CaseCard) -> Timer:
    return timer(card.opened_at, card.resolved_at, card.now, target_of(card).resolve)


def clocks(card: CaseCard) -> str:
    """Two lines: time to take and time to resolve, each against its target, marked 🟢 🟠 🔴."""
    return take_clock(card) + "\n" + resolve_clock(card)


def take_clock(card: CaseCard) -> str:
    """ "🔴 Not taken for 45 min (target 15 min)": the clock against the workspace's target."""
    clock = take_timer(card)
    if clock.done:
        text = _("Taken after {elapsed} (target {target})")
    else:
        text = _("Not taken for {elapsed} (target {target})")
    return _marked(clock, text)


def resolve_clock(card: CaseCard) -> str:
    clock = resolve_timer(card)
    if clock.done:
        text = _("Resolved after {elapsed} (target {target})")
    else:
        text = _("Not resolved for {elapsed} (target {target})")
    return _marked(clock, text)


def _marked(clock: Timer, text: str) -> str:
    said = text.format(elapsed=elapsed(clock.took), target=elapsed(clock.target))
    return f"{STANDING_ICONS[clock.standing]} {said}"


def card_fields(card: CaseCard) -> list[str]:
    """The card's fields about the incident, beside status, account and people."""
    return [
        _("*Severity*\n{severity}").format(severity=severity_words(card)),
        _("*Targets*\n{clocks}").format(clocks=clocks(card)),
    ]


def platform_ticket(card: CaseCard) -> str | None:
    """The platform's ticket or appeal reference, and what the platform answered."""
    if card.platform_reference is None:
        return None
    text = _("🎫 *Platform ticket* {reference}").format(
        reference=f"`{escape(card.platform_reference, limit=200)}`"
    )
    if card.platform_answer:
        answer = escape(card.platform_answer, limit=1500)
        text += "\n" + _("The platform answered: {answer}").format(answer=answer)
    return text


def inline(chosen: Severity) -> str:
    return _(SEVERITY_INLINE[chosen])
