"""What an import reports: the batch, rows read and rejected, what it wrote, and every rejected row."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, computed_field, field_serializer

from smartspec.errors import Problem


class ProblemInfo(BaseModel):
    """One problem with an input, where it is and how to fix it."""

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None

    @classmethod
    def of(cls, problem: Problem) -> ProblemInfo:
        return cls.model_validate(problem.as_dict())

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        if where and self.field:
            where += f" [{self.field}]"
        text = f"{where}: {self.message}" if where else self.message
        return text + (f"\n    fix: {self.hint}" if self.hint else "")


class ImportResult(BaseModel):
    """One finished import batch."""

    batch_id: int
    source: str
    path: str
    status: str
    rows_read: int
    rows_rejected: int
    counts: dict[str, dict[str, int]]
    duration_s: float
    errors: list[ProblemInfo]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def inserted(self) -> int:
        return sum(c["inserted"] for c in self.counts.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def updated(self) -> int:
        return sum(c["updated"] for c in self.counts.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unchanged(self) -> int:
        return sum(c["unchanged"] for c in self.counts.values())

    @field_serializer("duration_s")
    def _rounded(self, value: float) -> float:
        return round(value, 3)

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
