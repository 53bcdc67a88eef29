"""`make chaos`: the full chaos run; exits 1 unless 0 requests failed, 0 reminders lost and 0
duplicated.

    .venv/bin/python -m bench.chaos [--members 400] [--processes 3] [--kills 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.chaos.scenario import Plan, run

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    default = Plan()
    parser.add_argument("--database-url", default=POSTGRES, help="a PostgreSQL server's database")
    parser.add_argument("--members", type=int, default=default.members)
    parser.add_argument("--processes", type=int, default=default.processes)
    parser.add_argument("--kills", type=int, default=default.kills)
    parser.add_argument("--keep", help="keep the logs in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    plan = Plan(members=args.members, processes=args.processes, kills=args.kills)
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        figures = run(plan, args.database_url, work, say=_say)
    else:
        with tempfile.TemporaryDirectory(prefix="chaos-") as folder:
            figures = run(plan, args.database_url, Path(folder), say=_say)
    for line in figures.lines():
        print(line)
    return 0 if figures.ok else 1


def _say(line: str) -> None:
    print(f"· {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
