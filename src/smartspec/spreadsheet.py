"""Cells for files that people open in a spreadsheet (CSV and XLSX exports of every layer).

OWASP, "CSV Injection": a cell that begins with one of ``FORMULA_STARTS`` is read as a formula by Excel,
LibreOffice and Google Sheets (tab and carriage return too, as some parsers skip them before the formula sign); a
leading single quote makes it text, so ``=HYPERLINK("…")`` is shown and never runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text made safe for a spreadsheet cell: a leading single quote when it begins with a formula character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Control characters XLSX cannot hold (openpyxl refuses them): removed rather than failing the export.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], sheet: str = "data") -> None:
    """A workbook of text cells, each neutralised and stored as a string (never a formula), streamed by openpyxl's
    write-only mode."""
    from openpyxl import Workbook  # imported here: only XLSX exports pay for it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            written = WriteOnlyCell(worksheet, value=ILLEGAL_XML.sub("", neutralise(value)))
            written.data_type = "s"  # a string stays a string even if it still looked like a formula
            cells.append(written)
        worksheet.append(cells)
    book.save(path)
