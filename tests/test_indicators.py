"""Monitoring indicators on a small store: values by hand, record lists that add up, registers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import SHARED_DATA
from helpers import FIXTURES, cli, cordis_zip, observe
from smartspec.errors import InputError
from smartspec.indicators.clusters import pro_level
from smartspec.indicators.facts import call_year
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

POPULATION = SHARED_DATA / "finland_regions_stats" / "population_maakunta_2000_2022.csv"


@pytest.fixture
def store(engine: Engine, strategy: Strategy, tmp_path: Path) -> Engine:
    obs = observe(engine)
    obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
    obs.import_file("eura", FIXTURES / "eura" / "eura2014.csv")
    with session_factory(engine)() as session:
        ids = {k: v for k, v in session.execute(select(m.Project.source_id, m.Project.id))}
    # Areas set by review, so the tests do not depend on the model.
    for source_id, area in (("101100001", "I.4"), ("101100002", "I.1"), ("101100002", "II.2"), ("A70001", "I.4")):
        obs.decide(ids[source_id], area, "add", by="test")
    return engine


def _values(
    engine: Engine, strategy: Strategy, year: int, **kwargs: Path
) -> dict[tuple[str, str | None, str | None], float]:
    obs = observe(engine)
    obs.compute_indicators([year], **kwargs)
    return {key: v.value for key, v in obs.indicators(year).table().items()}


def _population(code: str, year: int) -> int:
    with POPULATION.open(encoding="utf-8") as handle:
        rows = [row.split(",") for row in handle.read().splitlines()[1:]]
    return next(int(row[4]) for row in rows if row[0] == code and int(row[3]) == year)


def test_values_by_hand(store: Engine, strategy: Strategy) -> None:
    v = _values(store, strategy, 2023)  # HYDRO-NORTH starts 2023: Oulu, UEF (Kuopio), Lapland UAS, TU Munich
    assert v[("g1_projects", "FI1D9", None)] == 1
    assert v[("g1_multi_region", "FI1D9", None)] == 1
    assert v[("g1_multi_region_share", "FI1D2", None)] == 1.0
    assert v[("g1_international", "FI1D9", None)] == 1
    assert v[("g1_finland_partners", "FI1D9", None)] == 0
    assert v[("g1_new_links", "FI1D9", None)] == 2  # Pohjois-Savo and Lappi, first together in 2023
    assert v[("g2_eu_funding", "FI1D9", None)] == 500000.50
    assert v[("g2_eu_funding", "FI1D9", "I.4")] == 500000.50
    if POPULATION.is_file():  # the year's own population, else the latest year available (2022 for 2023)
        assert v[("g2_eu_funding_per_capita", "FI1D9", None)] == round(500000.50 / _population("FI1D9", 2022), 2)
    shipped = _values(store, strategy, 2023, population=FIXTURES / "population.yaml")
    assert shipped[("g2_eu_funding_per_capita", "FI1D9", None)] == round(500000.50 / 418900, 2)
    assert v[("g2_share_of_finland", "FI1D9", None)] == round(500000.50 / 2350000.50, 4)  # Helsinki too
    assert v[("g3_communities", "FI1D7", "I.4")] == 1
    later = _values(store, strategy, 2024)  # FORESTWOOD: Oulu with a Joensuu company, KTH
    assert later[("g1_new_links", "FI1D9", None)] == 1
    assert later[("g1_finland_partners", "FI1D9", None)] == 0
    eura = _values(store, strategy, 2015)
    assert eura[("g2_public_funding", "FI1D7", None)] == 443909.0
    assert eura[("g2_public_funding", "FI1D7", "I.4")] == 443909.0
    assert eura[("g1_projects", "FI1D3", None)] == 1


def test_record_lists_add_up(store: Engine, strategy: Strategy) -> None:
    obs = observe(store)
    assert obs.compute_indicators([2015, 2023, 2024]).years[2023] > 50
    with session_factory(store)() as session:
        cents = {k: v for k, v in session.execute(select(m.Participation.id, m.Participation.ec_contribution_cents))}
        public = {k: v for k, v in session.execute(select(m.Participation.id, m.Participation.public_funding_cents))}
    checked = 0
    for year in (2015, 2023, 2024):
        for value in obs.indicators(year).values:
            ids = value.records.ids
            if value.unit in ("projects", "clusters", "memberships", "actions", "records"):
                assert value.value == len(ids), value.indicator
                checked += 1
            elif value.indicator in ("g2_eu_funding", "g4_member_funding"):
                assert value.details["cents"] == sum(cents[i] for i in ids), value.indicator
                assert round(value.value * 100) == value.details["cents"]
                checked += 1
            elif value.indicator == "g2_public_funding":
                assert value.details["cents"] == sum(public[i] for i in ids)
                checked += 1
    assert checked > 50


def test_registers_feed_goals_4_to_6(store: Engine, strategy: Strategy, tmp_path: Path) -> None:
    fields = dict.fromkeys(
        (
            "name",
            "organisation",
            "country",
            "region",
            "sector",
            "contact_email",
            "website",
            "description",
            "members_count",
            "smes_share",
            "founded",
            "cluster_manager",
            "legal_form",
            "budget",
        ),
        "x",
    )
    eccp = ";".join(f"{k}={v}" for k, v in fields.items())
    obs = observe(store)
    hydrogen = {"name": "Arctic Hydrogen Cluster", "region": "FI1D7", "areas": "I.4", "eccp_fields": eccp,
                "label_level": "silver", "label_valid_until": "2025-06-30", "members": "906591131"}  # fmt: skip
    assert obs.register_add("cluster", hydrogen).action == "inserted"
    assert obs.register_add("cluster", {"name": "Arctic Hydrogen Cluster", "region": "FI1D7"}).action == "updated"
    obs.register_add("cluster", {"name": "Wood Cluster", "region": "FI1D7", "areas": "I.1", "eccp_fields": eccp,
                                 "label_level": "gold", "members": "906591131"})  # fmt: skip
    obs.register_add("network", {"network": "VANGUARD", "region": "FI1D7", "year_from": "2019"})
    obs.register_add("communication", {"region": "FI1D7", "kind": "event", "title": "S3 day", "date": "2023-05-04"})
    v = _values(store, strategy, 2023)
    assert v[("g4_clusters", "FI1D7", None)] == 2
    assert v[("g4_eccp_pro", "FI1D7", None)] == 1  # all mandatory and 6 of 12 optional fields: PRO
    assert v[("g4_labelled", "FI1D7", None)] == 1  # the silver label is valid at the end of 2023
    assert v[("g4_member_funding", "FI1D7", None)] == 100000.0  # Lapland UAS in HYDRO-NORTH
    assert v[("g5_memberships", "FI1D7", None)] == 1 and v[("g6_actions", "FI1D7", None)] == 1
    listed = obs.registers("cluster")
    assert [e.values["name"] for e in listed.entries] == ["Arctic Hydrogen Cluster", "Wood Cluster"]
    assert listed.entries[1].values["members"] == ["906591131"]
    exported = tmp_path / "clusters.csv"
    assert obs.register_export("cluster", exported) == 2
    imported = obs.register_import("cluster", exported)
    assert (imported.inserted, imported.updated) == (0, 2)
    assert obs.registers("cluster") == listed  # the export is the import format: a round trip changes nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("network,region,year_from\nVANGUARD,FI1D7,2019\nNOSUCH,FI1X9,twenty\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        obs.register_import("network", bad)
    text = str(caught.value)
    assert "bad.csv:3" in text and "year_from" in text
    with session_factory(store)() as session:
        assert len(session.scalars(select(m.NetworkMembership)).all()) == 1  # nothing of the bad file


def test_pro_level_rule() -> None:
    cluster = m.Cluster(name="c", eccp_fields={"a": "x", "b": "y", "o1": "1"})
    assert pro_level(cluster, ["a", "b"], ["o1", "o2"])
    assert not pro_level(cluster, ["a", "b"], ["o1", "o2", "o3"])
    assert not pro_level(m.Cluster(name="c", eccp_fields={"a": "x"}), ["a", "b"], [])


def test_call_year_and_alerts(store: Engine, strategy: Strategy) -> None:
    assert call_year("HORIZON-CL5-2022-D3-01-01") == 2022 and call_year("nothing") is None
    obs = observe(store)
    with pytest.raises(InputError, match="no indicator values are stored for 2024"):
        obs.alerts(2024)
    obs.compute_indicators([2023, 2024])
    gaps = obs.alerts(2024)
    kinds = {(g.region, g.area, g.kind) for g in gaps}
    falling = next(g for g in gaps if g.kind == "falling_funding" and g.region == "FI1D9")
    assert (falling.previous, falling.value) == (Decimal("500000.50"), Decimal("0.00"))
    assert ("FI1D9", "I.4", "falling_funding") in kinds  # 2023: 500,000 €; 2024: nothing in I.4
    assert ("FI1D9", "I.1", "no_cluster") in kinds


def test_indicators_command(store: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert cli("indicators", "--year", "2023", "--db", db_url, "--region", "FI1D9", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["definitions"]["g1_projects"]["title"]["fi"] == "Hankkeet, joissa alueen toimija"
    projects = next(v for v in data["values"] if v["indicator"] == "g1_projects")
    assert projects["value"] == 1 and projects["records"]["kind"] == "project"
    assert cli("indicators", "--year", "2023", "--db", db_url, "--region", "XX") == 2


def test_register_commands(store: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("register", "add", "network", "network=ECA", "region=FI1D2", "year_from=2020", "--db", db_url) == 0
    assert "network: inserted" in capsys.readouterr().out
    assert cli("register", "add", "network", "network=ECA", "bogus", "--db", db_url) == 2
    assert "is not field=value" in capsys.readouterr().err
    assert cli("register", "add", "network", "network=NOPE", "region=FI1D2", "--db", db_url) == 2
    assert "not one the strategy names" in capsys.readouterr().err
    actions = tmp_path / "actions.csv"
    actions.write_text("region;kind;title;date;priority\nFI1D2;news;S3 uutiskirje;2023-02-01;II\n", encoding="utf-8")
    assert cli("register", "import", "communication", actions, "--db", db_url, "--json") == 0
    assert '"inserted": 1' in capsys.readouterr().out
    out = tmp_path / "out.csv"
    assert cli("register", "export", "communication", out, "--db", db_url) == 0
    assert "S3 uutiskirje" in out.read_text(encoding="utf-8")
    assert cli("register", "export", "nonsense", out, "--db", db_url) == 2
    capsys.readouterr()
    assert cli("indicators", "--year", "2023", "--db", db_url, "--lang", "fi") == 0
    text = capsys.readouterr().out
    assert "Viestintätoimenpiteet" in text and "Indikaattorit 2023" in text
