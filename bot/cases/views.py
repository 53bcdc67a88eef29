"""The case card (one parent message per case, edited in place), a claim's own thread message,
and the answers to `/security case list` and `/security case show`. Pure builders.

Everything people or the platform wrote (what happened, summaries, notes, descriptions, account
names) is escaped, so it can neither mention, link nor notify anyone.
"""

from __future__ import annotations

from typing import Any

from bot.cases import incident_views, money
from bot.cases.model import (
    OUTCOME_WORDS,
    AccountRef,
    CaseCard,
    CaseDetail,
    CaseList,
    ChargesSeen,
    ChargeStatus,
    ChargeView,
    PlatformAnswer,
    Status,
    Support,
)
from bot.cases.wording import (
    CHARGE_WORDS,
    KINDS,
    STATUS_ICONS,
    STATUS_INLINE,
    STATUS_WORDS,
    WHO_ACTS,
    WHO_ACTS_UNMANAGED,
    elapsed,
    person,
    role_words,
)
from bot.core.blocks import Blocks, line_groups, mrkdwn, plain
from bot.core.i18n import _, ngettext, number
from bot.core.ids import Action
from bot.core.text import escape, shorten
from bot.core.words import account_label, slack_time


def title(card: CaseCard) -> str:
    return _("Case #{number} · {account}").format(number=card.number, account=card.account.name)


def account_words(account: AccountRef) -> str:
    """ "TikTok for Business · Acme Shoes Ads (7012345)", escaped for mrkdwn."""
    label = account_label(account.platform, account.name, account.platform_account_id)
    return escape(label, limit=300)


def platform_words(card: CaseCard) -> str | None:
    """What came of the latest suspend or restore request, and who must act when nothing was
    sent: only what actually happened."""
    step = card.platform_step
    if step is None or (step.action == "suspend" and not card.access_suspended):
        return None
    suspend = step.action == "suspend"
    if step.answer is PlatformAnswer.CONFIRMED:
        if suspend:
            return _("Suspension requested from the platform; the platform confirmed the request.")
        return _(
            "Restoring access requested from the platform; the platform confirmed the request."
        )
    if step.answer is None:
        if suspend:
            return _("Suspension requested from the platform.")
        return _("Restoring access requested from the platform.")
    if suspend:
        text = _(
            "Suspension requested from the platform; recorded only, no platform connection is "
            "configured. {who} must suspend access on the platform by hand, or contact the "
            "platform."
        )
    else:
        text = _(
            "Restoring access requested from the platform; recorded only, no platform connection "
            "is configured. {who} must restore access on the platform by hand, or contact the "
            "platform."
        )
    return text.format(who=by_hand(card))


def by_hand(card: CaseCard) -> str:
    """Who acts on the platform itself when the bot can't: the handler, and the manager."""
    manager = card.account.manager if card.account.managed else None
    who = []
    if card.handler is not None:
        who.append(_("{person} (the case's handler)").format(person=person(card.handler)))
    if manager is not None and manager != card.handler:
        who.append(_("the account manager {person}").format(person=person(manager)))
    if not who:
        return _("Whoever takes the case")
    if len(who) == 1:
        return who[0]
    # Translators: two people, either of whom must act ("<handler> or the account manager <x>").
    return _("{first} or {second}").format(first=who[0], second=who[1])


def reported_by(card: CaseCard) -> str:
    """The real reporters; a case opened by command names its opener and their role."""
    people = [person(r) for r in card.reporters[:5]]
    if len(card.reporters) > 5:
        more = len(card.reporters) - 5
        people.append(ngettext("{count} more", "{count} more", more).format(count=number(more)))
    if len(people) > 1:
        # Translators: a list of people; {people} is comma-separated, {last} the last one.
        shown = _("{people} and {last}").format(people=", ".join(people[:-1]), last=people[-1])
    else:
        shown = "".join(people)
    if card.opened_by is not None:
        role, opener = role_words(card.opener_role), person(card.opened_by)
        if shown:
            shown = _("{reporters} · opened by {role} {person}").format(
                reporters=shown, role=role, person=opener
            )
        else:
            shown = _("Opened by {role} {person}").format(role=role, person=opener)
    return shown or _("nobody")


def charges_said(card: CaseCard) -> str | None:
    """A reporter's "there are charges I didn't make", kept in sight until charges are on record."""
    if card.charges_seen is not ChargesSeen.YES:
        return None
    if not card.totals:
        return _(
            "💳 Reporter says there are unauthorized charges: none recorded yet — press *Record "
            "a charge*."
        )
    return _("💳 Reporter says there are unauthorized charges.")


def support_words(support: Support) -> str:
    """How a reporter reaches the support team: SUPPORT_CONTACT, else its channel."""
    if support.contact:
        return _("the support team: {contact}").format(contact=escape(support.contact, limit=200))
    if support.channel:
        return _("the support team, in {channel}").format(channel=f"<#{support.channel}>")
    return _("the security admins")


