"""Commands on the store itself: init, backup, stats, imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.money import eur
from smartspec.store.queries import Stats
from smartspec.strategy import Strategy


def init(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Create the database, or upgrade it to the newest schema, and load the strategy into it.

    Luo tietokannan tai päivittää sen uusimpaan rakenteeseen ja lataa strategian.
    """
    result = observatory(db).init()
    if json_out:
        print_json(result)
        return
    before, after = result.schema_before, result.schema_after
    action = "created" if before is None else ("upgraded" if before != after else "already current")
    console.print(f"Database {result.database}: {action} (schema {after}); strategy {result.strategy} loaded.")


def backup(
    path: Annotated[Path, typer.Argument(help="Where to write the copy (SQLite file, or pg_dump archive)")],
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the database. / Tee tietokannasta yhtenäinen varmuuskopio."""
    result = observatory(db).backup(path)
    console.print(f"Backup written to {result.path} ({result.bytes:,} bytes).")


def restore(
    path: Annotated[Path, typer.Argument(help="A copy made by `smartspec backup` (SQLite file or pg_dump archive)")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Overwrite a database that holds data")] = False,
    json_out: JsonOption = False,
) -> None:
    """Restore a backup into the database after checking its integrity and schema version (refuses to overwrite data
    without --force). / Palauta varmuuskopio."""
    result = observatory(db).restore(path, force=force)
    if json_out:
        print_json(result)
        return
    upgraded = f", upgraded to {result.upgraded_to}" if result.upgraded_to else ""
    console.print(f"Restored {result.path} ({result.backend}, schema {result.revision}{upgraded}): "
                  f"{sum(result.rows.values()):,} rows in {len(result.rows)} tables.")  # fmt: skip


def stats(
    db: DbOption = None,
    json_out: JsonOption = False,
    source: Annotated[str | None, typer.Option(help="Only projects from this source (cordis, eura, …)")] = None,
    lang: Annotated[str, typer.Option(help="Language of labels: fi or en")] = "en",
) -> None:
    """Per region: projects, organisations and EU funding of the actors located there.

    Alueittain: hankkeet, organisaatiot ja EU-rahoitus alueen toimijoille.
    """
    obs = observatory(db)
    figures = obs.stats(source)
    if json_out:
        print_json(figures)
        return
    print_stats(figures, obs.strategy, lang)


def print_stats(figures: Stats, strategy: Strategy, lang: str) -> None:
    fi = lang == "fi"
    source = figures.source
    table = Table(title=("Alueiden luvut" if fi else "Figures per region") + (f" ({source})" if source else ""))
    for header in (("Alue", "Region"), ("Hankkeita", "Projects"), ("Organisaatioita", "Organisations"),
                   ("EU-rahoitus €", "EU funding €"), ("Julkinen rahoitus €", "Public funding €"),
                   ("Monialueisia", "Multi-region")):  # fmt: skip
        table.add_column(header[0] if fi else header[1], justify="left" if header[1] == "Region" else "right")
    for region in strategy.regions:
        f = figures.regions[region.code]
        share = "–" if f.multi_region_share is None else f"{f.multi_region_share:.0%}"
        table.add_row(f"{region.name.get(lang)} ({region.code})", f"{f.projects:,}", f"{f.organisations:,}",
                      _money(f.ec_contribution_cents, fi), _money(f.public_funding_cents, fi), share)  # fmt: skip
    console.print(table)


def _money(cents: int, fi: bool) -> str:
    text = f"{eur(cents):,.0f}"
    return text.replace(",", "\u00a0") if fi else text


def imports(
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many batches to show, newest first")] = 20,
) -> None:
    """The import log: every import, what it read, wrote and rejected. / Tuontiloki."""
    batches = observatory(db).imports(limit)
    if json_out:
        print_json({"batches": [b.model_dump(mode="json") for b in batches]})
        return
    table = Table(title="Imports / Tuonnit")
    for name in ("id", "source", "status", "started", "s", "read", "new", "changed", "same", "rejected", "path"):
        table.add_column(name)
    for b in batches:
        duration = "" if b.duration_s is None else f"{b.duration_s:.1f}"
        table.add_row(str(b.id), b.source, b.status, b.started_at.isoformat()[:19], duration, f"{b.rows_read:,}",
                      f"{b.rows_inserted:,}", f"{b.rows_updated:,}", f"{b.rows_unchanged:,}",
                      f"{b.rows_rejected:,}", b.path)  # fmt: skip
    console.print(table)
