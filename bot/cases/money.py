"""Amounts in minor units (cents), read from what people type and shown in their currency."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.core.errors import InvalidInput
from bot.core.i18n import _, amount, read_number

# ISO 4217 currencies whose minor unit is not a hundredth.
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]{1,3})?$")
MAX_MINOR = 10**14


class BadCurrency(InvalidInput):
    """The currency typed is no three-letter code (the form marks the currency field)."""


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def currency_of(typed: str) -> str:
    currency = typed.strip().upper()
    if not _CURRENCY.match(currency):
        raise BadCurrency(_("Use the three-letter currency code, such as EUR or USD."))
    return currency


def minor_units(typed: str, currency: str) -> int:
    """`120.50` EUR is 12050; refuses more decimals than the currency has, and zero."""
    text = typed.strip().replace(" ", "").replace("\u00a0", "")
    places = exponent(currency)
    try:
        amount = read_number(text)  # as the reader writes numbers: 1,234.50 or 1.234,50
    except ValueError:
        if not _AMOUNT.match(text):  # else a plain 120,50 or 120.50 in any language
            raise InvalidInput(_("Type the amount as a number, such as 120.50.")) from None
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise InvalidInput(_("Type the amount as a number, such as 120.50.")) from None
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            _("{currency} amounts have {places} decimal places at most.").format(
                currency=currency, places=places
            )
        )
    minor = int(scaled)
    if not 0 < minor < MAX_MINOR:
        raise InvalidInput(_("The amount must be more than zero."))
    return minor


def said(minor: int, currency: str) -> str:
    """An amount as the reader writes it: "€120.50" in English, "120,50 €" in German."""
    return amount(Decimal(minor).scaleb(-exponent(currency)), currency)


def shown(minor: int, currency: str) -> str:
    """`EUR 120.50`, `JPY 1,200`: the same in every language, as the timeline keeps it."""
    places = exponent(currency)
    whole, part = divmod(minor, 10**places)
    amount = f"{whole:,}" + (f".{part:0{places}d}" if places else "")
    return f"{currency} {amount}"
