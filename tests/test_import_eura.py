"""Structural-funds (EURA) imports: Finnish columns and numbers, regions from the granting council."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import table_snapshot
from helpers import FIXTURES, cordis_zip
from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.queries import region_figures
from smartspec.strategy import Strategy

EURA = FIXTURES / "eura" / "eura2014.csv"


def test_projects_funds_dates_and_finnish_amounts(engine: Engine, strategy: Strategy) -> None:
    result = import_path(engine, "eura", EURA, strategy)
    assert result.counts["project"]["inserted"] == 4
    with session_factory(engine)() as session:
        project = session.scalars(select(m.Project).where(m.Project.source_id == "A70001")).one()
        assert project.public_funding_cents == 44390900  # "443 909"
        assert project.language == "fi" and project.programme == "EURA2014"
        assert str(project.start_date) == "2015-03-01"
        fund = session.get(m.FundingSource, project.funding_source_id)
        assert fund is not None and fund.code == "EAKR"
        esf = session.scalars(select(m.Project).where(m.Project.source_id == "S10001")).one()
        assert esf.public_funding_cents == 31200050  # "312 000,50"
        assert esf.authority == "Pohjois-Pohjanmaan elinkeino- liikenne- ja ympäristökeskus"


def test_region_comes_from_the_regional_council(engine: Engine, strategy: Strategy) -> None:
    import_path(engine, "eura", EURA, strategy)
    with session_factory(engine)() as session:
        figures = region_figures(session, strategy, source="eura")
    assert figures["FI1D7"].projects == 1 and figures["FI1D7"].public_funding_cents == 44390900
    assert figures["FI1D3"].projects == 1
    assert figures["FI1D9"].projects == 1  # the ELY-granted ESF project has no region
    assert figures["FI1D7"].ec_contribution_cents == 0  # EURA gives EU + state money, not the EU share


def test_beneficiary_matches_the_cordis_organisation(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "c.zip"), strategy)
    import_path(engine, "eura", EURA, strategy)
    with session_factory(engine)() as session:
        lapland = session.scalars(select(m.Organisation).where(m.Organisation.pic == "906591131")).one()
        names = set(session.scalars(select(m.OrganisationName.name).where(
            m.OrganisationName.organisation_id == lapland.id)))  # fmt: skip
        assert names == {"LAPIN AMMATTIKORKEAKOULU OY", "Lapin ammattikorkeakoulu Oy"}
        projects = session.scalars(select(m.Participation.project_id).where(
            m.Participation.organisation_id == lapland.id)).all()  # fmt: skip
        assert len(projects) == 2


def test_import_order_does_not_matter(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    archive = cordis_zip(tmp_path / "c.zip")
    import_path(engine, "eura", EURA, strategy)
    import_path(engine, "cordis", archive, strategy)
    first = table_snapshot(engine)
    import_path(engine, "cordis", archive, strategy)
    import_path(engine, "eura", EURA, strategy)
    assert table_snapshot(engine) == first


def test_pipe_flag_restores_commas(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    file = tmp_path / "okf.csv"
    file.write_text(
        "ohjelmakausi,Koodi,Rahasto,Hankkeen nimi,Tl,Viranomainen,Tila,Aloituspvm,Päättymispvm,Toteuttajan nimi,"
        "Myönnetty EU- ja valtion rahoitus,quality_flags\n"
        "2014-2020,A70301,EAKR,Uudet prosessit |prosessikemikaalit ja biotuotteet,2,Tekes,Toiminnassa,1.3.2015,"
        "28.2.2017,Mikkelin Ammattikorkeakoulu Oy,443909,title_had_commas_replaced_by_pipe\n",
        encoding="utf-8",
    )
    import_path(engine, "eura", file, strategy)
    with session_factory(engine)() as session:
        assert session.scalars(select(m.Project.title)).one() == "Uudet prosessit, prosessikemikaalit ja biotuotteet"


def test_not_a_eura_file(engine: Engine, strategy: Strategy) -> None:
    with pytest.raises(InputError, match="is not a EURA project list") as caught:
        import_path(engine, "eura", FIXTURES / "cordis_he" / "topics.csv", strategy)
    assert "Koodi" in str(caught.value)
