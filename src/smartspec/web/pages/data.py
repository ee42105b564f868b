"""The data: each source with its publisher, licence and last import, and the import log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.web.deps import observatory, render

router = APIRouter()


@router.get("/data", response_class=HTMLResponse, include_in_schema=False)
def data(request: Request) -> HTMLResponse:
    obs = observatory(request)
    return render(request, "data.html", sources=obs.data_sources(), imports=obs.imports(50))
