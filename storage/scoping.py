"""Every ORM statement limited to the workspace being served (storage/scope.py).

Listening on `Session` itself, not on one sessionmaker, so no session of the application can
miss it. SELECTs, UPDATEs and DELETEs that involve a workspace-scoped model get the criterion
on every occurrence of every scoped model (joins, subqueries, aliases, relationship loads);
inserts take the workspace from the column's default. With no workspace chosen a statement
on scoped models is refused. The hot path's prepared reads and Core statements on bare tables
do not pass through here: they name the workspace themselves (see storage/members.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from storage.base import WorkspaceScoped
from storage.scope import EVERY_WORKSPACE, NoWorkspace, current_workspace


def _touches_scoped(state: ORMExecuteState) -> bool:
    return any(issubclass(mapper.class_, WorkspaceScoped) for mapper in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _limit_to_workspace(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the criterion of the statement that loaded the object travels with it
    workspace = current_workspace()
    if workspace == EVERY_WORKSPACE:
        return
    if workspace is None:
        if _touches_scoped(state):
            raise NoWorkspace("a query on workspace data with no workspace being served")
        return
    if state.is_update and isinstance(state.parameters, list):
        # An UPDATE by primary key for many rows at once takes WHERE criteria, not loader options.
        model: Any = state.bind_mapper.class_ if state.bind_mapper else None
        if model is not None and issubclass(model, WorkspaceScoped):
            statement: Any = state.statement
            state.statement = statement.where(model.workspace_id == workspace).execution_options(
                synchronize_session=None
            )
        return
    state.statement = state.statement.options(_criterion(workspace))


def _criterion(workspace: str) -> Any:
    return with_loader_criteria(
        WorkspaceScoped, lambda model: model.workspace_id == workspace, include_aliases=True
    )


def limited(statement: Any) -> Any:
    """`statement` (an ORM-enabled SELECT run on a connection, outside the session's events)
    limited to the workspace being served, as the session would."""
    workspace = current_workspace()
    if workspace == EVERY_WORKSPACE:
        return statement
    if workspace is None:
        raise NoWorkspace("a query on workspace data with no workspace being served")
    return statement.options(_criterion(workspace))
