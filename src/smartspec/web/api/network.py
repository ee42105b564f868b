"""The collaboration network and partner suggestions (the network layer through the facade)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from smartspec.network import NetworkReport, Suggestions
from smartspec.observatory import Observatory
from smartspec.web.deps import observatory

router = APIRouter(tags=["network"])


@router.get("/network", response_model=NetworkReport,
            summary="The collaboration network: places, communities and their central members, gaps")  # fmt: skip
def network(
    area: str | None = Query(None, description="Competence area code (I.1 …): projects labelled with it"),
    region: str | None = Query(None, description="NUTS-3 code of a strategy region: projects with a participant there"),
    year_from: int | None = Query(None, ge=1950, le=2100, description="First project year"),
    year_to: int | None = Query(None, ge=1950, le=2100, description="Last project year, inclusive"),
    programme: str | None = Query(None, max_length=40, description="Programme code (HORIZON, H2020, EURA2014 …)"),
    top: int = Query(10, ge=1, le=50, description="How many of the largest communities to describe"),
    obs: Observatory = Depends(observatory),
) -> NetworkReport:
    return obs.network(area=area, region=region, year_from=year_from, year_to=year_to, programme=programme, top=top)


@router.get("/partners", response_model=Suggestions,
            summary="Partners fitting a text, an organisation (org) or a call topic, with reasons")  # fmt: skip
def partners(
    q: str | None = Query(None, min_length=2, max_length=500, description="Free text in Finnish or English"),
    org: int | None = Query(None, ge=1, description="An organisation's id: who it should work with next"),
    topic: str | None = Query(None, max_length=80, description="A call topic code (HORIZON-CL5-2024-D3-01-01)"),
    region: str | None = Query(None, description="Only organisations located in this strategy region"),
    area: str | None = Query(None, description="Only organisations active in this competence area"),
    org_type: Literal["PRC", "HES", "REC", "PUB", "OTH"] | None = Query(None, description="Organisation type"),
    country: str | None = Query(None, pattern=r"^[A-Z]{2}$", description="Two-letter country code"),
    limit: int = Query(10, ge=1, le=50),
    lang: Literal["fi", "en"] = Query("en", description="Language of the reasons"),
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(q, org=org, topic=topic, region=region, area=area, org_type=org_type, country=country,
                        limit=limit, lang=lang)  # fmt: skip
