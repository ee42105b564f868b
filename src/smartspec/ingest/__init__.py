"""Importers for the public sources and for the registers councils keep themselves."""

from smartspec.ingest.registry import Option, Source, get_source, import_path, register, sources
from smartspec.ingest.result import ImportResult, ProblemInfo

__all__ = ["ImportResult", "Option", "ProblemInfo", "Source", "get_source", "import_path", "register", "sources"]
