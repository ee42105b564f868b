"""Indicators: the catalogue by goal; one indicator's chart and region × year table; the records behind a value."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.exceptions import HTTPException

from smartspec.indicators import IndicatorValue
from smartspec.report import charts
from smartspec.web.deps import language, observatory, render

router = APIRouter()
RECORDS_PER_PAGE = 50
CHART_YEARS = 3  # the chart shows the latest years (the table has all of them)
LOCALES = {"fi": "fi-FI", "en": "en-GB", "sv": "en-GB"}


@router.get("/indicators", response_class=HTMLResponse, include_in_schema=False)
def catalogue(request: Request) -> HTMLResponse:
    obs = observatory(request)
    entries = obs.indicator_catalogue().indicators
    goals = [(goal, [e for e in entries if e.goal == goal.code]) for goal in obs.strategy.goals]
    return render(request, "indicators.html", goals=goals, years=sorted(obs.indicator_years(), reverse=True))


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse, include_in_schema=False)
def indicator(request: Request, indicator_id: str, year: int | None = None, region: str | None = None,
              area: str | None = None) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    lang = language(request)
    catalogue = obs.indicator_catalogue()
    try:
        entry = catalogue.get(indicator_id)
    except KeyError:
        raise HTTPException(404, f"there is no indicator {indicator_id!r}") from None
    values: list[IndicatorValue] = []
    years = sorted(obs.indicator_years())
    for y in years:
        values.extend(v for v in obs.indicators(y).values if v.indicator == indicator_id)
    areas = sorted({v.area for v in values if v.area}, key=lambda a: obs.strategy.area_codes().index(a))
    chosen_area = area or None
    if chosen_area is None and values and all(v.area for v in values):
        chosen_area = areas[0]  # an indicator by area only: start with the first area
    shown = [v for v in values if v.area == chosen_area]
    years = sorted({v.year for v in shown})
    table = {(v.region, v.year): v for v in shown}
    regions = [r for r in obs.strategy.regions if any((r.code, y) in table for y in years)]
    title = entry.title.get(lang)
    chart = None
    chart_years = years[-CHART_YEARS:]
    if shown:
        rows = [{"region": r.name.get(lang), "year": str(y), "value": table[(r.code, y)].value}
                for r in regions for y in chart_years if (r.code, y) in table]  # fmt: skip
        spec = charts.grouped_bars(title, rows, category="region", group="year", value="value",
                                   value_title=entry.unit, number_format=",.2~f")  # fmt: skip
        spec["height"] = max(160, len(regions) * (10 * len(chart_years) + 8))  # bars thick enough to read
        # The SVG is the server's own rendering (vl-convert), safe to inline; the template gives it its text
        # alternative (role="img" and a label) and the table beside it has the numbers.
        chart = Markup(charts.svg(spec, LOCALES[lang]))
    return render(request, "indicator.html", entry=entry, sources=catalogue.sources, areas=areas, area=chosen_area,
                  all_areas=any(v.area is None for v in values), years=years, chart_years=chart_years,
                  regions=regions, table=table, chart=chart, year=year, region=region)  # fmt: skip


@router.get("/indicators/{indicator_id}/records", response_class=HTMLResponse, include_in_schema=False)
def records(request: Request, indicator_id: str, year: int, region: str | None = None, area: str | None = None,
            page: int = Query(1, ge=1)) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    found = obs.indicator_records(year, indicator_id, region, area, page=page, per_page=RECORDS_PER_PAGE)
    entry = obs.indicator_catalogue().get(indicator_id)
    query_string = urlencode([(k, v) for k, v in (("region", region), ("area", area)) if v])
    return render(request, "indicator_records.html", records=found, entry=entry, query_string=query_string)
