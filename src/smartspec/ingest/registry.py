"""The data sources smartspec can import. A new source is one module with a reader and one ``Source``.

The built-in sources register themselves here the same way a plug-in does. A plug-in package names its
``Source`` objects under the entry-point group ``smartspec.sources`` (``pyproject.toml``:
``[project.entry-points."smartspec.sources"] mysource = "mypackage.module:SOURCE"``); ``sources()`` loads them.
The command line builds ``smartspec import NAME PATH`` for every registered source from its options.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from smartspec.errors import InputError
from smartspec.ingest.batch import ImportContext, Progress, RegionCheck, Writer, run_import
from smartspec.ingest.cordis import import_cordis
from smartspec.ingest.eura import import_eura
from smartspec.ingest.limits import Limits
from smartspec.ingest.mapped import import_mapped
from smartspec.ingest.result import ImportResult
from smartspec.strategy import Strategy

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "smartspec.sources"
Reader = Callable[..., None]  # reader(context, path, **options)


@dataclass(frozen=True)
class Option:
    """An option a source's reader takes (the command line shows it as ``--name``)."""

    name: str
    help: str
    kind: type = str  # str or Path
    default: Any = None
    required: bool = False


ENCODING = Option("encoding", "Text encoding: utf-8 (default, BOM allowed), cp1252, iso-8859-15", default="utf-8")
DELIMITER = Option("delimiter", "Field delimiter; detected from the header when not given")


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    reader: Reader
    options: tuple[Option, ...] = (ENCODING, DELIMITER)
    # The source name the batch is logged under, from the options (the mapped CSV logs csv:<mapping name>).
    batch_name: Callable[[dict[str, Any]], str] | None = None


_SOURCES: dict[str, Source] = {}
_PLUGINS_LOADED = False


def register(source: Source) -> None:
    """Make a source importable by name (``smartspec import NAME PATH``)."""
    _SOURCES[source.name] = source


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            source = point.load()
        except Exception:  # a broken plug-in must not break the built-in sources
            log.exception("could not load the data source plug-in %s", point.value)
            continue
        if isinstance(source, Source):
            register(source)
        else:
            log.warning("entry point %s is not a smartspec.ingest.Source; ignored", point.value)


def sources() -> list[Source]:
    _load_plugins()
    return sorted(_SOURCES.values(), key=lambda source: source.name)


def get_source(name: str) -> Source:
    _load_plugins()
    try:
        return _SOURCES[name]
    except KeyError as exc:
        raise InputError(
            f"unknown data source {name!r}", hint=f"use one of: {', '.join(s.name for s in sources())}"
        ) from exc


def _mapped_batch_name(options: dict[str, Any]) -> str:
    mapping = options.get("mapping")
    return f"csv:{Path(mapping).stem}" if mapping else "csv"


register(
    Source(
        "cordis",
        "CORDIS EU research projects (Horizon Europe, H2020, FP7): the EU's zip, a folder of its CSV files, "
        "or one file",
        import_cordis,
        (ENCODING, DELIMITER, Option("programme", "HORIZON, H2020 or FP7 when the files do not say")),
    )
)
register(
    Source(
        "eura",
        "A structural-funds (EURA 2007 / EURA 2014) project list, CSV or XLSX. / Rakennerahastohankkeet.",
        import_eura,
    )
)
register(
    Source(
        "csv",
        "Any CSV or XLSX file through a YAML column mapping. / Mikä tahansa CSV- tai XLSX-tiedosto.",
        import_mapped,
        (
            Option("mapping", "YAML file naming the store field of each column", kind=Path, required=True),
            Option("encoding", "Text encoding (overrides the mapping's)"),
            DELIMITER,
            Option("sheet", "XLSX sheet name (default: the first)"),
        ),
        _mapped_batch_name,
    )
)


def import_path(
    engine: Engine,
    source: str,
    path: Path,
    strategy: Strategy,
    *,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    region_check: RegionCheck | None = None,
    writer: Writer | None = None,
    **options: Any,
) -> ImportResult:
    """Import ``path`` with the named source's reader, as one transaction recorded as an import batch (and, with a
    ``writer``, in the audit log). ``region_check`` refuses projects by their regions, row by row.
    ``limits=Limits.from_settings(settings)`` among the options bounds what a file may hold (the defaults when
    omitted)."""
    limits = options.pop("limits", None)
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError("limits must be a smartspec.ingest.limits.Limits")
    chosen = get_source(source)
    known = {option.name for option in chosen.options}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(
            f"the {source} source takes no option {', '.join(unknown)}",
            hint=f"its options: {', '.join(sorted(known)) or 'none'}",
        )
    missing = [option.name for option in chosen.options if option.required and options.get(option.name) is None]
    if missing:
        raise InputError(f"the {source} source needs --{', --'.join(missing)}", hint="give the option(s) shown")
    given = {key: value for key, value in options.items() if value is not None}
    batch_source = chosen.batch_name(given) if chosen.batch_name else source

    def work(context: ImportContext) -> None:
        chosen.reader(context, path, **given)

    shown = {key: str(value) for key, value in given.items()}
    return run_import(engine, source=batch_source, path=path, strategy=strategy, work=work,
                      skip_bad_rows=skip_bad_rows, progress=progress, options=shown, region_check=region_check,
                      writer=writer, limits=limits)  # fmt: skip
