"""Two workspaces with every kind of record, each made by the real services while serving its
workspace, and a snapshot of one workspace's rows, to show that nothing of it changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyotp
from sqlalchemy import select

from bot.campaigns.service import Proposal
from bot.cases.model import ChargesSeen
from bot.core.clock import FakeClock
from bot.core.secure_links import LinkPurpose
from bot.nudges.service import Reason
from bot.services import Services
from bot.workspaces.service import Install
from handlers.slack.case_slack import publish
from sandbox.slack_standin import SlackStandIn
from storage.case_models import Case, CaseCharge
from storage.database import Database
from storage.models import Alert, BusinessAccount, Member, Membership
from storage.nudge_models import NudgeItem, NudgeOutbox
from storage.schema import Base
from storage.scope import every_workspace, serving
from wiring import build_client

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class People:
    admin: str  # a security admin of the workspace (SECURITY_ADMINS names every workspace's)
    member: str  # works on the business account
    manager: str  # the account's manager


@dataclass(frozen=True)
class Seeded:
    """One workspace's ids, as a forged request from another workspace would name them."""

    team: str
    people: People
    email: str  # the member's
    account: int  # the business account's id
    platform_account: str  # its id on the platform
    case: int  # a case's number
    charge: int  # a charge recorded on it
    card: tuple[str, str]  # the case card's channel and ts: its thread
    alert: int  # a compromised-password alert's id
    login_alert: int  # a suspicious sign-in's alert id
    reminder: int  # a reminder in the outbox (its id: what the snooze menu carries)
    nudge_item: int  # an open reminder item
    link: str  # a one-time page's URL (the password check)
    authenticator_secret: str  # the admin's authenticator, linked to the bot
    exemption: int  # an exemption request waiting for the account manager
    campaign: int  # a running campaign's number


def _people(
    database: Database, clock: FakeClock, standin: SlackStandIn, team: str, **who: str
) -> None:
    with database.sessions.begin() as session:
        for name, user in who.items():
            email = f"{name}@{team.lower()}.example"
            session.add(
                Member(
                    slack_user_id=user,
                    team_id=team,
                    email=email,
                    display_name=name.title(),
                    time_zone="Europe/Berlin",
                    profile_refreshed_at=clock.now(),
                    created_at=clock.now(),
                )
            )
            standin.add_user(user, email=email, real_name=name.title(), team_id=team)


def _account(database: Database, clock: FakeClock, team: str, platform_id: str) -> int:
    with database.sessions.begin() as session:
        members = {m.display_name: m for m in session.scalars(select(Member))}
        row = BusinessAccount(
            platform_account_id=platform_id,
            platform="tiktok_business",
            name=f"{team} Ads",
            managed=True,
            account_manager_id=members["Manager"].id,
            created_at=clock.now(),
        )
        session.add(row)
        session.flush()
        session.add(Membership(member_id=members["Member"].id, business_account_id=row.id))
        return row.id


def _document(team: str, **fields: Any) -> bytes:
    return json.dumps({"team_id": team, "detected_at": "2026-11-24T09:00:00Z", **fields}).encode()


