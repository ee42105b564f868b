"""The same 200 rows in every encoding, delimiter and line ending smartspec reads give identical content.

UTF-8, UTF-8 with BOM, cp1252 and ISO-8859-15 × ';' ',' tab × LF/CRLF are read; UTF-16 is recognised by its
byte-order mark and refused with a hint to save the file as UTF-8 (smartspec.ingest.readers says why).
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.ingest.readers import read_table
from smartspec.store import models as m
from smartspec.strategy import Strategy

HEADER = ["Koodi", "Rahasto", "Hankkeen nimi", "Viranomainen", "Aloituspvm", "Päättymispvm", "Toteuttajan nimi",
          "Myönnetty EU- ja valtion rahoitus"]  # fmt: skip
NAMES = ["Jätevedenpuhdistamo Äänekoskelle", "Öljynkeräys; Kemi-Tornio", 'Vety "Lappi", €-hanke', "Åland, sauna"]
AUTHORITIES = ["Lapin liitto", "Pohjois-Savon liitto", "Kainuun liitto"]
ENCODINGS = {"utf-8": ("utf-8", b""), "utf-8-bom": ("utf-8", b"\xef\xbb\xbf"), "cp1252": ("cp1252", b""),
             "iso-8859-15": ("iso-8859-15", b"")}  # fmt: skip
DELIMITERS = {"semicolon": ";", "comma": ",", "tab": "\t"}
ENDINGS = {"lf": "\n", "crlf": "\r\n"}


def _rows() -> list[list[str]]:
    return [
        [f"S{1000 + i}", "EAKR" if i % 3 else "ESR", f"{NAMES[i % 4]} {i}", AUTHORITIES[i % 3],
         f"{1 + i % 28}.{1 + i % 12}.2016", f"{1 + i % 28}.{1 + i % 12}.2019", f"Yritys Öö {i % 17} Oy",
         f"{i * 1001 % 900_000:,}".replace(",", " ") + ",50"]
        for i in range(200)
    ]  # fmt: skip


ROWS = _rows()


def _file(folder: Path, encoding: str, delimiter: str, ending: str) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=DELIMITERS[delimiter], lineterminator=ENDINGS[ending])
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    codec, bom = ENCODINGS[encoding]
    path = folder / f"eura_{encoding}_{delimiter}_{ending}.csv"
    path.write_bytes(bom + text.getvalue().encode(codec))
    return path


CASES = list(itertools.product(ENCODINGS, DELIMITERS, ENDINGS))


@pytest.mark.parametrize(("encoding", "delimiter", "ending"), CASES, ids=["-".join(case) for case in CASES])
def test_every_variant_reads_the_same_rows(tmp_path: Path, encoding: str, delimiter: str, ending: str) -> None:
    table = read_table(_file(tmp_path, encoding, delimiter, ending), encoding=ENCODINGS[encoding][0])
    assert table.header == HEADER
    assert [values for _, values in table.rows] == ROWS
    assert [line for line, _ in table.rows] == list(range(2, 202))


def _content(engine: Engine) -> list[tuple[Any, ...]]:
    project, participation, organisation = m.Project, m.Participation, m.Organisation
    query = (
        select(project.source_id, project.title, project.funding_source_id, project.authority, project.start_date,
               project.end_date, project.public_funding_cents, organisation.name, participation.nuts_code)
        .join(participation, participation.project_id == project.id)
        .join(organisation, organisation.id == participation.organisation_id)
        .order_by(project.source_id)
    )  # fmt: skip
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in (m.Participation, m.OrganisationName, m.Organisation, m.Project):
            connection.execute(table.__table__.delete())


def test_every_variant_stores_the_same_content(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    reference = None
    tried = 0
    for encoding, delimiter in itertools.product(ENCODINGS, DELIMITERS):
        ending = "crlf" if tried % 2 else "lf"
        path = _file(tmp_path, encoding, delimiter, ending)
        result = import_path(engine, "eura", path, strategy, encoding=ENCODINGS[encoding][0])
        assert result.rows_read == 200 and result.rows_rejected == 0
        content = _content(engine)
        assert len(content) == 200
        if reference is None:
            reference = content
            assert content[1][:2] == ("S1001", "Öljynkeräys; Kemi-Tornio 1")
        assert content == reference, f"{encoding} {delimiter} {ending}"
        _clear(engine)
        tried += 1
    assert tried == 12


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_is_refused_with_a_hint(tmp_path: Path, codec: str) -> None:
    text = "\t".join(HEADER) + "\n" + "\t".join(ROWS[0]) + "\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\ufeff" + text).encode(codec) if codec == "utf-16-be" else text.encode(codec))
    with pytest.raises(InputError, match="UTF-16") as caught:
        read_table(path)
    assert "CSV UTF-8" in (caught.value.hint or "")
