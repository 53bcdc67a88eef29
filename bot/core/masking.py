"""How recovery contacts are shown once entered: enough to recognise, never the whole thing.

Everything the bot sends to Slack after the member typed an address or a number goes through
these two functions.
"""

from __future__ import annotations

import phonenumbers

DOT = "•"


def mask_email(address: str) -> str:
    """`ana@example.com` → `a•••@example.com`: the first character, the domain."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return DOT * 3
    return f"{local[0]}{DOT * 3}@{domain}"


def mask_phone(e164: str) -> str:
    """`+493012345612` → `+49 ••• ••• 12`: the country code and the last two digits.

    The country code is 1 to 3 digits; E.164 codes are prefix-free, so the caller's parsed
    country code decides how many digits it takes.
    """
    return f"+{_country_code(e164)} {DOT * 3} {DOT * 3} {e164[-2:]}"


def _country_code(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164.lstrip("+")[:1]
    return str(parsed.country_code)
