"""Data kept before workspaces existed joins the single workspace at its first start."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.services import Services
from bot.workspaces.service import Install
from storage.models import Member
from storage.scope import every_workspace, serving
from tests.conftest import MemberFactory


def test_rows_without_a_workspace_join_the_token_workspace_once_and_audited(
    services: Services, member: MemberFactory
) -> None:
    member("U0ANA")
    member("U0RAJ")
    with services.database.engine.begin() as connection:  # as migration 0010 left older rows
        connection.execute(text("UPDATE members SET workspace_id = ''"))
    with serving("T0NEW"):
        assert _members_seen(services) == 0  # not this workspace's yet

    install = Install(team_id="T0NEW", enterprise_id=None, enterprise_install=False, name="New")
    services.workspaces.configured(install)
    services.workspaces.configured(install)  # a second start adopts nothing more

    with every_workspace(), services.database.engine.connect() as connection:
        owners = connection.execute(text("SELECT DISTINCT workspace_id FROM members")).all()
        adopted = connection.execute(
            text("SELECT details FROM audit_records WHERE action = 'workspace.adopted'")
        ).all()
    assert owners == [("T0NEW",)]
    assert len(adopted) == 1
    with serving("T0NEW"):
        assert _members_seen(services) == 2


def _members_seen(services: Services) -> int:
    with services.database.sessions() as session:
        return len(session.scalars(select(Member)).all())
