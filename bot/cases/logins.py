"""A `suspicious_login` alert asks the account's members "Was this you?".

"No" opens a case (or joins the account's open one); "Yes", after a fresh step-up code, closes
the alert. Either answer closes the question for everyone asked: their DMs say who answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.orm import Session

from bot.cases import login_views, opening
from bot.cases.model import CaseChange, ChargesSeen, Via
from bot.cases.records import STEP_UP_FIRST, Desk, Refused
from bot.core import audit
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import N_, _
from bot.core.words import account_label
from bot.platform.alerts import Recipient
from bot.platform.compromised import Role
from storage import alerts as alert_store
from storage import cases as case_store
from storage import members as member_store
from storage.models import Alert, AlertMessage, BusinessAccount

T = TypeVar("T")
KIND = "suspicious_login"
NOT_A_MEMBER = N_("Only the members of the business account can answer for it.")


@dataclass(frozen=True)
class LoginQuestion:
    """ "Was this you?" to each recipient: `render` builds it in the reader's language."""

    alert_key: int
    recipients: tuple[Recipient, ...]
    render: Callable[[], dict[str, Any]]

    @property
    def message(self) -> dict[str, Any]:
        return self.render()


class SentDm(NamedTuple):
    """Where a question went: the DM to update once it is answered."""

    channel: str
    ts: str


@dataclass(frozen=True)
class LoginAnswer:
    """What answering changed: the case a "No" opened or joined, and the DMs to update."""

    change: CaseChange | None
    dms: tuple[SentDm, ...]
    message: dict[str, Any]  # what those DMs say now


class SuspiciousLogins:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def question(self, platform_alert_id: str) -> LoginQuestion | None:
        """The DM to send for a newly accepted alert; None when nobody is to be asked (another
        kind of alert, already closed, or already asked)."""
        with self._desk.database.sessions() as session:
            alert = alert_store.alert_by_platform_id(session, platform_alert_id)
            if alert is None or alert.kind != KIND or alert.status != alert_store.OPEN:
                return None
            if alert_store.was_asked(session, alert.id):
                return None
            account = member_store.business_account(session, alert.business_account_id)
            people = alert_store.people_of_account(session, alert.business_account_id)
            recipients = tuple(
                Recipient(p.slack_user_id, Role.MEMBER) for p in people if p.slack_user_id
            )
            if account is None or not recipients:
                return None
            asked = partial(
                login_views.question_dm,
                alert.id, _label(account), alert.detected_at, alert.detail,
                business_account_id=account.id,
            )  # fmt: skip
            return LoginQuestion(alert.id, recipients, asked)

    def check_member(self, actor: str, alert_key: int) -> None:
        """Refuse (audited) anyone who is not a member of the account, before any step-up."""
        self._answer(actor, alert_key, lambda session, alert, account, now: None)

    def not_me(self, actor: str, alert_key: int) -> LoginAnswer:
        def answer(
            session: Session, alert: Alert, account: BusinessAccount, now: datetime
        ) -> LoginAnswer:
            if alert.status == alert_store.OPEN:
                _close(session, alert, now, actor, "not_me")
            said = f"Answered “not me” to a suspicious sign-in the platform saw: {alert.detail}"
            first = not _reported(session, alert.platform_alert_id)
            change = opening.open_or_join(
                session, self._desk, now, account, reporter=actor, via=Via.SUSPICIOUS_LOGIN,
                what_happened=said, charges_seen=ChargesSeen.UNSURE,
                platform_alert_id=alert.platform_alert_id if first else None,
            )  # fmt: skip
            message = login_views.answered_dm(_label(account), actor, case=change.case.number)
            return LoginAnswer(change, _dms(session, alert.id), message)

        return self._answer(actor, alert_key, answer)

    def was_me(self, actor: str, alert_key: int) -> LoginAnswer:
        def answer(
            session: Session, alert: Alert, account: BusinessAccount, now: datetime
        ) -> LoginAnswer | Refused:
            if not self._desk.fresh(actor):
                return Refused("no_fresh_step_up", _(STEP_UP_FIRST), step_up=True)
            if alert.status != alert_store.OPEN:
                raise InvalidInput(_(login_views.ALREADY_ANSWERED))
            _close(session, alert, now, actor, "confirmed")
            message = login_views.answered_dm(_label(account), actor, case=None)
            return LoginAnswer(None, _dms(session, alert.id), message)

        return self._answer(actor, alert_key, answer)

    def remember(self, alert_key: int, recipient: Recipient, channel: str, ts: str) -> None:
        with self._desk.database.sessions.begin() as session:
            session.add(
                AlertMessage(
                    alert_id=alert_key, slack_user_id=recipient.slack_user_id,
                    role=recipient.role.value, slack_channel=channel, slack_ts=ts,
                    sent_at=self._desk.clock.now(),
                )
            )  # fmt: skip

    def _answer(
        self,
        actor: str,
        alert_key: int,
        answer: Callable[[Session, Alert, BusinessAccount, datetime], T | Refused],
    ) -> T:
        now = self._desk.clock.now()
        with self._desk.database.sessions.begin() as session:
            alert = alert_store.alert_to_answer(session, alert_key)
            if alert is None or alert.kind != KIND:
                raise NotFound(_("That alert is no longer on record."))
            account = member_store.business_account(session, alert.business_account_id)
            member = member_store.member_by_slack_id(session, actor)
            if (
                account is None
                or member is None
                or not member_store.is_member_of(session, member.id, account.id)
            ):
                result: T | Refused = Refused("not_a_member", _(NOT_A_MEMBER))
            else:
                result = answer(session, alert, account, now)
            if not isinstance(result, Refused):
                return result
            error = result.audited(
                session, at=now, actor=actor, action="alerts.suspicious_login.refused",
                target=f"alert:{alert.platform_alert_id}",
            )  # fmt: skip
        raise error


def _reported(session: Session, platform_alert_id: str) -> bool:
    return case_store.report_of_alert(session, platform_alert_id) is not None


def _close(session: Session, alert: Alert, now: datetime, actor: str, reason: str) -> None:
    seconds = max(0, int((now - alert.detected_at).total_seconds()))
    alert_store.close(
        session, alert.id, at=now, reason=reason, by=actor, seconds_to_remediate=seconds
    )
    action = "alerts.suspicious_login." + ("denied" if reason == "not_me" else "confirmed")
    audit.record(
        session, at=now, actor=actor, action=action, target=f"alert:{alert.platform_alert_id}",
        business_account=alert.business_account_id,
    )  # fmt: skip


def _dms(session: Session, alert_key: int) -> tuple[SentDm, ...]:
    sent = alert_store.messages_of(session, [alert_key]).get(alert_key, [])
    return tuple(SentDm(m.slack_channel, m.slack_ts) for m in sent)


def _label(account: BusinessAccount) -> str:
    return account_label(account.platform, account.name, account.platform_account_id)
