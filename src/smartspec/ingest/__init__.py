"""Importers for the public sources and for the registers councils keep themselves."""

from smartspec.ingest.batch import ImportResult
from smartspec.ingest.registry import Source, get_source, import_path, register, sources

__all__ = ["ImportResult", "Source", "get_source", "import_path", "register", "sources"]