def card_message(card: CaseCard) -> dict[str, Any]:
    account = card.account
    client = (
        _("Managed · account manager {person}").format(person=person(account.manager))
        if account.managed
        else _("Not managed · support team")
    )
    status = f"{STATUS_ICONS[card.status]} {_(STATUS_WORDS[card.status])}"
    if card.access_suspended and card.status is not Status.SUSPENDED:
        status += " · " + _("suspension requested")
    fields = [
        _("*Status*\n{status}").format(status=status),
        _("*Account*\n{account}").format(account=account_words(account)),
        _("*Client*\n{client}").format(client=client),
        _("*Reported by*\n{people}").format(people=reported_by(card)),
        _("*Handler*\n{person}").format(person=person(card.handler)),
        _("*Open*\n{since}").format(since=_open_for(card)),
        _("*Charges*\n{totals}").format(totals=charge_totals(card)),
        *incident_views.card_fields(card),
    ]
    blocks: Blocks = [
        {
            "type": "header",
            "text": plain(shorten(f"{STATUS_ICONS[card.status]} {title(card)}", 150)),
        },
        {"type": "section", "fields": [mrkdwn(field) for field in fields]},
    ]
    platform = platform_words(card)
    if platform is not None:
        answer = card.platform_step.answer if card.platform_step else None
        icon = "✅" if answer is PlatformAnswer.CONFIRMED else "⚠️"
        blocks.append({"type": "section", "text": mrkdwn(f"{icon} {platform}")})
    ticket = incident_views.platform_ticket(card)
    if ticket is not None:
        blocks.append({"type": "section", "text": mrkdwn(ticket)})
    said = charges_said(card)
    if said is not None:
        blocks.append({"type": "section", "text": mrkdwn(said)})
    blocks.append(
        {
            "type": "section",
            "text": mrkdwn(_("*What happened*\n{said}").format(said=_quoted(card.what_happened))),
        }
    )
    if card.outcome is not None:
        summary = escape(card.resolution_summary or "", limit=1500)
        outcome = _(OUTCOME_WORDS[card.outcome])
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    _("*Outcome: {outcome}*\n{summary}").format(outcome=outcome, summary=summary)
                ),
            }
        )
    buttons = card_buttons(card)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    who_acts = WHO_ACTS if account.managed else WHO_ACTS_UNMANAGED
    blocks.append({"type": "context", "elements": [mrkdwn(_(who_acts))]})
    # The fallback text is mrkdwn too (notifications, screen readers): escaped like the rest.
    text = _("Case #{number} · {account} · severity {severity}: {status}").format(
        number=card.number,
        account=escape(account.name, limit=150),
        status=_(STATUS_INLINE[card.status]),
        severity=incident_views.inline(incident_views.severity_of(card)),
    )
    return {"text": text, "blocks": blocks}


def card_buttons(card: CaseCard) -> list[dict[str, Any]]:
    """The buttons that fit the state; every one is checked again on the server when pressed."""
    value = str(card.number)
    ticket = _button(Action.CASE_TICKET, _("Platform ticket"), value)
    if card.status is Status.RESOLVED:
        reopen = [_button(Action.CASE_REOPEN, _("Reopen"), value)] if card.may_reopen else []
        return [*reopen, ticket]
    buttons = []
    if card.handler is None:
        buttons.append(_button(Action.CASE_TAKE, _("Take it"), value, "primary"))
    if not card.access_suspended:
        buttons.append(_button(Action.CASE_SUSPEND, _("Suspend account access"), value, "danger"))
    if card.status is not Status.INVESTIGATING:
        buttons.append(_button(Action.CASE_INVESTIGATE, _("Start investigating"), value))
    buttons.append(_button(Action.CASE_RECORD_CHARGE, _("Record a charge"), value))
    buttons.append(_button(Action.CASE_SEVERITY, _("Change severity"), value))
    buttons.append(ticket)
    buttons.append(_button(Action.CASE_RESOLVE, _("Resolve"), value))
    return buttons


def charge_totals(card: CaseCard) -> str:
    if not card.totals:
        return _("none recorded")
    lines = []
    for total in card.totals:
        lines.append(
            _("{claimed} claimed · {approved} approved · {reimbursed} reimbursed").format(
                claimed=money.said(total.claimed, total.currency),
                approved=money.said(total.approved, total.currency),
                reimbursed=money.said(total.reimbursed, total.currency),
            )
        )
    return "\n".join(lines)


