"""Downloading the official source files where the network allows; offline, a message that says what to get.

The tests and the demo never download: they read the data directory. This is for users setting up smartspec
on a machine with internet access.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from smartspec.errors import DataMissingError, Problem


@dataclass(frozen=True)
class Download:
    folder: str
    file: str
    url: str
    publisher: str
    licence: str


# The publishers' own addresses (see each folder's README in the data directory).
DOWNLOADS = (
    Download("cordis_horizon_europe", "cordis-HORIZONprojects-csv.zip",
             "https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip",
             "European Commission, CORDIS", "CC BY 4.0 (Commission Decision 2011/833/EU)"),
    Download("cordis_h2020", "cordis-h2020projects-csv.zip",
             "https://cordis.europa.eu/data/cordis-h2020projects-csv.zip",
             "European Commission, CORDIS", "CC BY 4.0 (Commission Decision 2011/833/EU)"),
)  # fmt: skip
MANUAL = (
    ("eura_structural_funds_fi", "the EURA 2014 project list as CSV or XLSX",
     "https://www.eura2014.fi/rrtiepa/ (Työ- ja elinkeinoministeriö, rakennerahastot.fi)"),
)  # fmt: skip


def missing_data_message(data_dir: Path | None) -> DataMissingError:
    where = data_dir or Path("data")
    problems = [Problem(f"{d.url} → {where / d.folder / d.file}") for d in DOWNLOADS]
    problems += [Problem(f"{what}: {url} → {where / folder}/") for folder, what, url in MANUAL]
    return DataMissingError(
        f"no data directory found{f' at {data_dir}' if data_dir else ''}",
        problems,
        hint=(
            "set SMARTSPEC_DATA_DIR to a folder with the source files (../shared/data on the project's machines), "
            "or run `smartspec fetch --dest DIR` where the network allows, or download the files above by hand"
        ),
    )


def fetch(dest: Path, *, timeout_s: float = 30.0) -> list[Path]:
    """Download every file in DOWNLOADS under ``dest``; fail with a clear message when offline."""
    saved = []
    for item in DOWNLOADS:
        target = dest / item.folder / item.file
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        try:
            with urllib.request.urlopen(item.url, timeout=timeout_s) as response, partial.open("wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise DataMissingError(
                f"could not download {item.url}: {getattr(exc, 'reason', exc)}",
                [Problem(f"{d.url} → {dest / d.folder / d.file}") for d in DOWNLOADS],
                hint="this machine seems to be offline: download the files above elsewhere and copy them there",
            ) from exc
        partial.replace(target)
        saved.append(target)
    return saved
