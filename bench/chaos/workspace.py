"""The chaos run's workspace: members in Slack and in the directory file, and a reminder policy
under which every member is due a reminder now, whatever the day and hour."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sandbox.slack_standin import SlackStandIn

ADMIN = "U0CHAOSADMIN"
HEADER = [
    "account_id",
    "account_name",
    "platform",
    "managed",
    "account_manager_email",
    "member_emails",
]
# No grace, every day and (almost) every hour a working one, no holidays: the first sweep reminds
# everybody. Delivery is paced so that it lasts long enough to be killed in the middle.
POLICY = """\
default_time_zone = "UTC"

[every_check]
grace_days = 0

[working_hours]
start = "00:00"
end = "23:59:59"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[holidays]
country = "none"

[delivery]
sweep_every_minutes = 1
deliver_every_seconds = 1
messages_per_minute = {messages_per_minute}
"""


@dataclass(frozen=True)
class Member:
    user_id: str
    email: str
    account_id: str


def members(count: int) -> list[Member]:
    """`count` members, two to a business account."""
    return [
        Member(f"U0CHAOS{n:05d}", f"member{n:05d}@chaos.example", str(7_000_000 + n // 2))
        for n in range(count)
    ]


def add_to_slack(standin: SlackStandIn, people: list[Member]) -> None:
    standin.add_user(ADMIN, email="admin@chaos.example", real_name="Chaos Admin", tz="UTC")
    for person in people:
        name = person.email.split("@")[0].capitalize()
        standin.add_user(person.user_id, email=person.email, real_name=name, tz="UTC")


def write_directory(path: Path, people: list[Member]) -> Path:
    """The `import accounts` file: every account managed by the admin, its members listed."""
    accounts: dict[str, list[str]] = {}
    for person in people:
        accounts.setdefault(person.account_id, []).append(person.email)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for account_id, emails in accounts.items():
            name, manager = f"Chaos Ads {account_id}", "admin@chaos.example"
            writer.writerow(
                [account_id, name, "tiktok_business", "true", manager, ";".join(emails)]
            )
    return path


def write_policy(path: Path, messages_per_minute: int) -> Path:
    path.write_text(POLICY.format(messages_per_minute=messages_per_minute), encoding="utf-8")
    return path
