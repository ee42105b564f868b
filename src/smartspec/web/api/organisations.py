"""Organisations: a page of them by name, region, type and country; one with its names, projects, partners and
funding by year and area."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query

from smartspec.observatory import Observatory
from smartspec.store.profiles import OrganisationProfile
from smartspec.store.records import OrganisationPage
from smartspec.web.deps import observatory

router = APIRouter(tags=["organisations"])


@router.get("/organisations", response_model=OrganisationPage, summary="Organisations with projects and funding")
def organisations(
    q: str = Query("", max_length=200, description="Part of a name, in any of its spellings (case ignored)"),
    region: str | None = Query(None, description="NUTS-3 code of a strategy region (FI1D9 …)"),
    org_type: Literal["PRC", "HES", "REC", "PUB", "OTH"] | None = Query(None, description="Organisation type"),
    country: str | None = Query(None, pattern=r"^[A-Za-z]{2}$", description="Two-letter country code"),
    sort: Literal["projects", "funding", "name"] = Query(
        "projects", description="Most projects, most EU funding, or by name"
    ),
    page: int = Query(1, ge=1, le=10_000),
    per_page: int = Query(20, ge=1, le=100),
    obs: Observatory = Depends(observatory),
) -> OrganisationPage:
    return obs.organisations(
        q=q, region=region, org_type=org_type, country=country, sort=sort, page=page, per_page=per_page
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationProfile,
    summary="An organisation: all spellings of its name, projects, partners, funding by year and area",
)
def organisation(
    organisation_id: int = Path(ge=1, le=2**31 - 1), obs: Observatory = Depends(observatory)
) -> OrganisationProfile:
    return obs.organisation(organisation_id)
