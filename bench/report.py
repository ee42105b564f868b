"""Benchmark: the annual report for one year on the demo data (target: under 30 s and under 1 GB).

Baseline, in the same process: reading the facts the indicators need from the store (the unavoidable I/O).
Measured: computing and storing the indicators, then the whole report (from the stored values), HTML and PDF, in
both languages, each with its peak memory of the process.

    .venv/bin/python bench/report.py [--year 2023]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from smartspec import Observatory
from smartspec.indicators.facts import load_facts
from smartspec.report import write
from smartspec.store import session_factory

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
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        obs = Observatory(f"sqlite:///{folder / 'demo.db'}")
        obs.init()
        obs.import_file("cordis", DATA / "cordis_horizon_europe")
        obs.import_file("eura", DATA / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv")
        start = time.perf_counter()
        with session_factory(obs.engine)() as session:
            load_facts(session, obs.strategy)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        obs.compute_indicators([args.year - 1, args.year])
        computed = time.perf_counter() - start
        print(f"indicators for {args.year - 1} and {args.year}, computed and stored: {computed:.2f} s")
        print(f"data: CORDIS Horizon Europe + EURA 2014-2020 (the demo's imports); year {args.year}")
        print(f"baseline: reading the facts from the store: {baseline:.2f} s")
        for lang in ("fi", "en"):
            for output in ("html", "pdf"):
                start = time.perf_counter()
                write(obs.report(args.year, lang, DATA), folder / f"report-{lang}.{output}", output)
                took = time.perf_counter() - start
                print(f"report {lang} {output}: {took:.2f} s ({took / baseline:.1f}x baseline), "
                      f"peak memory {peak_mb():.0f} MB  (targets: < 30 s, < 1024 MB)")  # fmt: skip
        obs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
