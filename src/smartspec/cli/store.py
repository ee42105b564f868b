"""Commands on the store itself: init, backup, stats, imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, engine_for, print_json, settings, strategy_for
from smartspec.store import session_factory, sync_strategy, transaction, upgrade
from smartspec.store.backup import backup as backup_store
from smartspec.store.queries import cents_to_eur, import_log, region_figures


def init(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Create the database, or upgrade it to the newest schema, and load the strategy into it.

    Luo tietokannan tai päivittää sen uusimpaan rakenteeseen ja lataa strategian.
    """
    config = settings(db)
    engine = engine_for(config, must_exist=False)
    before, after = upgrade(engine)
    strategy = strategy_for(config)
    with transaction(engine) as session:
        sync_strategy(session, strategy)
    result = {"database": engine.url.render_as_string(hide_password=True), "schema_before": before,
              "schema": after, "strategy": strategy.code}  # fmt: skip
    if json_out:
        print_json(result)
        return
    action = "created" if before is None else ("upgraded" if before != after else "already current")
    console.print(f"Database {result['database']}: {action} (schema {after}); strategy {strategy.code} loaded.")


def backup(
    path: Annotated[Path, typer.Argument(help="Where to write the copy (SQLite file, or pg_dump archive)")],
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the database. / Tee tietokannasta yhtenäinen varmuuskopio."""
    config = settings(db)
    target = backup_store(engine_for(config), path)
    console.print(f"Backup written to {target} ({target.stat().st_size:,} bytes).")


def stats(
    db: DbOption = None,
    json_out: JsonOption = False,
    source: Annotated[str | None, typer.Option(help="Only projects from this source (cordis, eura, …)")] = None,
    lang: Annotated[str, typer.Option(help="Language of labels: fi or en")] = "en",
) -> None:
    """Per region: projects, organisations and EU funding of the actors located there.

    Alueittain: hankkeet, organisaatiot ja EU-rahoitus alueen toimijoille.
    """
    config = settings(db)
    engine = engine_for(config)
    strategy = strategy_for(config)
    with session_factory(engine)() as session:
        figures = region_figures(session, strategy, source)
    if json_out:
        print_json({"source": source, "regions": {code: f.as_dict() for code, f in figures.items()}})
        return
    fi = lang == "fi"
    table = Table(title=("Alueiden luvut" if fi else "Figures per region") + (f" ({source})" if source else ""))
    for header in (("Alue", "Region"), ("Hankkeita", "Projects"), ("Organisaatioita", "Organisations"),
                   ("EU-rahoitus €", "EU funding €"), ("Julkinen rahoitus €", "Public funding €"),
                   ("Monialueisia", "Multi-region")):  # fmt: skip
        table.add_column(header[0] if fi else header[1], justify="left" if header[1] == "Region" else "right")
    for region in strategy.regions:
        f = figures[region.code]
        share = "–" if f.multi_region_share is None else f"{f.multi_region_share:.0%}"
        table.add_row(f"{region.name.get(lang)} ({region.code})", f"{f.projects:,}", f"{f.organisations:,}",
                      _money(f.ec_contribution_cents, fi), _money(f.public_funding_cents, fi), share)  # fmt: skip
    console.print(table)


def _money(cents: int, fi: bool) -> str:
    text = f"{cents_to_eur(cents):,.0f}"
    return text.replace(",", "\u00a0") if fi else text


def imports(
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many batches to show, newest first")] = 20,
) -> None:
    """The import log: every import, what it read, wrote and rejected. / Tuontiloki."""
    config = settings(db)
    with session_factory(engine_for(config))() as session:
        batches = import_log(session, limit)
        rows = [
            {"id": b.id, "source": b.source, "path": b.path, "status": b.status,
             "started_at": b.started_at.isoformat(), "duration_s": b.duration_s, "rows_read": b.rows_read,
             "rows_inserted": b.rows_inserted, "rows_updated": b.rows_updated, "rows_unchanged": b.rows_unchanged,
             "rows_rejected": b.rows_rejected, "file_sha256": b.file_sha256, "errors": b.errors[:20]}
            for b in batches
        ]  # fmt: skip
    if json_out:
        print_json({"batches": rows})
        return
    table = Table(title="Imports / Tuonnit")
    for name in (
        "id",
        "source",
        "status",
        "started",
        "s",
        "read",
        "new",
        "changed",
        "same",
        "rejected",
        "path",
    ):
        table.add_column(name)
    for r in rows:
        duration = "" if r["duration_s"] is None else f"{r['duration_s']:.1f}"
        table.add_row(str(r["id"]), str(r["source"]), str(r["status"]), str(r["started_at"])[:19], duration,
                      f"{r['rows_read']:,}", f"{r['rows_inserted']:,}", f"{r['rows_updated']:,}",
                      f"{r['rows_unchanged']:,}", f"{r['rows_rejected']:,}", str(r["path"]))  # fmt: skip
    console.print(table)
