"""`smartspec demo` on the real files of the data directory, checked against the raw CSVs with plain Python.

Skips when ../shared/data is not there (it is on the development and CI machines).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import re
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
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with what `smartspec demo` imports (CORDIS Horizon Europe, EURA 2014-2020), via the CLI."""
    folder = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{folder / 'demo.db'}"
    assert cli("init", "--db", db) == 0
    assert cli("import", "cordis", HE, "--db", db) == 0
    assert cli("import", "eura", EURA, "--db", db) == 0
    return db


@pytest.fixture(scope="module")
def demo_stats(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, float]]]:
    folder = tmp_path_factory.mktemp("stats")
    figures = {}
    for source in ("cordis", "eura"):
        out = folder / f"{source}.json"
        with out.open("w") as handle, contextlib.redirect_stdout(handle):
            assert cli("stats", "--db", demo_db, "--json", "--source", source) == 0
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


_CALL_YEAR = re.compile(r"-(20[0-9]{2})-")


def _cordis_years() -> dict[str, int]:
    """A project's start year, or its call topic's year where the files give no start date."""
    starts: dict[str, int] = {}
    topics: dict[str, str] = {}
    for row in _rows(HE / "fi_projects.csv"):
        if row["startDate"]:
            starts[row["projectID"]] = int(row["startDate"][:4])
        if row["topic"]:
            topics[row["projectID"]] = row["topic"]
    for row in _rows(HE / "hopon_projects_text_2023-2026.csv.gz"):
        if row["startDate"]:
            starts[row["projectID"]] = int(row["startDate"][:4])
        topics.setdefault(row["projectID"], row["topics"])
    for row in _rows(HE / "eu_all_topics_2026-04.csv.gz"):
        topics[row["projectID"]] = row["topic"]
    years = {}
    for project, topic in topics.items():
        match = _CALL_YEAR.search(topic or "")
        if match:
            years[project] = int(match.group(1))
    years.update(starts)
    return years


def _indicator_values(db: str, year: int, region: str, folder: Path) -> dict[str, float]:
    out = folder / f"indicators-{year}.json"
    with out.open("w") as handle, contextlib.redirect_stdout(handle):
        assert cli("indicators", "--year", str(year), "--region", region, "--db", db, "--json") == 0
    data = json.loads(out.read_text())
    return {v["indicator"]: v["value"] for v in data["values"] if v["area"] is None}


def test_indicators_match_the_raw_files(demo_db: str, tmp_path: Path) -> None:
    """Five indicator values for Pohjois-Pohjanmaa 2022 and Lappi 2015, recomputed from the CSVs."""
    years = _cordis_years()
    merged = _cordis_participations()
    countries: dict[str, set[str]] = defaultdict(set)
    for name in sorted(p.name for p in HE.iterdir() if "participants" in p.name):
        for row in _rows(HE / name):
            countries[row["projectID"]].add(row["country"])
    oulu = {
        project for (project, _), entry in merged.items() if entry.get("nuts") == "FI1D9" and years.get(project) == 2022
    }
    funding = sum(Decimal(entry.get("ec", "0")) for (project, _), entry in merged.items()
                  if entry.get("nuts") == "FI1D9" and years.get(project) == 2022)  # fmt: skip
    abroad = {project for project in oulu if countries[project] - {"FI"}}
    ours = _indicator_values(demo_db, 2022, "FI1D9", tmp_path)
    assert ours["g1_projects"] == len(oulu)
    assert Decimal(str(ours["g2_eu_funding"])) == funding.quantize(Decimal("0.01"))
    assert ours["g1_international"] == len(abroad)

    lapland, granted = set(), 0
    for row in _rows(EURA):
        if (row["authority_type"] == "maakuntaliitto" and row["authority_nuts_2021"] == "FI1D7"
                and row["Toteuttajan nimi"].strip() and row["Aloitus_iso"].startswith("2015")):  # fmt: skip
            lapland.add(row["Koodi"])
            granted += int(row["Myönnetty EU- ja valtion rahoitus"] or 0)
    ours = _indicator_values(demo_db, 2015, "FI1D7", tmp_path)
    assert ours["g1_projects"] == len(lapland) > 0
    assert ours["g2_public_funding"] == granted
