"""`/security stats` and the Home tab's security overview through the real Bolt app: security
admins see the figures (names escaped, within Block Kit's limits), everyone else a polite refusal
and nothing more."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_blocks, validate_view
from storage import members as member_store
from storage.exemption_models import Exemption
from storage.models import AuditRecord
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of


def workspace(services: Services, member: MemberFactory, account: AccountFactory) -> None:
    """Ana, Raj and an account manager whose name would break mrkdwn; a sweep counted them."""
    ana, raj = member("U0ANA", name="Ana"), member("U0RAJ", name="Raj")
    dana = member("U0DANA", name="<!channel> Dana & <b>Co</b>")
    member(ADMIN, name="Sam")
    shop = account("Acme Shoes Ads", members=[ana, raj], manager=dana)
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=raj.id,
            check=Check.TWO_STEP,
            business_account_id=shop.id,
            source="platform",
            state=State.PASSING,
            observed_at=services.clock.now(),
            detail={},
        )
    services.nudges.sweep()


def stats_answer(slack: Slack) -> dict[str, Any]:
    """The figures the lazy listener sent to the command's response_url."""
    posts = slack.standin.wait_for(slack.standin.response_url_posts)
    [answer] = posts
    return answer


def test_a_security_admin_gets_the_figures_after_a_short_acknowledgement(
    slack: Slack, services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    workspace(services, member, account)

    acknowledged = slack.command(ADMIN, "stats")

    assert acknowledged["text"] == "Gathering the figures…"
    answer = stats_answer(slack)
    assert answer["replace_original"] is True and answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"], surface="message") == []
    shown = text_of(answer["blocks"])
    assert "*4 members in scope*" in shown
    # Dana (their account manager) and Sam work on no business account: 2SV is Ana's and Raj's.
    assert "2-step verification on each business account: *50%* (1 of 2)" in shown
    assert "<@U0DANA>: 0 of 2 members" in shown  # Slack shows the manager's name
    assert "<!channel>" not in shown and "<b>" not in shown
    assert "Reminders sent:" in shown and "Median time from first reminder to fix" in shown
    with services.database.sessions() as session:
        actions = session.scalars(select(AuditRecord.action)).all()
    assert actions == ["stats.viewed"]


def test_anyone_else_is_refused_politely_and_shown_nothing(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    workspace(services, member, account)
    member("U0NEW", profile_fresh=False)  # so the lazy listener ends with a users.info call

    refused = slack.command("U0NEW", "stats")

    assert refused["text"] == "Only security admins can see the security statistics."
    assert "blocks" in refused and "Dana" not in text_of(refused["blocks"])
    standin.wait_for(lambda: standin.calls("users.info"))  # the lazy listener has finished
    assert standin.response_url_posts() == []
    with services.database.sessions() as session:
        audited = session.execute(select(AuditRecord.actor, AuditRecord.action)).all()
    assert [tuple(row) for row in audited] == [("U0NEW", "stats.view.refused")]


def test_stats_with_no_sweep_yet_still_answers(slack: Slack, member: MemberFactory) -> None:
    member(ADMIN)
    slack.command(ADMIN, "stats")
    shown = text_of(stats_answer(slack)["blocks"])
    assert "No full reminder sweep has counted adoption yet" in shown
    assert "No business account has an account manager on record" in shown


def test_help_lists_stats(slack: Slack) -> None:
    assert "`/security stats`" in text_of(slack.command("U0ANA", "help")["blocks"])


def test_a_security_admins_home_has_the_overview_and_nobody_elses_has(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    workspace(services, member, account)

    slack.send(payloads.app_home_opened(ADMIN))
    slack.send(payloads.app_home_opened("U0ANA"))

    admin_home = standin.wait_for(lambda: standin.published_view(ADMIN))
    member_home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    assert validate_view({k: admin_home[k] for k in ("type", "blocks")}) == []
    shown = text_of(admin_home["blocks"])
    assert shown.index("Security overview") < shown.index("Your security checklist")
    assert "*4 members in scope*" in shown and "This week: 0 reminders sent" in shown
    assert "2-step verification on each business account: *50%*" in shown
    assert "Security overview" not in text_of(member_home["blocks"])
    assert "members in scope" not in text_of(member_home["blocks"])
    assert "Your security checklist" in text_of(member_home["blocks"])


def test_a_fix_from_the_home_tab_keeps_the_admins_overview(
    slack: Slack, standin: SlackStandIn, services: Services, member: MemberFactory
) -> None:
    member(ADMIN)
    slack.press(ADMIN, "refresh_status", from_home=True)
    home = standin.wait_for(lambda: standin.published_view(ADMIN))
    assert "Security overview" in text_of(home["blocks"])


def test_the_figures_per_business_account_and_platform(
    slack: Slack, services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    """Acme Shoes Ads has one member the platform has not confirmed (Ana), Bolt Ads has only
    Raj (confirmed); Dora's Meta Business shop lacks 2-step verification under an exemption."""
    workspace(services, member, account)
    raj, dora = member("U0RAJ2", name="Raj"), member("U0DORA", name="Dora")
    bolt = account("Bolt Ads", members=[raj])
    shop = account("Dora Shop", members=[dora], platform="meta_business")
    now = services.clock.now()
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=raj.id, check="two_step", business_account_id=bolt.id,
            source="platform", state="passing", observed_at=now, detail={},
        )  # fmt: skip
        member_store.save_check_result(
            session, member_id=dora.id, check="two_step", business_account_id=shop.id,
            source="platform", state="needs_action", observed_at=now, detail={},
        )  # fmt: skip
        session.add(
            Exemption(
                member_id=dora.id, business_account_id=shop.id, check="two_step",
                reason="Agency holds it", ends_at=now + timedelta(days=30), status="approved",
                requested_at=now, decided_by=ADMIN, decided_at=now,
            )
        )  # fmt: skip

    slack.command(ADMIN, "stats")
    shown = text_of(stats_answer(slack)["blocks"])
    assert "*Per business account*" in shown
    assert (
        "• *All platforms*: 2SV confirmed on 1 of 3 accounts (33%), 1 more exempt · a recent "
        "password check on 0 (0%) · recovery confirmed on 0 (0%)"
    ) in shown
    assert "• *Meta Business*: 2SV confirmed on 0 of 1 account (0%), 1 more exempt" in shown
    assert "• *TikTok for Business*: 2SV confirmed on 1 of 2 accounts (50%) · " in shown

    slack.send(payloads.app_home_opened(ADMIN))
    home = text_of(slack.standin.wait_for(lambda: slack.standin.published_view(ADMIN))["blocks"])
    assert (
        "TikTok for Business: of 2 business accounts, 2SV confirmed on 50%, a recent password "
        "check on 0%, recovery confirmed on 0%"
    ) in home
