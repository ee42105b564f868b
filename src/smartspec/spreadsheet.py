"""Cells for files that people open in a spreadsheet (CSV and XLSX exports of every layer).

OWASP, "CSV Injection": a cell that begins with one of ``FORMULA_STARTS`` is read as a formula by Excel,
LibreOffice and Google Sheets (tab and carriage return too, as some parsers skip them before the formula sign); a
leading single quote makes it text, so ``=HYPERLINK("…")`` is shown and never runs.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text made safe for a spreadsheet cell: a leading single quote when it begins with a formula character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
