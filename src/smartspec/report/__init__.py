"""The bilingual annual monitoring report (HTML and PDF) with charts and a map."""

from smartspec.report.build import Report, build, write

__all__ = ["Report", "build", "write"]
