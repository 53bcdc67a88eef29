"""What members tell the bot about their business accounts: weaker evidence, always audited."""

from __future__ import annotations

from bot.checklist.members import business_accounts_of, member_for
from bot.checklist.model import BusinessAccountRef, Check, Source, State, TwoStepMethod
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed
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
            raise InvalidInput("Please choose the verification method you turned on.") from None
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            if not member_store.is_member_of(session, member.id, business_account_id):
                audit.record(
                    session,
                    at=now,
                    actor=slack_user_id,
                    action="twostep.self_report.refused",
                    target=f"business_account:{business_account_id}",
                )
                refusal = NotAllowed("You can only report on business accounts you work on.")
            else:
                member_store.save_check_result(
                    session,
                    member_id=member.id,
                    check=Check.TWO_STEP,
                    business_account_id=business_account_id,
                    source=Source.SELF,
                    state=State.PASSING,
                    observed_at=now,
                    detail={"method": chosen.value},
                )
                audit.record(
                    session,
                    at=now,
                    actor=slack_user_id,
                    action="twostep.self_reported",
                    target=f"business_account:{business_account_id}",
                    method=chosen.value,
                )
                return
        raise refusal
