"""The chart of adoption over time is a real PNG drawn by matplotlib that reads at a glance (no
label on another, the legend off the lines, equal lines told apart), described in words for its
alt text; and matplotlib stays out of the app's start-up and of `/security status`."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from bot.checklist.model import TITLES, Check
from bot.stats.chart import EVERY_CHECK, adoption_chart, adoption_figure, alt_text
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


def twelve_weeks(days: int = 84) -> list[AdoptionPoint]:
    """100 members; 2-step verification and the authenticator always equal, and the recovery
    phone equal to every check."""
    start = date(2026, 9, 1)
    history = []
    for n in range(days):
        passing = {check: 60 for check in Check}
        passing[Check.TWO_STEP] = passing[Check.AUTHENTICATOR] = 40 + n // 3
        passing[Check.RECOVERY_PHONE] = 10 + n // 4
        history.append(AdoptionPoint(start + timedelta(days=n), 100, 10 + n // 4, passing))
    return history


def drawn_boxes(figure: Figure) -> tuple[list[Bbox], Bbox, Bbox]:
    """After drawing with Agg: the tick labels' boxes, the legend's, and the plot area's."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    [axes] = figure.axes
    labels = [*axes.get_xticklabels(), *axes.get_yticklabels()]
    boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text()]
    [legend] = figure.legends
    return boxes, legend.get_window_extent(renderer), axes.get_window_extent(renderer)


@pytest.mark.parametrize("days", [1, 3, 15, 30, 84])
def test_no_label_overlaps_another_and_the_legend_stays_off_the_plot(days: int) -> None:
    figure = adoption_figure(twelve_weeks(days), title="Adoption over time")
    boxes, legend, plot = drawn_boxes(figure)
    dates = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert 1 <= len(dates) <= 8 and len(set(dates)) == len(dates)
    assert dates[-1] == f"{date(2026, 9, 1) + timedelta(days=days - 1):%d %b}"  # the latest
    for n, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[n + 1 :]), dates
        assert not box.overlaps(legend)
    assert not legend.overlaps(plot)
    whole = figure.bbox
    assert all(whole.x0 <= b.x0 and b.x1 <= whole.x1 and whole.y0 <= b.y0 for b in boxes)


def test_twelve_weeks_have_a_handful_of_slanted_dates() -> None:
    figure = adoption_figure(twelve_weeks(), title="Adoption over time")
    labels = figure.axes[0].get_xticklabels()
    assert 4 <= len(labels) <= 8
    assert all(label.get_rotation() == 30 for label in labels)


def test_each_line_has_its_own_marker_and_dashes_and_equal_lines_are_drawn_apart() -> None:
    figure = adoption_figure(twelve_weeks(), title="Adoption over time")
    lines = figure.axes[0].get_lines()
    assert len(lines) == len(Check) + 1
    assert len({line.get_marker() for line in lines}) == len(lines)
    assert len({(line.get_color(), str(line.get_linestyle())) for line in lines}) == len(lines)
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend[0] == f"{EVERY_CHECK} (30%)"
    assert f"{TITLES[Check.TWO_STEP]} (67%)" in legend
    assert f"{TITLES[Check.AUTHENTICATOR]} (67%)" in legend
    by_label = {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in lines}
    two_step = by_label[f"{TITLES[Check.TWO_STEP]} (67%)"]
    authenticator = by_label[f"{TITLES[Check.AUTHENTICATOR]} (67%)"]
    assert (abs(two_step - authenticator) >= 1).all()  # the same figures, never one line
    every, phone = (
        by_label[f"{EVERY_CHECK} (30%)"],
        by_label[f"{TITLES[Check.RECOVERY_PHONE]} (30%)"],
    )
    assert (abs(every - phone) >= 1).all()
    assert (abs(every - [p.percent() or 0 for p in twelve_weeks()]) <= 1).all()  # near the truth


def test_the_alt_text_says_what_the_chart_shows_and_the_latest_figures() -> None:
    text = alt_text(twelve_weeks())
    assert text.startswith(
        "Line chart of the share of members in scope passing every check, and each check, "
        "day by day from 1 Sep 2026 to 23 Nov 2026."
    )
    assert (
        "On 23 Nov 2026, of 100 members in scope: every check 30% (was 10% on 1 Sep 2026)" in text
    )
    assert f"{TITLES[Check.TWO_STEP]} 67%" in text and "Recovery phone 30%" in text
    assert len(text) <= 1000
    assert "no sweep has counted adoption yet" in alt_text([])
    one = alt_text(twelve_weeks(1))
    assert "on 1 Sep 2026" not in one and "of 100 members in scope: every check 10%;" in one


def test_starting_the_app_and_answering_status_never_imports_matplotlib(tmp_path: Path) -> None:
    script = f"""
import json, sys
from cryptography.fernet import Fernet
from slack_bolt import BoltRequest
import app  # the entry point
import wiring
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services import build_services
from handlers.jobs import scheduler as jobs
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
