"""Reference statistics for per-capita and per-GDP figures: population and GDP per region and year.

Read from the data directory (``finland_regions_stats/``, see its README): the population of every maakunta on
31 December 2000-2022 (Statistics Finland, today's borders) and GDP per NUTS-3 region 2000-2021 (Eurostat
nama_10r_3gdp). Codes of any NUTS edition map onto the strategy's regions (the population file uses NUTS 2024,
the GDP file NUTS 2021). A year past the data uses the latest year available, and every value says which year it
used. Without the data directory the shipped, rounded ``population.yaml`` is used and says so; ``--population FILE``
replaces the population for every year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from pydantic import BaseModel

from smartspec.errors import InputError, Location, Problem
from smartspec.indicators.catalogue import data_file
from smartspec.strategy import Strategy, Text

STATS_DIR = Path("finland_regions_stats")
POPULATION_FILE = STATS_DIR / "population_maakunta_2000_2022.csv"
GDP_FILE = STATS_DIR / "eurostat_gdp_nuts3_FI1D.csv"


class PopulationFile(BaseModel):
    """The YAML form of population figures (the shipped file and ``--population`` overrides)."""

    source: dict[str, str]
    year: int
    caveat: Text | None = None
    regions: dict[str, int]
    finland: int | None = None


@dataclass
class Series:
    """One statistic per region and year, with where it came from."""

    values: dict[str, dict[int, int]] = field(default_factory=dict)  # region → year → value
    source: str = ""
    caveat: Text | None = None

    def at(self, region: str, year: int) -> tuple[int | None, int | None]:
        """(value, year used): the year's own value, else the latest earlier one, else the earliest later one."""
        years = self.values.get(region, {})
        if not years:
            return None, None
        if year in years:
            return years[year], year
        earlier = [y for y in years if y < year]
        chosen = max(earlier) if earlier else min(years)
        return years[chosen], chosen


@dataclass
class Reference:
    population: Series
    gdp: Series


def load_reference(strategy: Strategy, data_dir: Path | None, population: Path | None = None) -> Reference:
    """Population and GDP for the strategy's regions (see the module's docstring for the sources)."""
    if population is not None:
        people = _population_yaml(_read_yaml(population), strategy)
    elif data_dir is not None and (data_dir / POPULATION_FILE).is_file():
        people = _population_csv(data_dir / POPULATION_FILE, strategy)
    else:
        people = _population_yaml(data_file("population.yaml"), strategy)
    gdp = _gdp_csv(data_dir / GDP_FILE, strategy) if data_dir and (data_dir / GDP_FILE).is_file() else Series()
    return Reference(people, gdp)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"population file {path} does not exist", hint="give a YAML file like the shipped one"
        ) from exc


def _population_yaml(data: object, strategy: Strategy) -> Series:
    figures = PopulationFile.model_validate(data)
    region_of = strategy.nuts_to_region()
    values = {region_of.get(code, code): {figures.year: people} for code, people in figures.regions.items()}
    return Series(values, figures.source.get("en", ""), figures.caveat)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _population_csv(path: Path, strategy: Strategy) -> Series:
    region_of = strategy.nuts_to_region()
    by_maakunta = {region.maakunta: region.code for region in strategy.regions}
    values: dict[str, dict[int, int]] = {}
    for line, row in enumerate(_rows(path), start=2):
        region = region_of.get(row.get("nuts3_code", "")) or by_maakunta.get(row.get("maakunta_code", "").zfill(2))
        if region is None:
            continue
        try:
            values.setdefault(region, {})[int(row["year"])] = int(row["population"])
        except (KeyError, ValueError) as exc:
            raise InputError(
                f"{path} has a bad population row",
                [Problem(str(exc), Location(str(path), line))],
                hint="columns: nuts3_code, maakunta_code, maakunta_name_fi, year, population",
            ) from exc
    return Series(values, "Statistics Finland, population on 31 December (THL Sotkanet, geofi)")


def _gdp_csv(path: Path, strategy: Strategy) -> Series:
    region_of = strategy.nuts_to_region()
    values: dict[str, dict[int, int]] = {}
    for line, row in enumerate(_rows(path), start=2):
        code = (row.get("geo") or "").removeprefix("nuts/")
        region = region_of.get(code)
        if region is None or not row.get("NUM_EUR"):
            continue
        try:
            values.setdefault(region, {})[int(row["time"])] = int(Decimal(row["NUM_EUR"]))
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise InputError(f"{path} has a bad GDP row", [Problem(str(exc), Location(str(path), line))],
                             hint="the columns are geo, time, NUM_EUR (Eurostat nama_10r_3gdp)") from exc  # fmt: skip
    return Series(values, "Eurostat nama_10r_3gdp, GDP at current market prices")
