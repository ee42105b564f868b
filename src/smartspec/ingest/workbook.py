"""Reading Excel workbooks (.xlsx) row by row, with the zip checked before openpyxl parses anything.

openpyxl's read-only mode streams a sheet's XML row by row, but it reads the whole shared-strings part into
memory first, so that part's inflated size is limited separately (``max_xlsx_shared_strings_mb``).

XML attacks: openpyxl parses with defusedxml when it is installed (``openpyxl/xml/functions.py`` imports
``defusedxml.ElementTree.fromstring`` and ``iterparse`` when ``openpyxl.DEFUSEDXML`` is true, i.e. defusedxml
importable and OPENPYXL_DEFUSEDXML not "False"); defusedxml then refuses entity declarations and external
references. Without it openpyxl uses the standard library's expat, which does not fetch external entities but
only limits entity expansion from expat 2.4 on. smartspec depends on defusedxml, and checks every XML part
for a DTD itself before openpyxl opens the file, so a hostile workbook is refused at once either way: Office
Open XML parts never carry one (the Open Packaging Conventions, ECMA-376 Part 2, forbid DTD
declarations in package XML).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

from smartspec.errors import InputError, Location, Problem
from smartspec.ingest.limits import RATIO_FLOOR, Limits, over_limit

_SHARED_STRINGS = "xl/sharedStrings.xml"
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 16


def _unreadable(name: str, exc: BaseException) -> InputError:
    return InputError(
        f"{name} is not a readable Excel workbook",
        [Problem(str(exc) or type(exc).__name__, Location(name))],
        hint="save it again from Excel as .xlsx, or export it as CSV",
    )


def check_workbook(path: Path, name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts inflate too far or carry a DTD, before any XML is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                where = Location(f"{name}:{info.filename}")
                if info.file_size > limits.inflated_bytes:
                    raise over_limit("max_inflated_mb", limits.max_inflated_mb, "MB",
                                     f"the part inflates to {info.file_size:,} bytes", where)  # fmt: skip
                if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
                    ratio = info.file_size // max(info.compress_size, 1)
                    raise over_limit("max_zip_ratio", limits.max_zip_ratio, "to 1",
                                     f"the part is compressed {ratio:,} to 1", where)  # fmt: skip
                if info.filename == _SHARED_STRINGS and info.file_size > limits.shared_strings_bytes:
                    raise over_limit("max_xlsx_shared_strings_mb", limits.max_xlsx_shared_strings_mb, "MB",
                                     f"the shared strings inflate to {info.file_size:,} bytes", where)  # fmt: skip
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _refuse_dtd(archive, info, name)
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise _unreadable(name, exc) from exc
    except Exception as exc:  # zlib.error and friends from a damaged member
        raise _unreadable(name, exc) from exc


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                raise InputError(
                    f"{name} is refused: its part {info.filename} declares a DTD or XML entities",
                    [Problem("Excel never writes DTDs; entity declarations are how XML bombs and "
                             "external-entity attacks work", Location(f"{name}:{info.filename}"))],
                    hint="save the workbook again from Excel, or export the sheet as CSV",
                )  # fmt: skip
            tail = chunk[-16:]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open(path: Path, name: str) -> Any:
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports damaged parts as whatever exception the part's parser raised
        raise _unreadable(name, exc) from exc


def iter_sheet(
    path: Path, name: str, sheet: str | None, limits: Limits
) -> Generator[tuple[int, list[str]], None, None]:
    """Every non-empty row of the sheet as (row number, cells as text), streamed."""
    workbook = _open(path, name)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputError(f"{name} has no sheet {sheet!r}", hint=f"use one of: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        # Without this, openpyxl pads every row to the <dimension> the file claims (up to 16,384 columns).
        worksheet.reset_dimensions()
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number > limits.max_rows:
                    raise over_limit("max_rows", limits.max_rows, "rows", "the sheet has more rows",
                                     Location(name, number))  # fmt: skip
                cells = [_cell(value) for value in values]
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except InputError:
            raise
        except Exception as exc:  # a damaged sheet part surfaces while it is parsed, as any exception type
            raise _unreadable(name, exc) from exc
    finally:
        workbook.close()
