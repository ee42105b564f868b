"""Reading files as publishers ship them: encodings, BOM, delimiters, gzip, zip, XLSX — and clear errors."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from smartspec.errors import InputError
from smartspec.ingest.readers import iter_zip_tables, read_table

TEXT = "Koodi;Hankkeen nimi;Summa\nA1;Jätevedenpuhdistamo Äänekoskelle;1 234,56\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("iso-8859-15"), "iso-8859-15"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    file = tmp_path / "f.csv"
    file.write_bytes(data)
    table = read_table(file, encoding=encoding)
    assert table.header == ["Koodi", "Hankkeen nimi", "Summa"]
    assert table.rows[0] == (2, ["A1", "Jätevedenpuhdistamo Äänekoskelle", "1 234,56"])


def test_cp1252_read_as_utf8_says_which_option(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_bytes(TEXT.encode("cp1252"))
    with pytest.raises(InputError) as caught:
        read_table(file)
    text = str(caught.value)
    assert "cannot be read as utf-8" in text and "--encoding cp1252" in text
    assert f"{file}:2:" in text  # the line of the first bad byte


def test_utf8_read_as_cp1252_is_caught(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_bytes(TEXT.encode("utf-8"))
    with pytest.raises(InputError, match="looks like UTF-8") as caught:
        read_table(file, encoding="cp1252")
    assert "--encoding utf-8" in str(caught.value)


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    file = tmp_path / "f.csv"
    file.write_text(f"a{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n", encoding="utf-8")
    assert read_table(file).rows[0][1] == ["1", "2", "3"]


def test_quoted_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text('id;text\n1;"two\nlines"\n2;plain\n', encoding="utf-8")
    table = read_table(file)
    assert [line for line, _ in table.rows] == [2, 4]


def test_gzip_and_zip(tmp_path: Path) -> None:
    gz = tmp_path / "f.csv.gz"
    gz.write_bytes(gzip.compress(TEXT.encode("utf-8")))
    assert read_table(gz).rows[0][1][0] == "A1"
    archive = tmp_path / "f.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.csv", TEXT)
        z.writestr("readme.txt", "not a table")
    tables = list(iter_zip_tables(archive))
    assert [name for name, _ in tables] == ["project.csv"]
    assert tables[0][1].name == f"{archive}:project.csv"


def test_xlsx_first_sheet_and_types(tmp_path: Path) -> None:
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([None])
    sheet.append(["Koodi", "Alkaa", "Summa", "Y-tunnus"])
    sheet.append(["A1", dt.datetime(2015, 3, 1), 1234.5, "0245895-5"])
    sheet.append(["A2", dt.date(2016, 1, 31), 100.0, None])
    file = tmp_path / "f.xlsx"
    workbook.save(file)
    table = read_table(file)
    assert table.header == ["Koodi", "Alkaa", "Summa", "Y-tunnus"]
    assert table.rows[0] == (3, ["A1", "2015-03-01", "1234.5", "0245895-5"])
    assert table.rows[1] == (4, ["A2", "2016-01-31", "100", ""])
    with pytest.raises(InputError, match="has no sheet 'Muu'") as caught:
        read_table(file, sheet="Muu")
    assert "Sheet" in (caught.value.hint or "")
