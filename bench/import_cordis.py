"""Benchmark: importing the CORDIS Horizon Europe EU-wide participants file (74.5k rows).

Baseline, in the same process: read the same gzip CSV with the csv module and insert every row into one
flat SQLite table with a plain ``sqlite3`` executemany. smartspec does more (parses amounts, resolves
organisations across rows, writes projects, organisations, names and participations with their indexes,
records the batch), so the ratio says what that costs. Target: within 3x, and under 10 s.

    .venv/bin/python bench/import_cordis.py [--repeat 3] [--file PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from smartspec.ingest import import_path
from smartspec.store import create_store_engine, sync_strategy, transaction, upgrade
from smartspec.strategy import load_strategy

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "cordis_horizon_europe"
FILE = "eu_all_participants_2024-05.csv.gz"


def baseline(path: Path, folder: Path) -> float:
    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"))))
    header, body = rows[0], rows[1:]
    connection = sqlite3.connect(folder / "baseline.db")
    columns = ", ".join(f'"{name}" TEXT' for name in header)
    connection.execute(f"CREATE TABLE participants ({columns})")
    connection.executemany(f"INSERT INTO participants VALUES ({', '.join('?' * len(header))})", body)
    connection.commit()
    connection.close()
    return time.perf_counter() - start


def smartspec_import(path: Path, folder: Path) -> tuple[float, int]:
    strategy = load_strategy()
    engine = create_store_engine(f"sqlite:///{folder / 'smartspec.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        sync_strategy(session, strategy)
    start = time.perf_counter()
    result = import_path(engine, "cordis", path, strategy)
    took = time.perf_counter() - start
    engine.dispose()
    return took, result.rows_read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", type=Path, default=DEFAULT / FILE)
    args = parser.parse_args()
    if not args.file.exists():
        print(f"no input at {args.file}; give --file", file=sys.stderr)
        return 2
    base_times, ours_times, rows = [], [], 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            base_times.append(baseline(args.file, Path(tmp)))
        with tempfile.TemporaryDirectory() as tmp:
            took, rows = smartspec_import(args.file, Path(tmp))
            ours_times.append(took)
    base, ours = min(base_times), min(ours_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {args.file.name} ({rows:,} rows), best of {args.repeat}")
    print(f"baseline (csv + sqlite3 executemany, flat table): {base:.2f} s")
    print(f"smartspec import cordis (SQLite):                  {ours:.2f} s")
    print(f"ratio smartspec / baseline: {ours / base:.2f}x   (target <= 3x, and < 10 s)")
    print(f"peak memory of this process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
