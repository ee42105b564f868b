"""Benchmark: project search latency on the demo data, against a plain LIKE search in the same run.

Imports CORDIS Horizon Europe (the folder) and EURA 2014-2020 into a scratch SQLite database, builds the
search index, and runs 200 queries: words drawn from the titles as written there (so mostly inflected
Finnish), half of them with a filter, every sort order, first to third page. smartspec's search answers each
with its page, total and seven facets' counts. The baseline is what a search without an index does:
``title LIKE '%word%'`` for each word and the same filters, newest first, one page and a count, no facets.
LIKE finds substrings, not words ("based" in "biobased") and no inflections ("matkailun" misses "matkailu").
Each query opens its own session, as a web request would.

    PYTHONPATH=src python bench/search.py [--data ../shared/data] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from smartspec.ingest import import_path
from smartspec.search.index import FACETS, reindex
from smartspec.search.models import SearchQuery, Sort
from smartspec.search.query import search_projects
from smartspec.store import create_store_engine, session_factory, sync_strategy, transaction, upgrade
from smartspec.store import models as m
from smartspec.strategy import Strategy, load_strategy

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def build(folder: Path, data: Path, strategy: Strategy) -> tuple[Engine, float]:
    engine = create_store_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        sync_strategy(session, strategy)
    import_path(engine, "cordis", data / "cordis_horizon_europe", strategy)
    import_path(engine, "eura", data / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv", strategy)
    started = time.perf_counter()
    reindex(engine, strategy)
    return engine, time.perf_counter() - started


def queries(engine: Engine, strategy: Strategy, count: int) -> list[SearchQuery]:
    rng = random.Random(2026)
    with session_factory(engine)() as session:
        rows = session.execute(select(m.Project.title, m.Project.language).where(m.Project.title.is_not(None)))
        words = {"fi": [], "en": []}  # type: dict[str, list[str]]
        for title, lang in rows:
            words["en" if lang == "en" else "fi"].extend(w for w in re.findall(r"[a-zåäö]{5,}", title.casefold()))
        years = sorted({y for (y,) in session.execute(select(m.ProjectSearch.year).distinct()) if y})
    regions = [r.code for r in strategy.regions]
    out = []
    for n in range(count):
        lang = "fi" if n % 3 else "en"
        picked = [rng.choice(words[lang]) for _ in range(1 if n % 4 else 2)]
        filters: dict[str, list[str] | list[int]] = {}
        if n % 2:
            kind = rng.choice(("region", "fund", "year"))
            filters[kind] = (
                [rng.choice(regions)] if kind == "region" else ["EAKR"] if kind == "fund" else [rng.choice(years)]
            )
        if n % 10 == 0:
            picked = []  # the front page: everything, by facets
        out.append(
            SearchQuery(q=" ".join(picked), sort=list(Sort)[n % len(Sort)], page=1 + n % 3, **filters)  # type: ignore[arg-type]
        )
    return out


def timed_smartspec(engine: Engine, strategy: Strategy, query: SearchQuery) -> tuple[float, int]:
    started = time.perf_counter()
    with session_factory(engine)() as session:
        result = search_projects(session, strategy, query, timeout_s=30)
    return time.perf_counter() - started, result.total


def timed_like(engine: Engine, query: SearchQuery) -> tuple[float, int]:
    started = time.perf_counter()
    with session_factory(engine)() as session:
        conditions = [m.Project.title.ilike(f"%{word}%") for word in query.q.split()]
        for name in FACETS:  # the same filters, through the same facet table
            if values := [str(v) for v in getattr(query, name)]:
                having = select(m.ProjectFacet.project_id).where(
                    m.ProjectFacet.facet == name, m.ProjectFacet.value.in_(values)
                )
                conditions.append(m.Project.id.in_(having))
        total = session.scalar(select(func.count()).select_from(m.Project).where(*conditions)) or 0
        page = (
            select(m.Project.id, m.Project.title)
            .where(*conditions)
            .order_by(m.Project.start_date.desc(), m.Project.id.desc())
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
        session.execute(page).all()
    return time.perf_counter() - started, total


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    strategy = load_strategy()
    with tempfile.TemporaryDirectory() as folder:
        engine, index_s = build(Path(folder), args.data, strategy)
        with session_factory(engine)() as session:
            projects = session.scalar(select(func.count()).select_from(m.Project))
        batch = queries(engine, strategy, args.queries)
        for query in batch[:10]:  # warm the caches (normaliser, SQLite pages) for both
            timed_smartspec(engine, strategy, query)
            timed_like(engine, query)
        ours = [timed_smartspec(engine, strategy, query) for query in batch]
        like = [timed_like(engine, query) for query in batch]
        engine.dispose()
    p50, p95 = percentile([t for t, _ in ours], 0.50), percentile([t for t, _ in ours], 0.95)
    b50, b95 = percentile([t for t, _ in like], 0.50), percentile([t for t, _ in like], 0.95)
    found = sum(1 for _, total in ours if total)
    found_like = sum(1 for _, total in like if total)
    print(f"{projects} projects indexed in {index_s:.1f} s; {len(batch)} queries")
    print(f"{'':<34}{'p50 ms':>8}{'p95 ms':>8}{'found':>7}")
    print(f"{'smartspec search (page+7 facets)':<34}{p50:>8.1f}{p95:>8.1f}{found:>7}")
    print(f"{'baseline: title LIKE (page+count)':<34}{b50:>8.1f}{b95:>8.1f}{found_like:>7}")
    print(f"ratio smartspec/baseline: p50 {p50 / b50:.2f}x, p95 {p95 / b95:.2f}x")


if __name__ == "__main__":
    main()
