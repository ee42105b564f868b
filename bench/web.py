"""Benchmark: the web observatory under 20 concurrent clients, against a static file served by the same server.

The store is what `make demo` makes: CORDIS Horizon Europe and EURA 2014-2020 imported, the classifier trained
and run on the projects with a Finnish participant, the indicators of 2023 and 2024 computed (built here in a
scratch SQLite file, or an existing demo database copied with --db and brought to this smartspec's schema).
`smartspec serve --workers N` serves it on loopback in processes of its own (the clients do not share its
interpreter lock; --workers, default 1 as `smartspec serve`) and 20 client threads, each with its own keep-alive
connection, ask in turn:

- static: ``/static/style.css`` (the baseline: what the server costs with no work behind it)
- api-search: ``/api/v1/projects?q=…`` with words in Finnish (inflected) and English, a third with a facet or
  another order (30 different searches, asked again and again as users ask the same things)
- search-page: ``/search?q=…`` with the same searches
- overview: ``/``

before which every distinct URL of these groups is asked about twice (the steady state: what users asking the same
things meet once the caches hold the answers); and then

- api-search-new: searches no one asked before in the run (a word with a region and a year, 1,155 of them), so
  that none is answered from the cache of searches (which keeps answers until the data change): the cost of a
  search itself, for comparison; no target

Each group is bounded in count (--requests) and time (--seconds); the report gives p50, p95, max, requests per
second and each group's p95 as a multiple of the static file's. Targets (issue 11): search p95 < 100 ms,
overview p95 < 200 ms.

    PYTHONPATH=src python bench/web.py [--db smartspec.db] [--data ../shared/data] [--requests 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx  # the project pins httpx2 (pyproject), which keeps httpx's API

from smartspec import Observatory

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORDS = ["matkailun", "matkailu", "kaivosten", "vedyn", "hydrogen", "energiatehokkuus", "metsä", "battery",
         "digitalisaatio", "tekoäly", "circular", "puurakentaminen", "robotics", "terveys", "water"]  # fmt: skip
FACETS = [{}, {}, {"region": "FI1D9"}, {}, {"area": "I.4"}, {"sort": "newest"}]
TARGETS_MS = {"api-search": 100.0, "search-page": 100.0, "overview": 200.0}


def build(folder: Path, data: Path) -> str:
    """A demo store as `make demo` makes it (minutes: the classifier embeds every Finnish-participant project)."""
    url = f"sqlite:///{folder / 'demo.db'}"
    with Observatory(url) as obs:
        obs.init()
        obs.import_file("cordis", data / "cordis_horizon_europe")
        obs.import_file("eura", data / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv")
        obs.train()
        obs.classify(country="FI")
        obs.compute_indicators([2023, 2024])
    return url


def copy(database: Path, folder: Path) -> str:
    """A private copy of an existing demo database (SQLite's online backup: consistent even while in use), at this
    smartspec's schema (a database made by an older one is upgraded, as `smartspec init` does)."""
    target = folder / "demo.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    with Observatory(url) as obs:
        obs.init()
    return url


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """`smartspec serve --workers N` in processes of its own."""
    command = [sys.executable, "-m", "smartspec.cli.main", "serve", "--db", url, "--host", "127.0.0.1",
               "--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])  # fmt: skip
    return subprocess.Popen(command, env=os.environ, stdout=subprocess.DEVNULL)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            if httpx.get(f"{base}/static/style.css", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start within {timeout:.0f} s")


def search_urls(prefix: str) -> list[str]:
    urls = []
    for word, extra in zip(WORDS * len(FACETS), itertools.cycle(FACETS), strict=False):
        urls.append(f"{prefix}?{urlencode({'q': word, **extra})}")
    return urls


def new_search_urls(prefix: str, regions: list[str]) -> list[str]:
    """Searches that differ in their words or filters (so their counts and pages are computed, not cached)."""
    return [f"{prefix}?{urlencode({'q': word, 'region': region, 'year': year})}"
            for year in range(2014, 2025) for region in regions for word in WORDS]  # fmt: skip


def run(base: str, urls: list[str], clients: int, requests: int, seconds: float) -> tuple[list[float], float, int]:
    """Latencies (ms) of up to ``requests`` GETs cycling through ``urls`` from ``clients`` threads, stopped after
    ``seconds``; the wall time and the number of non-200 answers."""
    local = threading.local()
    deadline = time.monotonic() + seconds
    failures = 0
    lock = threading.Lock()

    def one(url: str) -> float | None:
        nonlocal failures
        if time.monotonic() > deadline:
            return None
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=30.0)
        started = time.perf_counter()
        response = local.client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            with lock:
                failures += 1
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        found = list(pool.map(one, itertools.islice(itertools.cycle(urls), requests)))
    wall = time.perf_counter() - started
    return [f for f in found if f is not None], wall, failures


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing demo SQLite database (copied, never written)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="requests per group at most")
    parser.add_argument("--seconds", type=float, default=30.0, help="time per group at most")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (smartspec serve: 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smartspec-bench-web-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        url = copy(args.db, folder) if args.db else build(folder, args.data)
        how = f"copy of {args.db}" if args.db else "built"
        print(f"store ready in {time.perf_counter() - started:.1f} s ({how})")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(url, port, args.workers)
        try:
            wait_until_up(base, server)
            regions = [r["code"] for r in httpx.get(f"{base}/api/v1/regions", timeout=60.0).json()]
            groups = {"static": ["/static/style.css"], "api-search": search_urls("/api/v1/projects"),
                      "search-page": search_urls("/search"), "overview": ["/"],
                      "api-search-new": new_search_urls("/api/v1/projects", regions)}  # fmt: skip
            # Warm up: the first requests load the normaliser and the templates and fill the caches (each distinct
            # URL of a group about twice, on new connections, so that each worker of several is likely to get it).
            for name, urls in groups.items():
                for path in 2 * list(dict.fromkeys(urls)) if name != "api-search-new" else ["/api/v1/projects?q=vety"]:
                    httpx.get(f"{base}{path}", timeout=60.0)
            results = {}
            for name, urls in groups.items():
                results[name] = run(base, urls, args.clients, args.requests, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=60)
    static_p95 = p95(results["static"][0])
    print(f"\n{args.clients} concurrent clients, loopback, smartspec serve --workers {args.workers}\n")
    print(f"{'group':<14} {'n':>5} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7} "
          f"{'p95/static':>10} {'target':>8}")  # fmt: skip
    met = True
    for name, (latencies, wall, failures) in results.items():
        target = TARGETS_MS.get(name)
        value = p95(latencies)
        verdict = "" if target is None else ("ok" if value < target else "MISSED")
        met = met and verdict != "MISSED" and not failures
        print(f"{name:<14} {len(latencies):>5} {failures:>5} {statistics.median(latencies):>8.1f} {value:>8.1f} "
              f"{max(latencies):>8.1f} {len(latencies) / wall:>7.1f} {value / static_p95:>10.1f} "
              f"{'' if target is None else f'<{target:.0f}':>8} {verdict}")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
