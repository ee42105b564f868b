"""`smartspec demo` and `smartspec fetch`: the main job on the real data, and getting that data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smartspec.cli.classify import print_area_table
from smartspec.cli.common import BarProgress, DbOption, JsonOption, console, observatory, print_json, show_progress
from smartspec.cli.imports import report as print_import
from smartspec.cli.store import print_stats


def demo(
    db: DbOption = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default: SMARTSPEC_DATA_DIR or ../shared/data)")
    ] = None,
    json_out: JsonOption = False,
    lang: Annotated[str, typer.Option(help="Language of the summary: fi or en")] = "en",
    out: Annotated[Path, typer.Option(help="Folder for the reports")] = Path("smartspec-reports"),
) -> None:
    """Set up the database, import CORDIS Horizon Europe and EURA 2014-2020, print figures per region, train the
    classifier and classify the Finnish projects, print projects per area and region, and write the monitoring
    report in Finnish and English.

    Luo tietokannan, tuo Horisontti Eurooppa- ja EURA 2014 -aineistot, tulostaa luvut maakunnittain, luokittelee
    hankkeet osaamisalueisiin ja kirjoittaa seurantaraportin.
    """
    obs = observatory(db)
    progress = BarProgress() if show_progress(obs.settings) and not json_out else None
    try:
        result = obs.demo(data_dir, out_dir=out, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if json_out:
        print_json(result)
        return
    console.print(f"Database {result.init.database} (schema {result.init.schema_after}); "
                  f"strategy {result.init.strategy} loaded.")  # fmt: skip
    for imported in result.imports:
        print_import(imported, False)
    for figures in result.stats.values():
        console.print()
        print_stats(figures, obs.strategy, lang)
    console.print()
    training, run = result.training, result.classification
    console.print(f"{'Trained' if training.trained else 'Reused'} classifier {training.model.version} on "
                  f"{training.examples:,} examples; classified {run.projects:,} projects ({run.embedded:,} texts "
                  "embedded, the rest from the cache).")  # fmt: skip
    print_area_table(result.areas, obs.strategy, lang)
    reports = ", ".join(str(path) for path in result.reports)
    console.print(f"Monitoring report {result.year}: {reports}.")


def fetch(
    dest: Annotated[Path, typer.Option(help="Folder to download into")] = Path("data"),
) -> None:
    """Download the official CORDIS files from their publisher (needs internet). / Lataa CORDIS-aineistot."""
    from smartspec.observatory import Observatory  # here: the facade is only loaded by commands that use it

    saved = Observatory.fetch(dest)
    for path in saved:
        console.print(f"saved {path}")
    console.print(f"Now run: SMARTSPEC_DATA_DIR={dest} smartspec demo")
