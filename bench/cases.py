"""Compromise cases at 10,000 stored: opening one and posting its card, and `/security case list`.

    .venv/bin/python -m bench.cases [--database-url postgresql+psycopg://...] [--quick]

The workspace holds 10,000 business accounts with one case each (a third still open, the rest
resolved), their reports and timeline entries. Measured in-process, against the Slack stand-in on
loopback:

1. open + card: a member's report (the case opened in one transaction) and its card posted in the
   escalation channel, its ts attached, and the reporter's DM, end to end;
2. case list: `/security case list` through the real Bolt app (a signed request, answered in the
   acknowledgement), for a security admin (every open case) and for an account manager.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from slack_bolt import BoltRequest
from sqlalchemy import Engine, create_engine, insert, text

from bot.cases.model import ChargesSeen
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services import build_services
from handlers.slack.case_slack import publish
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.case_models import Case, CaseEvent, CaseReport
from storage.database import connect, upgrade
from storage.models import BusinessAccount, Member, Membership
from wiring import build_client, create_app

CASES = 10_000
MANAGERS = 50
ADMIN = "UBADMIN01"
CHANNEL = "C0BENCHESC"
EXTRA = 1_000  # fresh accounts, one per case opened while measuring
REPORTER = "UBREPORT1"


def build(url: str) -> None:
    """10,000 accounts with a member each, one case per account, bulk inserted."""
    upgrade(url)
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        people = [_member(i, now) for i in range(1, CASES + MANAGERS + 3)]
        connection.execute(insert(Member), people)
        accounts = [
            {
                "id": n,
                "platform_account_id": str(8_000_000 + n),
                "platform": "tiktok_business",
                "name": f"Bench account {n}",
                "managed": n % 3 != 0,
                "account_manager_id": CASES + 1 + n % MANAGERS if n % 3 != 0 else None,
                "created_at": now,
            }
            for n in range(1, CASES + EXTRA + 1)  # the extra ones get the reports measured
        ]
        connection.execute(insert(BusinessAccount), accounts)
        connection.execute(
            insert(Membership),
            [{"member_id": n, "business_account_id": n} for n in range(1, CASES + 1)]
            + [
                {"member_id": CASES + MANAGERS + 2, "business_account_id": n}
                for n in range(CASES + 1, CASES + EXTRA + 1)
            ],
        )
        cases, reports, events = [], [], []
        for n in range(1, CASES + 1):
            opened_at = now - timedelta(minutes=CASES - n)
            is_open = n % 3 == 0
            cases.append(
                {
                    "id": n,
                    "business_account_id": n,
                    "open_account_id": n if is_open else None,
                    "status": "investigating" if is_open else "resolved",
                    "managed": n % 3 != 0,
                    "what_happened": "Logins from abroad",
                    "unauthorized_charges": "unsure",
                    "opened_by": _slack_id(n),
                    "opened_via": "report",
                    "opened_at": opened_at,
                    "handler": None if is_open else ADMIN,
                    "access_suspended": False,
                    "last_update_at": opened_at,
                    "resolved_at": None if is_open else opened_at,
                    "outcome": None if is_open else "false_alarm",
                    "reopen_count": 0,
                    "channel_id": CHANNEL,
                    "card_ts": f"1700000000.{n:06d}",
                }
            )
            reports.append(_report(n, opened_at))
            events.append(
                {"case_id": n, "at": opened_at, "actor": _slack_id(n), "kind": "opened", "text": ""}
            )
        connection.execute(insert(Case), cases)
        connection.execute(insert(CaseReport), reports)
        connection.execute(insert(CaseEvent), events)
        if engine.dialect.name == "postgresql":
            for table in ("members", "business_accounts", "memberships", "cases"):
                serial = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - constant names
                connection.execute(text(serial))
            connection.execute(text("ANALYZE"))
    engine.dispose()


def measure(database_url: str | None = None, *, quick: bool = False) -> dict[str, Any]:
    """On SQLite in a temporary file, or in a schema of `database_url` dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as directory:
        if database_url is None:
            return _measure(f"sqlite:///{Path(directory) / 'cases.db'}", quick)
    schema = f"bench_cases_{uuid.uuid4().hex[:8]}"
    admin: Engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in database_url else "?"
        return _measure(f"{database_url}{separator}options=-csearch_path%3D{schema}", quick)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _measure(url: str, quick: bool) -> dict[str, Any]:
    opens, lists = (30, 100) if quick else (300, 1_000)
    started = time.perf_counter()
    build(url)
    built = time.perf_counter() - started
    with SlackStandIn() as standin:
        settings = Settings(
            slack_bot_token=standin.bot_token,
            slack_signing_secret="bench-" + uuid.uuid4().hex,
            slack_api_url=standin.base_url,
            database_url=url,
            security_bot_keys=(Fernet.generate_key().decode(),),
            security_admins=frozenset({ADMIN}),
            escalation_channel=CHANNEL,
            support_channel=CHANNEL,
        )
        standin.add_user(REPORTER, email=None, real_name="Reporter")
        database = connect(url)
        services = build_services(settings, SystemClock(), database)
        app = create_app(settings, services, build_client(settings))
        fresh = iter(range(CASES + 1, CASES + EXTRA + 1))

        def open_case() -> None:
            change = services.cases.report(REPORTER, next(fresh), "Ads", ChargesSeen.YES)
            assert change.opened
            publish(app.client, services, change)

        opening = _timed(open_case, opens)
        listing = {
            "admin": _timed(lambda: _list(app, settings, ADMIN), lists),
            "manager": _timed(lambda: _list(app, settings, _slack_id(CASES + 2)), lists),
        }
        database.dispose()
    results = {
        "stored_cases": CASES,
        "open_cases": CASES // 3,
        "build_seconds": round(built, 1),
        "open_and_post_card": opening,
        "case_list": listing,
    }
    print(f"\ncompromise cases ({CASES:,} stored, {CASES // 3:,} open)")
    print(f"  open a case + post its card: {_line(opening)}")
    for who, figures in listing.items():
        print(f"  /security case list ({who}): {_line(figures)}")
    return results


