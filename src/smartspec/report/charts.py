"""Chart definitions as Vega-Lite specifications, rendered to SVG for the report.

One definition serves the report (SVG through vl-convert, which bundles Vega offline) and the web pages
(the same JSON spec, rendered in the browser by vega-embed).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import vl_convert

Spec = dict[str, Any]
FONT = "DejaVu Sans"
REGION_COLOURS = {"scheme": "tableau10"}


def _base(title: str, width: int = 520, height: int = 220) -> Spec:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width, "height": height,
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 10, "titleFontSize": 11}},
    }  # fmt: skip


def grouped_bars(title: str, rows: list[dict[str, Any]], *, category: str, group: str, value: str,
                 value_title: str, number_format: str = ",.0f") -> Spec:  # fmt: skip
    """Bars per category, side by side per group (e.g. regions × year)."""
    spec = _base(title)
    spec.update({
        "data": {"values": rows},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": category, "type": "nominal", "title": None, "sort": None},
            "yOffset": {"field": group, "type": "nominal"},
            "x": {"field": value, "type": "quantitative", "title": value_title, "axis": {"format": number_format}},
            "color": {"field": group, "type": "nominal", "title": None, "scale": {"scheme": "blues"}},
        },
    })  # fmt: skip
    spec["height"] = max(160, 26 * len({row[category] for row in rows}))
    return spec


def heatmap(title: str, rows: list[dict[str, Any]], *, x: str, y: str, value: str, value_title: str) -> Spec:
    spec = _base(title, width=420, height=300)
    spec.update({
        "data": {"values": rows},
        "encoding": {"x": {"field": x, "type": "nominal", "title": None, "sort": None, "axis": {"labelAngle": -40}},
                     "y": {"field": y, "type": "nominal", "title": None, "sort": None}},
        "layer": [
            {"mark": "rect", "encoding": {"color": {"field": value, "type": "quantitative", "title": value_title,
                                                    "scale": {"scheme": "purpleorange", "domain": [0, 3],
                                                              "domainMid": 1, "clamp": True}}}},
            {"mark": {"type": "text", "fontSize": 9},
             "encoding": {"text": {"field": value, "type": "quantitative", "format": ".1f"}}},
        ],
    })  # fmt: skip
    return spec


def region_map(title: str, topojson: dict[str, Any], values: dict[str, float], names: dict[str, str],
               value_title: str) -> Spec:  # fmt: skip
    """Finland's regions, the strategy's regions coloured by ``values`` (keyed by maakunta number)."""
    feature = next(iter(topojson["objects"]))
    rows = [{"maakunta": k, "value": v, "label": names.get(k, k)} for k, v in values.items()]
    spec = _base(title, width=260, height=420)
    spec.update({
        "projection": {"type": "mercator"},
        "layer": [
            {"data": {"values": topojson, "format": {"type": "topojson", "feature": feature}},
             "mark": {"type": "geoshape", "fill": "#e6e6e6", "stroke": "white", "strokeWidth": 0.6}},
            {"data": {"values": topojson, "format": {"type": "topojson", "feature": feature}},
             "transform": [{"lookup": "properties.maakunta",
                            "from": {"data": {"values": rows}, "key": "maakunta", "fields": ["value", "label"]}},
                           {"filter": "datum.value != null"}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.8},
             "encoding": {"color": {"field": "value", "type": "quantitative", "title": value_title,
                                    "scale": {"scheme": "blues"}, "legend": {"orient": "bottom", "format": ",.0f"}},
                          "tooltip": [{"field": "label"}, {"field": "value", "format": ",.0f"}]}},
        ],
    })  # fmt: skip
    return spec


def svg(spec: Spec, locale: str = "fi-FI", label: str | None = None) -> str:
    """The chart as SVG text (no network: vl-convert bundles Vega and its fonts are the system's), as one image
    with a text alternative: ``label``, else the chart's title."""
    format_locale = "fi-FI" if locale.startswith("fi") else "en-GB"
    text = str(vl_convert.vegalite_to_svg(spec, format_locale=format_locale, allowed_base_urls=[]))  # type: ignore[arg-type]
    return accessible(text, label or _title(spec))


# Vega marks every group and mark with an ARIA role (graphics-object, graphics-symbol) and a generated label; a
# reader then meets dozens of unlabelled "symbols" (axe-core: svg-img-alt). The chart is one image whose numbers
# are in a table next to it, so the inner roles go and the root gets role="img", a label and a <title>.
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def accessible(text: str, label: str) -> str:
    head, tag_end, body = text.partition(">")
    if not head.startswith("<svg") or not tag_end:
        return text
    quoted = html.escape(label, quote=True)
    return f'{head} role="img" aria-label="{quoted}"><title>{quoted}</title>{_INNER_ARIA.sub("", body)}'


def _title(spec: Spec) -> str:
    title = spec.get("title")
    return str(title.get("text", "")) if isinstance(title, dict) else str(title or "")


def load_topojson(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
