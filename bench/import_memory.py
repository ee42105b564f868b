"""Benchmark: peak memory and time of importing big CORDIS files, and of refusing hostile ones (issue #15).

Every case runs as a user runs it: `smartspec init`, then `smartspec import cordis PATH`, each its own process
(python -m smartspec.cli.main); the peak is the max RSS of the import process (os.wait4), the time its wall time,
start-up and the search index (where the tree has one) included. Each case runs twice: with this tree's smartspec
and with a baseline tree, the same source at ``--baseline`` (default: 83f467d, the commit before bounded readers,
extracted with ``git archive`` into a temporary folder), so the ratios compare the two in one command.

Cases: the 74.5k-row EU-wide Horizon Europe participants file and the 136k-row Horizon 2020 participations
file (from the data directory), a 1.5 MB zip whose member inflates to 1.5 GB, and a CSV with one 120 MB line.
The baseline needs about 11 GB and 40 s for the zip bomb, so it is only run with ``--baseline-bomb``.
Targets: imports under 200 MB, the 136k-row file at most 10 % above the 74.5k-row one, time at most 10 %
above the baseline's; both hostile files refused in under 5 s under 200 MB. The 83f467d tree had no search index:
its import time leaves out the index rebuild that `smartspec import` now ends with; ``--baseline`` with a newer
commit compares like with like. `smartspec --help` is measured too (once per case): the start-up every command pays.

    .venv/bin/python bench/import_memory.py [--data ../shared/data] [--baseline REF] [--baseline-bomb]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FILES = {
    "import 74.5k rows": "cordis_horizon_europe/eu_all_participants_2024-05.csv.gz",
    "import 136k rows": "cordis_h2020_eunets/h2020_participations.csv.gz",
}
BASELINE = "83f467d"

# Runs in the subprocess: `smartspec init` then `smartspec import cordis PATH` into a fresh SQLite store, each as
# its own process started the way a user starts the command (python -m smartspec.cli.main); the import process's
# peak RSS comes from os.wait4 (that process alone, interpreter and imports included) and its wall time from the
# clock around it. Printed as JSON.
CHILD = r"""
import json, os, sys, tempfile, time
path, folder = sys.argv[1], tempfile.mkdtemp()
environment = {**os.environ, "SMARTSPEC_DATABASE_URL": f"sqlite:///{folder}/bench.db", "SMARTSPEC_PROGRESS": "false"}
WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
def measured(*args):
    start = time.perf_counter()
    pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "smartspec.cli.main", *args], environment,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, f"{folder}/stdout", WRITE, 0o600),
                                       (os.POSIX_SPAWN_OPEN, 2, f"{folder}/stderr", WRITE, 0o600)])
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, time.perf_counter() - start
code, help_mb, help_s = measured("--help")
code, _, _ = measured("init")
assert code == 0, open(f"{folder}/stderr").read()
code, peak_mb, seconds = measured("import", "cordis", path, "--json")
if code == 0:
    out = open(f"{folder}/stdout").read()
    outcome = f"{json.loads(out[out.index('{'):])['rows_read']:,} rows"
else:
    message = open(f"{folder}/stderr").read().strip().splitlines()
    outcome = ("refused: " + message[0].split(": ", 2)[-1][:60]) if message else f"exit {code}"
