"""`smartspec import SOURCE PATH`: one command per data source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smartspec.cli.common import (
    BarProgress,
    DbOption,
    JsonOption,
    console,
    engine_for,
    print_json,
    settings,
    show_progress,
    strategy_for,
)
from smartspec.config import Settings
from smartspec.ingest import ImportResult, import_path

app = typer.Typer(help="Import a data source into the store. / Tuo aineisto tietokantaan.", no_args_is_help=True)

PathArg = Annotated[Path, typer.Argument(help="File, folder or zip to import")]
Encoding = Annotated[str, typer.Option(help="Text encoding: utf-8 (default, BOM allowed), cp1252, iso-8859-15")]
Delimiter = Annotated[str | None, typer.Option(help="Field delimiter; detected from the header when not given")]
SkipBad = Annotated[bool, typer.Option("--skip-bad-rows", help="Import the good rows and list the bad ones")]


def run(
    config: Settings, source: str, path: Path, skip_bad_rows: bool, json_out: bool, **options: object
) -> ImportResult:
    engine = engine_for(config)
    progress = BarProgress() if show_progress(config) and not json_out else None
    try:
        result = import_path(engine, source, path, strategy_for(config), skip_bad_rows=skip_bad_rows,
                             progress=progress, **options)  # fmt: skip
    finally:
        if progress is not None:
            progress.close()
    report(result, json_out)
    return result


def report(result: ImportResult, json_out: bool) -> None:
    if json_out:
        print_json(result.as_dict())
        return
    console.print(
        f"Imported {result.path} as batch {result.batch_id} in {result.duration_s:.1f} s: "
        f"{result.rows_read:,} rows read, {result.inserted:,} new, {result.updated:,} changed, "
        f"{result.unchanged:,} unchanged, {result.rows_rejected:,} rejected."
    )
    for kind, counts in result.counts.items():
        console.print(f"  {kind}: {counts['inserted']:,} new, {counts['updated']:,} changed, "
                      f"{counts['unchanged']:,} unchanged")  # fmt: skip
    for problem in result.errors[:20]:
        console.print(f"  rejected: {problem}")


@app.command("cordis")
def cordis(
    path: PathArg,
    db: DbOption = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = None,
    programme: Annotated[str | None, typer.Option(help="HORIZON, H2020 or FP7 when the files do not say")] = None,
    skip_bad_rows: SkipBad = False,
    json_out: JsonOption = False,
) -> None:
    """CORDIS projects and participants: the EU's zip, a folder of its CSV files, or one file."""
    run(settings(db), "cordis", path, skip_bad_rows, json_out, encoding=encoding, delimiter=delimiter,
        programme=programme)  # fmt: skip


@app.command("eura")
def eura(
    path: PathArg,
    db: DbOption = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = None,
    skip_bad_rows: SkipBad = False,
    json_out: JsonOption = False,
) -> None:
    """A structural-funds (EURA 2007 / EURA 2014) project list, CSV or XLSX. / Rakennerahastohankkeet."""
    run(settings(db), "eura", path, skip_bad_rows, json_out, encoding=encoding, delimiter=delimiter)


@app.command("csv")
def csv_file(
    path: PathArg,
    mapping: Annotated[Path, typer.Option("--mapping", help="YAML file naming the store field of each column")],
    db: DbOption = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (overrides the mapping's)")] = None,
    delimiter: Delimiter = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name (default: the first)")] = None,
    skip_bad_rows: SkipBad = False,
    json_out: JsonOption = False,
) -> None:
    """Any CSV or XLSX file through a column mapping. / Mikä tahansa CSV- tai XLSX-tiedosto."""
    run(settings(db), "csv", path, skip_bad_rows, json_out, mapping=mapping, encoding=encoding,
        delimiter=delimiter, sheet=sheet)  # fmt: skip
