"""`smartspec indicators`, `smartspec register …` and `smartspec report`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, engine_for, print_json, settings, strategy_for
from smartspec.errors import InputError
from smartspec.indicators import compute_and_store, load_catalogue, stored_values
from smartspec.indicators import registers as reg
from smartspec.report import build, write
from smartspec.store import session_factory

Year = Annotated[int, typer.Option("--year", help="Year (projects' start year)")]


def indicators(
    year: Year,
    db: DbOption = None,
    region: Annotated[str | None, typer.Option(help="Only this region (NUTS-3 code)")] = None,
    json_out: JsonOption = False,
    population: Annotated[Path | None, typer.Option(help="Population YAML replacing the shipped figures")] = None,
    lang: Annotated[str, typer.Option(help="Language of titles: fi or en")] = "en",
) -> None:
    """Compute and store the goals' indicators for a year, and print them with their definitions.

    Laskee tavoitteiden indikaattorit vuodelle ja tulostaa ne määritelmineen.
    """
    config = settings(db)
    engine = engine_for(config)
    strategy = strategy_for(config)
    if region and strategy.region(region) is None:
        raise InputError(
            f"{region!r} is not a region of {strategy.code}",
            hint=f"use one of {', '.join(r.code for r in strategy.regions)}",
        )
    compute_and_store(engine, strategy, [year], population=population)
    catalogue = load_catalogue()
    with session_factory(engine)() as session:
        values = stored_values(session, year, region)
    definitions = {i.id: i for i in catalogue.indicators}
    if json_out:
        print_json(
            {
                "year": year,
                "region": region,
                "definitions": {i.id: i.model_dump(mode="json") for i in catalogue.indicators},
                "values": [
                    {
                        "indicator": v.indicator,
                        "goal": definitions[v.indicator].goal,
                        "region": v.region_code,
                        "area": v.area_code,
                        "year": v.year,
                        "value": v.value,
                        "unit": v.unit,
                        "records": {"kind": v.record_kind, "ids": v.record_ids},
                        "details": v.details,
                    }
                    for v in values
                ],
            }
        )
        return
    table = Table(title=f"{'Indikaattorit' if lang == 'fi' else 'Indicators'} {year}")
    for column in ("goal", "indicator", "region", "area", "value", "unit", "records"):
        table.add_column(column, justify="right" if column in ("value", "records") else "left")
    for v in values:
        if v.area_code is not None and v.indicator not in ("g3_communities",):
            continue  # per-area values: see --json
        d = definitions[v.indicator]
        shown = f"{v.value:,.2f}".rstrip("0").rstrip(".")
        table.add_row(
            d.goal, d.title.get(lang), v.region_code or "", v.area_code or "", shown, v.unit, str(len(v.record_ids))
        )
    console.print(table)


register_app = typer.Typer(
    help="Registers for goals 4-6: clusters, networks, communication. / Rekisterit.", no_args_is_help=True
)
Kind = Annotated[str, typer.Argument(help="cluster, network or communication")]


def _kind(kind: str) -> str:
    if kind not in reg.REGISTERS:
        raise InputError(f"unknown register {kind!r}", hint="use cluster, network or communication")
    return kind


@register_app.command("add")
def register_add(
    kind: Kind,
    fields: Annotated[list[str], typer.Argument(help="field=value pairs, e.g. name=… region=FI1D9 areas='I.4;II.4'")],
    db: DbOption = None,
) -> None:
    """Add (or update) one entry: `smartspec register add network network=VANGUARD region=FI1D9 year_from=2019`."""
    values = {}
    for item in fields:
        if "=" not in item:
            raise InputError(
                f"{item!r} is not field=value", hint=f"fields: {', '.join(reg.REGISTERS[_kind(kind)].columns)}"
            )
        key, value = item.split("=", 1)
        values[key.strip()] = value
    config = settings(db)
    result = reg.add(engine_for(config), strategy_for(config), _kind(kind), values, getpass.getuser())
    console.print(f"{kind}: {result}")


@register_app.command("import")
def register_import(kind: Kind, path: Path, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import a register CSV (one transaction; same columns as export)."""
    config = settings(db)
    counts = reg.import_csv(engine_for(config), strategy_for(config), _kind(kind), path, getpass.getuser())
    if json_out:
        print_json(counts)
    else:
        console.print(f"{kind}: {counts['inserted']} new, {counts['updated']} updated")


@register_app.command("export")
def register_export(kind: Kind, path: Path, db: DbOption = None) -> None:
    """Export a register to CSV (the import format)."""
    config = settings(db)
    count = reg.export_csv(engine_for(config), _kind(kind), path)
    console.print(f"{kind}: {count} rows written to {path}")


def report(
    year: Year,
    out: Annotated[Path, typer.Option("--out", help="Output file")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option(help="fi or en")] = "fi",
    output_format: Annotated[str, typer.Option("--format", help="html or pdf")] = "html",
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (for the regions map)")] = None,
) -> None:
    """Write the annual monitoring report for a year. / Kirjoita vuoden seurantaraportti."""
    config = settings(db)
    engine = engine_for(config)
    document = build(engine, strategy_for(config), year, lang, data_dir or config.data_dir)
    path = write(document, out, output_format)
    console.print(f"{'Raportti' if lang == 'fi' else 'Report'} {year} ({lang}, {output_format}) → {path}")
