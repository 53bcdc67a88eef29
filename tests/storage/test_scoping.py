"""Every ORM statement on workspace data is limited to the workspace being served, and refused
when none is (storage/scoping.py), on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from bot.core.clock import FakeClock
from storage.database import Database
from storage.models import Member
from storage.scope import NoWorkspace, every_workspace, serving, unserved


def _add(database: Database, clock: FakeClock, workspace: str, *users: str) -> None:
    with serving(workspace), database.sessions.begin() as session:
        for user in users:
            session.add(
                Member(
                    slack_user_id=user,
                    team_id=workspace,
                    email=f"{user.lower()}@example.com",  # the same email in both: per workspace
                    display_name=user,
                    created_at=clock.now(),
                )
            )


def _names_by_workspace(database: Database) -> dict[str, list[str | None]]:
    with every_workspace(), database.sessions() as session:
        rows = session.execute(
            select(Member.workspace_id, Member.display_name).order_by(Member.slack_user_id)
        )
        found: dict[str, list[str | None]] = {}
        for workspace, name in rows:
            found.setdefault(workspace, []).append(name)
        return found


@pytest.fixture
def two_workspaces(database: Database, clock: FakeClock) -> Database:
    _add(database, clock, "T0ALPHA", "U0ANA", "U0RAJ")
    _add(database, clock, "T0BRAVO", "U0ANA", "U0BEN")
    return database


def test_reading_workspace_data_with_no_workspace_served_is_refused(
    two_workspaces: Database,
) -> None:
    with unserved(), two_workspaces.sessions() as session:
        with pytest.raises(NoWorkspace):
            session.scalars(select(Member)).all()
        with pytest.raises(NoWorkspace):
            session.execute(update(Member).values(display_name="x"))
        with pytest.raises(NoWorkspace):
            session.execute(delete(Member))
        with pytest.raises(NoWorkspace):
            session.get(Member, 1)


def test_a_read_sees_only_the_served_workspace_even_by_primary_key(
    two_workspaces: Database,
) -> None:
    with every_workspace(), two_workspaces.sessions() as session:
        bravo_ids = session.scalars(select(Member.id).where(Member.workspace_id == "T0BRAVO")).all()

    with serving("T0ALPHA"), two_workspaces.sessions() as session:
        names = session.scalars(select(Member.display_name).order_by(Member.id)).all()
        counted = session.scalar(select(func.count()).select_from(Member))
        by_key = [session.get(Member, member_id) for member_id in bravo_ids]

    assert names == ["U0ANA", "U0RAJ"] and counted == 2
    assert by_key == [None, None]


def test_an_update_or_delete_without_a_filter_touches_only_the_served_workspace(
    two_workspaces: Database,
) -> None:
    with serving("T0ALPHA"), two_workspaces.sessions.begin() as session:
        session.execute(update(Member).values(display_name="renamed"))
    with serving("T0BRAVO"), two_workspaces.sessions.begin() as session:
        session.execute(delete(Member).where(Member.slack_user_id == "U0ANA"))

    assert _names_by_workspace(two_workspaces) == {
        "T0ALPHA": ["renamed", "renamed"],
        "T0BRAVO": ["U0BEN"],
    }


def test_a_bulk_update_by_primary_key_cannot_reach_another_workspace(
    two_workspaces: Database,
) -> None:
    with every_workspace(), two_workspaces.sessions() as session:
        every_id = session.scalars(select(Member.id)).all()

    with serving("T0ALPHA"), two_workspaces.sessions.begin() as session:
        session.execute(
            update(Member), [{"id": member_id, "display_name": "bulk"} for member_id in every_id]
        )

    assert _names_by_workspace(two_workspaces) == {
        "T0ALPHA": ["bulk", "bulk"],
        "T0BRAVO": ["U0ANA", "U0BEN"],
    }
