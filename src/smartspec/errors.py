"""Errors for people: what went wrong, where, and what to do about it.

Every error smartspec raises on purpose is a :class:`SmartspecError`. The CLI prints ``str(error)`` and exits
with status 2 (never a traceback), so the message must stand on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file and optionally a line, a column and a field name."""

    path: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.field:
            text += f" [{self.field}]"
        return text


@dataclass
class Problem:
    """One thing wrong with an input, with a hint on how to fix it."""

    message: str
    where: Location | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        where = self.where
        return {
            "message": self.message,
            "path": where.path if where else None,
            "line": where.line if where else None,
            "column": where.column if where else None,
            "field": where.field if where else None,
            "hint": self.hint,
        }


@dataclass
class SmartspecError(Exception):
    """A failure a user can act on. ``problems`` lists every individual issue found."""

    summary: str
    problems: list[Problem] = field(default_factory=list)
    hint: str | None = None
    max_listed: int = 20

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        lines = [self.summary]
        for problem in self.problems[: self.max_listed]:
            lines.append("  - " + str(problem).replace("\n", "\n  "))
        hidden = len(self.problems) - self.max_listed
        if hidden > 0:
            lines.append(f"  … and {hidden} more")
        if self.hint:
            lines.append(f"fix: {self.hint}")
        return "\n".join(lines)


class StrategyError(SmartspecError):
    """A strategy file that does not load or does not validate."""


class InputError(SmartspecError):
    """An input file (CSV, XLSX, zip, mapping) that cannot be imported as it is."""


class NotFoundError(InputError):
    """What the input names is not in the store (the web answers 404)."""


class DataMissingError(SmartspecError):
    """The data directory is not there; the message says where to get the files."""


class StoreError(SmartspecError):
    """A database that cannot be opened, upgraded or backed up."""
