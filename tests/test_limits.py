"""Hostile and oversized files are refused at once, naming the limit and the variable that raises it.

Each bomb is built here, small, against a low limit (the defaults are in smartspec.config.Settings).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from conftest import table_counts, table_snapshot
from helpers import FIXTURES, cordis_zip
from smartspec.config import Settings
from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.ingest import records as records_module
from smartspec.ingest.limits import Limits
from smartspec.ingest.readers import iter_zip_tables, open_table, read_table
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

HEADER = b"projectID;acronym;title;startDate\n"
ROW = b"101000001;ACR;A title that repeats and repeats;2023-01-01\n"


def _rows(size: int) -> bytes:
    return HEADER + ROW * (size // len(ROW) + 1)


def _refused(caught: pytest.ExceptionInfo[InputError], limit: str) -> str:
    text = str(caught.value)
    assert limit in text
    assert f"SMARTSPEC_{limit.upper()}" in (caught.value.hint or "")
    return text


def test_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTSPEC_MAX_ZIP_RATIO", "7")
    limits = Limits.from_settings(Settings())
    assert limits.max_zip_ratio == 7
    assert limits.max_inflated_mb == Limits().max_inflated_mb
    described = {name for name, field in Settings.model_fields.items() if field.description}
    assert {"max_inflated_mb", "max_zip_ratio", "max_field_kb", "max_row_kb", "max_rows",
            "max_xlsx_shared_strings_mb"} <= described  # fmt: skip


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.csv", _rows(3 * 1024 * 1024))
    with pytest.raises(InputError) as caught:
        list(iter_zip_tables(archive, limits=Limits(max_inflated_mb=2)))
    assert "project.csv" in _refused(caught, "max_inflated_mb")
    with pytest.raises(InputError) as caught:
        list(iter_zip_tables(archive, limits=Limits(max_zip_ratio=10)))
    _refused(caught, "max_zip_ratio")
    assert len(list(iter_zip_tables(archive, limits=Limits(max_zip_ratio=1000)))) == 1  # under the limits it opens


def test_gzip_bomb_stops_at_the_limit_while_streaming(tmp_path: Path) -> None:
    file = tmp_path / "bomb.csv.gz"
    file.write_bytes(gzip.compress(_rows(3 * 1024 * 1024)))
    table = open_table(file, limits=Limits(max_inflated_mb=2, max_zip_ratio=10_000))
    with pytest.raises(InputError) as caught:
        sum(1 for _ in table.rows)
    _refused(caught, "max_inflated_mb")
    with pytest.raises(InputError) as caught:
        sum(1 for _ in open_table(file, limits=Limits(max_zip_ratio=10)).rows)
    _refused(caught, "max_zip_ratio")


def test_plain_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    file = tmp_path / "big.csv"
    file.write_bytes(_rows(1024 * 1024 + 10))
    with pytest.raises(InputError) as caught:
        open_table(file, limits=Limits(max_inflated_mb=1))
    _refused(caught, "max_inflated_mb")


def test_long_line_is_refused_after_reading_at_most_the_limit(tmp_path: Path) -> None:
    file = tmp_path / "long.csv"
    file.write_bytes(HEADER + b"1;" + b"x" * (2 * 1024 * 1024) + b";t;2023-01-01\n")
    table = open_table(file, limits=Limits(max_row_kb=64))
    with pytest.raises(InputError) as caught:
        list(table.rows)
    assert f"{file}:2" in _refused(caught, "max_row_kb")
    header_line = tmp_path / "long_header.csv"
    header_line.write_bytes(b"a;" * (40 * 1024) + b"b\n1;2\n")
    with pytest.raises(InputError) as caught:
        open_table(header_line, limits=Limits(max_row_kb=64))
    _refused(caught, "max_row_kb")


def test_quoted_field_across_many_lines_counts_as_one_row(tmp_path: Path) -> None:
    file = tmp_path / "quoted.csv"
    file.write_bytes(HEADER + b'1;"' + b"line\n" * 30_000 + b'";t;2023-01-01\n')
    with pytest.raises(InputError) as caught:
        list(open_table(file, limits=Limits(max_row_kb=64)).rows)
    _refused(caught, "max_row_kb")
    with pytest.raises(InputError) as caught:
        list(open_table(file, limits=Limits(max_field_kb=64)).rows)
    assert "[acronym]" not in _refused(caught, "max_field_kb")  # the column is the second one, 'acronym'
    assert f"{file}:2:2" in str(caught.value)


def test_row_count_limit(tmp_path: Path) -> None:
    file = tmp_path / "rows.csv"
    file.write_bytes(HEADER + ROW * 11)
    assert len(read_table(file, limits=Limits(max_rows=11)).rows) == 11  # type: ignore[arg-type]
    with pytest.raises(InputError) as caught:
        read_table(file, limits=Limits(max_rows=10))
    assert f"{file}:12" in _refused(caught, "max_rows")


def _workbook(tmp_path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Koodi", "Hankkeen nimi"])
    sheet.append(["A1", "Vety"])
    file = tmp_path / "book.xlsx"
    workbook.save(file)
    return file


def _rewrite(source: Path, target: Path, member: str, edit: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == member:
                data = edit + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            new.writestr(info.filename, data)
    return target


LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')  # fmt: skip


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_xlsx_with_entities_is_refused(tmp_path: Path, member: str) -> None:
    good = _workbook(tmp_path)
    assert read_table(good).rows == [(2, ["A1", "Vety"])]
    hostile = _rewrite(good, tmp_path / "hostile.xlsx", member, LAUGHS)
    with pytest.raises(InputError, match="declares a DTD or XML entities") as caught:
        read_table(hostile)
    assert member in str(caught.value)


def test_openpyxl_parses_through_defusedxml() -> None:
    """The second line of defence: openpyxl switches to defusedxml when it is importable."""
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_xlsx_shared_strings_limit(tmp_path: Path) -> None:
    """openpyxl holds the shared strings in memory, so their part is limited from the zip's directory."""
    good = _workbook(tmp_path)
    big = tmp_path / "strings.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        strings = b"".join(b"<si><t>teksti %d</t></si>" % i for i in range(80_000))
        new.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     + strings + b"</sst>")  # fmt: skip
    with pytest.raises(InputError) as caught:
        open_table(big, limits=Limits(max_xlsx_shared_strings_mb=1))
    _refused(caught, "max_xlsx_shared_strings_mb")
    assert read_table(big).header == ["Koodi", "Hankkeen nimi"]


