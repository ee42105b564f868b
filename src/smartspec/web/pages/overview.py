"""The overview: the strategy's seven goals with their headline value per region, the change from the year before
and a small trend; the map of the regions shaded by a chosen indicator; and the gap alerts of the year."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.observatory import Observatory
from smartspec.web import graphics
from smartspec.web.deps import fragment, language, observatory, render
from smartspec.web.pages.common import alerts_by_region, chosen_year, figure, helpers, report_lang

router = APIRouter()
DEFAULT_MAP_INDICATOR = "g2_eu_funding_per_capita"  # as in the report's map


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request, year: int | None = None, indicator: str | None = None) -> HTMLResponse:
    """The page around its content, which is drawn once per data revision, language, year and indicator (the goals'
    figures, 49 trend lines and the map take a tenth of a second and change only with the data)."""
    obs, lang = observatory(request), language(request)
    content = fragment(
        request, "_overview.html", (year, indicator), lambda: overview_content(obs, lang, year, indicator)
    )
    return render(request, "overview.html", content=content)


def overview_content(obs: Observatory, lang: str, year: int | None, indicator: str | None) -> dict[str, Any]:
    """What the overview's content shows (see ``_overview.html``)."""
    years = obs.indicator_years()
    shown = chosen_year(years, year, obs.indicator_years(with_projects=True))
    regions = obs.strategy.regions
    names = {region.code: region.name.get(lang) for region in regions}
    context = {"years": years, "year": shown, "requested_year": year, "names": names, **helpers(lang)}
    if shown is None:
        return context
    values = obs.indicators(shown)
    table = values.table()
    # The map can show every indicator with a value per region (not those stored per area only).
    choices = [entry for entry in values.definitions.values()
               if any((entry.id, region.code, None) in table for region in regions)]  # fmt: skip
    ids = [entry.id for entry in choices]
    chosen = indicator if indicator in ids else (DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in ids else ids[0])
    entry = values.definitions[chosen]
    map_values = {region.code: table[(chosen, region.code, None)].value for region in regions
                  if (chosen, region.code, None) in table}  # fmt: skip
    topojson = obs.map_topojson()
    drawn = None
    if topojson is not None:
        title = entry.title.get(lang)
        label = f"{title} {shown}: " + ", ".join(
            f"{names[code]} {figure(value, entry.unit, lang)}" for code, value in map_values.items()
        )
        drawn = graphics.region_map(
            topojson, f"{title} {shown}", {r.maakunta: map_values[r.code] for r in regions if r.code in map_values},
            {r.maakunta: names[r.code] for r in regions}, entry.unit if entry.unit != "EUR" else "€",
            graphics.legend_format(entry), report_lang(lang), label)  # fmt: skip
    headlines = obs.headlines(shown)
    sparks = {
        (goal.goal, row.region): graphics.sparkline(
            [(p.year, p.value) for p in row.series],
            ", ".join(f"{p.year}: {figure(p.value, goal.unit, lang)}" for p in row.series))
        for goal in headlines.goals for row in goal.regions
    }  # fmt: skip
    return {**context, "headlines": headlines, "sparks": sparks, "definitions": values.definitions,
            "choices": choices, "indicator": entry, "map_values": map_values, "map_svg": drawn,
            "alerts": alerts_by_region(obs.alerts(shown), [r.code for r in regions]),
            "areas": {a.code: a for a in obs.strategy.areas()}}  # fmt: skip
