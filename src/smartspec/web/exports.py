"""Downloads: search results, indicator tables and record lists as CSV and XLSX.

Rows are pydantic models or dicts; lists become ``;``-separated text and amounts in cents become euros (a column
``x_cents`` is written as ``x_eur``), so that a spreadsheet shows what a reader expects. Text that a spreadsheet
would run as a formula is neutralised (``neutralise``). XLSX is written by openpyxl in write-only mode, which
streams rows instead of keeping a cell object for each.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import inspect
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel

from smartspec.money import eur
from smartspec.spreadsheet import Cell, neutralise, write_xlsx

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Rows = Iterable[BaseModel | Mapping[str, Any]]


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Table:
    """What an export route answers: its rows, the columns to write and the file's name without its suffix."""

    rows: Rows
    columns: Sequence[str]
    filename: str


def route(
    router: APIRouter, path: str, *, summary: str, rows: str
) -> Callable[[Callable[..., Table]], Callable[..., Response]]:
    """Register an export: ``GET {path}.csv`` and ``.xlsx`` (one route with an ``output_format`` path parameter)
    answered by the decorated function's ``Table`` as a download. The function takes the same parameters (and
    dependencies) as the JSON route it exports, so both read the same filters."""

    def register(endpoint: Callable[..., Table]) -> Callable[..., Response]:
        @functools.wraps(endpoint)
        def answer(*args: Any, output_format: ExportFormat, **kwargs: Any) -> Response:
            found = endpoint(*args, **kwargs)
            return download(found.rows, found.columns, output_format.value, found.filename)

        # FastAPI reads the parameters from the signature: the endpoint's own (their annotations resolved in the
        # endpoint's module) and the format, from the path's suffix.
        own = inspect.signature(endpoint, eval_str=True)
        chosen = inspect.Parameter("output_format", inspect.Parameter.KEYWORD_ONLY, annotation=ExportFormat,
                                   default=Path(description="csv or xlsx"))  # fmt: skip
        parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.parameters.values()]
        answer.__signature__ = own.replace(parameters=[*parameters, chosen], return_annotation=Response)  # type: ignore[attr-defined]
        router.get(f"{path}.{{output_format}}", response_class=Response, summary=summary,
                   responses=export_responses(rows))(answer)  # fmt: skip
        return answer

    return register


def cell(value: Any) -> Cell:
    """One value as a spreadsheet cell: text neutralised, lists joined with ``; ``, numbers and dates kept."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return str(value).lower() if isinstance(value, bool) else value
    if isinstance(value, list | tuple | set):
        return neutralise("; ".join(str(v) for v in value))
    if isinstance(value, Mapping):
        return neutralise("; ".join(f"{k}={v}" for k, v in value.items()))
    return neutralise(str(value))


def table(rows: Rows, columns: Sequence[str]) -> tuple[list[str], list[list[Cell]]]:
    """The header and the cells of ``rows``, taking ``columns`` in order; ``*_cents`` columns become ``*_eur``."""
    header = [c.removesuffix("_cents") + "_eur" if c.endswith("_cents") else c for c in columns]
    body: list[list[Cell]] = []
    for row in rows:
        values = row.model_dump() if isinstance(row, BaseModel) else row
        body.append([eur(values[c]) if c.endswith("_cents") and values.get(c) is not None else cell(values.get(c))
                     for c in columns])  # fmt: skip
    return header, body


def csv_bytes(header: list[str], body: list[list[Cell]]) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads the ä and ö right), comma-separated, quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], body: list[list[Cell]], sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, body, sheet)
    return buffer.getvalue()


def download(rows: Rows, columns: Sequence[str], output_format: str,
             filename: str) -> Response:  # fmt: skip
    """A CSV or XLSX download of ``rows`` named ``filename.<format>`` (RFC 6266 with a UTF-8 fallback)."""
    header, body = table(rows, columns)
    content = csv_bytes(header, body) if output_format == "csv" else xlsx_bytes(header, body, filename)
    name = f"{filename}.{output_format}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=MEDIA_TYPES[output_format], headers={"Content-Disposition": disposition})


def export_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of an export's 200 response (both media types; the path's suffix chooses)."""
    return {200: {"description": description,
                  "content": {MEDIA_TYPES["csv"].split(";")[0]: {"schema": {"type": "string"}},
                              MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}}  # fmt: skip
