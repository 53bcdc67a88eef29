"""`posture <account> two_step=off ...` in the console: the platform's posture report about one
of the member's business accounts, signed as the platform signs it and sent to the app's API."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime

from bot.platform import signature as platform_signature

FLAGS = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}
FIELDS = {
    "two_step": "two_step",
    "2sv": "two_step",
    "recovery_email": "recovery_email_set",
    "recovery_phone": "recovery_phone_set",
}
USAGE = (
    "Say which account and what the platform reports, e.g. "
    "posture Acme two_step=off, posture 7012345 two_step=on method=sms recovery_phone=on, "
    "or posture Acme password_changed=now."
)


def document(
    typed: str, accounts: Sequence[tuple[str, str]], member_email: str, now: datetime
) -> dict[str, object] | str:
    """The report `typed` describes, or what is wrong with it. `accounts` are (id, name)."""
    words = typed.split()
    label = " ".join(word for word in words if "=" not in word).casefold()
    found = [
        (account_id, name)
        for account_id, name in accounts
        if label and (account_id == label or name.casefold().startswith(label))
    ]
    if len(found) != 1:
        names = ", ".join(f"{name} ({account_id})" for account_id, name in accounts)
        return f"{USAGE} Your accounts: {names}."
    report: dict[str, object] = {
        "id": f"sandbox-{secrets.token_hex(6)}",
        "account_id": found[0][0],
        "member_email": member_email,
        "reported_at": now.isoformat(timespec="seconds"),
    }
    for word in (word for word in words if "=" in word):
        key, _, value = word.partition("=")
        key, value = key.casefold(), value.casefold()
        if key in FIELDS and value in FLAGS:
            report[FIELDS[key]] = FLAGS[value]
        elif key == "method":
            report["two_step_method"] = value
        elif key == "password_changed" and value == "now":
            report["password_changed_at"] = now.isoformat(timespec="seconds")
        else:
            return f'I can\'t read "{word}". {USAGE}'
    return report


def send(url: str, secret: str, report: dict[str, object], now: datetime) -> str:
    """POST the report, signed at `now` (the app's clock, which checks it); what came back."""
    body = json.dumps(report).encode()
    headers = {"Content-Type": "application/json"}
    headers |= platform_signature.sign(secret, body, int(now.timestamp()))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    # The whole document, as sent: the member sees exactly what the platform told the app.
    return f"The platform sent:\n{json.dumps(report, indent=2)}\nThe app answered {status}: {text}"
