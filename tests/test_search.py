"""Project search on both backends: Finnish inflections and compound parts, ranking, facets, filters, pages."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from conftest import FIXTURES, PG_URL, postgres_or_skip
from smartspec.errors import InputError, StoreError
from smartspec.search import index as index_module
from smartspec.search import query as query_module
from smartspec.search.index import index_state, reindex
from smartspec.search.models import SearchQuery, SearchResult, Sort
from smartspec.search.normalise import (
    SnowballSearchNormaliser,
    make_search_normaliser,
    query_words,
    text_terms,
    voikko_available,
)
from smartspec.search.query import search_projects
from smartspec.store import create_store_engine, session_factory, sync_strategy, transaction, upgrade
from smartspec.store import models as m
from smartspec.strategy import Strategy

# (title, language, fund, start, call topic, region NUTS, org type, areas (code: status), EUR)
PROJECTS: list[tuple[str, str, str, dt.date | None, str | None, str, str, dict[str, str], int]] = [
    (
        "Matkailu Lapissa",
        "fi",
        "EAKR",
        dt.date(2019, 3, 1),
        None,
        "FI1D7",
        "PUB",
        {"III.2": "auto", "III.2.1": "auto"},
        100_000,
    ),
    (
        "Kaivostoiminnan vesienhallinta",
        "fi",
        "EAKR",
        dt.date(2020, 1, 1),
        None,
        "FI1D8",
        "HES",
        {"I.3": "auto", "I.5": "auto", "I.3.1": "auto"},
        250_000,
    ),
    (
        "Hydrogen valleys",
        "en",
        "HORIZON",
        None,
        "HORIZON-CL5-2022-D3-01-01",
        "FI1D9",
        "PRC",
        {"I.4": "auto"},
        2_000_000,
    ),
    ("Kaivosten turvallisuus", "fi", "EAKR", dt.date(2021, 6, 1), None, "FI1A3", "PRC", {"I.3": "auto"}, 80_000),
    (
        "Matkailun digitaaliset palvelut",
        "fi",
        "EAKR",
        dt.date(2021, 2, 1),
        None,
        "FI1D8",
        "PUB",
        {"III.2": "auto", "III.3": "auto"},
        120_000,
    ),
    (
        "Sustainable tourism in Lapland",
        "en",
        "HORIZON",
        dt.date(2023, 1, 1),
        None,
        "FI1D7",
        "REC",
        {"III.2": "auto"},
        900_000,
    ),
]


def _load(session: Session, strategy: Strategy) -> dict[str, int]:
    strategy_id = sync_strategy(session, strategy).id
    funds = {code: m.FundingSource(code=code, name_fi=f"{code} fi", name_en=f"{code} en", kind="eu")
             for code in ("EAKR", "HORIZON")}  # fmt: skip
    session.add_all(funds.values())
    session.flush()
    ids = {}
    for n, (title, lang, fund, start, topic, nuts, org_type, areas, eur) in enumerate(PROJECTS):
        cents = eur * 100
        project = m.Project(
            source="cordis" if fund == "HORIZON" else "eura", source_id=f"P{n}", title=title, language=lang,
            programme="HE" if fund == "HORIZON" else "EURA2014", funding_source_id=funds[fund].id,
            start_date=start, call_topic=topic,
            ec_max_contribution_cents=cents if fund == "HORIZON" else None,
            public_funding_cents=None if fund == "HORIZON" else cents,
        )  # fmt: skip
        organisation = m.Organisation(name=f"Org {n}", name_key=f"org {n}", org_type=org_type)
        session.add_all([project, organisation])
        session.flush()
        session.add(m.Participation(project_id=project.id, organisation_id=organisation.id, nuts_code=nuts))
        for code, status in areas.items():
            session.add(m.Classification(record_type="project", record_id=project.id, strategy_id=strategy_id,
                                         code=code, method="model", status=status))  # fmt: skip
        ids[title] = project.id
    # A reviewer rejected I.5 for the mining project: it must not count there.
    session.add(m.Classification(record_type="project", record_id=ids["Kaivostoiminnan vesienhallinta"],
                                 strategy_id=strategy_id, code="I.5", method="review", status="rejected"))  # fmt: skip
    return ids


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          strategy: Strategy) -> Iterator[tuple[Engine, dict[str, int]]]:  # fmt: skip
    """One indexed store per backend for the module (the tests only read it, or rebuild it as it was)."""
    admin, schema = None, ""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}"
    else:
        postgres_or_skip()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = create_store_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        ids = _load(session, strategy)
    reindex(engine, strategy)
    yield engine, ids
    engine.dispose()
    if admin is not None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(store: tuple[Engine, dict[str, int]], strategy: Strategy, **query: Any) -> SearchResult:
    with session_factory(store[0])() as session:
        return search_projects(session, strategy, SearchQuery(**query), timeout_s=10)


def titles(result: SearchResult) -> list[str | None]:
    return [item.title for item in result.items]


@pytest.mark.parametrize(("q", "expected"), [
    ("matkailun", {"Matkailu Lapissa", "Matkailun digitaaliset palvelut"}),  # genitive finds the base form
    ("Lapin matkailu", {"Matkailu Lapissa"}),  # AND across words: Lappi in the inessive
    ("kaivosten", {"Kaivosten turvallisuus", "Kaivostoiminnan vesienhallinta"}),  # and a compound part
    ("vesien", {"Kaivostoiminnan vesienhallinta"}),  # a compound's first part, inflected
    ("hydrogen valley", {"Hydrogen valleys"}),  # English stems
    ("tourism", {"Sustainable tourism in Lapland"}),
    ("kaivosten matkailu", set()),
])  # fmt: skip
def test_inflected_forms_find_base_forms_and_compound_parts(store: Any, strategy: Strategy, q: str,
                                                            expected: set[str]) -> None:  # fmt: skip
    result = run(store, strategy, q=q)
    assert set(titles(result)) == expected
    assert result.total == len(expected)


def test_whole_words_rank_before_compound_parts(store: Any, strategy: Strategy) -> None:
    result = run(store, strategy, q="kaivosten")
    assert titles(result) == ["Kaivosten turvallisuus", "Kaivostoiminnan vesienhallinta"]
    assert [item.match for item in result.items] == ["word", "part"]
    assert [(t.term, t.kind) for t in result.items[1].matched] == [("kaivos", "part")]
    assert result.terms[0].word == "kaivosten" and "kaivos" in result.terms[0].forms


def test_items_carry_codes_money_and_the_call_year(store: Any, strategy: Strategy) -> None:
    (item,) = run(store, strategy, q="hydrogen").items
    assert (item.year, item.fund, item.programme, item.regions, item.areas) == (2022, "HORIZON", "HE", ["FI1D9"],
                                                                              ["I.4"])  # fmt: skip
    assert item.ec_contribution_cents == 200_000_000 and item.public_funding_cents is None
    (mining,) = run(store, strategy, q="vesienhallinnan").items
    assert mining.areas == ["I.3"] and mining.topics == ["I.3.1"]  # the reviewer's rejection of I.5 holds


def test_empty_query_lists_everything_newest_first(store: Any, strategy: Strategy) -> None:
    result = run(store, strategy, sort="newest")
    assert result.total == len(PROJECTS)
    assert [item.year for item in result.items] == [2023, 2022, 2021, 2021, 2020, 2019]
    assert all(item.match is None for item in result.items)


def test_facet_counts_add_up_and_leave_their_own_filter_out(store: Any, strategy: Strategy) -> None:
    result = run(store, strategy)
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert facets["fund"] == {"EAKR": 4, "HORIZON": 2}
    assert sum(facets["fund"].values()) == sum(facets["year"].values()) == result.total  # one value per project
    assert facets["region"] == {"FI1D7": 3, "FI1D9": 1, "FI1D8": 2}  # FI1A3 is Lappi's older code
    assert facets["area"] == {"I.3": 2, "I.4": 1, "III.2": 3, "III.3": 1}  # no I.5: rejected by review
    assert facets["org_type"] == {"PUB": 2, "HES": 1, "PRC": 2, "REC": 1}
    region = next(f for f in result.facets if f.name == "region")
    assert [v.value for v in region.values] == ["FI1D7", "FI1D9", "FI1D8"]  # the strategy's order
    assert region.values[0].label_fi == "Lappi"
    filtered = run(store, strategy, region=["FI1D7"])
    counts = {f.name: {v.value: (v.count, v.selected) for v in f.values} for f in filtered.facets}
    assert counts["region"]["FI1D8"] == (2, False)  # other regions stay choosable with their counts
    assert counts["region"]["FI1D7"] == (3, True)
    assert counts["fund"] == {"EAKR": (2, False), "HORIZON": (1, False)}


def test_filters_combine(store: Any, strategy: Strategy) -> None:
    assert set(titles(run(store, strategy, region=["FI1D7"], area=["III.2"]))) == {
        "Matkailu Lapissa", "Sustainable tourism in Lapland"}  # fmt: skip
    assert titles(run(store, strategy, region=["FI1D7"], area=["III.2"], fund=["HORIZON"])) == [
        "Sustainable tourism in Lapland"]  # fmt: skip
    assert set(titles(run(store, strategy, year=[2019, 2022]))) == {"Matkailu Lapissa", "Hydrogen valleys"}
    assert titles(run(store, strategy, q="matkailu", org_type=["PUB"], topic=["III.2.1"])) == ["Matkailu Lapissa"]
    assert run(store, strategy, q="kaivos", region=["FI1D9"]).total == 0


def test_pagination_and_sorting(store: Any, strategy: Strategy) -> None:
    first = run(store, strategy, sort="title", per_page=4)
    second = run(store, strategy, sort="title", per_page=4, page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (6, 2, 4, 2)
    assert titles(first) + titles(second) == sorted(t for t, *_ in PROJECTS)
    assert titles(run(store, strategy, sort=Sort.funding))[:2] == ["Hydrogen valleys", "Sustainable tourism in Lapland"]
    assert [i.year for i in run(store, strategy, sort="oldest").items][:2] == [2019, 2020]
    assert run(store, strategy, page=3, per_page=4).items == []


def test_params_round_trip() -> None:
    query = SearchQuery(q="kaivosten vesi", region=["FI1D7", "FI1D8"], area=["I.3"], year=[2020], sort="newest",
                        page=2, org_type=["HES"])  # fmt: skip
    url = urlencode(query.to_params())
    assert url.startswith("q=kaivosten+vesi&region=FI1D7&region=FI1D8&area=I.3&year=2020&org_type=HES")
    assert SearchQuery.from_params(parse_qsl(url)) == query
    assert SearchQuery.from_params({"region": ["FI1D7"], "q": "x"}) == SearchQuery(q="x", region=["FI1D7"])
    assert SearchQuery().to_params() == []


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"year": "kaksi"}, "year", "valid integer"),
    ({"sort": "best"}, "sort", "relevance, newest"),
    ({"page": "0"}, "page", "greater than or equal to 1"),
    ({"per_page": "500"}, "per_page", "less than or equal to 100"),
    ({"colour": "red"}, "colour", "unknown parameter"),
    ({"q": ["a", "b"]}, "q", "given 2 times"),
    ({"org_type": "XYZ"}, "org_type", "PRC"),
])  # fmt: skip
def test_bad_parameters_are_input_errors(params: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        SearchQuery.from_params(params)
    assert [p.where.field for p in caught.value.problems if p.where] == [field]
    assert message in str(caught.value)


def test_codes_outside_the_strategy_are_input_errors(store: Any, strategy: Strategy) -> None:
    with pytest.raises(InputError, match=r"area 'IX.9' is not in the strategy") as caught:
        run(store, strategy, area=["IX.9"], region=["FI1D7"])
    assert "I.1, I.2" in str(caught.value)


def test_stop_words_alone_find_nothing(store: Any, strategy: Strategy) -> None:
    result = run(store, strategy, q="ja the")
    assert (result.total, result.ignored_words) == (0, ["ja", "the"])


def test_reindex_is_idempotent_and_partial(store: Any, strategy: Strategy, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, ids = store
    with session_factory(engine)() as session:
        before = session.execute(select(m.ProjectSearch.project_id, m.ProjectSearch.words,
                                        m.ProjectSearch.parts).order_by(m.ProjectSearch.project_id)).all()  # fmt: skip
        facets = session.execute(select(m.ProjectFacet.__table__)).all()
    monkeypatch.setattr(index_module, "CHUNK", 2)  # a full rebuild goes through the projects a chunk at a time
    again = reindex(engine, strategy)
    assert (again.projects, again.full) == (len(PROJECTS), True)
    partial = reindex(engine, strategy, [ids["Hydrogen valleys"]])
    assert (partial.projects, partial.full) == (1, False)
    with session_factory(engine)() as session:
        after = session.execute(select(m.ProjectSearch.project_id, m.ProjectSearch.words,
                                       m.ProjectSearch.parts).order_by(m.ProjectSearch.project_id)).all()  # fmt: skip
        assert after == before
        assert sorted(session.execute(select(m.ProjectFacet.__table__)).all()) == sorted(facets)
        assert index_state(session).indexed == len(PROJECTS)
    assert titles(run(store, strategy, q="hydrogen")) == ["Hydrogen valleys"]  # full text follows the table


def test_an_index_of_another_normaliser_is_rebuilt_or_refused(engine: Engine, strategy: Strategy) -> None:
    with transaction(engine) as session:
        _load(session, strategy)
    reindex(engine, strategy, normaliser=SnowballSearchNormaliser())
    with session_factory(engine)() as session, pytest.raises(StoreError, match="built with snowball-1"):
        search_projects(session, strategy, SearchQuery(q="matkailu"))
    result = reindex(engine, strategy, [1])  # another normaliser: everything is rebuilt
    assert (result.full, result.projects) == (True, len(PROJECTS))
    with session_factory(engine)() as session:
        assert search_projects(session, strategy, SearchQuery(q="kaivosten")).total == 2


def test_sqlite_searches_stop_at_their_time_limit(tmp_path: Path, strategy: Strategy,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(query_module, "PROGRESS_STEPS", 1)  # check the clock at every step: six projects are fast
    engine = create_store_engine(f"sqlite:///{tmp_path / 'slow.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        _load(session, strategy)
    reindex(engine, strategy)
    with session_factory(engine)() as session, pytest.raises(StoreError, match="longer than its time limit"):
        search_projects(session, strategy, SearchQuery(), timeout_s=0)
    with session_factory(engine)() as session:  # the limit ends with the search
        assert search_projects(session, strategy, SearchQuery(), timeout_s=None).total == len(PROJECTS)
        assert session.execute(text("select count(*) from project_search")).scalar() == len(PROJECTS)


@pytest.mark.parametrize("name", ["voikko", "simplemma"])
def test_each_finnish_normaliser_finds_base_forms_and_compound_parts(name: str) -> None:
    if name == "voikko" and not voikko_available():
        pytest.skip("Voikko is not installed (Debian: libvoikko1 voikko-fi)")
    normaliser = make_search_normaliser(name)
    terms = text_terms(normaliser, "Kaivostoiminnan vesienhallinta", "fi")
    assert "kaivostoiminta" in terms.words and {"kaivos", "toiminta", "hallinta"} <= set(terms.parts)
    (kaivosten,), _ = query_words(normaliser, "kaivosten")
    assert "kaivos" in kaivosten.forms
    (matkailun,), _ = query_words(normaliser, "matkailun")
    assert "matkailu" in matkailun.forms and "matkailu" in text_terms(normaliser, "Matkailu Lapissa", "fi").words


def test_an_import_reindexes_only_the_projects_it_changed(imported: Engine, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """After an import the index follows what it changed: a repeated import changes nothing and indexes nothing;
    an organisation's new type reaches every project of that organisation, and the other projects keep their rows."""
    from helpers import cordis_zip
    from smartspec import Observatory
    from smartspec.observatory import core

    asked: list[list[int] | None] = []
    monkeypatch.setattr(core, "reindex", lambda engine, strategy, ids=None: asked.append(ids) or reindex(
        engine, strategy, ids))  # fmt: skip
    obs = Observatory(engine=imported)
    obs.import_file("cordis", cordis_zip(tmp_path / "same.zip"))
    assert asked == []  # nothing changed
    with session_factory(imported)() as session:
        before = dict(session.execute(select(m.ProjectSearch.project_id, m.ProjectSearch.indexed_at)).all())
        uoulu = session.scalar(select(m.Organisation.id).where(m.Organisation.pic == "999844670"))
        its_projects = sorted(session.scalars(select(m.Participation.project_id).distinct()
                                              .where(m.Participation.organisation_id == uoulu)))  # fmt: skip
    organisations = (FIXTURES / "cordis_he" / "organization.csv").read_text(encoding="utf-8")
    changed = organisations.replace("UOULU;false;HES;", "UOULU;false;PRC;")
    assert changed != organisations
    obs.import_file("cordis", cordis_zip(tmp_path / "changed.zip", replace={"organization.csv": changed}))
    assert asked == [its_projects]
    with session_factory(imported)() as session:
        after = dict(session.execute(select(m.ProjectSearch.project_id, m.ProjectSearch.indexed_at)).all())
        types = set(session.scalars(select(m.ProjectFacet.value).where(
            m.ProjectFacet.facet == "org_type", m.ProjectFacet.project_id.in_(its_projects))))  # fmt: skip
    assert after.keys() == before.keys()
    assert {pid for pid in after if after[pid] != before[pid]} == set(its_projects)
    assert "PRC" in types
