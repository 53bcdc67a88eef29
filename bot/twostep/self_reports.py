"""What members tell the bot about their business accounts: weaker evidence, always audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.checklist.evidence import self_reported
from bot.checklist.members import business_accounts_of, member_for
from bot.checklist.model import BusinessAccountRef, Check, TwoStepMethod
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.i18n import _
from storage import members as member_store
from storage.database import Database


class SelfReports:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def accounts_to_report(self, slack_user_id: str) -> list[BusinessAccountRef]:
        """The member's business accounts, for the "I've turned it on" form."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                return []
            return business_accounts_of(session, member.id)

    def two_step_turned_on(self, slack_user_id: str, business_account_id: int, method: str) -> None:
        """Record the member's word that 2SV is on; the platform's report, when it comes, outranks it."""
        try:
            chosen = TwoStepMethod(method)
        except ValueError:
            raise InvalidInput(_("Please choose the verification method you turned on.")) from None
        now = self._clock.now()
        account = business_account_id
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            if not member_store.is_member_of(session, member.id, account):
                _record(session, now, slack_user_id, "twostep.self_report.refused", account)
                refusal = NotAllowed(_("You can only report on business accounts you work on."))
            else:
                detail = {"method": chosen.value}
                self_reported(member.id, Check.TWO_STEP, now, detail, account).save(session)
                _record(session, now, slack_user_id, "twostep.self_reported", account, **detail)
                return
        raise refusal


def _record(
    session: Session, at: datetime, member: str, action: str, account: int, **details: str
) -> None:
    """A member's report about a business account, audited against that account."""
    target = f"business_account:{account}"
    audit.record(session, at=at, actor=member, action=action, target=target, **details)
