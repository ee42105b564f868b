"""Reading tabular files as their publishers ship them: CSV (plain, gzip, inside a zip) and XLSX, streamed.

A table's rows are read from the file each time they are iterated, line by line (``readline`` with a size
cap over the decompressing stream, then ``csv.reader``), so memory does not grow with the file and a file
over a limit (:mod:`smartspec.ingest.limits`) is refused as soon as that is known. Every row comes with its
line number, so errors can say file:line:column. Encodings: UTF-8 with or without BOM by default; cp1252 or
ISO-8859-15 by option, with a hint when the guess looks wrong. UTF-16 files (Excel's "Unicode text") are
recognised by their byte-order mark and refused with a hint to save them as UTF-8: decoding them would need
a second, non-ASCII-compatible line splitter for one rare export format. Delimiters ';', ',', tab or '|' are
detected from the header line unless given.
"""

from __future__ import annotations

import csv
import gzip
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Protocol

from smartspec.errors import InputError, Location, Problem
from smartspec.ingest.limits import DEFAULT_LIMITS, MB, RATIO_FLOOR, Limits, over_limit
from smartspec.ingest.workbook import check_workbook, iter_sheet

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "cp1252": "cp1252", "iso-8859-15": "iso-8859-15",
             "latin-9": "iso-8859-15", "iso-8859-1": "iso-8859-1", "latin-1": "iso-8859-1"}  # fmt: skip
DELIMITERS = (";", ",", "\t", "|")
# Text that UTF-8 bytes become when they are wrongly read as cp1252/ISO-8859-x: "Ã¤" is "ä", "Ã¶" is "ö".
_MOJIBAKE = ("Ã¤", "Ã¶", "Ã¥", "Ã„", "Ã–", "Ã©", "Ã¼")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# The csv module's own cap is process-wide; fields are limited per reader below (Limits.max_field_kb), and a
# row can be no longer than Limits.max_row_kb, which the line reader enforces before csv sees the bytes.
csv.field_size_limit(sys.maxsize)

Row = tuple[int, list[str]]


class ByteStream(Protocol):
    """What the line reader needs of a (decompressing) binary stream."""

    def readline(self, size: int = -1, /) -> bytes: ...


Opener = Callable[[], AbstractContextManager[tuple[ByteStream, Callable[[], int] | None]]]


@dataclass
class Table:
    """One table of a file: its display name, header and rows with their line numbers.

    ``rows`` is a list for tables built in memory, or a :class:`CsvRows`/:class:`SheetRows` that streams the
    file again each time it is iterated.
    """

    name: str
    header: list[str]
    rows: Iterable[Row]

    @property
    def total(self) -> int | None:
        """Number of rows when known without reading the file (progress bars show a count otherwise)."""
        return len(self.rows) if isinstance(self.rows, list | tuple) else None

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


def _codec(encoding: str) -> str:
    codec = ENCODINGS.get(encoding.casefold())
    if codec is None:
        raise InputError(f"unknown encoding {encoding!r}", hint="use --encoding utf-8, cp1252 or iso-8859-15")
    return codec


