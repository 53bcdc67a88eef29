"""The chart of adoption over time is a real PNG drawn by matplotlib, and matplotlib stays out of
the app's start-up and of `/security status`."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from matplotlib import image

from bot.checklist import Check
from bot.stats.chart import adoption_chart
from bot.stats.report import AdoptionPoint

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[3]


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def colours(png: bytes) -> int:
    pixels = image.imread(io.BytesIO(png), format="png")
    return len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0))


def test_the_chart_is_a_png_with_a_line_per_check_and_one_for_every_check() -> None:
    start = date(2026, 9, 1)
    history = [
        AdoptionPoint(
            start + timedelta(days=n), 100, 2 * n, {c: n + 5 * i for i, c in enumerate(Check)}
        )
        for n in range(0, 40, 3)
    ]

    png = adoption_chart(history, title="Adoption over time")

    assert size_of(png) == (800, 500)
    assert colours(png) > 50  # eight coloured lines, text and antialiasing, not a blank canvas
    blank = adoption_chart([], title="Adoption over time")
    assert size_of(blank) == (800, 500)
    assert colours(png) > colours(blank)  # the lines drew something


def test_starting_the_app_and_answering_status_never_imports_matplotlib(tmp_path: Path) -> None:
    script = f"""
import json, sys
from cryptography.fernet import Fernet
from slack_bolt import BoltRequest
import app  # the entry point
from bot import wiring
from bot.clock import SystemClock
from bot.config import Settings
from bot.services import build_services
from handlers import jobs
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.database import connect, upgrade

url = "sqlite:///{tmp_path / "bot.db"}"
upgrade(url)
standin = SlackStandIn().start()
settings = Settings(
    slack_bot_token=standin.bot_token, slack_signing_secret="secret", database_url=url,
    slack_api_url=standin.base_url, security_bot_keys=(Fernet.generate_key().decode(),),
    security_admins=frozenset({{"U0SAM"}}),
)
services = build_services(settings, SystemClock(), connect(url))
bolt = wiring.create_app(settings, services, verify_token=False)
body, kind = payloads.slash_command("U0ANA", "status", response_url=standin.response_url())
signed = {{k.lower(): v for k, v in payloads.sign("secret", body).items()}}
headers = {{"content-type": kind, **signed}}
answer = bolt.dispatch(BoltRequest(body=body.decode(), headers=headers))
assert answer.status == 200 and "security checklist" in answer.body, answer.body
print(json.dumps(sorted(name for name in sys.modules if name.startswith("matplotlib"))))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
