"""Log lines an operator can search: the correlation of the request or job on every record, one
JSON object per line with LOG_FORMAT=json, email addresses masked, and the id carried into the
threads that finish a request's work."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.core import logs
from bot.core.config import log_format
from bot.core.errors import ConfigError
from bot.core.version import bot_version


def handler_writing_to(stream: io.StringIO, log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(log_format))
    handler.addFilter(logs.AddCorrelation())
    return handler


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO, io.StringIO]:
    logger = logging.getLogger("security_bot.test_logs")
    logger.propagate = False
    as_json, as_text = io.StringIO(), io.StringIO()
    logger.handlers = [handler_writing_to(as_json, "json"), handler_writing_to(as_text, "text")]
    logger.setLevel(logging.INFO)
    return logger, as_json, as_text


def test_a_json_line_carries_the_request_the_slack_ids_and_the_version(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, as_text = captured
    token = logs.begin("req0123456789abc")
    try:
        logs.note_slack("T0TEAM", "U0ANA", "Ev0EVENT")
        logger.info("checked %s for %s", "2sv", "ana@example.com")
    finally:
        logs.end(token)
    line = json.loads(as_json.getvalue())
    assert line["request_id"] == "req0123456789abc"
    assert (line["team_id"], line["user_id"], line["event_id"]) == ("T0TEAM", "U0ANA", "Ev0EVENT")
    assert line["version"] == bot_version()
    assert line["message"] == "checked 2sv for <email>"
    assert line["level"] == "INFO" and line["logger"] == "security_bot.test_logs"
    assert "[req0123456789abc] checked 2sv for <email>" in as_text.getvalue()
    assert logs.current() is None  # the request's end took it all away


def test_an_exception_is_one_json_line_without_the_emails_in_it(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, _ = captured
    try:
        raise ValueError("no member ana@example.com")
    except ValueError:
        logger.exception("failed")
    lines = as_json.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert "ValueError: no member <email>" in entry["exception"]
    assert "ana@example.com" not in lines[0]


def test_work_handed_to_a_pool_keeps_the_requests_correlation() -> None:
    pool = logs.CarryingPool(max_workers=1)
    token = logs.begin("req-carried-into-pool")
    try:
        logs.note_slack("T0TEAM", "U0ANA", None)
        seen = pool.submit(logs.current).result(timeout=10)
    finally:
        logs.end(token)
    assert seen == logs.Correlation("req-carried-into-pool", "T0TEAM", "U0ANA", None, True)
    assert pool.submit(logs.current).result(timeout=10) is None
    pool.shutdown()


def test_without_a_front_door_each_slack_request_gets_its_own_id() -> None:
    """Socket Mode: the middleware's correlation stays in the thread; the next request must not
    inherit its id."""
    token = logs.begin("placeholder-id-0")
    try:
        logs.end(token)
        logs.note_slack("T0TEAM", "U0ANA", "Ev0ONE")
        first = logs.current_id()
        logs.note_slack("T0TEAM", "U0BEN", "Ev0TWO")
        second = logs.current()
    finally:
        logs._CURRENT.set(None)
    assert second is not None and second.id != first and second.user == "U0BEN"


def test_a_scheduled_job_runs_under_an_id_of_its_own() -> None:
    with logs.job("nudges.sweep") as job_id:
        assert logs.current_id() == job_id
        assert job_id.startswith("job-nudges.sweep-")
    assert logs.current() is None


def test_a_callers_request_id_is_kept_only_when_it_is_a_plain_id() -> None:
    assert logs.usable_id("lb-4f3a9c2e11") == "lb-4f3a9c2e11"
    for unusable in (None, "", "x\nERROR forged line", "ana@example.com", "a" * 65, "short"):
        made = logs.usable_id(unusable)
        assert made != unusable and len(made) == 16


def test_log_format_is_json_or_text() -> None:
    assert log_format({}) == "text"
    assert log_format({"LOG_FORMAT": "JSON"}) == "json"
    with pytest.raises(ConfigError, match="LOG_FORMAT must be json or text"):
        log_format({"LOG_FORMAT": "yaml"})