class _Lines:
    """Text lines of a byte stream, each at most ``max_row_kb``, decoded with errors that say where."""

    def __init__(self, stream: ByteStream, compressed: Callable[[], int] | None, name: str, encoding: str,
                 limits: Limits, damaged: tuple[str, str]) -> None:  # fmt: skip
        self.stream, self.compressed, self.name, self.encoding = stream, compressed, name, encoding
        self.codec = _codec(encoding)
        self.limits, self.damaged = limits, damaged
        self.record_bytes = 0  # bytes of the CSV record being read; the row loop resets it

    def __iter__(self) -> Iterator[str]:
        name, limits, codec = self.name, self.limits, self.codec
        row_cap, inflated_cap = limits.row_bytes, limits.inflated_bytes
        readline = self.stream.readline
        later = "utf-8" if codec == "utf-8-sig" else codec  # a BOM is only a BOM at the start
        check_mojibake = codec != "utf-8-sig"
        number = total = 0
        next_ratio_check = RATIO_FLOOR
        while True:
            try:
                raw = readline(row_cap + 1)
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError) as exc:
                message, hint = self.damaged
                raise InputError(message, [Problem(str(exc), Location(name, number + 1))], hint=hint) from exc
            if not raw:
                return
            number += 1
            size = len(raw)
            total += size
            self.record_bytes += size
            if size > row_cap or self.record_bytes > row_cap:
                raise over_limit("max_row_kb", limits.max_row_kb, "KB", "a row is longer", Location(name, number))
            if total > inflated_cap:
                raise over_limit("max_inflated_mb", limits.max_inflated_mb, "MB",
                                 "the file inflates to more", Location(name, number))  # fmt: skip
            if self.compressed is not None and total >= next_ratio_check:
                next_ratio_check += RATIO_FLOOR
                if total > limits.max_zip_ratio * max(self.compressed(), 1):
                    raise over_limit("max_zip_ratio", limits.max_zip_ratio, "to 1",
                                     "the file is compressed more", Location(name, number))  # fmt: skip
            if number == 1:
                if raw.startswith(_UTF16_BOMS):
                    raise InputError(
                        f"{name} is not a text file smartspec reads: it is UTF-16 (it starts with a UTF-16 "
                        "byte-order mark)",
                        hint="save it as 'CSV UTF-8' (in Excel: Save As, CSV UTF-8), then import that file",
                    )
                text = self._decode(raw, codec, number)
            else:
                text = self._decode(raw, later, number)
            if check_mojibake and any(marker in text for marker in _MOJIBAKE):
                raise InputError(
                    f"{name} looks like UTF-8 but was read as {self.encoding}",
                    [
                        Problem(
                            "letters such as 'Ã¤' are UTF-8 'ä' read with the wrong encoding", Location(name, number)
                        )
                    ],
                    hint="run again with --encoding utf-8 (the default)",
                )
            yield text

    def _decode(self, raw: bytes, codec: str, number: int) -> str:
        if b"\x00" in raw:
            raise InputError(
                f"{self.name} is not a text file (it contains NUL bytes)",
                [Problem("a NUL byte", Location(self.name, number, raw.index(b"\x00") + 1))],
                hint="give a CSV file; Excel workbooks must end in .xlsx; UTF-16 exports must be saved as UTF-8",
            )
        try:
            return raw.decode(codec)
        except UnicodeDecodeError as exc:
            other = "cp1252" if self.codec == "utf-8-sig" else "utf-8"
            raise InputError(
                f"{self.name} cannot be read as {self.encoding}",
                [Problem(f"byte 0x{raw[exc.start]:02x} is not valid {self.encoding}",
                         Location(self.name, number, exc.start + 1))],
                hint=f"the file is probably in another encoding: run again with --encoding {other}",
            ) from exc  # fmt: skip


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class CsvRows:
    """The rows of a CSV stream, read again from the file at each iteration (the header line is skipped)."""

    def __init__(self, name: str, opener: Opener, encoding: str, delimiter: str, limits: Limits,
                 damaged: tuple[str, str]) -> None:  # fmt: skip
        self.name, self.opener, self.encoding, self.delimiter = name, opener, encoding, delimiter
        self.limits, self.damaged = limits, damaged

    def lines(self, stream: ByteStream, compressed: Callable[[], int] | None) -> _Lines:
        return _Lines(stream, compressed, self.name, self.encoding, self.limits, self.damaged)

    def header(self) -> list[str]:
        with self.opener() as (stream, compressed):
            lines = iter(self.lines(stream, compressed))
            blank: list[str] = []
            for line in lines:
                blank.append(line)
                if line.strip():
                    break
            if not blank or not blank[-1].strip():
                raise InputError(f"{self.name} is empty", hint="give a file with a header line and at least one row")
            reader = csv.reader(chain(blank, lines), delimiter=self.delimiter, quotechar='"', strict=False)
            return [column.strip() for column in self._next(reader)]

    def _next(self, reader: Iterator[list[str]]) -> list[str]:
        try:
            return next(reader, [])
        except csv.Error as exc:
            raise self._malformed(exc, 1) from exc

    def _malformed(self, exc: csv.Error, line: int) -> InputError:
        return InputError(
            f"{self.name} is not a well-formed CSV file",
            [Problem(str(exc), Location(self.name, line))],
            hint="check the quoting near that line: quotes inside a field must be doubled",
        )

    def __iter__(self) -> Iterator[Row]:
        limits, name = self.limits, self.name
        field_cap = limits.field_chars
        with self.opener() as (stream, compressed):
            lines = self.lines(stream, compressed)
            reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', strict=False)
            self._next(reader)  # the header, checked when the table was opened
            lines.record_bytes = 0
            count = 0
            start = reader.line_num + 1
            try:
                for values in reader:
                    lines.record_bytes = 0
                    if any(values):  # csv gives [] for blank lines; a row of only empty fields is skipped too
                        count += 1
                        if count > limits.max_rows:
                            raise over_limit("max_rows", limits.max_rows, "rows", "the file has more rows",
                                             Location(name, start))  # fmt: skip
                        if max(map(len, values)) > field_cap:
                            column = max(range(len(values)), key=lambda i: len(values[i])) + 1
                            raise over_limit("max_field_kb", limits.max_field_kb, "KB", "a field is longer",
                                             Location(name, start, column))  # fmt: skip
                        yield start, values
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise self._malformed(exc, reader.line_num) from exc


