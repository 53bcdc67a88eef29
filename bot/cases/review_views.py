"""The post-incident review of a resolved case: a message for its thread (times Slack shows in each
reader's zone) and the same review as a Markdown file (times in the reviewer's zone, people by
name). Pure builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.cases import money
from bot.cases.incident import CaseReview
from bot.cases.incident_views import platform_ticket, resolve_timer, severity_words, take_timer
from bot.cases.messages import MAY_DO
from bot.cases.model import OUTCOME_WORDS, ChargeView, TimelineEntry
from bot.cases.severity import STANDING_ICONS, Timer
from bot.cases.views import charge_totals, title
from bot.cases.wording import CHARGE_WORDS, KINDS, elapsed, person
from bot.core.blocks import Blocks, line_groups, mrkdwn, plain
from bot.core.i18n import _, moment
from bot.core.text import escape, shorten
from bot.core.words import account_label, slack_time

SECTION = 2900  # of Slack's 3,000 characters per section


@dataclass(frozen=True)
class ReviewFile:
    filename: str
    content: bytes
    title: str
    comment: str


def review_message(review: CaseReview) -> dict[str, Any]:
    """For the case's thread."""
    card = review.card
    heading = _("Post-incident review · {title}").format(title=title(card))
    blocks: Blocks = [
        {"type": "header", "text": plain(shorten(heading, 150))},
        {"type": "section", "text": mrkdwn(_summary(review, person, escape, slack_time))},
    ]
    ticket = platform_ticket(card)
    if ticket is not None:
        blocks.append({"type": "section", "text": mrkdwn(ticket)})
    lines = [_line(entry, person, escape, slack_time) for entry in review.timeline]
    for chunk in _chunks(_("*Timeline and actions*"), lines):
        blocks.append({"type": "section", "text": mrkdwn(chunk)})
    charges = [_charge(charge, person, escape) for charge in review.charges]
    if charges:
        charges.append(charge_totals(card))
    for chunk in _chunks(_("*Charges and reimbursements*"), charges or [_("none recorded")]):
        blocks.append({"type": "section", "text": mrkdwn(chunk)})
    blocks.append({"type": "section", "text": mrkdwn(_next_steps(review))})
    return {"text": heading, "blocks": blocks[:48]}


def review_file(review: CaseReview) -> ReviewFile:
    """The same review as Markdown, to keep outside Slack."""
    card = review.card

    def named(slack_id: str | None) -> str:
        if slack_id is None:
            return _("nobody yet")
        return review.names.get(slack_id) or person(slack_id)

    def when(at: datetime) -> str:
        return moment(at, review.zone)

    def plain_text(text: str, *, limit: int | None = None) -> str:
        flat = " ".join(text.split())
        return flat if limit is None else flat[:limit]

    heading = _("Post-incident review · {title}").format(title=title(card))
    label = account_label(
        card.account.platform, card.account.name, card.account.platform_account_id
    )
    parts = [
        f"# {heading}",
        "",
        label,
        "",
        _summary(review, named, plain_text, when).replace("*", "**"),
        "",
    ]
    if card.platform_reference:
        parts.append(_("Platform ticket: {reference}").format(reference=card.platform_reference))
        if card.platform_answer:
            answer = plain_text(card.platform_answer)
            parts.append(_("The platform answered: {answer}").format(answer=answer))
        parts.append("")
    timeline_heading = _("Timeline and actions")
    parts += [f"## {timeline_heading}", ""]
    parts += [f"- {_line(entry, named, plain_text, when)}" for entry in review.timeline]
    charges_heading = _("Charges and reimbursements")
    parts += ["", f"## {charges_heading}", ""]
    charges = [f"- {_charge(charge, named, plain_text)}" for charge in review.charges]
    parts += charges or [_("none recorded")]
    if charges:
        parts += ["", charge_totals(card)]
    next_heading = _("What the member should do next")
    parts += ["", f"## {next_heading}", "", _next_words(review), ""]
    return ReviewFile(
        filename=f"case-{card.number}-review.md",
        content="\n".join(parts).encode("utf-8"),
        title=heading,
        comment=_("The review of case #{number} as a Markdown file.").format(number=card.number),
    )


Who = Callable[[str | None], str]
Said = Callable[..., str]
When = Callable[[datetime], str]


def _summary(review: CaseReview, who: Who, said: Said, when: When) -> str:
    card = review.card
    outcome = _(OUTCOME_WORDS[card.outcome]) if card.outcome else _("not resolved")
    lines = [
        _("*Severity*: {severity}").format(severity=severity_words(card)),
        _("*Outcome*: {outcome}").format(outcome=outcome),
        _("*Handler*: {person}").format(person=who(card.handler)),
        _("*Opened*: {when}").format(when=when(card.opened_at)),
    ]
    if card.resolved_at is not None:
        lines.append(_("*Resolved*: {when}").format(when=when(card.resolved_at)))
    lines.append(_("*Time to take*: {clock}").format(clock=_clock(take_timer(card))))
    lines.append(_("*Time to resolve*: {clock}").format(clock=_clock(resolve_timer(card))))
    if card.resolution_summary:
        lines.append(
            _("*What we found*: {summary}").format(
                summary=said(card.resolution_summary, limit=1500)
            )
        )
    return "\n".join(lines)


def _clock(clock: Timer) -> str:
    if not clock.done:
        return _("{icon} not yet, {elapsed} so far (target {target})").format(
            icon=STANDING_ICONS[clock.standing],
            elapsed=elapsed(clock.took),
            target=elapsed(clock.target),
        )
    return _("{icon} {elapsed} (target {target})").format(
        icon=STANDING_ICONS[clock.standing],
        elapsed=elapsed(clock.took),
        target=elapsed(clock.target),
    )


def _line(entry: TimelineEntry, who: Who, said: Said, when: When) -> str:
    kind = KINDS.get(entry.kind)
    actor = who(entry.actor)
    what = _(kind).format(actor=actor) if kind else f"{actor} `{entry.kind}`"
    text = f": {said(entry.text, limit=300)}" if entry.text else ""
    return f"{when(entry.at)} · {what}{text}"


def _charge(charge: ChargeView, who: Who, said: Said) -> str:
    return _("{amount}: {description} · {status} · recorded by {person}").format(
        amount=money.said(charge.amount_minor, charge.currency),
        description=said(charge.description, limit=300),
        status=_(CHARGE_WORDS[charge.status]),
        person=who(charge.recorded_by),
    )


def _next_words(review: CaseReview) -> str:
    outcome = review.card.outcome
    return _(MAY_DO[outcome]) if outcome is not None else ""


def _next_steps(review: CaseReview) -> str:
    return _("*What the member should do next*\n{steps}").format(steps=_next_words(review))


def _chunks(heading: str, lines: list[str]) -> list[str]:
    """`heading` and the lines as a list, in as many sections as they need."""
    return line_groups([heading, *(f"• {line}" for line in lines)], SECTION)
