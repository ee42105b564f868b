"""The regions: a list of the seven, and each region's profile (specialisation with RCA, trends of the goals'
headline figures, gap alerts, top organisations by EU funding, partner regions)."""

from __future__ import annotations

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from smartspec.web import graphics
from smartspec.web.deps import language, observatory, render
from smartspec.web.pages.common import chosen_year, figure, helpers

router = APIRouter()
EU_CODES = {"EL": "GR", "UK": "GB"}  # the EU's own country codes (CORDIS) where ISO 3166 differs


def country_names(lang: str) -> dict[str, str]:
    """Country names in the page language by code (CLDR through Babel), under the EU's codes too."""
    territories = Locale.parse(lang).territories
    return {**territories, **{eu: territories[iso] for eu, iso in EU_CODES.items()}}


@router.get("/regions", response_class=HTMLResponse, include_in_schema=False)
def regions(request: Request) -> HTMLResponse:
    obs = observatory(request)
    return render(request, "regions.html", stats=obs.stats())


@router.get("/regions/{code}", response_class=HTMLResponse, include_in_schema=False)
def region(request: Request, code: str, year: int | None = None) -> HTMLResponse:
    obs = observatory(request)
    lang = language(request)
    found = obs.strategy.region(code)
    if found is None:
        raise HTTPException(404, f"there is no region {code} in the strategy")
    if found.code != code:  # an older NUTS code of the region: its page is under the current code
        raise HTTPException(404, f"{code} is an older code of {found.name.get(lang)}: see /regions/{found.code}")
    years = obs.indicator_years()
    profile = obs.region_profile(code, chosen_year(years, year, obs.indicator_years(with_projects=True)))
    catalogue = {entry.id: entry for entry in obs.indicator_catalogue().indicators}
    sparks = {}
    if profile.trends is not None:
        for goal in profile.trends.goals:
            row = goal.regions[0]
            sparks[goal.goal] = graphics.sparkline(
                [(p.year, p.value) for p in row.series],
                ", ".join(f"{p.year}: {figure(p.value, goal.unit, lang)}" for p in row.series))  # fmt: skip
    return render(request, "region.html", region=found, profile=profile, years=years, sparks=sparks,
                  home_country=obs.strategy.country_code, country_names=country_names(lang),
                  catalogue=catalogue, areas={a.code: a for a in obs.strategy.areas()},
                  names={r.code: r.name.get(lang) for r in obs.strategy.regions}, **helpers(lang))  # fmt: skip
