"""The pages' graphics, rendered on the server as SVG (no JavaScript): the regions' map through the report's Vega-Lite
specification, and small trend lines drawn directly. Each is one image with a text alternative, its numbers in a
table or list beside it, and no inline style (the pages' CSP allows none): colours are SVG presentation attributes.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from smartspec.indicators import Indicator
from smartspec.report import charts

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 26, 3


def sparkline(points: list[tuple[int, float]], label: str) -> Markup:
    """A tiny line of values over the years (x proportional to the year, so that gaps between stored years show)."""
    if not points:
        return Markup("")
    years = [year for year, _ in points]
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span_x = (years[-1] - years[0]) or 1
    span_y = (high - low) or 1.0

    def xy(year: int, value: float) -> tuple[float, float]:
        x = SPARK_PAD + (year - years[0]) / span_x * (SPARK_WIDTH - 2 * SPARK_PAD)
        y = SPARK_HEIGHT - SPARK_PAD - ((value - low) / span_y if high > low else 0.5) * (SPARK_HEIGHT - 2 * SPARK_PAD)
        return round(x, 1), round(y, 1)

    coords = [xy(year, value) for year, value in points]
    line = " ".join(f"{x},{y}" for x, y in coords)
    last_x, last_y = coords[-1]
    text = escape(label)
    return Markup(
        f'<svg class="spark" role="img" aria-label="{text}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{text}</title>'
        f'<polyline points="{line}" fill="none" stroke="#0b3a6e" stroke-width="1.6" stroke-linejoin="round"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.4" fill="#0b3a6e"/></svg>'
    )


def legend_format(entry: Indicator) -> str:
    """The d3 number format of an indicator's legend (shares as percentages, small ratios with their digits)."""
    if entry.unit == "share":
        return ".0%"
    if entry.unit in ("EUR per EUR of GDP", "index"):
        return ".2~r"
    if entry.unit == "EUR per inhabitant":
        return ",.2f"
    return ",.0f"


def region_map(topojson: dict[str, Any], title: str, values: dict[str, float], names: dict[str, str],
               value_title: str, number_format: str, lang: str, label: str) -> Markup:  # fmt: skip
    """The report's map of the regions shaded by ``values`` (keyed by maakunta number), as SVG labelled ``label``."""
    digest = hashlib.sha1(json.dumps(topojson, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    if digest not in _TOPOJSON:
        _TOPOJSON.clear()  # one map file at a time
        _TOPOJSON[digest] = topojson
    return Markup(_map_svg(digest, title, tuple(sorted(values.items())), tuple(sorted(names.items())), value_title,
                           number_format, lang, label))  # fmt: skip


_TOPOJSON: dict[str, dict[str, Any]] = {}  # the map file's content by digest, for the cache below


@lru_cache(maxsize=128)
def _map_svg(digest: str, title: str, values: tuple[tuple[str, float], ...], names: tuple[tuple[str, str], ...],
             value_title: str, number_format: str, lang: str, label: str) -> str:  # fmt: skip
    # Rendering a map takes about 0.1 s; the same values give the same picture, so it is cached by content.
    spec = charts.region_map(title, _TOPOJSON[digest], dict(values), dict(names), value_title)
    legend = spec["layer"][1]["encoding"]["color"]["legend"]
    legend["format"] = number_format
    return charts.svg(spec, "fi-FI" if lang == "fi" else "en-GB", label)
