"""The account directory file: CSV text in, checked rows (or every problem with its line) out.

Pure: no database, no Slack. Line numbers are physical lines of the file (the header is line 1),
so an operator can open the file in an editor and go straight to the problem.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from tqdm import tqdm

HEADER = (
    "account_id",
    "account_name",
    "platform",
    "managed",
    "account_manager_email",
    "member_emails",
)
PROGRESS_MIN_ROWS = 500
MAX_ACCOUNT_ID = 64
MAX_ACCOUNT_NAME = 200
MAX_PLATFORM = 64
MAX_EMAIL = 320  # the width of members.email
_BOM = "\ufeff"
_PLATFORM = re.compile(r"[a-z0-9_]+")
# Deliberately simple: one @, no spaces, a dot inside the domain. Slack has the final word.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_BOOLEANS = {"true": True, "false": False}

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class DirectoryRow:
    """One business account and who works on it; emails are lower-cased, members de-duplicated."""

    line: int
    account_id: str
    account_name: str
    platform: str
    managed: bool
    account_manager_email: str | None
    member_emails: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.account_id)


@dataclass(frozen=True)
class ParsedDirectory:
    rows: tuple[DirectoryRow, ...]

    @property
    def emails(self) -> list[str]:
        """Every member and account manager email in the file, once each, sorted."""
        found: set[str] = set()
        for row in self.rows:
            found.update(row.member_emails)
            if row.account_manager_email:
                found.add(row.account_manager_email)
        return sorted(found)


def parse_directory(text: str, *, progress: bool = False) -> ParsedDirectory | list[RowError]:
    """The rows of a directory file, or every problem in it; a bad header is one problem."""
    records = _records(text.removeprefix(_BOM))
    first = next(records, None)
    if first is None or isinstance(first[1], RowError):
        return [_header_error(None)]
    if tuple(field.strip() for field in first[1]) != HEADER:
        return [_header_error(first[1])]

    rows: list[DirectoryRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, str], int] = {}
    estimate = len(text.splitlines()) - 1  # physical lines after the header; rows span few
    for line, record in progress_bar(records, total=estimate, desc="checking", enabled=progress):
        if isinstance(record, RowError):
            errors.append(record)
            break
        if not any(field.strip() for field in record):
            continue  # blank lines, or the ",,,,," spreadsheets leave at the end
        row, problems = _row(line, record)
        if len(record) == len(HEADER):
            key = (record[2].strip(), record[0].strip())
            if all(key) and key in first_seen:
                problems.append(
                    f"account {key[1]} on {key[0]} is listed twice (first on line {first_seen[key]})"
                )
            first_seen.setdefault(key, line)
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
        elif row is not None:
            rows.append(row)
    return errors if errors else ParsedDirectory(tuple(rows))


def progress_bar(items: Iterable[T], *, total: int, desc: str, enabled: bool) -> Iterable[T]:
    """A progress bar on stderr for long imports; never in logs, pipes or small files."""
    if not enabled or total < PROGRESS_MIN_ROWS or not sys.stderr.isatty():
        return items
    bar: Iterable[T] = tqdm(items, total=total, desc=desc, unit="row", file=sys.stderr, leave=False)
    return bar


def valid_email(value: str) -> bool:
    return len(value) <= MAX_EMAIL and _EMAIL.fullmatch(value) is not None


def _records(text: str) -> Iterator[tuple[int, list[str] | RowError]]:
    """Each CSV record with the physical line it starts on; a record can span lines in quotes."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader cannot be trusted past a malformed record, so this is the last one.
            yield previous_end + 1, RowError(previous_end + 1, f"not readable as CSV ({error})")
            return
        yield previous_end + 1, record
        previous_end = reader.line_num


def _header_error(found: list[str] | None) -> RowError:
    wanted = ",".join(HEADER)
    if found is None:
        return RowError(1, f"the file must start with the header line {wanted}")
    shown = ",".join(found)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    return RowError(1, f"the header must be exactly {wanted} (found {shown})")


def _row(line: int, record: list[str]) -> tuple[DirectoryRow | None, list[str]]:
    if len(record) != len(HEADER):
        return None, [f"expected {len(HEADER)} fields, found {len(record)}"]
    account_id, name, platform, managed_text, manager, members = (f.strip() for f in record)
    problems = [
        *_text_problems("account_id", account_id, MAX_ACCOUNT_ID),
        *_text_problems("account_name", name, MAX_ACCOUNT_NAME),
        *_text_problems("platform", platform, MAX_PLATFORM),
    ]
    if platform and not _PLATFORM.fullmatch(platform):
        problems.append(
            f"platform must be lowercase letters, digits and underscores (found {platform!r})"
        )
    managed = _BOOLEANS.get(managed_text.lower())
    if managed is None:
        problems.append(f"managed must be true or false (found {managed_text!r})")
    manager_email = manager.lower() or None
    if manager_email is None and managed:
        problems.append("a managed account needs an account_manager_email")
    if manager_email is not None and not valid_email(manager_email):
        problems.append(f"account_manager_email {manager!r} is not a valid email address")
    member_emails: list[str] = []
    for item in members.split(";"):
        email = item.strip().lower()
        if not email or email in member_emails:
            continue
        if not valid_email(email):
            problems.append(f"member_emails: {item.strip()!r} is not a valid email address")
        member_emails.append(email)
    if problems or managed is None:
        return None, problems
    emails = tuple(member_emails)
    return DirectoryRow(line, account_id, name, platform, managed, manager_email, emails), []


def _text_problems(column: str, value: str, limit: int) -> list[str]:
    if not value:
        return [f"{column} is empty"]
    if len(value) > limit:
        return [f"{column} is longer than {limit} characters"]
    return []