def test_bomb_import_leaves_the_store_alone(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "good.zip"), strategy)
    before = table_snapshot(engine)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.csv", (FIXTURES / "cordis_he" / "project.csv").read_bytes() + b"\n" * (3 << 20))
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(buffer.getvalue())
    with pytest.raises(InputError) as caught:
        import_path(engine, "cordis", bomb, strategy, limits=Limits(max_zip_ratio=50))
    _refused(caught, "max_zip_ratio")
    assert table_snapshot(engine) == before
    with session_factory(engine)() as session:
        last = session.scalars(select(m.ImportBatch).order_by(m.ImportBatch.id.desc())).first()
        assert last is not None and last.status == "failed"


def test_writing_in_batches_stores_and_counts_the_same(
    engine: Engine, strategy: Strategy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 3 rows give the same rows and the same counts as one write at the end."""
    archive = cordis_zip(tmp_path / "good.zip")
    whole = import_path(engine, "cordis", archive, strategy)
    expected = table_snapshot(engine)
    counts_once = table_counts(engine)
    again = import_path(engine, "cordis", archive, strategy)
    assert again.inserted == again.updated == 0
    monkeypatch.setattr(records_module, "FLUSH_ROWS", 3)
    batched_again = import_path(engine, "cordis", archive, strategy)
    assert batched_again.counts == again.counts
    assert table_snapshot(engine) == expected
    with engine.begin() as connection:
        for table in (m.ProjectLabel, m.Participation, m.OrganisationName, m.Organisation, m.Project):
            connection.execute(table.__table__.delete())
    batched = import_path(engine, "cordis", archive, strategy)
    assert batched.counts == whole.counts
    assert table_counts(engine) == counts_once


def test_batches_keep_a_reimport_unchanged_when_rows_disagree(
    engine: Engine, strategy: Strategy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CORDIS repeats an organisation's facts per project and they may differ; written in batches, a second
    import of the same file still changes nothing (organisations are updated once, at the end)."""
    from processes import cordis_participants

    monkeypatch.setattr(records_module, "FLUSH_ROWS", 50)
    file = cordis_participants(tmp_path / "organization.csv", 600)  # each organisation: 3 rows, 3 addresses
    first = import_path(engine, "cordis", file, strategy)
    assert first.counts["organisation"] == {"inserted": 200, "updated": 0, "unchanged": 0}
    snapshot = table_snapshot(engine)
    second = import_path(engine, "cordis", file, strategy)
    assert second.inserted == second.updated == 0
    assert table_snapshot(engine) == snapshot


def test_a_pair_repeated_in_a_later_batch_is_counted_once(
    engine: Engine, strategy: Strategy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from processes import cordis_participants

    monkeypatch.setattr(records_module, "FLUSH_ROWS", 5)
    file = cordis_participants(tmp_path / "organization.csv", 60)
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    repeated = lines[1].split(";")
    repeated[20] = "7777,5"  # ecContribution: the later row wins, as in one write at the end
    file.write_text("".join([*lines, ";".join(repeated)]), encoding="utf-8")
    result = import_path(engine, "cordis", file, strategy)
    assert result.counts["participation"] == {"inserted": 60, "updated": 0, "unchanged": 0}
    assert result.counts["project"] == {"inserted": 10, "updated": 0, "unchanged": 0}
    with engine.connect() as connection:
        stored = connection.execute(select(m.Participation.ec_contribution_cents).order_by(m.Participation.id)).first()
    assert stored == (777750,)


def test_the_observatory_applies_the_settings_limits(db_url: str, tmp_path: Path) -> None:
    from smartspec import Observatory

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.csv", _rows(3 * 1024 * 1024))
    with Observatory(settings=Settings(database_url=db_url, max_zip_ratio=10)) as obs:
        with pytest.raises(InputError) as caught:
            obs.import_file("cordis", archive)
        _refused(caught, "max_zip_ratio")
