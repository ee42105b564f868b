"""`smartspec demo` on the real files of the data directory, checked against the raw CSVs with plain Python.

Skips when ../shared/data is not there (it is on the development and CI machines).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from helpers import cli

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"no data directory at {SHARED_DATA}"),
]
HE = SHARED_DATA / "cordis_horizon_europe"
EURA = SHARED_DATA / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv"


@pytest.fixture(scope="module")
def demo_stats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, float]]]:
    folder = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{folder / 'demo.db'}"
    assert cli("demo", "--db", db, "--data-dir", SHARED_DATA) == 0
    figures = {}
    for source in ("cordis", "eura"):
        out = folder / f"{source}.json"
        import contextlib

        with out.open("w") as handle, contextlib.redirect_stdout(handle):
            assert cli("stats", "--db", db, "--json", "--source", source) == 0
        figures[source] = json.loads(out.read_text())["regions"]
    return figures


def _rows(path: Path) -> list[dict[str, str]]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _cordis_participations() -> dict[tuple[str, str], dict[str, str]]:
    """(projectID, PIC) → merged row over the participant files, later files winning, as CORDIS snapshots do."""
    merged: dict[tuple[str, str], dict[str, str]] = {}
    for name in sorted(p.name for p in HE.iterdir() if "participants" in p.name):
        for row in _rows(HE / name):
            nuts = row.get("nutsCode") or row.get("nutsCode_joined") or ""
            entry = merged.setdefault((row["projectID"], row["organisationID"]), {})
            for key, value in (("nuts", nuts), ("ec", row.get("ecContribution", ""))):
                if value.strip():
                    entry[key] = value.strip()
    return merged


def test_cordis_figures_match_the_raw_files(demo_stats: dict[str, dict[str, dict[str, float]]]) -> None:
    merged = _cordis_participations()
    assert all(pic for _, pic in merged), "every participant row of the shared files has a PIC"
    projects: dict[str, set[str]] = defaultdict(set)
    organisations: dict[str, set[str]] = defaultdict(set)
    funding: dict[str, Decimal] = defaultdict(Decimal)
    for (project, pic), entry in merged.items():
        region = entry.get("nuts", "")
        projects[region].add(project)
        organisations[region].add(pic)
        funding[region] += Decimal(entry.get("ec", "0"))
    for region in ("FI1D9", "FI1D2"):
        ours = demo_stats["cordis"][region]
        assert ours["projects"] == len(projects[region]), region
        assert ours["organisations"] == len(organisations[region]), region
        assert Decimal(str(ours["ec_contribution_eur"])) == funding[region].quantize(Decimal("0.01")), region
    assert {code: demo_stats["cordis"][code]["projects"] for code in demo_stats["cordis"]} == {
        code: len(projects[code]) for code in demo_stats["cordis"]
    }


def test_eura_figures_match_the_raw_file(demo_stats: dict[str, dict[str, dict[str, float]]]) -> None:
    projects: dict[str, set[str]] = defaultdict(set)
    granted: dict[str, int] = defaultdict(int)
    for row in _rows(EURA):
        if row["authority_type"] == "maakuntaliitto" and row["Toteuttajan nimi"].strip():
            projects[row["authority_nuts_2021"]].add(row["Koodi"])
            granted[row["authority_nuts_2021"]] += int(row["Myönnetty EU- ja valtion rahoitus"] or 0)
    for region in ("FI1D7", "FI1D1"):
        ours = demo_stats["eura"][region]
        assert ours["projects"] == len(projects[region]), region
        assert ours["public_funding_eur"] == granted[region], region
