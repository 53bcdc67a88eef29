"""The deadlines that keep answers within Slack's 3 seconds: defaults, overrides, refusals."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy.exc

from bot.core.config import load_settings
from bot.core.errors import ConfigError, DatabaseUnavailable, NotFound, database_unavailable


def test_the_deadlines_have_defaults_well_under_slacks_three_seconds() -> None:
    settings = load_settings({}, mode="sandbox")
    assert settings.request_body_deadline == 5.0
    assert settings.database_connect_timeout == 2.0  # libpq's floor
    assert settings.database_statement_timeout == 1.5
    assert settings.database_pool_timeout == 1.0


def test_the_deadlines_are_read_in_seconds() -> None:
    settings = load_settings(
        {
            "REQUEST_BODY_DEADLINE": "2.5",
            "DATABASE_CONNECT_TIMEOUT": "3",
            "DATABASE_STATEMENT_TIMEOUT": "0.8",
            "DATABASE_POOL_TIMEOUT": "0.5",
        },
        mode="sandbox",
    )
    assert settings.request_body_deadline == 2.5
    assert settings.database_connect_timeout == 3.0
    assert settings.database_statement_timeout == 0.8
    assert settings.database_pool_timeout == 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REQUEST_BODY_DEADLINE", "soon"),
        ("REQUEST_BODY_DEADLINE", "0"),
        ("DATABASE_CONNECT_TIMEOUT", "1"),  # below libpq's 2 s floor, which it would ignore
        ("DATABASE_STATEMENT_TIMEOUT", "nan"),
        ("DATABASE_STATEMENT_TIMEOUT", "-1"),
        ("DATABASE_POOL_TIMEOUT", "600"),
    ],
)
def test_a_bad_deadline_is_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, mode="sandbox")


def test_only_failures_to_reach_the_database_read_as_unavailable() -> None:
    locked = sqlalchemy.exc.OperationalError("UPDATE", {}, sqlite3.OperationalError("locked"))
    locked.orig = sqlite3.OperationalError("database is locked")
    missing = sqlalchemy.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("x"))
    missing.orig = sqlite3.OperationalError("no such table: members")
    checkout = sqlalchemy.exc.TimeoutError("QueuePool limit reached")

    assert database_unavailable(DatabaseUnavailable())
    assert database_unavailable(locked)
    assert database_unavailable(checkout)
    assert not database_unavailable(missing)  # a fault of ours, not an outage
    assert not database_unavailable(NotFound("no such case"))
    assert not database_unavailable(ValueError("x"))