def charge_message(charge: ChargeView, handler: str | None) -> dict[str, Any]:
    """A claim's own message in the case thread, with the buttons its state allows."""
    amount = money.said(charge.amount_minor, charge.currency)
    description = escape(charge.description, limit=500)
    status = _(CHARGE_WORDS[charge.status])
    lines = [
        _("💳 *Charge {amount}*: {description}").format(amount=amount, description=description),
        _("Recorded by {person} · {status}").format(
            person=person(charge.recorded_by), status=status
        ),
    ]
    if charge.approved_by:
        lines.append(_("Approved by {person}").format(person=person(charge.approved_by)))
    if charge.status is ChargeStatus.PROCESSED and charge.decided_by:
        lines.append(_("Marked reimbursed by {person}").format(person=person(charge.decided_by)))
    if charge.status is ChargeStatus.REJECTED:
        reason = escape(charge.rejection_reason or "", limit=500)
        lines.append(
            _("Rejected by {person}: {reason}").format(
                person=person(charge.decided_by), reason=reason
            )
        )
    blocks: Blocks = [{"type": "section", "text": mrkdwn("\n".join(lines))}]
    value = str(charge.id)
    buttons = []
    if charge.status is ChargeStatus.CLAIMED:
        buttons.append(_button(Action.CHARGE_APPROVE, _("Approve"), value, "primary"))
    if charge.status is ChargeStatus.APPROVED:
        buttons.append(_button(Action.CHARGE_PROCESSED, _("Mark reimbursed"), value, "primary"))
    if charge.status in (ChargeStatus.CLAIMED, ChargeStatus.APPROVED):
        buttons.append(_button(Action.CHARGE_REJECT, _("Reject"), value, "danger"))
        who = _(
            "Approval: a security admin or the account manager, anyone but the handler "
            "({handler}) or who recorded it."
        ).format(handler=person(handler))
        blocks.append({"type": "actions", "elements": buttons})
        blocks.append({"type": "context", "elements": [mrkdwn(who)]})
    text = _("Charge {amount}: {status}").format(amount=amount, status=status)
    return {"text": text, "blocks": blocks}


def case_list(found: CaseList) -> dict[str, Any]:
    if not found.cases:
        text = (
            _("There are no open cases you can see.")
            if not found.everything
            else _("No open cases.")
        )
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    if found.everything:
        heading, first = _("Open cases"), _("*Open cases*, newest first")
    else:
        heading, first = _("Open cases you can see"), _("*Open cases you can see*, newest first")
    lines = [first]
    for case in found.cases:
        # Translators: one line of `/security case list`; {client} is "managed" or "not managed".
        template = _(
            "{icon} *#{number}* {name} ({client}) · {status} · handler {handler} · opened {when}"
        )
        lines.append(
            template.format(
                icon=STATUS_ICONS[case.status],
                number=case.number,
                name=escape(case.account_name, limit=80),
                client=_("managed") if case.managed else _("not managed"),
                status=_(STATUS_INLINE[case.status]),
                handler=person(case.handler),
                when=slack_time(case.opened_at),
            )
        )
    older = found.total - len(found.cases)
    if older > 0:
        lines.append(
            ngettext("…and {count} older case.", "…and {count} older cases.", older).format(
                count=number(older)
            )
        )
    lines.append(_("`/security case show <number>` shows a case with its timeline."))
    text = "\n".join(lines)
    return {"text": heading, "blocks": [{"type": "section", "text": mrkdwn(shorten(text, 3000))}]}


def case_detail(detail: CaseDetail) -> dict[str, Any]:
    """The card without its buttons, then the timeline, oldest first."""
    card = card_message(detail.card)
    blocks = [block for block in card["blocks"] if block["type"] != "actions"][:-1]
    lines = []
    for entry in detail.timeline:
        said = f": {escape(entry.text, limit=300)}" if entry.text else ""
        actor = person(entry.actor)
        kind = KINDS.get(entry.kind)
        what = _(kind).format(actor=actor) if kind is not None else f"{actor} `{entry.kind}`"
        lines.append(f"• {slack_time(entry.at)} {what}{said}")
    first, *more = line_groups(lines, 2800) or [_("Nothing yet.")]
    text = _("*Timeline*\n{timeline}").format(timeline=first)
    blocks += [{"type": "section", "text": mrkdwn(shorten(group, 3000))} for group in [text, *more]]
    for charge in detail.charges[:10]:
        blocks.append(charge_message(charge, detail.card.handler)["blocks"][0])
    return {"text": card["text"], "blocks": blocks}


def _open_for(card: CaseCard) -> str:
    opened = slack_time(card.opened_at)
    if card.resolved_at is not None:
        return _("opened {when}, resolved after {elapsed}").format(
            when=opened, elapsed=elapsed(card.resolved_at - card.opened_at)
        )
    return _("since {when} ({elapsed})").format(
        when=opened, elapsed=elapsed(card.now - card.opened_at)
    )


def _quoted(text: str) -> str:
    escaped = escape(text, limit=1500) or _("_nothing written_")
    return "\n".join(f">{line}" for line in escaped.splitlines()) or ">"


def _button(action: Action, label: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action,
        "text": plain(label),
        "value": value,
    }
    if style:
        button["style"] = style
    return button
