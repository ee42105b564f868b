"""Projects: search with facets (``GET /projects?q=…``), one project with its evidence, and the results as CSV or
XLSX with the same filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from smartspec.classify.classifier import ModelMissingError
from smartspec.observatory import Observatory
from smartspec.search.models import SearchQuery, Sort
from smartspec.web import exports
from smartspec.web.api.cached import cached_json
from smartspec.web.api.schemas import Project, ProjectPage
from smartspec.web.deps import observatory

router = APIRouter(tags=["projects"])
EXPORT_COLUMNS = (
    "id",
    "source",
    "source_id",
    "title",
    "acronym",
    "year",
    "programme",
    "fund",
    "regions",
    "areas",
    "topics",
    "ec_contribution_cents",
    "public_funding_cents",
    "match",
)


def search_query(
    q: str = Query(
        "",
        max_length=500,
        description="Words to find, Finnish or English; inflected forms and "
        "compound parts match (matkailun → matkailu)",
    ),
    region: list[str] = Query([], description="NUTS-3 codes of the strategy's regions (FI1D9 …), any of them"),
    area: list[str] = Query([], description="Competence area codes (I.1 …), any of them"),
    topic: list[str] = Query([], description="Sub-topic codes (I.1.1 …), any of them"),
    programme: list[str] = Query([], description="Programme codes as the sources give them"),
    fund: list[str] = Query([], description="Funding source codes (HORIZON, EAKR, ESR …)"),
    year: list[Annotated[int, Field(ge=1900, le=2100)]] = Query(
        [], description="Start years (call years where a project has no start date)"
    ),
    org_type: list[Literal["PRC", "HES", "REC", "PUB", "OTH"]] = Query([], description="Participants' types"),
    sort: Sort = Query(Sort.relevance, description="relevance, newest, oldest, title or funding"),
    page: int = Query(1, ge=1, le=10_000),
    per_page: int = Query(20, ge=1, le=100),
) -> SearchQuery:
    """The search's parameters, the same as the search page's URL: several values of one filter are
    alternatives, different filters combine."""
    return SearchQuery(
        q=q,
        region=region,
        area=area,
        topic=topic,
        programme=programme,
        fund=fund,
        year=year,
        org_type=org_type,
        sort=sort,
        page=page,
        per_page=per_page,
    )


@router.get("/projects", response_model=ProjectPage, summary="Search projects, with facet counts and a total")
def projects(
    request: Request, query: SearchQuery = Depends(search_query), obs: Observatory = Depends(observatory)
) -> Response:
    def page() -> ProjectPage:
        found = obs.search(query)
        return ProjectPage(
            total=found.total,
            page=query.page,
            per_page=query.per_page,
            pages=found.pages,
            items=found.items,
            facets=found.facets,
            terms=found.terms,
            ignored_words=found.ignored_words,
            normaliser=found.normaliser,
            query=found.query,
        )

    # The same search asked again (a shared link, paging back) is answered from the cache until the data change.
    return cached_json(obs, request, page)


@exports.route(router, "/projects", summary="Search results as CSV or XLSX",
               rows="Every matching project (up to 10,000), in the search's order")  # fmt: skip
def projects_export(
    query: SearchQuery = Depends(search_query), obs: Observatory = Depends(observatory)
) -> exports.Table:
    return exports.Table(obs.search_all(query), EXPORT_COLUMNS, "projects")


@router.get(
    "/projects/{project_id}",
    response_model=Project,
    summary="A project: participants, funding, areas and sub-topics, labels and the classifier's evidence",
)
def project(project_id: int = Path(ge=1, le=2**31 - 1), obs: Observatory = Depends(observatory)) -> Project:
    detail = obs.project(project_id)
    try:
        explanation = obs.explain(project_id)
    except ModelMissingError:  # no stored classifier: the project is shown without evidence
        explanation = None
    return Project(**detail.model_dump(), explanation=explanation)
