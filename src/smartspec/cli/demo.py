"""`smartspec demo` and `smartspec fetch`: the main job on the real data, and getting that data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from smartspec.classify import area_region_counts
from smartspec.classify import run as classify_projects
from smartspec.cli.classify import print_area_table
from smartspec.cli.common import DbOption, JsonOption, console, engine_for, print_json, settings, strategy_for
from smartspec.cli.imports import run as run_import
from smartspec.cli.store import init, stats
from smartspec.config import Settings
from smartspec.indicators import compute_and_store
from smartspec.indicators.facts import Facts, load_facts
from smartspec.ingest.fetch import fetch as fetch_files
from smartspec.ingest.fetch import missing_data_message
from smartspec.report import build as build_report
from smartspec.report import write as write_report
from smartspec.store import session_factory

# What the demo imports, relative to the data directory: the shared layout first, then what `fetch` saves.
DEMO_SOURCES = (
    ("cordis", ("cordis_horizon_europe",)),
    ("eura", ("eura_structural_funds_fi/eura_2014_2020_projects.csv",)),
)


def find_inputs(data_dir: Path) -> list[tuple[str, Path]]:
    inputs = []
    for source, candidates in DEMO_SOURCES:
        for candidate in candidates:
            path = data_dir / candidate
            if path.exists():
                inputs.append((source, path))
                break
    return inputs


def demo(
    db: DbOption = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default: SMARTSPEC_DATA_DIR or ../shared/data)")
    ] = None,
    json_out: JsonOption = False,
    lang: Annotated[str, typer.Option(help="Language of the summary: fi or en")] = "en",
) -> None:
    """Set up the database, import CORDIS Horizon Europe and EURA 2014-2020, print figures per region, then
    classify the Finnish projects into the strategy's areas and print projects per area and region.

    Luo tietokannan, tuo Horisontti Eurooppa- ja EURA 2014 -aineistot, tulostaa luvut maakunnittain ja
    luokittelee hankkeet osaamisalueisiin.
    """
    config: Settings = settings(db)
    folder = data_dir or config.data_dir
    if folder is None or not folder.is_dir():
        raise missing_data_message(folder)
    inputs = find_inputs(folder)
    if not inputs:
        raise missing_data_message(folder)
    init(db=config.database_url, json_out=json_out)
    results = []
    for source, path in inputs:
        results.append(run_import(config, source, path, False, json_out).as_dict())
    if json_out:
        print_json({"imports": results})
    for only in (None, "cordis", "eura"):
        if not json_out:
            console.print()
        stats(db=config.database_url, json_out=json_out, source=only, lang=lang)
    # Classify the projects that concern Finland (every structural-funds project has a Finnish beneficiary).
    engine = engine_for(config)
    strategy = strategy_for(config)
    result = classify_projects(engine, strategy, country="FI")
    if json_out:
        with session_factory(engine)() as session:
            print_json({"classification": result.as_dict(), "areas": area_region_counts(session, strategy)})
        return
    console.print()
    console.print(f"Classified {result.projects:,} projects (model {result.model_version}, "
                  f"{result.embedded:,} texts embedded, the rest from the cache).")  # fmt: skip
    print_area_table(config.database_url, lang)
    # The monitoring report for the latest year with enough projects, in both languages.
    with session_factory(engine)() as session:
        facts = load_facts(session, strategy)  # read once, shared by the indicators and both reports
    year = report_year(facts)
    compute_and_store(engine, strategy, [year - 1, year], facts=facts)
    out = Path("smartspec-reports")
    for report_lang, stem in (("fi", "raportti"), ("en", "report")):
        document = build_report(engine, strategy, year, report_lang, folder, facts=facts)
        for output in ("html", "pdf"):
            write_report(document, out / f"{stem}-{year}.{output}", output)
    console.print(f"Monitoring report {year}: {out}/raportti-{year}.pdf (fi), {out}/report-{year}.pdf (en), and HTML.")


def report_year(facts: Facts, minimum: int = 20) -> int:
    """The latest past year in which the strategy's regions have at least ``minimum`` projects."""
    per_year: dict[int, set[int]] = {}
    for (_, year), projects in facts.by_region_year.items():
        per_year.setdefault(year, set()).update(projects)
    past = [y for y, found in per_year.items() if len(found) >= minimum and y < dt.date.today().year]
    return max(past) if past else dt.date.today().year - 1


def fetch(
    dest: Annotated[Path, typer.Option(help="Folder to download into")] = Path("data"),
) -> None:
    """Download the official CORDIS files from their publisher (needs internet). / Lataa CORDIS-aineistot."""
    saved = fetch_files(dest)
    for path in saved:
        console.print(f"saved {path}")
    console.print(f"Now run: SMARTSPEC_DATA_DIR={dest} smartspec demo")
