"""SQL statements per `/security status`, counted on the services' own engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import event

from bot import wiring
from bot.clock import SystemClock
from bot.config import Settings


@dataclass(frozen=True)
class Count:
    label: str
    members: int
    accounts_of_member: int
    statements: int
    sql: tuple[str, ...]
    # On a database server each of these is a round trip too: BEGIN, COMMIT or ROLLBACK, and the
    # liveness ping on pool checkout (pool_pre_ping). The statement count does not see them.
    transaction_commands: int
    pings: int

    @property
    def round_trips(self) -> int:
        return self.statements + self.transaction_commands + self.pings


def count_status_statements(
    url: str, members: int, subjects: list[tuple[str, str, int]]
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
    engine = services.database.engine
    pinging = bool(getattr(engine.pool, "_pre_ping", False))
    seen: list[str] = []
    transaction: list[str] = []
    checkouts: list[object] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split())[:160])

    listeners: list[tuple[Any, str, Any]] = [
        (engine, "before_cursor_execute", count),
        (engine, "begin", lambda _conn: transaction.append("BEGIN")),
        (engine, "commit", lambda _conn: transaction.append("COMMIT")),
        (engine, "rollback", lambda _conn: transaction.append("ROLLBACK")),
        (engine.pool, "checkout", lambda *_args: checkouts.append(None)),
    ]
    try:
        services.members.status(subjects[0][1])
        for target, name, listener in listeners:
            event.listen(target, name, listener)
        counts = []
        for label, slack_user_id, accounts in subjects:
            seen.clear()
            transaction.clear()
            checkouts.clear()
            status = services.members.status(slack_user_id)
            assert len(status.checklist.accounts) == accounts, (label, status.checklist.accounts)
            pings = len(checkouts) if pinging else 0
            counts.append(
                Count(label, members, accounts, len(seen), tuple(seen), len(transaction), pings)
            )
        for target, name, listener in listeners:
            event.remove(target, name, listener)
    finally:
        services.database.dispose()
    return counts
