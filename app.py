"""Entry point: parse the subcommand, build settings, call the composition root, start."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import wiring
from bot.core import logs
from bot.core.audit import export_lines
from bot.core.clock import SystemClock
from bot.core.config import Settings, load_settings, log_format
from bot.core.errors import ConfigError
from bot.core.keys import reseal_installation_tokens, rotate_keys
from bot.core.secret_box import SecretBox
from bot.core.version import bot_version
from bot.core.words import plural
from bot.workspaces.rounds import WorkspaceRounds
from bot.workspaces.scope import every_workspace, serving
from cli.workspace_choice import chosen_workspace
from handlers.web.front import MAX_BODY_BYTES
from storage.database import connect, schema_version, upgrade


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="app.py",
        description="The account-security Slack bot. With no subcommand: Socket Mode when "
        "SLACK_APP_TOKEN is set, HTTP when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set, "
        "otherwise the local sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {bot_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="HTTP mode behind a production WSGI server")
    serve.add_argument("--port", type=int, help="port (default: $PORT, else 3000)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: $WEB_CONCURRENCY, else 2)"
    )
    sub.add_parser("socket", help="Socket Mode")
    sub.add_parser("sandbox", help="a local workspace in this terminal, no Slack account needed")
    _action(sub, "db", "database maintenance", "upgrade", "apply migrations to DATABASE_URL")
    accounts = _action(
        sub, "import", "load data", "accounts", "business accounts and their members (CSV)", "KIND"
    )
    accounts.add_argument("file")
    _workspace_option(accounts)
    alerts = _action(
        sub, "alerts", "the platform's alerts",
        "import", "alerts as JSON lines, the documents of POST /api/v1/alerts",
    )  # fmt: skip
    alerts.add_argument("file")
    _workspace_option(alerts)
    posture = _action(
        sub, "posture", "the platform's posture reports",
        "import", "posture reports as JSON lines, the documents of POST /api/v1/posture",
    )  # fmt: skip
    posture.add_argument("file")
    _workspace_option(posture)
    run_once = _action(
        sub, "nudge", "reminders about open checklist gaps",
        "run-once", "one sweep now, then deliver what it decided",
    )  # fmt: skip
    run_once.add_argument(
        "--dry-run", action="store_true", help="print who would be nudged about what, and why"
    )
    run_once.add_argument(
        "--at", help="decide as if it were this time (UTC unless it says), e.g. 2026-11-30T10:00"
    )
    run_once.add_argument(
        "--verbose", action="store_true", help="with --dry-run, also who waits, and why"
    )
    _workspace_option(run_once, every=True)
    _action(
        sub, "keys", "encryption keys for secrets at rest",
        "rotate", "re-encrypt stored secrets under the first key",
    )  # fmt: skip
    purge = _action(
        sub, "workspace", "the workspaces the bot is installed in",
        "purge", "delete every row of one workspace now (its tokens too), audited",
    )  # fmt: skip
    purge.add_argument(
        "workspace_id", metavar="TEAM_ID", help="its team id (enterprise id for Grid)"
    )
    export = _action(sub, "audit", "the audit trail", "export", "every audit record as JSON lines")
    export.add_argument("--since", required=True, help="a date, e.g. 2026-11-01")
    _workspace_option(export, every=True)
    return parser


def _workspace_option(parser: argparse.ArgumentParser, *, every: bool = False) -> None:
    default = (
        "every workspace" if every else "the bot token's workspace, else the only one with data"
    )
    parser.add_argument(
        "--workspace", metavar="TEAM_ID", help=f"the workspace to act in (default: {default})"
    )


def _action(
    sub: Any, command: str, help: str, action: str, action_help: str, metavar: str = "ACTION"
) -> argparse.ArgumentParser:
    """`app.py COMMAND ACTION`: a command whose one action is required; the action's parser."""
    parser: argparse.ArgumentParser = sub.add_parser(command, help=help)
    actions = parser.add_subparsers(dest=f"{command}_action", metavar=metavar, required=True)
    found: argparse.ArgumentParser = actions.add_parser(action, help=action_help)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        logs.configure(log_format())
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job run
    try:
        if args.command is None:
            return run_default()
        if args.command == "serve":
            return serve(load_settings(mode="serve"), port=args.port, workers=args.workers)
        if args.command == "socket":
            return socket(load_settings(mode="socket"))
        if args.command == "sandbox":
            return sandbox(load_settings(mode="sandbox"))
        settings = load_settings(mode="tool")
        tool = _TOOLS[args.command]
        if args.command in _IN_ONE_WORKSPACE:
            with serving(chosen_workspace(settings, args.workspace)):
                return tool(settings, args)
        if getattr(args, "workspace", None):
            with serving(args.workspace):
                return tool(settings, args)
        with every_workspace():
            return tool(settings, args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


def _upgrade(settings: Settings) -> int:
    upgrade(settings.database_url)
    return 0


# The subcommands that run once and exit, on the settings of a tool.
_TOOLS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "db": lambda settings, _: _upgrade(settings),
    "import": lambda settings, args: import_accounts(settings, args.file),
    "alerts": lambda settings, args: import_alerts(settings, args.file),
    "posture": lambda settings, args: import_posture(settings, args.file),
    "nudge": lambda settings, args: nudge_run_once(
        settings, args.dry_run, args.at and _moment(args.at), args.verbose
    ),
    "keys": lambda settings, _: keys_rotate(settings),
    "audit": lambda settings, args: audit_export(settings, _date(args.since)),
    "workspace": lambda settings, args: workspace_purge(settings, args.workspace_id),
}


