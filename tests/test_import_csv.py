"""Registers kept in Excel or CSV, imported through a YAML column mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.queries import region_figures
from smartspec.strategy import Strategy

MAPPING = """\
source: kainuu-hankkeet
file: {encoding: cp1252, delimiter: ";"}
defaults: {project.fund: EAKR, project.language: fi, organisation.country: FI}
columns:
  project.source_id: Hankekoodi
  project.title: Hankkeen nimi
  project.start_date: Alkaa
  organisation.name: Toteuttaja
  organisation.business_id: Y-tunnus
  participation.public_funding: Myönnetty tuki
  region: Maakunta
"""
ROWS = (
    "Hankekoodi;Hankkeen nimi;Alkaa;Toteuttaja;Y-tunnus;Myönnetty tuki;Maakunta\n"
    'K-1;Älykäs mittaus kaivoksilla;1.2.2022;Kajaanin ammattikorkeakoulu Oy;0245895-5;"120 000,00";Kainuu\n'
    "K-2;Biohiilen koetehdas;15.9.2023;Oulun yliopisto;;45 500;18\n"
)


def write(tmp_path: Path, rows: str = ROWS, mapping: str = MAPPING) -> tuple[Path, Path]:
    data, spec = tmp_path / "hankkeet.csv", tmp_path / "kainuu.yaml"
    data.write_bytes(rows.encode("cp1252"))
    spec.write_text(mapping, encoding="utf-8")
    return data, spec


def test_cp1252_csv_through_a_mapping(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    data, spec = write(tmp_path)
    result = import_path(engine, "csv", data, strategy, mapping=spec)
    assert result.source == "csv:kainuu"
    assert result.counts["project"]["inserted"] == 2
    with session_factory(engine)() as session:
        project = session.scalars(select(m.Project).where(m.Project.source_id == "K-1")).one()
        assert (project.source, project.title, project.start_date) == (
            "kainuu-hankkeet", "Älykäs mittaus kaivoksilla", dt.date(2022, 2, 1))  # fmt: skip
        organisation = session.scalars(select(m.Organisation).where(m.Organisation.business_id == "0245895-5")).one()
        assert organisation.nuts_code == "FI1D8"
        figures = region_figures(session, strategy)
    assert figures["FI1D8"].projects == 2
    assert figures["FI1D8"].public_funding_cents == 12000000 + 4550000


def test_bad_business_id_is_rejected_with_line_and_column(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    data, spec = write(tmp_path, ROWS.replace("0245895-5", "0245895-4"))
    with pytest.raises(InputError) as caught:
        import_path(engine, "csv", data, strategy, mapping=spec)
    problem = caught.value.problems[0]
    assert problem.where is not None and (problem.where.line, problem.where.column) == (2, 5)
    assert "check digit is wrong" in problem.message


def test_xlsx_with_a_named_sheet(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Ohje"
    first.append(["Tämä välilehti on ohje."])
    sheet = workbook.create_sheet("Hankkeet")
    sheet.append(["Hankekoodi", "Hankkeen nimi", "Alkaa", "Toteuttaja", "Y-tunnus", "Myönnetty tuki", "Maakunta"])
    sheet.append(["X-1", "Vesiosaamisen keskus", dt.date(2024, 1, 1), "Savonia-ammattikorkeakoulu Oy", None,
                  250000, "Pohjois-Savo"])  # fmt: skip
    file = tmp_path / "hankkeet.xlsx"
    workbook.save(file)
    _, spec = write(tmp_path)
    import_path(engine, "csv", file, strategy, mapping=spec, sheet="Hankkeet")
    with session_factory(engine)() as session:
        assert region_figures(session, strategy)["FI1D2"].public_funding_cents == 25000000


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (MAPPING.replace("project.title", "project.titel"), "unknown field(s) project.titel"),
        (MAPPING.replace("  project.source_id: Hankekoodi\n", ""), "must give a column for project.source_id"),
        (MAPPING.replace("Hankkeen nimi", "Nimi"), "lacks column(s) named in the mapping: Nimi"),
        (MAPPING.replace("source: kainuu-hankkeet", "source: Kainuu Hankkeet"), "String should match pattern"),
        (MAPPING.replace("project.fund: EAKR", "project.start_date: huomenna"), "bad default values"),
        (MAPPING + "  extra: [", "not valid YAML"),
    ],
)
def test_bad_mappings_are_explained(
    engine: Engine, strategy: Strategy, tmp_path: Path, mapping: str, message: str
) -> None:
    data, spec = write(tmp_path, mapping=mapping)
    with pytest.raises(InputError) as caught:
        import_path(engine, "csv", data, strategy, mapping=spec)
    assert message in str(caught.value)
