"""Reading one row's cells by column position, reporting bad values against the file's line and column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartspec.ingest.batch import ImportContext
from smartspec.ingest.parse import clean
from smartspec.ingest.readers import Table

AMOUNT_HINT = "write amounts as plain numbers such as 1234.56 or 1 234,56"
DATE_HINT = "write dates as d.m.yyyy or yyyy-mm-dd"


class Cells:
    """Fast access to a row's cells by the table's column positions, with error reporting."""

    def __init__(self, context: ImportContext, table: Table) -> None:
        self.context = context
        self.table = table
        self._line = 0
        self._errors_before = len(context.errors)
        self.values: list[str] = []

    @property
    def line(self) -> int:
        return self._line

    @line.setter
    def line(self, value: int) -> None:
        """Moving to a row also remembers how many problems were known before it."""
        self._line = value
        self._errors_before = len(self.context.errors)

    @property
    def ok(self) -> bool:
        """True while the current row has no rejected cell: a rejected row writes nothing."""
        return len(self.context.errors) == self._errors_before

    def col(self, *aliases: str) -> int | None:
        return self.table.index(*aliases)

    def text(self, column: int | None) -> str | None:
        return clean(self.values[column]) if column is not None else None

    def code(self, column: int | None) -> str | None:
        """A short code cell (id, country, NUTS, role): trimmed, blank means None. Cheaper than text()."""
        if column is None:
            return None
        return self.values[column].strip() or None

    def parsed(self, column: int | None, parser: Callable[[str | None], Any], hint: str) -> Any:
        if column is None:
            return None
        try:
            return parser(self.values[column])
        except ValueError as exc:
            self.context.reject(self.table, self.line, column, str(exc), hint)
            return None
