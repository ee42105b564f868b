"""Rendering a report: its sections into the HTML template, and HTML into PDF (WeasyPrint)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from smartspec.errors import InputError
from smartspec.i18n import translations
from smartspec.report.data import ReportData
from smartspec.report.sections import context

LANGS = ("fi", "en")
FORMATS = ("html", "pdf")


@dataclass
class Report:
    year: int
    lang: str
    html: str
    context: dict[str, Any]


def build(data: ReportData, lang: str) -> Report:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", hint="use --lang fi or --lang en")
    values = context(data, lang)
    return Report(data.year, lang, _environment(lang).get_template("report.html").render(**values), values)


@lru_cache(maxsize=len(LANGS))
def _environment(lang: str) -> Environment:
    """Jinja2 with the i18n extension bound to the language's catalogue (as the web pages' environment is)."""
    env = Environment(loader=PackageLoader("smartspec.report", "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])  # fmt: skip
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def write(report: Report, out: Path, output_format: str) -> Path:
    if output_format not in FORMATS:
        raise InputError(f"unknown format {output_format!r}", hint="use --format html or --format pdf")
    out.parent.mkdir(parents=True, exist_ok=True)
    if output_format == "html":
        out.write_text(report.html, encoding="utf-8")
        return out
    from weasyprint import HTML  # imported here: only PDF output pays for it

    HTML(string=report.html, base_url=str(out.parent)).write_pdf(out)
    return out
