"""The data revision and the cache of reads: every committed write to the data changes the revision, whichever
module or process writes, and the next search, indicator read or page shows the write (SQLite and PostgreSQL).

A web worker process is an Observatory with an engine of its own; the tests stand two of them side by side over one
database, a reader that caches and a writer, as `smartspec serve --workers N` and the command line would be."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from helpers import FIXTURES, cordis_zip, observe
from smartspec import Observatory
from smartspec.config import Settings
from smartspec.store import models as m
from smartspec.store import revision, session_factory, transaction
from smartspec.web import create_app

EURA = FIXTURES / "eura" / "eura2014.csv"


def project_id(engine: Engine, source_id: str) -> int:
    with session_factory(engine)() as session:
        return session.scalars(select(m.Project.id).where(m.Project.source_id == source_id)).one()


def test_writes_change_the_revision_and_reads_do_not(engine: Engine, tmp_path: Path) -> None:
    obs = observe(engine)
    seen = [revision.current(engine)]

    def changed() -> bool:
        seen.append(revision.current(engine))
        return seen[-1] != seen[-2]

    assert seen[0] is not None
    obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
    assert changed()
    obs.search(q="hydrogen"), obs.stats(), obs.strategy_figures(), obs.imports()
    assert not changed()  # reads
    obs.decide(project_id(engine, "101100001"), "I.4", "add", by="test")
    assert changed()
    obs.register_add("cluster", {"name": "Arctic Hydrogen Cluster", "region": "FI1D7"})
    assert changed()
    obs.compute_indicators([2023])
    assert changed()
    with pytest.raises(RuntimeError), transaction(engine) as session:
        session.add(m.FundingSource(code="X", name_fi="x", name_en="x", kind="eu"))
        session.flush()
        raise RuntimeError("half-way")
    assert not changed()  # rolled back: neither the row nor a new revision
    with engine.begin() as connection:  # SQL written by hand counts as well
        connection.execute(text("UPDATE project SET title = 'Hydrogen valleys' WHERE source_id = '101100001'"))
    assert changed()
    obs.add_user("reader1", "viewer", "correct horse battery staple")
    assert not changed()  # accounts are not data any cached read shows


def test_a_write_by_another_process_shows_in_the_next_search(db_url: str, tmp_path: Path) -> None:
    with Observatory(db_url) as reader, Observatory(db_url) as writer:
        writer.import_file("eura", EURA)
        assert reader.search(q="hydrogen").total == 0
        hits = reader._reads.hits
        assert reader.search(q="Hydrogen ").total == 0  # the same normalised words: answered from the cache
        assert reader._reads.hits == hits + 2  # the counts and the page

        writer.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
        found = reader.search(q="hydrogen")
        assert [item.source_id for item in found.items] == ["101100001"]

        def area_count(code: str) -> int:
            areas = next(f for f in reader.search(q="hydrogen").facets if f.name == "area")
            return next((v.count for v in areas.values if v.value == code), 0)

        assert area_count("I.5") == 0
        writer.decide(project_id(writer.engine, "101100001"), "I.5", "add", by="test")  # a review
        assert area_count("I.5") == 1
        assert reader.search(q="hydrogen", area=["I.5"]).total == 1


def test_a_write_by_another_process_shows_in_the_indicators_and_pages(db_url: str, tmp_path: Path) -> None:
    with Observatory(db_url) as writer:
        writer.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
        writer.import_file("eura", EURA)
        with TestClient(create_app(Settings(database_url=db_url))) as client:
            assert client.get("/?lang=en").status_code == 200
            assert client.get("/api/v1/projects", params={"q": "hydrogen"}).json()["total"] == 1
            assert writer.indicator_years() == []
            assert "No indicator values are stored yet" in client.get("/?lang=en").text

            writer.compute_indicators([2023])
            assert writer.indicator_years() == [2023]
            overview = client.get("/?lang=en").text
            assert "The goals in 2023" in overview and "No indicator values are stored yet" not in overview
            assert client.get("/api/v1/indicators/2023").status_code == 200

            with transaction(writer.engine) as session:  # a project renamed elsewhere
                session.execute(text("UPDATE project SET title = 'Vetylaaksot pohjoisessa' "
                                     "WHERE source_id = '101100001'"))  # fmt: skip
            items = client.get("/api/v1/projects", params={"q": "hydrogen"}).json()["items"]
            assert [item["title"] for item in items] == ["Vetylaaksot pohjoisessa"]
            page = client.get("/search", params={"q": "hydrogen", "lang": "en"}).text
            assert "Vetylaaksot pohjoisessa" in page


def test_the_cache_keeps_its_size_and_answers_by_revision() -> None:
    cache = revision.RevisionCache(size=2)
    calls: list[str] = []

    def compute(name: str) -> str:
        calls.append(name)
        return name.upper()

    assert cache.at(1, "a", lambda: compute("a")) == "A"
    assert cache.at(1, "a", lambda: compute("a")) == "A"
    assert cache.at(2, "a", lambda: compute("a")) == "A"  # another revision: computed again
    assert calls == ["a", "a"]
    cache.at(2, "b", lambda: compute("b"))
    cache.at(2, "c", lambda: compute("c"))  # the least recently used (1, "a"), then (2, "a"), leave
    assert cache.at(2, "a", lambda: compute("a")) == "A" and calls[-1] == "a"
    assert cache.at(None, "a", lambda: compute("none")) == "NONE"  # no revision: never kept
    assert cache.at(None, "a", lambda: compute("none")) == "NONE" and calls[-2:] == ["none", "none"]


def test_threads_asking_for_the_same_entry_wait_for_one_computation() -> None:
    cache = revision.RevisionCache()
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "drawn"

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(cache.at, 7, "overview", slow)
        assert started.wait(5)
        others = [pool.submit(cache.at, 7, "overview", slow) for _ in range(7)]
        release.set()
        assert {first.result(), *(f.result() for f in others)} == {"drawn"}
    assert len(calls) == 1

    def failing() -> str:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        cache.at(8, "overview", failing)
    assert cache.at(8, "overview", lambda: "again") == "again"  # a failure is not kept, nor does it block