class SheetRows:
    """The rows of a workbook's sheet after its header row, read again from the file at each iteration."""

    def __init__(self, path: Path, name: str, sheet: str | None, limits: Limits, width: int, header_row: int) -> None:
        self.path, self.name, self.sheet, self.limits = path, name, sheet, limits
        self.width, self.header_row = width, header_row

    def __iter__(self) -> Iterator[Row]:
        width = self.width
        for number, cells in iter_sheet(self.path, self.name, self.sheet, self.limits):
            if number > self.header_row:
                yield number, cells[:width] + [""] * (width - len(cells))


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


def open_csv(name: str, opener: Opener, *, encoding: str = "utf-8", delimiter: str | None = None,
             limits: Limits = DEFAULT_LIMITS, damaged: tuple[str, str] | None = None) -> Table:  # fmt: skip
    """A streamed CSV table from ``opener`` (which yields the inflated byte stream and, for compressed
    streams, a function giving the compressed bytes read so far). The header is read and checked now."""
    damaged = damaged or (f"{name} cannot be read", "check that the file is complete")
    given = delimiter is not None
    if delimiter is None:
        probe = CsvRows(name, opener, encoding, ",", limits, damaged)
        with opener() as (stream, compressed):
            # The first line decides, as before streaming: a blank first line sniffs as ','.
            first = next(iter(probe.lines(stream, compressed)), "")
        delimiter = sniff_delimiter(first)
    rows = CsvRows(name, opener, encoding, delimiter, limits, damaged)
    header = rows.header()
    _check_header(header, name, delimiter, given)
    return Table(name, header, rows)


