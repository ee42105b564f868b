"""Numbers and dates as a Finnish or an English reader expects them (Babel's CLDR data)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from smartspec.i18n import translations

LOCALES = {"fi": "fi_FI", "en": "en_GB"}


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=LOCALES[lang]))


def money(value: float | Decimal | None, lang: str) -> str:
    """Whole euros: "1 234 567 €" in Finnish, "€1,234,567" in English."""
    if value is None:
        return "–"
    whole = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # 0.5 rounds up, as in accounts
    text = number(whole, lang)
    return f"{text}\u00a0€" if lang == "fi" else f"€{text}"


def percent(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return str(format_percent(value, format="#,##0\u00a0%" if lang == "fi" else "#,##0%", locale=LOCALES[lang]))


def per_mille(value: float | None, lang: str) -> str:
    """A small ratio in per mille: 0.00041 → "0,41 ‰" / "0.41‰"."""
    if value is None:
        return "–"
    text = number(value * 1000, lang, 2)
    return f"{text}\u00a0‰" if lang == "fi" else f"{text}‰"


def date(value: dt.date, lang: str) -> str:
    return str(format_date(value, format="d.M.yyyy" if lang == "fi" else "d MMMM yyyy", locale=LOCALES[lang]))


def change(now: float, before: float, lang: str) -> str:
    """A relative change, signed: "+12 %" / "−5 %"; "uusi"/"new" when there was nothing before."""
    if before == 0:
        return translations(lang).pgettext("change", "new") if now else "–"
    ratio = (now - before) / before
    sign = "+" if ratio >= 0 else "−"
    return sign + percent(abs(ratio), lang)
