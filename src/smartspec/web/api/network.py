"""The collaboration network and partner suggestions (the network layer through the facade)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query

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


Region = Query(None, description="Only organisations located in this strategy region")
Area = Query(None, description="Only organisations active in this competence area")
Type = Query(None, description="Organisation type")
Country = Query(None, pattern=r"^[A-Z]{2}$", description="Two-letter country code")
Limit = Query(10, ge=1, le=50)
Lang = Query("en", description="Language of the reasons")
OrgType = Literal["PRC", "HES", "REC", "PUB", "OTH"]


@router.get("/partners", response_model=Suggestions,
            summary="Organisations that fit a text (Finnish or English), with reasons")  # fmt: skip
def partners(
    q: str = Query(min_length=2, max_length=500, description="Free text in Finnish or English"),
    region: str | None = Region,
    area: str | None = Area,
    org_type: OrgType | None = Type,
    country: str | None = Country,
    limit: int = Limit,
    lang: Literal["fi", "en"] = Lang,
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(q, region=region, area=area, org_type=org_type, country=country, limit=limit, lang=lang)


@router.get("/partners/organisations/{organisation_id}", response_model=Suggestions,
            summary="Who an organisation should work with next, with reasons")  # fmt: skip
def partners_of(
    organisation_id: int = Path(ge=1),
    region: str | None = Region,
    area: str | None = Area,
    org_type: OrgType | None = Type,
    country: str | None = Country,
    limit: int = Limit,
    lang: Literal["fi", "en"] = Lang,
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(org=organisation_id, region=region, area=area, org_type=org_type, country=country,
                        limit=limit, lang=lang)  # fmt: skip


@router.get("/partners/topics/{topic}", response_model=Suggestions,
            summary="The regions' organisations and outside partners for a call topic, with reasons")  # fmt: skip
def partners_for_topic(
    topic: str = Path(max_length=80, description="A call topic code (HORIZON-CL5-2024-D3-01-01)"),
    limit: int = Limit,
    lang: Literal["fi", "en"] = Lang,
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(topic=topic, limit=limit, lang=lang)