def open_xlsx(path: Path, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Table:
    """A streamed sheet (the first, or ``sheet``); the header is its first non-empty row."""
    name = str(path)
    check_workbook(path, name, limits)
    with closing(iter_sheet(path, name, sheet, limits)) as rows:
        for number, cells in rows:
            header = [cell.strip() for cell in cells]
            while header and not header[-1]:
                header.pop()
            _check_header(header, name, ",", True)
            return Table(name, header, SheetRows(path, name, sheet, limits, len(header), number))
    raise InputError(f"{name} is empty", hint="the first non-empty row must name the columns")


def _missing(path: Path) -> InputError:
    return InputError(f"{path} does not exist", hint="check the path")


def _gzip_damaged(path: str) -> tuple[str, str]:
    return f"{path} is not a valid gzip file", "download the file again; it may be truncated"


def file_opener(path: Path, limits: Limits) -> Opener:
    """Opens ``path`` (gunzipping a .gz) after checking its size on disk against the inflated-size limit."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    if path.is_dir():
        raise InputError(f"{path} is a folder", hint="give a file")
    if size > limits.inflated_bytes:
        raise over_limit("max_inflated_mb", limits.max_inflated_mb, "MB", f"the file has {size:,} bytes",
                         Location(str(path)))  # fmt: skip

    @contextmanager
    def opener() -> Iterator[tuple[ByteStream, Callable[[], int] | None]]:
        with path.open("rb") as raw:
            if path.suffix != ".gz":
                yield raw, None
                return
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream, raw.tell

    return opener


def open_table(path: Path, *, encoding: str = "utf-8", delimiter: str | None = None, sheet: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> Table:  # fmt: skip
    """A CSV (optionally .gz) or XLSX file as a streamed table."""
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.exists():
            raise _missing(path)
        return open_xlsx(path, sheet=sheet, limits=limits)
    damaged = _gzip_damaged(str(path)) if path.suffix == ".gz" else None
    return open_csv(str(path), file_opener(path, limits), encoding=encoding, delimiter=delimiter, limits=limits,
                    damaged=damaged)  # fmt: skip


def read_table(path: Path, *, encoding: str = "utf-8", delimiter: str | None = None, sheet: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> Table:  # fmt: skip
    """A CSV (optionally .gz) or XLSX file as a table with its rows in memory (for small files)."""
    table = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet, limits=limits)
    return Table(table.name, table.header, list(table.rows))


def _zip_error(path: Path, exc: BaseException) -> InputError:
    return InputError(
        f"{path} is not a valid zip file",
        [Problem(str(exc), Location(str(path)))],
        hint="download the CORDIS zip again; it may be truncated",
    )


def iter_zip_tables(
    path: Path, *, encoding: str = "utf-8", delimiter: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[str, Table]]:
    """Each CSV member of a zip file as (member name, streamed table).

    Every member is checked against the limits from the zip's central directory before anything is inflated;
    zipfile never inflates a member beyond the size the central directory gives (ZipExtFile._read1 cuts the
    data at ``_left``), so those sizes can be trusted.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist()
                       if not info.is_dir() and info.filename.casefold().endswith((".csv", ".csv.gz"))]  # fmt: skip
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise _zip_error(path, exc) from exc  # NotImplementedError: a zip version or method zipfile lacks
    for info in members:
        where = Location(f"{path}:{info.filename}")
        if info.file_size > limits.inflated_bytes:
            raise over_limit("max_inflated_mb", limits.max_inflated_mb, "MB",
                             f"the member inflates to {info.file_size:,} bytes", where)  # fmt: skip
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise over_limit("max_zip_ratio", limits.max_zip_ratio, "to 1",
                             f"the member is compressed {ratio:,.0f} to 1", where)  # fmt: skip
    for info in members:
        name = f"{path}:{info.filename}"
        gzipped = info.filename.casefold().endswith(".gz")
        damaged = (f"{name} cannot be read from the zip", "download the zip again; it may be damaged")
        yield Path(info.filename).name, open_csv(name, _member_opener(path, info, gzipped, name), encoding=encoding,
                                                 delimiter=delimiter, limits=limits, damaged=damaged)  # fmt: skip


def _member_opener(path: Path, info: zipfile.ZipInfo, gzipped: bool, name: str) -> Opener:
    @contextmanager
    def opener() -> Iterator[tuple[ByteStream, Callable[[], int] | None]]:
        try:
            archive = zipfile.ZipFile(path)
            member = archive.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise InputError(
                f"{name} cannot be read from the zip",
                [Problem(str(exc), Location(name))],
                hint="download the zip again; it may be damaged",
            ) from exc
        with archive, member:
            if not gzipped:
                yield member, None  # its ratio was checked from the central directory
                return
            with gzip.GzipFile(fileobj=member, mode="rb") as stream:
                yield stream, member.tell

    return opener


__all__ = ["MB", "Limits", "Table", "iter_zip_tables", "open_table", "read_table"]
