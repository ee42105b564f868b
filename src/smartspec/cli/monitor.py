"""`smartspec indicators`, `smartspec register …` and `smartspec report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.errors import InputError
from smartspec.indicators import registers as reg

Year = Annotated[int, typer.Option("--year", help="Year (projects' start year)")]


def indicators(
    year: Year,
    db: DbOption = None,
    region: Annotated[str | None, typer.Option(help="Only this region (NUTS-3 code)")] = None,
    json_out: JsonOption = False,
    population: Annotated[Path | None, typer.Option(help="Population YAML replacing the reference figures")] = None,
    lang: Annotated[str, typer.Option(help="Language of titles: fi or en")] = "en",
) -> None:
    """Compute and store the goals' indicators for a year, and print them with their definitions.

    Laskee tavoitteiden indikaattorit vuodelle ja tulostaa ne määritelmineen.
    """
    obs = observatory(db)
    if region and obs.strategy.region(region) is None:
        obs.indicators(year, region)  # raises the error that names the regions
    obs.compute_indicators([year], population=population)
    result = obs.indicators(year, region)
    if json_out:
        print_json(result)
        return
    table = Table(title=f"{'Indikaattorit' if lang == 'fi' else 'Indicators'} {year}")
    for column in ("goal", "indicator", "region", "area", "value", "unit", "records"):
        table.add_column(column, justify="right" if column in ("value", "records") else "left")
    for v in result.values:
        if v.area is not None and v.indicator not in ("g3_communities",):
            continue  # per-area values: see --json
        d = result.definitions[v.indicator]
        shown = f"{v.value:,.7f}".rstrip("0").rstrip(".")
        table.add_row(d.goal, d.title.get(lang), v.region or "", v.area or "", shown, v.unit, str(len(v.records.ids)))
    console.print(table)


register_app = typer.Typer(
    help="Registers for goals 4-6: clusters, networks, communication. / Rekisterit.", no_args_is_help=True
)
Kind = Annotated[str, typer.Argument(help="cluster, network or communication")]


@register_app.command("add")
def register_add(
    kind: Kind,
    fields: Annotated[list[str], typer.Argument(help="field=value pairs, e.g. name=… region=FI1D9 areas='I.4;II.4'")],
    db: DbOption = None,
) -> None:
    """Add (or update) one entry: `smartspec register add network network=VANGUARD region=FI1D9 year_from=2019`."""
    register = reg.get_register(kind)
    values = {}
    for item in fields:
        if "=" not in item:
            raise InputError(f"{item!r} is not field=value", hint=f"fields: {', '.join(register.columns)}")
        key, value = item.split("=", 1)
        values[key.strip()] = value
    result = observatory(db).register_add(kind, values)
    console.print(f"{kind}: {result.action} (id {result.id})")


@register_app.command("list")
def register_list(kind: Kind, db: DbOption = None, json_out: JsonOption = False) -> None:
    """List a register's entries."""
    listed = observatory(db).registers(kind)
    if json_out:
        print_json(listed)
        return
    table = Table("id", *listed.columns, title=kind)
    for entry in listed.entries:
        table.add_row(str(entry.id), *(str(entry.values.get(column) or "") for column in listed.columns))
    console.print(table)


@register_app.command("import")
def register_import(
    kind: Kind,
    path: Path,
    db: DbOption = None,
    json_out: JsonOption = False,
    encoding: Annotated[str, typer.Option(help="A CSV file's encoding: utf-8, cp1252 or iso-8859-15")] = "utf-8",
) -> None:
    """Import a register CSV or XLSX file (one transaction; same columns as export)."""
    counts = observatory(db).register_import(kind, path, encoding=encoding)
    if json_out:
        print_json({"inserted": counts.inserted, "updated": counts.updated})
    else:
        console.print(f"{kind}: {counts.inserted} new, {counts.updated} updated")


@register_app.command("export")
def register_export(kind: Kind, path: Path, db: DbOption = None) -> None:
    """Export a register to CSV, or XLSX for a path ending in .xlsx (the import format)."""
    count = observatory(db).register_export(kind, path)
    console.print(f"{kind}: {count} rows written to {path}")


def report(
    year: Year,
    out: Annotated[Path, typer.Option("--out", help="Output file")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option(help="fi or en")] = "fi",
    output_format: Annotated[str, typer.Option("--format", help="html or pdf")] = "html",
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (for the regions map)")] = None,
) -> None:
    """Write the annual monitoring report for a year (from the values `smartspec indicators` stored).

    Kirjoita vuoden seurantaraportti.
    """
    path = observatory(db).write_report(year, out, lang=lang, output_format=output_format, data_dir=data_dir)
    console.print(f"{'Raportti' if lang == 'fi' else 'Report'} {year} ({lang}, {output_format}) → {path}")
