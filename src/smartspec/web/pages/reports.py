"""The annual monitoring report: a chooser of year and language, the report as an HTML page and as a PDF.

The report is a standalone document (the same HTML WeasyPrint prints) with its CSS in an inline <style> block, so
that the HTML file `smartspec report` writes works on its own. The app's CSP allows no inline styles; this route
therefore sends its own, looser policy: inline styles only, and still no scripts, no frames, nothing from elsewhere.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from smartspec.observatory import Observatory
from smartspec.report import LANGS as REPORT_LANGS
from smartspec.web.deps import language, observatory, render

router = APIRouter()
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")  # fmt: skip


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports(request: Request) -> HTMLResponse:
    obs = observatory(request)
    return render(request, "reports.html", years=list(reversed(obs.indicator_years())), report_langs=REPORT_LANGS)


def _report_language(request: Request, lang: str | None) -> str:
    """The report's language: ?lang= when the report has it, else the page language (Swedish reads English)."""
    wanted = lang or language(request)
    return wanted if wanted in REPORT_LANGS else "en"


def _check_year(obs: Observatory, year: int) -> None:
    if year not in obs.indicator_years():
        raise HTTPException(404, f"there is no report for {year}: no indicator values are stored for it")


@router.get("/reports/{year}.html", response_class=HTMLResponse, include_in_schema=False)
def report_html(request: Request, year: int, lang: str | None = None) -> HTMLResponse:
    obs = observatory(request)
    _check_year(obs, year)
    document = obs.report(year, _report_language(request, lang))
    return HTMLResponse(document.html, headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/reports/{year}.pdf", include_in_schema=False)
def report_pdf(request: Request, year: int, lang: str | None = None) -> Response:
    obs = observatory(request)
    _check_year(obs, year)
    chosen = _report_language(request, lang)
    stem = {"fi": "raportti", "en": "report"}[chosen]
    with tempfile.TemporaryDirectory(prefix="smartspec-report-") as folder:
        written = obs.write_report(year, Path(folder) / f"{stem}-{year}.pdf", lang=chosen, output_format="pdf")
        content = written.read_bytes()
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{stem}-{year}.pdf"'})  # fmt: skip
