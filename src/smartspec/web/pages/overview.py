"""The overview: the strategy's goals with their headline values per region."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.web.deps import observatory, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request) -> HTMLResponse:
    obs = observatory(request)
    return render(request, "overview.html", stats=obs.stats())
