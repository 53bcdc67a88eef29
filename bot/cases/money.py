"""Amounts in minor units (cents), read from what people type and shown in their currency."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.core.errors import InvalidInput

# ISO 4217 currencies whose minor unit is not a hundredth.
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]{1,3})?$")
MAX_MINOR = 10**14


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def currency_of(typed: str) -> str:
    currency = typed.strip().upper()
    if not _CURRENCY.match(currency):
        raise InvalidInput("Use the three-letter currency code, such as EUR or USD.")
    return currency


def minor_units(typed: str, currency: str) -> int:
    """`120.50` EUR is 12050; refuses more decimals than the currency has, and zero."""
    text = typed.strip().replace(" ", "").replace("\u00a0", "")
    if not _AMOUNT.match(text):
        raise InvalidInput("Type the amount as a number, such as 120.50.")
    places = exponent(currency)
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput("Type the amount as a number, such as 120.50.") from None
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{currency} amounts have {places} decimal places at most.")
    minor = int(scaled)
    if not 0 < minor < MAX_MINOR:
        raise InvalidInput("The amount must be more than zero.")
    return minor


def shown(minor: int, currency: str) -> str:
    """`EUR 120.50`, `JPY 1,200`."""
    places = exponent(currency)
    whole, part = divmod(minor, 10**places)
    amount = f"{whole:,}" + (f".{part:0{places}d}" if places else "")
    return f"{currency} {amount}"
