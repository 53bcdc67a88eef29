"""The recovery phone: a number the member gives, normalised to E.164 with `phonenumbers`,
stored, and shown masked. It stays self-reported until the platform reports a recovery phone on
the member's business accounts (bot/platform/posture.py)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import phonenumbers

from bot.checklist.evidence import self_reported
from bot.checklist.members import member_for
from bot.checklist.model import Check
from bot.checklist.notes import note
from bot.core import member_audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.i18n import N_, _
from bot.core.masking import mask_phone
from storage import members as member_store
from storage import recovery as recovery_store
from storage.database import Database

MAX_TYPED = 40


@dataclass(frozen=True)
class PhoneStatus:
    number: str | None  # masked
    recorded_at: datetime | None
    region: str | None  # where a national number is read, from the member's time zone


@dataclass(frozen=True)
class RecordedPhone:
    masked: str
    e164: str


def normalise(typed: str, region: str | None) -> str:
    """E.164 for a number typed in international form (+49 30 …, 0049 30 …) or, when `region`
    is known, in that country's national form (030 …); InvalidInput saying what to type else."""
    text = typed.strip()
    if not text or len(text) > MAX_TYPED:
        raise InvalidInput(_(_INVALID))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") and region is None:
        raise InvalidInput(_(_NEEDS_COUNTRY))
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(_(_INVALID)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(_(_INVALID))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def region_for_time_zone(time_zone: str | None) -> str | None:
    """The country of a member's Slack time zone (Europe/Berlin → DE), from the IANA time zone
    database's own table; None when it is unknown or has no telephone numbering of its own."""
    region = _regions_by_zone().get(time_zone or "")
    if region is None or not phonenumbers.country_code_for_region(region):
        return None
    return region


@cache
def _regions_by_zone() -> dict[str, str]:
    """zone.tab: one line per zone, `country code<TAB>coordinates<TAB>zone`."""
    for root in zoneinfo.TZPATH:
        try:
            table = (Path(root) / "zone.tab").read_text(encoding="utf-8")
        except OSError:
            continue
        found: dict[str, str] = {}
        for line in table.splitlines():
            fields = line.split("\t")
            if not line.startswith("#") and len(fields) >= 3:
                found[fields[2].strip()] = fields[0].strip()
        return found
    return {}


def country_name(region: str) -> str:
    """`DE` → `+49 (DE)`: what a national number is read as, in the modal's words."""
    return f"+{phonenumbers.country_code_for_region(region)} ({region})"


class RecoveryPhoneService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def status(self, slack_user_id: str) -> PhoneStatus:
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            phone = recovery_store.phone_of(session, member.id) if member else None
            region = region_for_time_zone(member.time_zone) if member else None
        if phone is None:
            return PhoneStatus(None, None, region)
        return PhoneStatus(mask_phone(phone.number), phone.recorded_at, region)

    def record(self, slack_user_id: str, typed: str) -> RecordedPhone:
        """Store the member's number; the check passes as self-reported unless the platform
        says otherwise."""
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            region = region_for_time_zone(member.time_zone)
            try:
                number = normalise(typed, region)
            except InvalidInput as error:
                member_audit.record(
                    session, now, slack_user_id, "recovery.phone.refused", reason="invalid_number"
                )
                refusal: InvalidInput | None = error
            else:
                refusal = None
                recovery_store.save_phone(session, member.id, number, now)
                masked = mask_phone(number)
                detail = {**note(N_("{number} on record."), number=masked), "number": masked}
                self_reported(member.id, Check.RECOVERY_PHONE, now, detail).save(session)
                member_audit.record(
                    session, now, slack_user_id, "recovery.phone.recorded", number=masked
                )
        if refusal is not None:
            raise refusal  # after the transaction, so the refusal's audit record is kept
        return RecordedPhone(masked, number)


_INVALID = N_(
    "That isn't a valid phone number. Type it with your country code, e.g. +49 30 1234 5678."
)
_NEEDS_COUNTRY = N_(
    "Please start with + and your country code, e.g. +49 30 1234 5678, as I can't tell "
    "your country from your Slack time zone."
)
