"""SQL statements per `/security status`, counted at the database driver of the services' engine.

At the driver, not through SQLAlchemy's events: the status reads run on the driver's cursor
(storage/prepared.py), where those events never fire (storage/tracing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import event

import wiring
from bot.core.clock import SystemClock
from bot.core.config import Settings
from storage.scope import serving
from storage.tracing import driver_statements, queries


class NothingCounted(RuntimeError):
    """A status call that ran no statement the counter saw: the count cannot be trusted."""


@dataclass(frozen=True)
class Count:
    label: str
    members: int
    accounts_of_member: int
    statements: int
    sql: tuple[str, ...]
    # On a database server each of these is a round trip too: outside autocommit, the BEGIN
    # psycopg sends before the first statement and the ROLLBACK with which the pool resets a
    # returned connection; the liveness ping on checkout (pool_pre_ping). Not in `statements`.
    transaction_commands: int
    pings: int

    @property
    def round_trips(self) -> int:
        return self.statements + self.transaction_commands + self.pings


def count_status_statements(
    url: str, members: int, subjects: list[tuple[str, str, int]], workspace: str = "T0STANDIN"
) -> list[Count]:
    """For each (label, slack user id, accounts of that member): statements of one status call.

    One call first warms the connection pool, so connecting is not counted as serving.
    """
    settings = Settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        database_url=url,
        security_bot_keys=(Fernet.generate_key().decode(),),
    )
    services = wiring.build(settings, SystemClock())
    engine = services.database.reads  # the engine of the status reads
    server = engine.dialect.name != "sqlite"
    pinging = bool(getattr(engine.pool, "_pre_ping", False))
    checkouts: list[bool] = []  # whether each connection checked out was in autocommit
    listeners: list[tuple[Any, str, Any]] = [
        (
            engine.pool,
            "checkout",
            lambda dbapi, *_: checkouts.append(getattr(dbapi, "autocommit", False) is True),
        ),
    ]
    try:
        with serving(workspace):
            services.members.status(subjects[0][1])
        for target, name, listener in listeners:
            event.listen(target, name, listener)
        counts = []
        for label, slack_user_id, accounts in subjects:
            checkouts.clear()
            with serving(workspace), driver_statements(engine) as seen:
                status = services.members.status(slack_user_id)
            assert len(status.checklist.accounts) == accounts, (label, status.checklist.accounts)
            sql = queries(seen)
            if not sql:
                raise NothingCounted(f"{label}: no statement seen at the driver")
            in_transaction = sum(not autocommit for autocommit in checkouts)
            transaction = len(seen) - len(sql) + (2 * in_transaction if server else 0)
            pings = len(checkouts) if pinging else 0
            counts.append(
                Count(label, members, accounts, len(sql), tuple(s[:160] for s in sql), transaction, pings)
            )  # fmt: skip
        for target, name, listener in listeners:
            event.remove(target, name, listener)
    finally:
        services.database.dispose()
    return counts
