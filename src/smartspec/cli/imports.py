"""`smartspec import SOURCE PATH`: one command per registered data source, generated from the registry.

A source's options (``ingest.Option``) become the command's ``--options``; a source a plug-in registers gets its
command the same way as the built-ins.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from smartspec.cli.common import BarProgress, DbOption, JsonOption, console, observatory, print_json, show_progress
from smartspec.ingest import ImportResult, Source, sources

HELP = "Import a data source into the store. / Tuo aineisto tietokantaan."


def create_app() -> typer.Typer:
    app = typer.Typer(help=HELP, no_args_is_help=True)
    for source in sources():
        app.command(source.name, help=source.description)(_command(source))
    return app


def _command(source: Source) -> Any:
    """A Typer command for ``source``: PATH, --db, --json, --skip-bad-rows and the source's own options."""

    def command(path: Path, db: str | None, json_out: bool, skip_bad_rows: bool, **options: Any) -> None:
        run(source.name, path, db, skip_bad_rows, json_out, **options)

    parameters = [
        inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=Annotated[Path, typer.Argument(help="File, folder or zip to import")]),
        inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DbOption),
        inspect.Parameter("json_out", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=JsonOption),
        inspect.Parameter("skip_bad_rows", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
            bool, typer.Option("--skip-bad-rows", help="Import the good rows and list the bad ones")]),
    ]  # fmt: skip
    for option in source.options:
        kind = Path if option.kind is Path else str
        flag = "--" + option.name.replace("_", "-")
        annotation = Annotated[kind, typer.Option(flag, help=option.help)] if option.required else \
            Annotated[kind | None, typer.Option(flag, help=option.help)]  # fmt: skip
        default = inspect.Parameter.empty if option.required else option.default
        parameters.append(inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=annotation))  # fmt: skip
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__doc__ = source.description
    return command


def run(source: str, path: Path, db: str | None, skip_bad_rows: bool, json_out: bool, **options: Any) -> ImportResult:
    obs = observatory(db)
    progress = BarProgress() if show_progress(obs.settings) and not json_out else None
    try:
        result = obs.import_file(source, path, skip_bad_rows=skip_bad_rows, progress=progress, **options)
    finally:
        if progress is not None:
            progress.close()
    report(result, json_out)
    return result


def report(result: ImportResult, json_out: bool) -> None:
    if json_out:
        print_json(result)
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
