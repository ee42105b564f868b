"""Benchmark: the annual report for one year on the demo data (target: under 30 s and under 1 GB).

Baseline, in the same process: reading the facts the indicators need from the store (the unavoidable I/O).
Measured: the whole report, HTML and PDF, in both languages, each with its peak memory of the process.

    .venv/bin/python bench/report.py [--year 2023]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from smartspec.indicators.facts import load_facts
from smartspec.ingest import import_path
from smartspec.report import build, write
from smartspec.store import create_store_engine, session_factory, sync_strategy, transaction, upgrade
from smartspec.strategy import load_strategy

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"no data directory at {DATA}", file=sys.stderr)
        return 2
    strategy = load_strategy()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = create_store_engine(f"sqlite:///{folder / 'demo.db'}")
        upgrade(engine)
        with transaction(engine) as session:
            sync_strategy(session, strategy)
        import_path(engine, "cordis", DATA / "cordis_horizon_europe", strategy)
        import_path(engine, "eura", DATA / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv", strategy)
        start = time.perf_counter()
        with session_factory(engine)() as session:
            load_facts(session, strategy)
        baseline = time.perf_counter() - start
        print(f"data: CORDIS Horizon Europe + EURA 2014-2020 (the demo's imports); year {args.year}")
        print(f"baseline: reading the facts from the store: {baseline:.2f} s")
        for lang in ("fi", "en"):
            for output in ("html", "pdf"):
                start = time.perf_counter()
                write(build(engine, strategy, args.year, lang, DATA), folder / f"report-{lang}.{output}", output)
                took = time.perf_counter() - start
                print(f"report {lang} {output}: {took:.2f} s ({took / baseline:.1f}x baseline), "
                      f"peak memory {peak_mb():.0f} MB  (targets: < 30 s, < 1024 MB)")  # fmt: skip
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