def seed(
    services: Services,
    database: Database,
    clock: FakeClock,
    standin: SlackStandIn,
    team: str,
    people: People,
    platform_id: str,
) -> Seeded:
    """Every kind of record the bot keeps, in `team`, made as its members would make them."""
    services.workspaces.installed(Install(team, None, False, f"Workspace {team}", people.admin))
    if team != standin.team_id:
        standin.add_workspace(team, name=f"Workspace {team}")
    with serving(team):
        _people(
            database, clock, standin, team,
            admin=people.admin, member=people.member, manager=people.manager,
        )  # fmt: skip
        email = f"member@{team.lower()}.example"
        account = _account(database, clock, team, platform_id)
        secret = services.authenticator.begin(people.admin).secret
        services.authenticator.confirm(people.admin, pyotp.TOTP(secret).at(clock.now()))
        member_secret = services.authenticator.begin(people.member).secret
        services.authenticator.confirm(people.member, pyotp.TOTP(member_secret).at(clock.now()))
        services.self_reports.two_step_turned_on(people.member, account, "sms")
        services.recovery_email.request_code(people.member, f"backup@{team.lower()}.example")
        services.recovery_phone.record(people.member, "+49 151 23456789")
        link = services.secure_links.issue(people.member, LinkPurpose.PASSWORD_CHECK)
        services.secure_links.issue(people.member, LinkPurpose.RECOVERY_CODES)
        services.alerts.receive(
            _document(
                team,
                id=f"{team}-pw",
                kind="compromised_password",
                account_id=platform_id,
                member_email=email,
                detail="in a dump",
            )
        )
        services.alerts.receive(
            _document(
                team,
                id=f"{team}-login",
                kind="suspicious_login",
                account_id=platform_id,
                member_email=email,
                detail="from elsewhere",
            )
        )
        services.posture.receive(
            _document(
                team,
                id=f"{team}-posture",
                account_id=platform_id,
                member_email=email,
                two_step=False,
                reported_at="2026-11-24T09:30:00Z",
            )
        )
        change = services.cases.report(
            people.member, account, f"{team} ads I never made", ChargesSeen.YES
        )
        publish(build_client(services.settings), services, change)
        number = change.case.number
        services.cases.charges.record(people.manager, number, "10", "EUR", "Ads")
        card = services.cases.card(number).case
        assert card.channel is not None and card.card_ts is not None
        services.cases.notes.note(
            card.channel, card.card_ts, "1795510900.000100", people.admin, "On it"
        )
        exemption = services.exemptions.request(
            people.member, "strong_password", account, "shared with the agency", date(2027, 1, 31)
        ).exemption.id
        campaign = services.campaigns.start(
            people.admin,
            Proposal("two_step", "everyone", None, None, date(2027, 1, 29), f"{team} Ads by Jan"),
        ).id
        services.nudges.exclude(people.admin, people.manager, Reason.SERVICE_ACCOUNT)
        clock.advance(timedelta(hours=1))
        services.nudges.sweep()
        services.stats.build()
        with database.sessions() as session:
            charge = session.scalars(select(CaseCharge.id)).one()
            alerts = dict(
                (kind, id_) for kind, id_ in session.execute(select(Alert.kind, Alert.id))
            )
            reminder = session.scalars(select(NudgeOutbox.id).order_by(NudgeOutbox.id)).first()
            item = session.scalars(select(NudgeItem.id).order_by(NudgeItem.id)).first()
            assert session.scalars(select(Case.id)).all()
        assert reminder is not None and item is not None, "the sweep left no reminder"
    return Seeded(
        team=team,
        people=people,
        email=email,
        account=account,
        platform_account=platform_id,
        case=number,
        charge=charge,
        card=(card.channel, card.card_ts),
        alert=alerts["compromised_password"],
        login_alert=alerts["suspicious_login"],
        reminder=reminder,
        nudge_item=item,
        link=link.url,
        authenticator_secret=secret,
        exemption=exemption,
        campaign=campaign,
    )


def rows_of(database: Database, team: str) -> Rows:
    """Every row of `team` in every workspace table, in a stable order."""
    found: Rows = {}
    with every_workspace(), database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if "workspace_id" not in table.c:
                continue
            statement = select(table).where(table.c.workspace_id == team)
            found[table.name] = sorted(
                (tuple(row) for row in connection.execute(statement)), key=repr
            )
    return found


def changed(before: Rows, after: Rows) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per table: the rows gone and the rows new (a changed row is both)."""
    differences = {}
    for name in before:
        gone = [row for row in before[name] if row not in after[name]]
        new = [row for row in after[name] if row not in before[name]]
        if gone or new:
            differences[name] = (gone, new)
    return differences
