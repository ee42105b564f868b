"""CORDIS imports: the EU's zip format, organisation matching, NUTS regions, idempotence, transactions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import table_counts, table_snapshot
from helpers import FIXTURES, cordis_zip
from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.ingest.records import Records
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.queries import region_figures
from smartspec.strategy import Strategy


def test_zip_import_reads_every_table(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    result = import_path(engine, "cordis", cordis_zip(tmp_path / "cordis.zip"), strategy)
    assert result.status == "done"
    assert result.counts["project"]["inserted"] == 3
    assert result.counts["organisation"]["inserted"] == 7  # Oulu appears twice but is one organisation
    assert result.counts["participation"]["inserted"] == 8
    with session_factory(engine)() as session:
        project = session.scalars(select(m.Project).where(m.Project.source_id == "101100001")).one()
        assert project.title == "Hydrogen valleys of the North: electrolysers; storage and use"
        assert project.programme == "HORIZON"
        assert project.ec_max_contribution_cents == 115000050  # "1150000,5": a decimal comma
        assert project.call_topic == "HORIZON-CL5-2022-D3-01-01"
        assert project.call_topic_title == "Hydrogen valleys (large-scale)"
        labels = session.scalars(select(m.ProjectLabel.title).where(m.ProjectLabel.project_id == project.id)).all()
        assert labels == ["hydrogen energy"]
        oulu = session.scalars(select(m.Organisation).where(m.Organisation.pic == "999844670")).one()
        assert (oulu.business_id, oulu.nuts_code, oulu.org_type) == ("0245895-5", "FI1D9", "HES")


def test_region_figures_follow_participant_nuts_codes(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "cordis.zip"), strategy)
    with session_factory(engine)() as session:
        figures = region_figures(session, strategy)
    oulu = figures["FI1D9"]
    assert (oulu.projects, oulu.organisations, oulu.ec_contribution_cents) == (2, 1, 62000125)
    assert oulu.multi_region_projects == 2
    assert (figures["FI1D2"].projects, figures["FI1D2"].ec_contribution_cents) == (1, 25000000)
    assert figures["FI1D3"].organisations == 1
    assert figures["FI1D8"].projects == 0  # Kainuu has no participant here


def test_reimport_changes_nothing(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    archive = cordis_zip(tmp_path / "cordis.zip")
    import_path(engine, "cordis", archive, strategy)
    before = table_snapshot(engine)
    again = import_path(engine, "cordis", archive, strategy)
    assert again.inserted == 0 and again.updated == 0
    assert again.unchanged > 0
    assert table_snapshot(engine) == before


def test_changed_row_is_updated_not_duplicated(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "a.zip"), strategy)
    original = (FIXTURES / "cordis_he" / "organization.csv").read_text(encoding="utf-8")
    edited = original.replace(";coordinator;500000,5;500000,5;", ";coordinator;510000;510000;")
    result = import_path(engine, "cordis", cordis_zip(tmp_path / "b.zip", replace={"organization.csv": edited}),
                         strategy)  # fmt: skip
    assert result.counts["participation"] == {"inserted": 0, "updated": 1, "unchanged": 7}
    assert table_counts(engine)["participation"] == 8
    with session_factory(engine)() as session:
        figures = region_figures(session, strategy)
    assert figures["FI1D9"].ec_contribution_cents == 51000000 + 12000075


def test_failure_half_way_writes_nothing(
    engine: Engine, strategy: Strategy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "a.zip"), strategy)
    before = table_snapshot(engine)
    original_save = Records.save

    def save_then_fail(self: Records, session: object, batch_id: int) -> dict[str, dict[str, int]]:
        original_save(self, session, batch_id)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(Records, "save", save_then_fail)
    edited = (FIXTURES / "cordis_he" / "project.csv").read_text(encoding="utf-8").replace("HYDRO-NORTH", "HN2")
    with pytest.raises(RuntimeError, match="disk full"):
        import_path(engine, "cordis", cordis_zip(tmp_path / "b.zip", replace={"project.csv": edited}), strategy)
    assert table_snapshot(engine) == before
    with session_factory(engine)() as session:
        statuses = session.scalars(select(m.ImportBatch.status).order_by(m.ImportBatch.id)).all()
    assert statuses == ["done", "failed"]


def test_bad_rows_fail_the_file_unless_skipped(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    original = (FIXTURES / "cordis_he" / "organization.csv").read_text(encoding="utf-8")
    bad = original.replace(";participant;250000;250000;", ";participant;250k;250000;")
    archive = cordis_zip(tmp_path / "bad.zip", replace={"organization.csv": bad})
    with pytest.raises(InputError) as caught:
        import_path(engine, "cordis", archive, strategy)
    problem = caught.value.problems[0]
    assert problem.where is not None
    assert (problem.where.line, problem.where.field) == (3, "ecContribution")
    assert problem.where.path.endswith("bad.zip:organization.csv")
    assert table_counts(engine)["project"] == 0
    result = import_path(engine, "cordis", archive, strategy, skip_bad_rows=True)
    assert result.rows_rejected == 1
    assert result.counts["participation"]["inserted"] == 7


def test_shared_layout_folder_with_gzip_and_commas(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    """The reshaped files of ../shared/data/cordis_horizon_europe: ','-separated, gzip, extra columns."""
    import gzip

    folder = tmp_path / "cordis_horizon_europe"
    folder.mkdir()
    (folder / "fi_projects.csv").write_text(
        "projectID,projectAcronym,topic,topic_title,euroSciVocCodes,euroSciVocPaths,euroSciVocTitles,text_title,"
        "startDate,endDate,totalCost,legalBasis,text_objective\n"
        '101039110,UNIFY,ERC-2021-STG,ERC STARTING GRANTS,/23/43/259/777;/25/73,"/natural sciences/semi;/eng/piezo",'
        "semiconductivity;piezoelectrics,,2022-09-01,2027-08-31,1496023.0,,\n",
        encoding="utf-8",
    )
    rows = (
        "projectID,projectAcronym,organisationID,vatNumber,name,shortName,SME,activityType,street,postCode,city,"
        "country,nutsCode,geolocation,organizationURL,contentUpdateDate,rcn,order,role,ecContribution,"
        "netEcContribution,totalCost,endOfParticipation,active,source,region_E_N_FI\n"
        "101039110,UNIFY,999844670,FI02458955,OULUN YLIOPISTO,UOULU,false,HES,PENTTI KAITERAN KATU 1,90014,Oulu,FI,"
        'FI1D9,"65.05,25.46",http://www.oulu.fi,2024-05-29 16:05:51,1906253,1,coordinator,1496023.0,1496023.0,'
        "0.0,false,,cordis_org_snapshot_2024-05,Pohjois-Pohjanmaa\n"
    )
    (folder / "fi_projects_participants.csv.gz").write_bytes(gzip.compress(rows.encode("utf-8")))
    result = import_path(engine, "cordis", folder, strategy)
    assert result.counts["label"]["inserted"] == 2
    with session_factory(engine)() as session:
        project = session.scalars(select(m.Project)).one()
        assert (project.programme, project.call_topic_title) == ("HORIZON", "ERC STARTING GRANTS")
        assert project.total_cost_cents == 149602300
        figures = region_figures(session, strategy)
    assert figures["FI1D9"].ec_contribution_cents == 149602300


def test_no_cordis_table_is_a_clear_error(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no CORDIS table") as caught:
        import_path(engine, "cordis", tmp_path / "notes.csv", strategy)
    assert "notes.csv" in (caught.value.hint or "")
