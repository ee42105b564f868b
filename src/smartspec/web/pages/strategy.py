"""The strategy: priorities → competence areas → sub-topics with their projects, organisations and funding, and each
region's own priorities with the region's figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.web.deps import observatory, render

router = APIRouter()


@router.get("/strategy", response_class=HTMLResponse, include_in_schema=False)
def strategy(request: Request) -> HTMLResponse:
    obs = observatory(request)
    figures = obs.strategy_figures()
    return render(request, "strategy.html", figures=figures, empty=figures.codes.get("none"))