def _list(app: Any, settings: Settings, user: str) -> None:
    body, content_type = payloads.slash_command(
        user, "case list", response_url="http://127.0.0.1:9/"
    )
    headers: dict[str, str | Sequence[str]] = {"content-type": content_type}
    headers |= {
        k.lower(): v for k, v in payloads.sign(settings.slack_signing_secret or "", body).items()
    }
    response = app.dispatch(BoltRequest(body=body.decode(), headers=headers))
    if response.status != 200 or b"case" not in response.body.encode():
        raise RuntimeError(f"case list answered {response.status}: {response.body[:200]}")


def _timed(work: Callable[[], None], count: int) -> dict[str, float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    ordered = sorted(seconds)

    def rank(fraction: float) -> float:
        return round(ordered[max(1, math.ceil(fraction * len(ordered))) - 1] * 1000, 2)

    return {"count": count, "p50_ms": rank(0.5), "p99_ms": rank(0.99), "max_ms": rank(1.0)}


def _line(figures: dict[str, float]) -> str:
    return f"p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms ({figures['count']:,} runs)"


def _slack_id(n: int) -> str:
    return f"UBC{n:07d}"


def _member(n: int, now: datetime) -> dict[str, Any]:
    slack_id = {CASES + MANAGERS + 1: ADMIN, CASES + MANAGERS + 2: REPORTER}.get(n, _slack_id(n))
    return {
        "id": n,
        "slack_user_id": slack_id,
        "email": f"m{n}@bench.example",
        "display_name": f"Member {n}",
        "created_at": now,
        "profile_refreshed_at": now,
    }


def _report(n: int, at: datetime) -> dict[str, Any]:
    return {
        "case_id": n,
        "reporter": _slack_id(n),
        "via": "report",
        "what_happened": "Logins from abroad",
        "unauthorized_charges": "unsure",
        "at": at,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cases", description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL server to build in (own schema)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.database_url, quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
