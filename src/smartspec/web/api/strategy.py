"""The strategy and its regions, the classifications, registers, the import log and the reports."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from smartspec import classify as cl
from smartspec.errors import NotFoundError
from smartspec.indicators import registers as reg
from smartspec.observatory import Observatory
from smartspec.store.queries import Stats
from smartspec.store.records import ImportPage, Label
from smartspec.strategy import Strategy
from smartspec.web.api.schemas import Region, RegionSummary
from smartspec.web.deps import observatory

router = APIRouter()
# The report is a document of its own: its styles are inline, it runs no script and loads nothing.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@router.get(
    "/strategy",
    response_model=Strategy,
    tags=["strategy"],
    summary="The strategy: priorities, areas, sub-topics, regions, goals",
)
def strategy(obs: Observatory = Depends(observatory)) -> Strategy:
    return obs.strategy


@router.get(
    "/stats",
    response_model=Stats,
    tags=["strategy"],
    summary="Per region: projects, organisations, EU and public funding",
)
def stats(
    source: str | None = Query(None, max_length=100, description="Only this source (cordis, eura …)"),
    obs: Observatory = Depends(observatory),
) -> Stats:
    return obs.stats(source)


@router.get(
    "/regions",
    response_model=list[RegionSummary],
    tags=["strategy"],
    summary="The strategy's regions with their names in Finnish, Swedish and English and their figures",
)
def regions(obs: Observatory = Depends(observatory)) -> list[RegionSummary]:
    figures = obs.stats().regions
    return [
        RegionSummary(code=r.code, maakunta=r.maakunta, name=r.name, council=r.council, figures=figures[r.code])
        for r in obs.strategy.regions
    ]


@router.get(
    "/regions/{code}",
    response_model=Region,
    tags=["strategy"],
    summary="A region: names, NUTS codes, vision, its own priorities, figures and projects per area",
)
def region(
    code: str = Path(max_length=10, description="NUTS-3 code, current or legacy (FI1D9, FI1A3 …)"),
    obs: Observatory = Depends(observatory),
) -> Region:
    found = obs.strategy.region(code)
    if found is None:
        raise NotFoundError(
            f"there is no region {code!r} in {obs.strategy.code}",
            hint="use one of " + ", ".join(r.code for r in obs.strategy.regions),
        )
    per_area = {area: counts.get(found.code, 0) for area, counts in obs.area_counts().areas.items()}
    return Region(
        code=found.code,
        maakunta=found.maakunta,
        name=found.name,
        council=found.council,
        figures=obs.stats().regions[found.code],
        nuts_codes=sorted(found.nuts_codes),
        vision=found.vision,
        priorities=found.priorities,
        cross_cutting=found.cross_cutting,
        projects_by_area=per_area,
    )


@router.get(
    "/classifications/projects/{project_id}",
    response_model=list[Label],
    tags=["classifications"],
    summary="A project's classification rows: the model's labels and reviewers' decisions",
)
def project_labels(project_id: int = Path(ge=1, le=2**31 - 1), obs: Observatory = Depends(observatory)) -> list[Label]:
    return obs.project_labels(project_id)


@router.get(
    "/classifications/review-queue",
    response_model=list[cl.ReviewItem],
    tags=["classifications"],
    summary="Unreviewed projects whose labels are least certain, first (read only)",
)
def review_queue(limit: int = Query(20, ge=1, le=200), obs: Observatory = Depends(observatory)) -> list[cl.ReviewItem]:
    return obs.review_queue(limit)


@router.get(
    "/registers/{kind}",
    response_model=reg.RegisterList,
    tags=["registers"],
    summary="Every entry of a register in its import format",
)
def register(
    kind: Literal["cluster", "network", "communication"] = Path(description="Which register"),
    obs: Observatory = Depends(observatory),
) -> reg.RegisterList:
    return obs.registers(kind)


@router.get("/imports", response_model=ImportPage, tags=["imports"], summary="The import log, newest first")
def imports(
    page: int = Query(1, ge=1, le=10_000),
    per_page: int = Query(20, ge=1, le=100),
    obs: Observatory = Depends(observatory),
) -> ImportPage:
    return obs.import_page(page, per_page)


@router.get(
    "/reports/{year}",
    response_class=Response,
    tags=["reports"],
    summary="The annual monitoring report of a year, as HTML or PDF",
    responses={
        200: {
            "description": "The report",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def report(
    year: int = Path(ge=1990, le=2100),
    lang: Literal["fi", "en"] = Query("fi"),
    format: Literal["html", "pdf"] = Query("html"),
    obs: Observatory = Depends(observatory),
) -> Response:
    if not obs.indicators(year).values:  # a year without values has no report: 404, as for any missing resource
        raise NotFoundError(
            f"there is no report for {year}: no indicator values are stored for it",
            hint=f"compute them first: smartspec indicators --year {year}",
        )
    written = obs.report_file(year, lang, format)
    headers = {"Content-Disposition": f'inline; filename="{written.filename}"'}
    if format == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
    return Response(written.content, media_type=written.media_type, headers=headers)
