"""The bilingual annual monitoring report (HTML and PDF) with charts and a map: data → sections → render."""

from typing import TYPE_CHECKING

from smartspec.lazy import attach

if TYPE_CHECKING:  # imported on first use (smartspec.lazy): a command loads only what it runs
    from smartspec.report.data import ReportData, load_report_data
    from smartspec.report.render import FORMATS, LANGS, Report, build, write

__all__ = ["FORMATS", "LANGS", "Report", "ReportData", "build", "load_report_data", "write"]

attach(__name__)
