"""Reading tabular files as their publishers ship them: CSV (plain, gzip, inside a zip) and XLSX.

Every row comes with its line number, so errors can say file:line:column. Encodings: UTF-8 with or without
BOM by default; cp1252 or ISO-8859-15 by option, with a hint when the guess looks wrong. Delimiters ';', ','
or tab are detected from the header line unless given.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from smartspec.errors import InputError, Location, Problem

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "cp1252": "cp1252", "iso-8859-15": "iso-8859-15",
             "latin-9": "iso-8859-15", "iso-8859-1": "iso-8859-1", "latin-1": "iso-8859-1"}  # fmt: skip
DELIMITERS = (";", ",", "\t", "|")
# Text that UTF-8 bytes become when they are wrongly read as cp1252/ISO-8859-x: "Ã¤" is "ä", "Ã¶" is "ö".
_MOJIBAKE = ("Ã¤", "Ã¶", "Ã¥", "Ã„", "Ã–", "Ã©", "Ã¼")

csv.field_size_limit(10_000_000)  # CORDIS objectives can be long


@dataclass
class Table:
    """One table of a file: its display name, header and rows with their line numbers."""

    name: str
    header: list[str]
    rows: Sequence[tuple[int, list[str]]]

    def index(self, *aliases: str) -> int | None:
        """Position of the first header among ``aliases`` that the table has (case-insensitive)."""
        folded = [column.strip().casefold() for column in self.header]
        for alias in aliases:
            key = alias.casefold()
            if key in folded:
                return folded.index(key)
        return None

    def has(self, *aliases: str) -> bool:
        return self.index(*aliases) is not None

    def where(self, line: int, column: int | None = None) -> Location:
        field = self.header[column] if column is not None and column < len(self.header) else None
        return Location(self.name, line, None if column is None else column + 1, field)


def decode(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """Bytes to text in ``encoding``, with errors that say where and which option fixes it."""
    codec = ENCODINGS.get(encoding.casefold())
    if codec is None:
        raise InputError(
            f"unknown encoding {encoding!r}",
            hint="use --encoding utf-8, cp1252 or iso-8859-15",
        )
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{name} is not a text file (it contains NUL bytes)",
            hint="give a CSV file; Excel workbooks must end in .xlsx; UTF-16 exports must be saved as UTF-8",
        )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        other = "cp1252" if codec == "utf-8-sig" else "utf-8"
        raise InputError(
            f"{name} cannot be read as {encoding}",
            [Problem(f"byte 0x{data[exc.start]:02x} is not valid {encoding}", Location(name, line, column))],
            hint=f"the file is probably in another encoding: run again with --encoding {other}",
        ) from exc
    if codec != "utf-8-sig" and any(marker in text for marker in _MOJIBAKE):
        first = min(text.find(marker) for marker in _MOJIBAKE if marker in text)
        line = text.count("\n", 0, first) + 1
        raise InputError(
            f"{name} looks like UTF-8 but was read as {encoding}",
            [Problem("letters such as 'Ã¤' are UTF-8 'ä' read with the wrong encoding", Location(name, line))],
            hint="run again with --encoding utf-8 (the default)",
        )
    return text


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def parse_csv(text: str, name: str, delimiter: str | None = None) -> Table:
    """Parse CSV text. Rows whose field count differs from the header's are kept (importers reject them)."""
    if not text.strip():
        raise InputError(f"{name} is empty", hint="give a file with a header line and at least one row")
    first_line = text.split("\n", 1)[0]
    chosen = delimiter or sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, quotechar='"', strict=False)
    try:
        header = [column.strip() for column in next(reader)]
        rows: list[tuple[int, list[str]]] = []
        start = reader.line_num + 1
        for values in reader:
            if any(values):  # csv gives [] for blank lines; a row of only empty fields is skipped too
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"{name} is not a well-formed CSV file",
            [Problem(str(exc), Location(name, reader.line_num))],
            hint="check the quoting near that line: quotes inside a field must be doubled",
        ) from exc
    _check_header(header, name, chosen, delimiter is not None)
    return Table(name, header, rows)


def _check_header(header: list[str], name: str, delimiter: str, given: bool) -> None:
    problems = []
    if len(header) == 1 and not given:
        problems.append(Problem("the header has a single column", Location(name, 1)))
    blanks = [i + 1 for i, column in enumerate(header) if not column]
    if blanks and len(blanks) < len(header):
        problems.append(Problem(f"column(s) {blanks} have no name", Location(name, 1)))
    seen: set[str] = set()
    for i, column in enumerate(header):
        key = column.casefold()
        if key and key in seen:
            problems.append(Problem(f"column {column!r} appears twice", Location(name, 1, i + 1)))
        seen.add(key)
    if problems:
        shown = {"\t": "tab"}.get(delimiter, delimiter)
        raise InputError(
            f"{name} has an unusable header line",
            problems,
            hint=f"the first line must name every column, separated by {shown!r} (or give --delimiter)",
        )


def _xlsx_cell(value: object) -> str:
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


def read_xlsx(data: bytes, name: str, sheet: str | None = None) -> Table:
    """The first sheet (or ``sheet``) of a workbook; the header is its first non-empty row."""
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"{name} is not a readable Excel workbook",
            [Problem(str(exc) or type(exc).__name__, Location(name))],
            hint="save it again from Excel as .xlsx, or export it as CSV",
        ) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputError(
                f"{name} has no sheet {sheet!r}",
                hint=f"use one of: {', '.join(workbook.sheetnames)}",
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                while header and not header[-1]:
                    header.pop()
                continue
            rows.append((number, cells[: len(header)] + [""] * (len(header) - len(cells))))
    finally:
        workbook.close()
    if header is None:
        raise InputError(f"{name} is empty", hint="the first non-empty row must name the columns")
    _check_header(header, name, ",", True)
    return Table(name, header, rows)


def read_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when it ends in .gz."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist", hint="check the path") from exc
    except IsADirectoryError as exc:  # pragma: no cover - callers list folders themselves
        raise InputError(f"{path} is a folder", hint="give a file") from exc
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(
                f"{path} is not a valid gzip file",
                [Problem(str(exc), Location(str(path)))],
                hint="download the file again; it may be truncated",
            ) from exc
    return data


def read_table(path: Path, *, encoding: str = "utf-8", delimiter: str | None = None, sheet: str | None = None) -> Table:
    """A CSV (optionally .gz) or XLSX file as a table."""
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return read_xlsx(read_bytes(path), str(path), sheet)
    return parse_csv(decode(read_bytes(path), str(path), encoding), str(path), delimiter)


def iter_zip_tables(
    path: Path, *, encoding: str = "utf-8", delimiter: str | None = None
) -> Iterator[tuple[str, Table]]:
    """Each CSV member of a zip file as (member name, table)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"{path} is not a valid zip file",
            [Problem(str(exc), Location(str(path)))],
            hint="download the CORDIS zip again; it may be truncated",
        ) from exc
    with archive:
        for info in archive.infolist():
            member = info.filename
            if info.is_dir() or not member.casefold().endswith((".csv", ".csv.gz")):
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(
                    f"{path}:{member} cannot be read from the zip",
                    [Problem(str(exc), Location(f"{path}:{member}"))],
                    hint="download the zip again; it may be damaged",
                ) from exc
            if member.casefold().endswith(".gz"):
                data = gzip.decompress(data)
            name = f"{path}:{member}"
            yield Path(member).name, parse_csv(decode(data, name, encoding), name, delimiter)
