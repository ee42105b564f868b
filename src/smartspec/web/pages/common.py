"""What the overview, strategy, region, report and data pages share: the year they show, how a figure of an
indicator's unit reads, and the gap alerts grouped by region."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from smartspec.indicators import Alert
from smartspec.report import format as fmt


def report_lang(lang: str) -> str:
    """The language numbers are formatted in (Swedish pages use the English conventions the report knows)."""
    return "fi" if lang == "fi" else "en"


def chosen_year(years: list[int], requested: int | None, with_projects: list[int] | None = None) -> int | None:
    """The requested year when values are stored for it, else the latest year in which projects started, else the
    latest stored year (None: nothing stored)."""
    if requested in years:
        return requested
    if with_projects:
        return with_projects[-1]
    return years[-1] if years else None


def figure(value: float | None, unit: str, lang: str) -> str:
    """An indicator value as a reader of ``lang`` expects it in its unit."""
    lang = report_lang(lang)
    if value is None:
        return "–"
    if unit == "EUR":
        return fmt.money(value, lang)
    if unit == "share":
        return fmt.percent(value, lang)
    if unit == "EUR per EUR of GDP":
        return fmt.per_mille(value, lang)
    if unit in ("EUR per inhabitant", "index"):
        return fmt.number(value, lang, 2)
    return fmt.number(value, lang)


def change(value: float | None, previous: float | None, lang: str) -> str:
    if value is None or previous is None:
        return "–"
    return fmt.change(value, previous, report_lang(lang))


def alerts_by_region(alerts: list[Alert], regions: list[str]) -> list[tuple[str, list[Alert]]]:
    """Alerts grouped by region, in the strategy's order of regions (regions without alerts left out)."""
    grouped: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        grouped[alert.region].append(alert)
    return [(code, grouped[code]) for code in regions if grouped.get(code)]


def helpers(lang: str) -> dict[str, Any]:
    """Functions the templates call, bound to the page language."""
    return {
        "figure": lambda value, unit: figure(value, unit, lang),
        "change": lambda value, previous: change(value, previous, lang),
    }
