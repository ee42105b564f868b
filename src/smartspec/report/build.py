"""The bilingual annual report: indicators and alerts for a year, rendered to HTML and PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Engine, func, select

from smartspec.errors import InputError
from smartspec.indicators import alerts, compute, load_catalogue
from smartspec.indicators.facts import Facts, load_facts
from smartspec.indicators.service import as_table
from smartspec.report import charts
from smartspec.report import format as fmt
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

MAP_FILE = Path("finland_regions_geo") / "finland-regions-2020.topo.json"


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    text = (resources.files("smartspec.report") / "data" / "messages.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


@dataclass
class Report:
    year: int
    lang: str
    html: str
    context: dict[str, Any]


def _t(lang: str) -> Any:
    strings = messages()

    def translate(key: str, **values: Any) -> str:
        return strings[key][lang].format(**values)

    return translate


def _total(values: dict[tuple[str, str | None, str | None], Any], indicator: str, regions: list[str]) -> float:
    return float(sum(values[(indicator, r, None)].value for r in regions if (indicator, r, None) in values))


def build(engine: Engine, strategy: Strategy, year: int, lang: str, data_dir: Path | None = None,
          facts: Facts | None = None) -> Report:  # fmt: skip
    if lang not in ("fi", "en"):
        raise InputError(f"unknown language {lang!r}", hint="use --lang fi or --lang en")
    t = _t(lang)
    catalogue = load_catalogue()
    with session_factory(engine)() as session:
        facts = facts or load_facts(session, strategy)
        current = compute(session, strategy, year, facts=facts)
        previous = compute(session, strategy, year - 1, facts=facts)
        gaps = alerts(current, previous, session, strategy)
        imports = {
            source: finished
            for source, finished in session.execute(
                select(m.ImportBatch.source, func.max(m.ImportBatch.finished_at))
                .where(m.ImportBatch.status == "done")
                .group_by(m.ImportBatch.source)
            )
        }
    now, before = as_table(current.values), as_table(previous.values)
    regions = [r.code for r in strategy.regions]
    names = {r.code: r.name.get(lang) for r in strategy.regions}
    area_names = {a.code: a.label.get(lang) for a in strategy.areas()}

    def value(table: dict[Any, Any], indicator: str, region: str, area: str | None = None) -> float:
        found = table.get((indicator, region, area))
        return float(found.value) if found is not None else 0.0

    # Headline changes, all regions together.
    headline = []
    for indicator, kind in (
        ("g1_projects", "n"),
        ("g1_multi_region", "n"),
        ("g1_international", "n"),
        ("g2_eu_funding", "money"),
        ("g2_public_funding", "money"),
    ):
        a, b = _total(now, indicator, regions), _total(before, indicator, regions)
        if a == 0 and b == 0:
            continue  # no data for either year (e.g. structural funds outside their programme period)
        headline.append(
            {
                "title": catalogue.get(indicator).title.get(lang),
                "value": fmt.money(a, lang) if kind == "money" else fmt.number(a, lang),
                "previous": fmt.money(b, lang) if kind == "money" else fmt.number(b, lang),
                "change": fmt.change(a, b, lang),
            }
        )
    movers = sorted(regions, key=lambda r: value(now, "g2_eu_funding", r) - value(before, "g2_eu_funding", r))

    rows = []
    for r in regions:
        rows.append(
            {
                "region": names[r],
                "projects": fmt.number(value(now, "g1_projects", r), lang),
                "multi": fmt.percent(value(now, "g1_multi_region_share", r), lang),
                "international": fmt.number(value(now, "g1_international", r), lang),
                "eu": fmt.money(value(now, "g2_eu_funding", r), lang),
                "eu_change": fmt.change(value(now, "g2_eu_funding", r), value(before, "g2_eu_funding", r), lang),
                "per_capita": fmt.number(value(now, "g2_eu_funding_per_capita", r), lang, 2),
                "share": fmt.percent(value(now, "g2_share_of_finland", r), lang),
                "public": fmt.money(value(now, "g2_public_funding", r), lang),
                "clusters": fmt.number(value(now, "g4_clusters", r), lang),
                "memberships": fmt.number(value(now, "g5_memberships", r), lang),
                "actions": fmt.number(value(now, "g6_actions", r), lang),
            }
        )

    locale = "fi-FI" if lang == "fi" else "en-GB"
    svgs: dict[str, str] = {}
    g1_rows = [
        {"region": names[r], "series": catalogue.get(i).title.get(lang), "value": value(now, i, r)}
        for r in regions
        for i in ("g1_projects", "g1_multi_region", "g1_international")
    ]

    def bars(title: str, rows: list[dict[str, Any]], value_title: str) -> str:
        """Bars per region, one per series (indicator or year)."""
        spec = charts.grouped_bars(title, rows, category="region", group="series", value="value",
                                   value_title=value_title)  # fmt: skip
        return charts.svg(spec, locale)

    svgs["g1"] = bars(catalogue.get("g1_projects").title.get(lang) + f" {year}", g1_rows, t("projects"))
    g2_rows = [
        {"region": names[r], "series": str(y), "value": value(table, "g2_eu_funding", r)}
        for r in regions
        for y, table in ((year - 1, before), (year, now))
    ]
    svgs["g2"] = bars(catalogue.get("g2_eu_funding").title.get(lang), g2_rows, "€")
    rca_rows = [
        {"area": code, "region": names[r], "rca": value(now, "rca_finland", r, code)}
        for code in strategy.area_codes()
        for r in regions
        if ("rca_finland", r, code) in now
    ]
    svgs["rca"] = (
        charts.svg(
            charts.heatmap(
                catalogue.get("rca_finland").title.get(lang),
                rca_rows,
                x="region",
                y="area",
                value="rca",
                value_title="RCA",
            ),
            locale,
        )
        if rca_rows
        else ""
    )
    topo = charts.load_topojson(data_dir / MAP_FILE) if data_dir else None
    if topo is not None:
        per_capita = {
            strategy.region(r).maakunta: value(now, "g2_eu_funding_per_capita", r)  # type: ignore[union-attr]
            for r in regions
        }
        map_names = {strategy.region(r).maakunta: names[r] for r in regions}  # type: ignore[union-attr]
        svgs["map"] = charts.svg(charts.region_map(t("map_title"), topo, per_capita, map_names, "€"), locale)

    areas_table = []
    for code in strategy.area_codes():
        cells = [
            fmt.number(value(now, "g2_eu_funding", r, code) / 1000, lang) if ("g2_eu_funding", r, code) in now else "–"
            for r in regions
        ]
        communities = sum(int(value(now, "g3_communities", r, code)) for r in regions)
        areas_table.append({"code": code, "label": area_names[code], "cells": cells, "communities": communities})

    # Alerts, one line per region and kind, listing the areas (falling funding with its figures).
    grouped: dict[tuple[str, str], list[str]] = {}
    for gap in gaps:
        item = gap["area"]
        if gap["kind"] == "falling_funding":
            item += f" ({fmt.money(gap['previous'], lang)} → {fmt.money(gap['value'], lang)})"
        kind = "falling_funding_short" if gap["kind"] == "falling_funding" else gap["kind"]
        grouped.setdefault((gap["region"], kind), []).append(item)
    alert_rows = [
        {"region": names[r], "kind": t(kind), "areas": ", ".join(items)}
        for (r, kind), items in sorted(grouped.items(), key=lambda pair: (regions.index(pair[0][0]), pair[0][1]))
    ]
    short = {
        "falling_funding": "falling_funding_short",
        "no_cluster": "no_cluster",
        "no_international_partner": "no_international_partner",
    }
    alert_counts: dict[str, int] = {}
    for gap in gaps:
        label = t(short[gap["kind"]])
        alert_counts[label] = alert_counts.get(label, 0) + 1

    coverage = []
    for r in regions:
        entry = now.get(("g7_records", r, None))
        details = entry.details if entry else {}
        coverage.append(
            {
                "region": names[r],
                "records": fmt.number(entry.value if entry else 0, lang),
                "by_source": ", ".join(f"{k} {v}" for k, v in sorted(details.get("by_source", {}).items())),
                "classified": fmt.number(details.get("classified", 0), lang),
            }
        )

    sources = []
    for key, source in catalogue.sources.items():
        snapshot = imports.get(key)
        sources.append(
            {
                "name": source.name.get(lang),
                "publisher": source.publisher.get(lang),
                "licence": source.licence,
                "url": source.url,
                "snapshot": fmt.date(snapshot.date(), lang) if snapshot else "–",
            }
        )

    registers_empty = all(
        value(now, i, r) == 0 for r in regions for i in ("g4_clusters", "g5_memberships", "g6_actions")
    )
    context = {
        "lang": lang,
        "year": year,
        "t": t,
        "strategy": strategy,
        "names": names,
        "title": t("title", year=year),
        "generated": t("generated", date=fmt.date(dt.date.today(), lang)),
        "headline": headline,
        "rows": rows,
        "svgs": {k: Markup(v) for k, v in svgs.items()},
        "areas_table": areas_table,
        "alerts": alert_rows,
        "alert_counts": alert_counts,
        "coverage": coverage,
        "sources": sources,
        "indicators": catalogue.indicators,
        "ind": {i.id: i for i in catalogue.indicators},
        "goals": strategy.goals,
        "regions": regions,
        "top_mover": names[movers[-1]] if movers else None,
        "registers_empty": registers_empty,
        "map_missing": "map" not in svgs,
    }
    html = _environment().get_template("report.html").render(**context)
    return Report(year, lang, html, context)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("smartspec.report", "templates"), autoescape=select_autoescape(["html"]))


def write(report: Report, out: Path, output_format: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    if output_format == "html":
        out.write_text(report.html, encoding="utf-8")
        return out
    if output_format == "pdf":
        from weasyprint import HTML  # imported here: only PDF output pays for it

        HTML(string=report.html, base_url=str(out.parent)).write_pdf(out)
        return out
    raise InputError(f"unknown format {output_format!r}", hint="use --format html or --format pdf")
