"""The report's sections, built from its data in one language: the pieces the HTML/PDF report and the web pages
share (headline changes, the comparison of regions, charts, the area table, alerts, coverage, sources)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from smartspec.i18n import translations
from smartspec.indicators import Indicators, IndicatorValue
from smartspec.report import charts
from smartspec.report import format as fmt
from smartspec.report.data import ReportData

Table = dict[tuple[str, str | None, str | None], IndicatorValue]
HEADLINE = (("g1_projects", "n"), ("g1_multi_region", "n"), ("g1_international", "n"),
            ("g2_eu_funding", "money"), ("g2_public_funding", "money"))  # fmt: skip


def value(table: Table, indicator: str, region: str, area: str | None = None) -> float:
    found = table.get((indicator, region, area))
    return float(found.value) if found is not None else 0.0


def total(values: Indicators, indicator: str, regions: list[str]) -> float:
    table = values.table()
    return sum(value(table, indicator, r) for r in regions)


def headline(data: ReportData, lang: str) -> list[dict[str, str]]:
    """Headline changes, all regions together (figures with no data in either year are left out)."""
    regions = [r.code for r in data.strategy.regions]
    out = []
    for indicator, kind in HEADLINE:
        a, b = total(data.current, indicator, regions), total(data.previous, indicator, regions)
        if a == 0 and b == 0:
            continue  # e.g. structural funds outside their programme period
        show = fmt.money if kind == "money" else fmt.number
        out.append({"title": data.catalogue.get(indicator).title.get(lang), "value": show(a, lang),
                    "previous": show(b, lang), "change": fmt.change(a, b, lang)})  # fmt: skip
    return out


def region_rows(data: ReportData, lang: str) -> list[dict[str, str]]:
    now, before = data.current.table(), data.previous.table()
    rows = []
    for region in data.strategy.regions:
        r = region.code
        rows.append({
            "region": region.name.get(lang),
            "projects": fmt.number(value(now, "g1_projects", r), lang),
            "multi": fmt.percent(value(now, "g1_multi_region_share", r), lang),
            "international": fmt.number(value(now, "g1_international", r), lang),
            "eu": fmt.money(value(now, "g2_eu_funding", r), lang),
            "eu_change": fmt.change(value(now, "g2_eu_funding", r), value(before, "g2_eu_funding", r), lang),
            "per_capita": fmt.number(value(now, "g2_eu_funding_per_capita", r), lang, 2),
            "per_gdp": fmt.per_mille(value(now, "g2_eu_funding_per_gdp", r)
                                     if ("g2_eu_funding_per_gdp", r, None) in now else None, lang),
            "share": fmt.percent(value(now, "g2_share_of_finland", r), lang),
            "public": fmt.money(value(now, "g2_public_funding", r), lang),
            "clusters": fmt.number(value(now, "g4_clusters", r), lang),
            "memberships": fmt.number(value(now, "g5_memberships", r), lang),
            "actions": fmt.number(value(now, "g6_actions", r), lang),
        })  # fmt: skip
    return rows


def alert_label(kind: str, lang: str) -> str:
    """The name of a kind of gap alert (the report's wording: the context keeps it apart from the web's)."""
    pgettext = translations(lang).pgettext
    labels = {
        "falling_funding": pgettext("report", "EU funding fell by a quarter or more"),
        "no_cluster": pgettext("report", "No registered cluster in the area"),
        "no_international_partner": pgettext("report", "Specialised, but no partner abroad in three years"),
    }
    return labels[kind]


def reference_years(data: ReportData, lang: str) -> str:
    """Which years' population and GDP the per-inhabitant and per-GDP figures use (said next to the figures)."""
    _ = translations(lang).gettext
    labels = {"population_year": _("population of %(years)s"), "gdp_year": _("GDP of %(years)s")}
    parts = []
    for indicator, key in (("g2_eu_funding_per_capita", "population_year"), ("g2_eu_funding_per_gdp", "gdp_year")):
        years = sorted({int(v.details[key]) for v in data.current.values
                        if v.indicator == indicator and v.details.get(key) is not None})  # fmt: skip
        if years:
            parts.append(labels[key] % {"years": ", ".join(str(y) for y in years)})
    return " · ".join(parts)


def svgs(data: ReportData, lang: str) -> dict[str, Markup]:
    """The report's charts (Vega-Lite, rendered to SVG offline), each with a text alternative."""
    _ = translations(lang).gettext
    catalogue, year = data.catalogue, data.year
    now, before = data.current.table(), data.previous.table()
    regions = [r.code for r in data.strategy.regions]
    names = {r.code: r.name.get(lang) for r in data.strategy.regions}
    locale = "fi-FI" if lang == "fi" else "en-GB"
    out: dict[str, str] = {}

    def bars(title: str, rows: list[dict[str, Any]], value_title: str) -> str:
        spec = charts.grouped_bars(title, rows, category="region", group="series", value="value",
                                   value_title=value_title)  # fmt: skip
        return charts.svg(spec, locale)

    g1_rows = [{"region": names[r], "series": catalogue.get(i).title.get(lang), "value": value(now, i, r)}
               for r in regions for i in ("g1_projects", "g1_multi_region", "g1_international")]  # fmt: skip
    out["g1"] = bars(catalogue.get("g1_projects").title.get(lang) + f" {year}", g1_rows, _("projects"))
    g2_rows = [{"region": names[r], "series": str(y), "value": value(table, "g2_eu_funding", r)}
               for r in regions for y, table in ((year - 1, before), (year, now))]  # fmt: skip
    out["g2"] = bars(catalogue.get("g2_eu_funding").title.get(lang), g2_rows, "€")
    rca_rows = [{"area": code, "region": names[r], "rca": value(now, "rca_finland", r, code)}
                for code in data.strategy.area_codes() for r in regions if ("rca_finland", r, code) in now]  # fmt: skip
    if rca_rows:
        spec = charts.heatmap(catalogue.get("rca_finland").title.get(lang), rca_rows, x="region", y="area",
                              value="rca", value_title="RCA")  # fmt: skip
        out["rca"] = charts.svg(spec, locale)
    if data.topojson is not None:
        per_capita = {region.maakunta: value(now, "g2_eu_funding_per_capita", region.code)
                      for region in data.strategy.regions}  # fmt: skip
        map_names = {region.maakunta: names[region.code] for region in data.strategy.regions}
        spec = charts.region_map(_("EU funding per inhabitant, €"), data.topojson, per_capita, map_names, "€")
        spec["layer"][1]["encoding"]["color"]["legend"]["format"] = ",.2~f"  # euros per inhabitant can be below 1
        out["map"] = charts.svg(spec, locale)
    return {key: Markup(svg) for key, svg in out.items()}


