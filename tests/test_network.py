"""The network layer on a small store built here: weights by hand, places, communities, gaps, exports, the G5
seed, partner search and the evaluation's metrics on a split with known answers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from helpers import cli
from smartspec import Observatory
from smartspec.errors import InputError
from smartspec.network import (
    NetworkFilter,
    area_gaps,
    build_graph,
    build_place_graph,
    find_communities,
    network_report,
    read,
    write_csv,
    write_graphml,
)
from smartspec.network.evaluate import evaluate
from smartspec.network.load import Collaborations, Member, OrgInfo, ProjectInfo
from smartspec.network.memberships import seed_memberships
from smartspec.network.partners import PartnerFilter, PartnerIndex
from smartspec.store import models as m
from smartspec.store import session_factory, sync_strategy, transaction
from smartspec.strategy import Strategy

# id: (name, country, nuts, type)
ORGS = {
    1: ("OULUN YLIOPISTO", "FI", "FI1D9", "HES"),
    2: ("Savon Vety Oy", "FI", "FI1D2", "PRC"),
    3: ("Helsinki Lab", "FI", "FI1B1", "REC"),
    4: ("Berlin Institut", "DE", "DE300", "REC"),
    5: ("Lapin Puu Oy", "FI", "FI1D7", "PRC"),
    6: ("Paris Tourisme", "FR", "FR101", "PUB"),
}
# id: (programme, start, area, title, [(organisation, EU contribution in cents)])
PROJECTS = {
    1: ("HORIZON", 2021, "I.4", "Green hydrogen electrolysers for industry", [(1, 10_000), (2, 5_000), (4, 3_000)]),
    2: ("HORIZON", 2022, "I.4", "Hydrogen storage in salt caverns", [(1, 1_000), (4, 2_000)]),
    3: ("H2020", 2019, "II.1", "Robotic automation of sawmills", [(2, 500), (3, 700)]),
    4: ("HORIZON", 2022, "I.1", "Puurakentamisen kehittäminen Lapissa", [(5, 100)]),
    5: ("HORIZON", 2023, "III.2", "Arctic tourism destinations", [(5, 200), (6, 300)]),
}


def make_store(engine: Engine, strategy: Strategy) -> dict[int, int]:
    """The organisations and projects above, with reviewed area labels; returns project number → id."""
    ids: dict[int, int] = {}
    with transaction(engine) as session:
        strategy_id = sync_strategy(session, strategy).id
        orgs = {}
        for number, (name, country, nuts, kind) in ORGS.items():
            org = m.Organisation(pic=str(900_000 + number), name=name, name_key=name.casefold(), country=country,
                                 nuts_code=nuts, org_type=kind)  # fmt: skip
            session.add(org)
            orgs[number] = org
        session.flush()
        for number, (programme, year, area, title, members) in PROJECTS.items():
            project = m.Project(source="cordis", source_id=f"P{number}", programme=programme, title=title,
                                start_date=dt.date(year, 3, 1))  # fmt: skip
            session.add(project)
            session.flush()
            ids[number] = project.id
            for org, cents in members:
                session.add(m.Participation(project_id=project.id, organisation_id=orgs[org].id, country=ORGS[org][1],
                                            nuts_code=ORGS[org][2], ec_contribution_cents=cents))  # fmt: skip
            session.add(m.Classification(record_type="project", record_id=project.id, strategy_id=strategy_id,
                                         code=area, method="review", status="manual"))  # fmt: skip
    return ids


def _org_ids(data: Collaborations) -> dict[str, int]:
    return {info.name: oid for oid, info in data.organisations.items()}


def test_weights_filters_and_places(engine: Engine, strategy: Strategy) -> None:
    make_store(engine, strategy)
    data = read(engine, strategy)
    o = _org_ids(data)
    oulu, savo, hki, berlin = o["OULUN YLIOPISTO"], o["Savon Vety Oy"], o["Helsinki Lab"], o["Berlin Institut"]
    graph = build_graph(data)
    assert graph.link_projects[(oulu, savo)] == 1 and graph.link_funding[(oulu, savo)] == 15_000
    assert graph.link_projects[(oulu, berlin)] == 2 and graph.link_funding[(oulu, berlin)] == 13_000 + 3_000
    assert graph.link_funding[(savo, hki)] == 1_200 and graph.funding[oulu] == 11_000
    assert len(graph.link_projects) == 5  # (1,2) (1,4) (2,4) (2,3) (5,6)
    assert set(build_graph(data, NetworkFilter(year_from=2021, year_to=2022)).link_projects) == {
        (oulu, savo), (oulu, berlin), (savo, berlin)}  # fmt: skip
    assert set(build_graph(data, NetworkFilter(programme="H2020")).link_projects) == {(savo, hki)}
    assert build_graph(data, NetworkFilter(area="I.4")).link_projects[(oulu, berlin)] == 2
    assert len(build_graph(data, NetworkFilter(region="FI1D7")).selection) == 2
    with pytest.raises(ValueError, match="empty"):
        NetworkFilter(year_from=2023, year_to=2021)
    places = build_place_graph(data)
    assert places.links[("DE", "FI1D9")] == 2 and places.funding[("DE", "FI1D9")] == 16_000
    assert places.links[("FI", "FI1D2")] == 1  # Helsinki is the rest of Finland
    assert places.active["FI1D7"] == 2 and ("FI1D7", "FI1D7") not in places.links


def test_gaps_per_area(engine: Engine, strategy: Strategy) -> None:
    make_store(engine, strategy)
    gaps = {g.area: g for g in area_gaps(read(engine, strategy), ["I.4", "I.1", "III.2", "II.1", "I.3"])}
    assert gaps["I.4"].gaps == [] and gaps["I.4"].links_inside == 1 and gaps["I.4"].links_abroad == 3
    assert gaps["I.1"].isolated_regions == ["FI1D7"] and gaps["I.1"].no_partner_abroad
    assert not gaps["I.1"].only_outside  # no partners at all is not "only outside"
    assert gaps["III.2"].only_outside and not gaps["III.2"].no_partner_abroad
    assert gaps["II.1"].gaps == ["only_outside", "isolated_regions", "no_partner_abroad"]
    assert gaps["I.3"].regions_active == [] and gaps["I.3"].gaps == []


def test_report_and_exports_parse_back(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    make_store(engine, strategy)
    data = read(engine, strategy)
    report = network_report(data, strategy, NetworkFilter(area="I.4"))
    assert (report.projects, report.organisations, report.links, report.funding_cents) == (2, 3, 3, 21_000)
    assert [g.area for g in report.gaps] == ["I.4"]
    assert {(x.a, x.b) for x in report.place_links} == {("DE", "FI1D2"), ("DE", "FI1D9"), ("FI1D2", "FI1D9")}
    graph = build_graph(data)
    g = nx.read_graphml(write_graphml(data, graph, tmp_path / "net.graphml"))
    o = _org_ids(data)
    edge = g.edges[str(o["OULUN YLIOPISTO"]), str(o["Berlin Institut"])]
    assert (edge["projects"], edge["funding_cents"]) == (2, 16_000)
    assert g.nodes[str(o["Lapin Puu Oy"])]["region"] == "FI1D7" and g.number_of_nodes() == 6
    nodes, edges = write_csv(data, graph, tmp_path / "csv")
    with nodes.open(encoding="utf-8") as handle:
        rows = {int(r["id"]): r for r in csv.DictReader(handle)}
    assert rows[o["Helsinki Lab"]]["region"] == "" and rows[o["OULUN YLIOPISTO"]]["funding_cents"] == "11000"
    with edges.open(encoding="utf-8") as handle:
        assert sum(int(r["projects"]) for r in csv.DictReader(handle)) == 6


def _two_cliques() -> Collaborations:
    """Organisations 11-14 (area I.4, Finland) and 21-24 (area II.3, Germany), and 30 working with both."""
    orgs = {i: OrgInfo(i, f"org {i}", "FI" if i < 20 else "DE", "FI1D9" if i < 20 else None, "REC")
            for i in [11, 12, 13, 14, 21, 22, 23, 24, 30]}  # fmt: skip
    projects, members = {}, {}
    groups = (
        [([11, 12, 13, 14], "I.4")] * 3 + [([21, 22, 23, 24], "II.3")] * 3 + [([30, 14], "I.4"), ([30, 21], "II.3")]
    )
    for pid, (group, area) in enumerate(groups, 1):
        projects[pid] = ProjectInfo(pid, 2022, "HORIZON", "cordis", frozenset([area]))
        members[pid] = [Member(o, 100, orgs[o].region or orgs[o].country) for o in group]
    return Collaborations("FI", ["FI1D9"], orgs, projects, members)


def test_communities_are_described() -> None:
    data = _two_cliques()
    found = find_communities(data, build_graph(data))
    assert found.organisations == 9 and found.links == 14 and found.modularity > 0.3
    by_member = {r.id: c for c in found.communities for r in c.central + c.bridging}
    assert by_member[11].id == by_member[12].id != by_member[22].id
    finnish = by_member[11]
    assert next(iter(finnish.areas)) == "I.4" and finnish.places.get("FI1D9", 0) >= 4 and finnish.types["REC"] >= 4
    every = {r.id: r for c in found.communities for r in c.central + c.bridging}
    assert every[30].bridging > every[11].bridging == 0.0  # 11 links only inside its community
    assert every[14].places == 2  # its partners are in FI1D9 and (through 30) DE


def test_seed_memberships_is_idempotent_and_keeps_edits(engine: Engine, strategy: Strategy) -> None:
    stated = [n for n in strategy.networks if n.membership]
    assert {n.code for n in stated} == {"VANGUARD", "ECA", "EUCLES", "S3-TP", "PRI", "RIV"}
    with transaction(engine) as session:
        first = seed_memberships(session, strategy)
    assert first.inserted == len(stated) * len(strategy.regions) and first.kept == 0
    with transaction(engine) as session:
        row = session.scalars(select(m.NetworkMembership).filter_by(network_code="ECA", region_code="FI1D8")).one()
        row.role, row.note = "observer", "edited by the Kainuu council"
    with transaction(engine) as session:
        again = seed_memberships(session, strategy)
    assert (again.inserted, again.kept) == (0, first.inserted)
    with session_factory(engine)() as session:
        rows = {(r.network_code, r.region_code): r for r in session.scalars(select(m.NetworkMembership))}
        assert len(rows) == first.inserted
        assert rows[("ECA", "FI1D8")].role == "observer"
        pri, riv, vanguard = rows[("PRI", "FI1D9")], rows[("RIV", "FI1D1")], rows[("VANGUARD", "FI1D7")]
        assert (pri.year_from, pri.year_to, riv.year_from, riv.year_to) == (2022, 2023, 2023, None)
        assert vanguard.year_from == strategy.valid_from.year and "start year not stated" in (vanguard.note or "")
        assert (rows[("EUCLES", "FI1D5")].note or "").startswith(f"Source: strategy {strategy.code} (seed ")
        assert session.scalar(select(func.count()).select_from(m.AuditLog)) == 1


class WordEmbedder:
    """A small deterministic embedder for tests: hashed word counts (so shared words mean similarity)."""

    model_id, dim = "test-words", 64

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1)


def test_partner_search_gives_reasons(engine: Engine, strategy: Strategy) -> None:
    make_store(engine, strategy)
    index = PartnerIndex.build(engine, strategy, WordEmbedder(), scope_country=None)
    found = index.search("hydrogen electrolysers", limit=5).suggestions
    assert found[0].organisation.name in {"OULUN YLIOPISTO", "Savon Vety Oy", "Berlin Institut"}
    assert all(s.reasons for s in found) and "similar project: “Green hydrogen" in found[0].reasons[0]
    only = index.search("hydrogen", PartnerFilter(region="FI1D2", type="PRC")).suggestions
    assert [s.organisation.name for s in only] == ["Savon Vety Oy"]
    assert any("North Savo" in r for r in only[0].reasons)
    fi = index.search("hydrogen", PartnerFilter(country="DE"), lang="fi").suggestions
    assert [s.organisation.region for s in fi] == [None] and "ulkomailla" in fi[0].reasons[-1]
    o = _org_ids(index.data)
    nexts = index.for_organisation(o["Helsinki Lab"], limit=3).suggestions
    assert nexts[0].organisation.name in {"OULUN YLIOPISTO", "Berlin Institut"}  # partners of Savon Vety
    assert any(r.startswith("partner of your partners: Savon Vety Oy") for r in nexts[0].reasons)
    with pytest.raises(InputError, match="type"):
        PartnerFilter(type="XYZ").check(strategy)
    with pytest.raises(InputError, match="empty"):
        index.search("  ")


def test_evaluation_metrics_on_a_known_split() -> None:
    """Region organisation 1 worked with 2 and 3 before 2021; 3 worked with 4. After 2020 it works with 4 (a
    partner of a partner, same label) and with 9 (never seen before: unrankable)."""
    orgs = {i: OrgInfo(i, f"org {i}", "FI", "FI1D9" if i == 1 else None, "REC") for i in range(1, 10)}
    train = [([1, 2, 3], {"SC3"}, 2018), ([3, 4], {"SC3"}, 2019), ([4, 5], set(), 2019), ([5, 6, 7], set(), 2020)]
    test = [([1, 4, 9], set(), 2022)]
    projects, members = {}, {}
    for pid, (group, parts, year) in enumerate(train + test, 1):
        projects[pid] = ProjectInfo(pid, year, "HORIZON" if year > 2020 else "H2020", "cordis", frozenset(),
                                    frozenset(parts))  # fmt: skip
        members[pid] = [Member(o, 0, orgs[o].region or "FI") for o in group]
    result = evaluate(Collaborations("FI", ["FI1D9"], orgs, projects, members), cutoff=2020)
    assert (result.n_organisations, result.n_new_pairs, result.n_unrankable_pairs) == (1, 1, 1)
    # Degrees before the cut-off: 3 and 5 have three partners; 4 is the model's first pick (Adamic-Adar and the
    # same label), preferential attachment's second (after 5), the same-label baseline's first.
    assert result.recall_at_10.model_dump() == {"model": 1.0, "preferential_attachment": 1.0, "same_area": 1.0}
    assert result.mrr.model_dump() == {"model": 1.0, "preferential_attachment": 0.5, "same_area": 1.0}


def test_partner_search_across_languages(engine: Engine, strategy: Strategy) -> None:
    """The shipped multilingual model: a Finnish query finds the organisations of the English project it means."""
    make_store(engine, strategy)
    index = PartnerIndex.build(engine, strategy, scope_country=None)
    found = index.search("vihreän vedyn elektrolyysi", limit=3).suggestions
    assert {s.organisation.name for s in found} == {"OULUN YLIOPISTO", "Savon Vety Oy", "Berlin Institut"}
    assert "Green hydrogen electrolysers for industry" in found[0].reasons[0]
    sawmill = index.search("sahateollisuuden robotiikka", limit=2).suggestions
    assert {s.organisation.name for s in sawmill} == {"Savon Vety Oy", "Helsinki Lab"}
    with session_factory(engine)() as session:  # project texts are cached in the store, the query is not
        assert session.scalar(select(func.count()).select_from(m.EmbeddingCache)) == len(PROJECTS)


def test_observatory_and_commands(engine: Engine, db_url: str, strategy: Strategy, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    make_store(engine, strategy)
    with Observatory(engine=engine) as obs:
        obs.init()
        obs.init()  # the G5 seed again: nothing new, nothing overwritten
        assert len(obs.registers("network").entries) == 6 * len(strategy.regions)
        report = obs.network(area="I.4", graphml=tmp_path / "n.graphml", csv_dir=tmp_path / "csv")
        assert (report.projects, report.links) == (2, 3) and len(report.files) == 3
        with pytest.raises(InputError, match="filter"):
            obs.network(area="I.9")
        with pytest.raises(InputError, match="filter"):
            obs.network(year_from=2024, year_to=2020)
        with pytest.raises(InputError, match="exactly one"):
            obs.partners("vety", org=1)
    assert cli("network", "--db", db_url, "--region", "FI1D7", "--years", "2022-2023", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["projects"] == 2 and {g["area"] for g in shown["gaps"]} == set(strategy.area_codes())
    assert cli("network", "--db", db_url, "--years", "twenty") == 2
    assert cli("partners", "green hydrogen electrolysers", "--db", db_url, "--limit", "2", "--json") == 0
    found = json.loads(capsys.readouterr().out)["suggestions"]
    assert len(found) == 2 and all(s["reasons"] and set(s["organisation"]) == {"id", "name", "country", "region",
                                                                                "type"} for s in found)  # fmt: skip
    assert cli("partners", "--db", db_url, "--type", "XYZ", "x") == 2
