"""Suspend and restore requests for a case's business account: built from the case, sent
through the platform hook, and audited whether the platform confirmed or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases import records
from bot.cases.model import PlatformAnswer, PlatformUnavailable
from bot.cases.platform import PlatformAction, PlatformHook, PlatformRequest
from bot.cases.records import Desk
from bot.core.errors import NotFound
from bot.core.i18n import _
from storage import members as member_store
from storage.case_models import Case


def request_for(
    session: Session, case: Case, actor: str, now: datetime, action: PlatformAction
) -> PlatformRequest:
    account = member_store.business_account(session, case.business_account_id)
    if account is None:
        raise NotFound(
            _("The business account of case #{number} is gone from the directory.").format(
                number=case.id
            )
        )
    return PlatformRequest(
        # Stable while the case is unchanged, so a retried request carries the same id.
        id=f"case-{case.id}-{action.value}-{int(case.last_update_at.timestamp())}",
        action=action,
        platform=account.platform,
        account_id=account.platform_account_id,
        case_number=case.id,
        requested_by=actor,
        requested_at=now,
        reason=f"compromise case #{case.id}",
    )


def send(desk: Desk, hook: PlatformHook, actor: str, request: PlatformRequest) -> PlatformAnswer:
    """Outside any transaction: the platform may take seconds to answer. Says what came of the
    request: confirmed by the platform, or recorded only (no platform connection)."""
    details = {"request": request.id, "platform_action": request.action.value}
    try:
        hook.send(request)
    except PlatformUnavailable:
        with desk.database.sessions.begin() as session:
            records.record(
                session, desk.clock.now(), actor, "cases.platform.failed",
                request.case_number, **details,
            )  # fmt: skip
        raise
    answer = PlatformAnswer.CONFIRMED if hook.connected else PlatformAnswer.RECORDED
    with desk.database.sessions.begin() as session:
        records.record(
            session, desk.clock.now(), actor, "cases.platform.requested", request.case_number,
            platform=request.platform, account=request.account_id, answer=answer.value,
            **details,
        )  # fmt: skip
    return answer