_IN_ONE_WORKSPACE = ("import", "alerts", "posture")  # the others: every workspace by default


def run_default() -> int:
    """What `make run` does: migrate, then pick the mode from the settings present."""
    settings = load_settings(mode="tool")
    upgrade(settings.database_url)
    if settings.slack_app_token:
        return socket(load_settings(mode="socket"))
    if settings.http_mode_ready:
        return serve(load_settings(mode="serve"))
    return sandbox(load_settings(mode="sandbox"))


def serve(settings: Settings, port: int | None = None, workers: int | None = None) -> int:
    """HTTP mode behind Granian, a production server; each worker builds its own app."""
    from handlers.metrics import prepare_multiprocess_dir
    from handlers.web.http_server import serve_forever

    refuse_an_old_schema(settings.database_url)
    logging.getLogger("security_bot").info("security-bot %s serving HTTP", bot_version())
    wiring.announce_mail(settings)
    clean_up = prepare_multiprocess_dir()  # before the workers: they add up /metrics there
    try:
        serve_forever(
            "wiring:http_worker",
            port=port or settings.port,
            workers=workers or settings.web_workers,
            header_deadline=settings.request_body_deadline,
        )
    finally:
        clean_up()
    return 0


def refuse_an_old_schema(database_url: str) -> None:
    """Serving on a schema older than the code fails request by request; say so once, at start."""
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)  # its "Context impl" lines say nothing to an operator
    try:
        version = schema_version(database_url)
    finally:
        alembic_log.setLevel(level)
    if version is None:
        logging.getLogger("security_bot").warning(
            "the database does not answer: its schema could not be checked"
        )
    elif version.behind:
        raise ConfigError(
            f"the database schema is at {', '.join(version.database) or 'no revision (empty)'}, "
            f"this code "
            f"needs {version.code}: run `python app.py db upgrade`"
        )


def socket(settings: Settings) -> int:
    """Socket Mode; the one-time pages (and health checks) are still served over HTTP on PORT."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from waitress.server import create_server

    wiring.announce_mail(settings)
    services = wiring.build(settings, SystemClock())
    app = wiring.create_app(settings, services)
    wiring.record_token_workspace(settings, services, app.client)
    jobs = wiring.start_jobs(settings, services)
    pages = create_server(
        wiring.create_web(settings, services, app, jobs=jobs),
        host="0.0.0.0",  # noqa: S104 - members' browsers reach it through PUBLIC_BASE_URL
        port=settings.port,
        threads=settings.request_threads,
        max_request_body_size=MAX_BODY_BYTES + 1,  # waitress refuses at the limit itself
        ident="security-bot",
    )
    threading.Thread(target=pages.run, name="secure-pages", daemon=True).start()
    try:
        SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
    finally:
        jobs.stop()
    return 0


def sandbox(settings: Settings) -> int:
    from sandbox.console import run_console

    return run_console(settings)


def import_accounts(settings: Settings, file: str) -> int:
    from cli.directory_import import run_import

    return run_import(settings, file)


def import_alerts(settings: Settings, file: str) -> int:
    from cli.alerts_import import run_alert_import

    return run_alert_import(settings, file)


def import_posture(settings: Settings, file: str) -> int:
    from cli.posture_import import run_posture_import

    return run_posture_import(settings, file)


def nudge_run_once(settings: Settings, dry_run: bool, at: datetime | None, verbose: bool) -> int:
    from cli.nudges import run_once

    return run_once(settings, dry_run=dry_run, at=at, verbose=verbose)


def workspace_purge(settings: Settings, workspace_id: str) -> int:
    from cli.workspaces import run_purge

    return run_purge(settings, workspace_id)


def keys_rotate(settings: Settings) -> int:
    """Each workspace's secrets in turn (their audit records are the workspace's own)."""
    database, box = connect(settings.database_url), SecretBox(settings.security_bot_keys)
    counts: list[int] = []
    WorkspaceRounds(database).each(
        lambda _key: counts.append(rotate_keys(database, box)), what="keys rotate"
    )
    count = sum(counts) + reseal_installation_tokens(database, box)
    print(f"re-encrypted {plural(count, 'secret')} under the first key of SECURITY_BOT_KEYS")
    return 0


def audit_export(settings: Settings, since: datetime) -> int:
    database = connect(settings.database_url)
    for line in export_lines(database, since):
        sys.stdout.write(line + "\n")
    return 0


def _moment(text: str) -> datetime:
    return _utc(text, "--at must be a time such as 2026-11-30T10:00")


def _date(text: str) -> datetime:
    return _utc(text, "--since must be a date such as 2026-11-01")


def _utc(text: str, must: str) -> datetime:
    """The time typed, in UTC unless it says; exit saying what `must` be typed otherwise."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"{must}, not {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


if __name__ == "__main__":
    sys.exit(main())
