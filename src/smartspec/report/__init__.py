"""The bilingual annual monitoring report (HTML and PDF) with charts and a map: data → sections → render."""

from smartspec.report.data import ReportData, load_report_data
from smartspec.report.render import FORMATS, LANGS, Report, build, write

__all__ = ["FORMATS", "LANGS", "Report", "ReportData", "build", "load_report_data", "write"]
