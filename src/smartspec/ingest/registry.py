"""The data sources smartspec can import. A new source is one module with a reader and one ``register`` call.

The built-in sources register themselves here the same way a plug-in would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from smartspec.errors import InputError
from smartspec.ingest.batch import ImportContext, ImportResult, Progress, run_import
from smartspec.ingest.cordis import import_cordis
from smartspec.ingest.eura import import_eura
from smartspec.ingest.mapped import import_mapped
from smartspec.strategy import Strategy

Reader = Callable[..., None]  # reader(context, path, **options)


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    reader: Reader


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Make a source importable by name (``smartspec import NAME PATH``)."""
    _SOURCES[source.name] = source


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda source: source.name)


def get_source(name: str) -> Source:
    try:
        return _SOURCES[name]
    except KeyError as exc:
        raise InputError(
            f"unknown data source {name!r}", hint=f"use one of: {', '.join(s.name for s in sources())}"
        ) from exc


register(
    Source(
        "cordis",
        "CORDIS EU research projects (Horizon Europe, H2020, FP7): zip, folder or file",
        import_cordis,
    )
)
register(Source("eura", "Finnish structural-funds register (EURA 2007 / EURA 2014) project list", import_eura))
register(Source("csv", "Any CSV or XLSX file through a YAML column mapping", import_mapped))


def import_path(
    engine: Engine,
    source: str,
    path: Path,
    strategy: Strategy,
    *,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> ImportResult:
    """Import ``path`` with the named source's reader, as one transaction recorded as an import batch."""
    reader = get_source(source).reader
    batch_source = source
    mapping = options.get("mapping")
    if source == "csv" and mapping is not None:
        batch_source = f"csv:{Path(mapping).stem}"

    def work(context: ImportContext) -> None:
        reader(context, path, **options)

    shown = {key: str(value) for key, value in options.items() if value is not None}
    return run_import(engine, source=batch_source, path=path, strategy=strategy, work=work,
                      skip_bad_rows=skip_bad_rows, progress=progress, options=shown)  # fmt: skip
