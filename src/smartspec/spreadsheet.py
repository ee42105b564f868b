"""Cells for files that people open in a spreadsheet (CSV and XLSX exports of every layer).

OWASP, "CSV Injection": a cell that begins with one of ``FORMULA_STARTS`` is read as a formula by Excel,
LibreOffice and Google Sheets (tab and carriage return too, as some parsers skip them before the formula sign); a
leading single quote makes it text, so ``=HYPERLINK("…")`` is shown and never runs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | Decimal | dt.date | None  # what an export writes into one cell


def neutralise(text: str) -> str:
    """Text made safe for a spreadsheet cell: a leading single quote when it begins with a formula character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Control characters XLSX cannot hold (openpyxl refuses them): removed rather than failing the export.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(
    target: Path | IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Cell]], sheet: str = "data"
) -> None:
    """A workbook streamed by openpyxl's write-only mode: text cells neutralised and stored as strings (never a
    formula), amounts (``Decimal``) as numbers with two decimals, other numbers and dates as they are."""
    from openpyxl import Workbook  # imported here: only XLSX exports pay for it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.append(list(header))
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                written = WriteOnlyCell(worksheet, value=ILLEGAL_XML.sub("", neutralise(value)))
                written.data_type = "s"  # a string stays a string even if it still looked like a formula
                cells.append(written)
            elif isinstance(value, Decimal):
                written = WriteOnlyCell(worksheet, value=value)
                written.number_format = "#,##0.00"
                cells.append(written)
            else:
                cells.append(value)
        worksheet.append(cells)
    book.save(target)
