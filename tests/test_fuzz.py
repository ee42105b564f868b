"""Hypothesis fuzzing: every reader and cell parser either succeeds or raises its typed error, nothing else.

Readers raise InputError; cell parsers raise ValueError, which Cells turns into a rejected row with the
file's line and column. Examples are bounded (EXAMPLES per test) so the file runs in a few seconds.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from smartspec.errors import InputError
from smartspec.ingest import parse
from smartspec.ingest.limits import Limits
from smartspec.ingest.readers import iter_zip_tables, read_table

EXAMPLES = int(os.environ.get("SMARTSPEC_FUZZ_EXAMPLES", "150"))  # raise it for a longer hunt
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMITS = Limits(max_inflated_mb=1, max_row_kb=16, max_field_kb=8, max_rows=500, max_xlsx_shared_strings_mb=1)

# CSV-ish bytes: mostly delimiters, quotes, line breaks, Finnish letters in several encodings, some noise.
PIECES = [b";", b",", b"\t", b'"', b"\n", b"\r\n", b"\r", b"a", b"1", b" ", b"\xc3\xa4", b"\xe4", b"\xff\xfe",
          b"\xef\xbb\xbf", b"\x00", b"\xa4", b"projectID", b"title", b"2023-01-01", b"1 234,56"]  # fmt: skip
csv_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=120).map(b"".join),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read_or_input_error(read: Callable[[], Any]) -> None:
    try:
        read()
    except InputError as error:
        assert str(error)  # the message stands on its own


@FUZZ
@given(data=csv_bytes, encoding=st.sampled_from(["utf-8", "cp1252", "iso-8859-15"]),
       delimiter=st.sampled_from([None, ";", ",", "\t"]))  # fmt: skip
def test_csv_reader(folder: Path, data: bytes, encoding: str, delimiter: str | None) -> None:
    path = folder / "fuzz.csv"
    path.write_bytes(data)
    _read_or_input_error(lambda: read_table(path, encoding=encoding, delimiter=delimiter, limits=LIMITS))


@FUZZ
@given(data=csv_bytes, compress=st.booleans(), cut=st.integers(min_value=0, max_value=40))
def test_gzip_reader(folder: Path, data: bytes, compress: bool, cut: int) -> None:
    path = folder / "fuzz.csv.gz"
    packed = gzip.compress(data) if compress else data
    path.write_bytes(packed[: len(packed) - cut] if cut else packed)  # truncated streams too
    _read_or_input_error(lambda: read_table(path, limits=LIMITS))


@FUZZ
@given(data=csv_bytes, member=st.sampled_from(["project.csv", "organization.csv.gz", "x/topics.csv"]),
       flip=st.integers(min_value=0, max_value=10_000))  # fmt: skip
def test_zip_reader(folder: Path, data: bytes, member: str, flip: int) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, gzip.compress(data) if member.endswith(".gz") else data)
    packed = bytearray(buffer.getvalue())
    if flip < len(packed) * 2:  # damage one byte in about half of the examples
        packed[flip % len(packed)] ^= 0x5A
    path = folder / "fuzz.zip"
    path.write_bytes(bytes(packed))
    _read_or_input_error(lambda: [list(table.rows) for _, table in iter_zip_tables(path, limits=LIMITS)])


def test_zip_of_a_version_zipfile_lacks(folder: Path) -> None:
    """Found by test_zip_reader: zipfile raises NotImplementedError for a central directory entry that needs
    extract version 7.8 (or an unknown compression method)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.csv", b"id;title\n1;a\n")
    packed = bytearray(buffer.getvalue())
    directory = packed.rindex(b"PK\x01\x02")
    packed[directory + 6] = 78  # "version needed to extract"
    path = folder / "version.zip"
    path.write_bytes(bytes(packed))
    with pytest.raises(InputError, match="is not a valid zip file"):
        list(iter_zip_tables(path))
    packed[directory + 6] = 20
    packed[directory + 10] = 99  # compression method 99 (AES): listed fine, refused when opened
    path.write_bytes(bytes(packed))
    with pytest.raises(InputError, match="cannot be read from the zip"):
        [list(table.rows) for _, table in iter_zip_tables(path)]


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Koodi", "Hankkeen nimi", "Summa"])
    sheet.append(["A1", "Vety", 1234.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)), max_size=4),
       raw=st.binary(max_size=200), use_raw=st.booleans())  # fmt: skip
def test_xlsx_reader(folder: Path, workbook_bytes: bytes, flips: list[tuple[int, int]], raw: bytes,
                     use_raw: bool) -> None:  # fmt: skip
    data = bytearray(raw if use_raw else workbook_bytes)
    for position, mask in flips:
        if data:
            data[position % len(data)] ^= mask
    path = folder / "fuzz.xlsx"
    path.write_bytes(bytes(data))
    _read_or_input_error(lambda: read_table(path, limits=LIMITS))


CELL_PARSERS = [parse.parse_amount_cents, parse.parse_date, parse.parse_bool, parse.parse_int,
                parse.parse_business_id, parse.business_id_from_vat, parse.normalise_vat, parse.clean]  # fmt: skip
cell_text = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(
            ["1", "0", "9", " ", ",", ".", "-", "+", "e", "€", "EUR", "FI", "\u00a0", "kyllä", "31", "2.", "2023-", "k"]
        ),
        max_size=12,
    ).map("".join),
)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(parser=st.sampled_from(CELL_PARSERS), value=st.one_of(st.none(), cell_text))
@example(parser=parse.parse_amount_cents, value="9e99")  # found by this test: Decimal quantize overflowed
@example(parser=parse.parse_amount_cents, value="1" * 30)
@example(parser=parse.parse_int, value="inf")
@example(parser=parse.parse_int, value="1e999")
def test_cell_parsers(parser: Callable[[str | None], Any], value: str | None) -> None:
    try:
        parser(value)
    except ValueError as error:
        assert str(error)