def area_table(data: ReportData, lang: str) -> list[dict[str, Any]]:
    now = data.current.table()
    regions = [r.code for r in data.strategy.regions]
    rows = []
    for area in data.strategy.areas():
        code = area.code
        cells = [fmt.number(value(now, "g2_eu_funding", r, code) / 1000, lang)
                 if ("g2_eu_funding", r, code) in now else "–" for r in regions]  # fmt: skip
        communities = sum(int(value(now, "g3_communities", r, code)) for r in regions)
        rows.append({"code": code, "label": area.label.get(lang), "cells": cells, "communities": communities})
    return rows


def alert_rows(data: ReportData, lang: str) -> tuple[list[dict[str, str]], dict[str, int]]:
    """One line per region and kind, listing the areas (falling funding with its figures), and counts per kind."""
    regions = [r.code for r in data.strategy.regions]
    names = {r.code: r.name.get(lang) for r in data.strategy.regions}
    grouped: dict[tuple[str, str], list[str]] = {}
    counts: dict[str, int] = {}
    for gap in data.alerts:
        item = gap.area
        if gap.kind == "falling_funding":
            item += f" ({fmt.money(gap.previous, lang)} → {fmt.money(gap.value, lang)})"
        grouped.setdefault((gap.region, gap.kind), []).append(item)
        label = alert_label(gap.kind, lang)
        counts[label] = counts.get(label, 0) + 1
    ordered = sorted(grouped.items(), key=lambda pair: (regions.index(pair[0][0]), pair[0][1]))
    rows = [{"region": names[r], "kind": alert_label(kind, lang), "areas": ", ".join(items)}
            for (r, kind), items in ordered]  # fmt: skip
    return rows, counts


def coverage(data: ReportData, lang: str) -> list[dict[str, str]]:
    now = data.current.table()
    out = []
    for region in data.strategy.regions:
        entry = now.get(("g7_records", region.code, None))
        details = entry.details if entry else {}
        out.append({"region": region.name.get(lang), "records": fmt.number(entry.value if entry else 0, lang),
                    "by_source": ", ".join(f"{k} {v}" for k, v in sorted(details.get("by_source", {}).items())),
                    "classified": fmt.number(details.get("classified", 0), lang)})  # fmt: skip
    return out


def sources(data: ReportData, lang: str) -> list[dict[str, Any]]:
    out = []
    for key, source in data.catalogue.sources.items():
        snapshot = data.imported.get(key)
        out.append({"name": source.name.get(lang), "publisher": source.publisher.get(lang),
                    "licence": source.licence, "url": source.url,
                    "snapshot": fmt.date(snapshot.date(), lang) if snapshot else "–"})  # fmt: skip
    return out


def context(data: ReportData, lang: str) -> dict[str, Any]:
    """Everything the report template shows, in ``lang``."""
    _ = translations(lang).gettext
    regions = [r.code for r in data.strategy.regions]
    now = data.current.table()
    movers = sorted(regions, key=lambda r: value(now, "g2_eu_funding", r) - value(data.previous.table(),
                                                                                 "g2_eu_funding", r))  # fmt: skip
    alerts, counts = alert_rows(data, lang)
    graphics = svgs(data, lang)
    return {
        "lang": lang, "year": data.year, "strategy": data.strategy,
        "names": {r.code: r.name.get(lang) for r in data.strategy.regions},
        "title": _("East and North Finland smart specialisation monitoring report %(year)s") % {"year": data.year},
        "generated": _("Produced on %(date)s with smartspec from the data in the store.")
        % {"date": fmt.date(data.today, lang)},
        "headline": headline(data, lang), "rows": region_rows(data, lang), "svgs": graphics,
        "reference_years": reference_years(data, lang), "areas_table": area_table(data, lang),
        "alerts": alerts, "alert_counts": counts, "coverage": coverage(data, lang), "sources": sources(data, lang),
        "indicators": data.catalogue.indicators, "ind": {i.id: i for i in data.catalogue.indicators},
        "goals": data.strategy.goals, "regions": regions, "top_mover": data.strategy.region(movers[-1]).name.get(lang)  # type: ignore[union-attr]
        if movers else None,
        "registers_empty": all(value(now, i, r) == 0 for r in regions
                               for i in ("g4_clusters", "g5_memberships", "g6_actions")),
        "map_missing": "map" not in graphics,
    }  # fmt: skip