print(json.dumps({"peak_mb": peak_mb, "idle_mb": help_mb, "idle_s": help_s, "seconds": seconds, "outcome": outcome}))
"""


def run_case(tree: Path, path: Path) -> dict[str, object]:
    environment = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=environment, capture_output=True, text=True,
                          check=False, cwd=tree)  # fmt: skip
    if done.returncode != 0:
        return {"peak_mb": float("nan"), "idle_mb": float("nan"), "idle_s": float("nan"), "seconds": float("nan"),
                "outcome": f"failed: {done.stderr.strip().splitlines()[-1][:60]}"}  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def baseline_tree(ref: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def zip_bomb(path: Path, inflated: int = 1536 * 1024 * 1024) -> Path:
    """A zip whose project.csv inflates to ``inflated`` bytes of CORDIS-shaped rows (about 1.5 MB packed)."""
    header = b"id;acronym;title;startDate;endDate;totalCost\n"
    block = b"101000001;BOMB;" + b"x" * 4000 + b";2023-01-01;2025-01-01;1000\n"
    block *= 256
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("project.csv", "w", force_zip64=True) as member:  # fmt: skip
        member.write(header)
        for _ in range(inflated // len(block)):
            member.write(block)
    return path


def long_line(path: Path, size: int = 120 * 1024 * 1024) -> Path:
    with path.open("wb") as handle:
        handle.write(b"projectID;acronym;title;startDate\n101000001;LONG;")
        chunk = b"y" * (1 << 20)
        for _ in range(size // len(chunk)):
            handle.write(chunk)
        handle.write(b";2023-01-01\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--baseline", default=BASELINE, help="git ref of the baseline tree")
    parser.add_argument("--baseline-bomb", action="store_true", help="also run the zip bomb on the baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        old = baseline_tree(args.baseline, folder / "baseline")
        cases: list[tuple[str, Path, bool]] = []
        for name, relative in FILES.items():
            if (args.data / relative).is_file():
                cases.append((name, args.data / relative, True))
            else:
                print(f"skipped {name}: {args.data / relative} is missing (see the data READMEs)")
        started = time.perf_counter()
        cases.append(("refuse zip bomb 1.5 GB", zip_bomb(folder / "bomb.zip"), args.baseline_bomb))
        cases.append(("refuse 120 MB line", long_line(folder / "long.csv"), True))
        print(f"hostile files written in {time.perf_counter() - started:.1f} s "
              f"(bomb {(folder / 'bomb.zip').stat().st_size / 1e6:.1f} MB packed)\n")  # fmt: skip
        print(
            f"baseline: smartspec at {args.baseline}; new: this tree. Peak = max RSS of the `smartspec import` "
            "process; s = its wall time (start, imports, import, search index where the tree has one)."
        )
        print(f"{'case':<24} {'base MB':>8} {'new MB':>8} {'MB ratio':>8} {'base s':>7} {'new s':>7} "
              f"{'s ratio':>7}  outcome (new)")  # fmt: skip
        peaks: dict[str, float] = {}
        idle: dict[str, list[tuple[float, float]]] = {"base": [], "new": []}
        for name, path, with_baseline in cases:
            new = run_case(ROOT, path)
            base = run_case(old, path) if with_baseline else None
            peaks[name] = float(new["peak_mb"])  # type: ignore[arg-type]
            idle["new"].append((float(new["idle_mb"]), float(new["idle_s"])))  # type: ignore[arg-type]
            if base is not None:
                idle["base"].append((float(base["idle_mb"]), float(base["idle_s"])))  # type: ignore[arg-type]
            if base is None:
                base_mb = base_s = ratio_mb = ratio_s = "-"
            else:
                base_mb, base_s = f"{base['peak_mb']:.0f}", f"{base['seconds']:.1f}"
                ratio_mb = f"{float(new['peak_mb']) / float(base['peak_mb']):.2f}"  # type: ignore[arg-type]
                ratio_s = f"{float(new['seconds']) / float(base['seconds']):.2f}"  # type: ignore[arg-type]
            print(f"{name:<24} {base_mb:>8} {new['peak_mb']:>8.0f} {ratio_mb:>8} {base_s:>7} {new['seconds']:>7.1f} "
                  f"{ratio_s:>7}  {new['outcome']}")  # fmt: skip
        small, large = peaks.get("import 74.5k rows"), peaks.get("import 136k rows")
        if small and large:
            print(f"\n136k-row peak / 74.5k-row peak: {large / small:.2f} (target <= 1.10)")
        for tree, runs in idle.items():  # the command that does nothing: what every command pays before its work
            if runs:
                print(
                    f"smartspec --help ({tree}): peak {max(mb for mb, _ in runs):.0f} MB, "
                    f"median {sorted(s for _, s in runs)[len(runs) // 2]:.2f} s of {len(runs)} runs"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
