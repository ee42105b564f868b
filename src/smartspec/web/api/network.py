"""The collaboration network and partner suggestions (the network layer through the facade)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

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


OrgType = Literal["PRC", "HES", "REC", "PUB", "OTH"]


class Listing(BaseModel):
    """How many suggestions, and in which language their reasons are written."""

    limit: int = Field(10, ge=1, le=50, description="How many suggestions at most")
    lang: Literal["fi", "en"] = Field("en", description="Language of the reasons")


class PartnerFilters(Listing):
    """Which organisations may be suggested (every filter is optional; they combine)."""

    region: str | None = Field(None, description="Only organisations located in this strategy region")
    area: str | None = Field(None, description="Only organisations active in this competence area")
    org_type: OrgType | None = Field(None, description="Organisation type")
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="Two-letter country code")


@router.get("/partners", response_model=Suggestions,
            summary="Organisations that fit a text (Finnish or English), with reasons")  # fmt: skip
def partners(
    filters: Annotated[PartnerFilters, Query()],
    q: str = Query(min_length=2, max_length=500, description="Free text in Finnish or English"),
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(q, **filters.model_dump())


@router.get("/partners/organisations/{organisation_id}", response_model=Suggestions,
            summary="Who an organisation should work with next, with reasons")  # fmt: skip
def partners_of(
    filters: Annotated[PartnerFilters, Query()],
    organisation_id: int = Path(ge=1),
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(org=organisation_id, **filters.model_dump())


@router.get("/partners/topics/{topic}", response_model=Suggestions,
            summary="The regions' organisations and outside partners for a call topic, with reasons")  # fmt: skip
def partners_for_topic(
    listing: Annotated[Listing, Query()],
    topic: str = Path(max_length=80, description="A call topic code (HORIZON-CL5-2024-D3-01-01)"),
    obs: Observatory = Depends(observatory),
) -> Suggestions:
    return obs.partners(topic=topic, **listing.model_dump())
