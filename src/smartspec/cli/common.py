"""What every command shares: settings, the database option, JSON output, progress bars, error exits."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smartspec.config import Settings

if TYPE_CHECKING:  # imported by observatory(): `smartspec --help` and `strategy` commands need no store
    from smartspec.observatory import Observatory

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SMARTSPEC_DATABASE_URL, else sqlite:///smartspec.db)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]

# Off a terminal rich would wrap tables at 80 columns; figures read better unwrapped in logs and CI.
console = Console(stderr=False, width=None if sys.stdout.isatty() else 140)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def settings(db: str | None = None) -> Settings:
    values = Settings()
    if db:
        values = values.model_copy(update={"database_url": db})
    return values


# Observatories a command opened; main() closes them when the command ends, so no connection outlives it.
_opened: list[Observatory] = []


def observatory(db: str | None = None) -> Observatory:
    """The facade over the command's database (``--db``, else SMARTSPEC_DATABASE_URL); the OS user is the actor."""
    from smartspec.observatory import Observatory

    obs = Observatory(settings=settings(db))
    _opened.append(obs)
    return obs


def close_observatories() -> None:
    while _opened:
        _opened.pop().close()


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", by_alias=True, exclude_none=False)
    elif isinstance(data, list) and data and isinstance(data[0], BaseModel):
        data = [item.model_dump(mode="json", by_alias=True) for item in data]
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def show_progress(config: Settings) -> bool:
    return config.progress if config.progress is not None else sys.stderr.isatty()


class BarProgress:
    """Import progress as a rich bar on a terminal."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=errors, transient=False,
        )  # fmt: skip
        self._task: Any = None

    def start(self, description: str, total: int | None) -> None:
        if self._task is None:
            self._progress.start()
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        return None

    def close(self) -> None:
        if self._task is not None:
            self._progress.stop()


def setup_logging() -> None:
    """Plain log lines on stderr; warnings only, so that command output stays readable."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # WeasyPrint warns on every PDF where Debian's libharfbuzz-subset0 is missing; the PDF is the same.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
