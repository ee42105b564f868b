"""Money: EUR amounts are integer cents in the store and Decimal in results, never float arithmetic.

JSON has no decimal type, so results serialise an amount as a number with exactly its cents' digits
(``Decimal("620001.25")`` → ``620001.25``), which every JSON reader parses back to the same cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")


def eur(cents: int) -> Decimal:
    """Integer cents as an exact Decimal of euros."""
    return (Decimal(cents) / 100).quantize(CENT)


def per(cents: int, divisor: int | Decimal, places: str = "0.01") -> Decimal:
    """Euros (from cents) divided by ``divisor``, rounded half up to ``places`` (as in accounts)."""
    if not divisor:
        return Decimal(0).quantize(Decimal(places))
    return (Decimal(cents) / 100 / Decimal(divisor)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _as_number(value: Decimal) -> float:
    return float(value)


# A Decimal that JSON shows as a number with the Decimal's digits.
Money = Annotated[Decimal, PlainSerializer(_as_number, return_type=float, when_used="json")]
