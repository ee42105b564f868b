"""Any CSV or XLSX file through a small YAML column mapping, for the registers councils keep in Excel.

A mapping names the store field each column fills::

    source: pohjois-savo-hankkeet     # the projects' source name in the store
    file: {encoding: cp1252, delimiter: ";", sheet: Hankkeet}
    defaults: {project.fund: EAKR, project.language: fi, organisation.country: FI}
    columns:
      project.source_id: Hankekoodi
      project.title: Hankkeen nimi
      project.start_date: Alkupäivä
      organisation.name: Toteuttaja
      organisation.business_id: Y-tunnus
      participation.public_funding: Myönnetty tuki
      region: Maakunta
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smartspec.errors import InputError, Location, Problem
from smartspec.ingest.batch import ImportContext
from smartspec.ingest.cells import AMOUNT_HINT, DATE_HINT, Cells
from smartspec.ingest.parse import (
    clean,
    normalise_vat,
    parse_amount_cents,
    parse_business_id,
    parse_date,
)
from smartspec.ingest.readers import open_table

Parser = Callable[[str | None], Any]

# field → (store column, parser, hint). Amount fields are read as EUR and stored as cents.
PROJECT_FIELDS: dict[str, tuple[str, Parser, str | None]] = {
    "source_id": ("source_id", clean, None),
    "title": ("title", clean, None),
    "acronym": ("acronym", clean, None),
    "summary": ("summary", clean, None),
    "language": ("language", clean, None),
    "programme": ("programme", clean, None),
    "fund": ("fund", clean, None),
    "call_topic": ("call_topic", clean, None),
    "status": ("status", clean, None),
    "authority": ("authority", clean, None),
    "start_date": ("start_date", parse_date, DATE_HINT),
    "end_date": ("end_date", parse_date, DATE_HINT),
    "total_cost": ("total_cost_cents", parse_amount_cents, AMOUNT_HINT),
    "public_funding": ("public_funding_cents", parse_amount_cents, AMOUNT_HINT),
    "ec_contribution": ("ec_max_contribution_cents", parse_amount_cents, AMOUNT_HINT),
    "nuts_code": ("nuts_code", clean, None),
}
ORGANISATION_FIELDS: dict[str, tuple[str, Parser, str | None]] = {
    "name": ("name", clean, None),
    "business_id": (
        "business_id",
        parse_business_id,
        "write the business ID as 1234567-8 with a valid check digit",
    ),
    "vat": ("vat", normalise_vat, None),
    "pic": ("pic", clean, None),
    "org_type": ("org_type", clean, None),
    "street": ("street", clean, None),
    "post_code": ("post_code", clean, None),
    "city": ("city", clean, None),
    "country": ("country", clean, None),
    "nuts_code": ("nuts_code", clean, None),
    "url": ("url", clean, None),
}
PARTICIPATION_FIELDS: dict[str, tuple[str, Parser, str | None]] = {
    "role": ("role", clean, None),
    "public_funding": ("public_funding_cents", parse_amount_cents, AMOUNT_HINT),
    "ec_contribution": ("ec_contribution_cents", parse_amount_cents, AMOUNT_HINT),
    "nuts_code": ("nuts_code", clean, None),
}
GROUPS = {
    "project": PROJECT_FIELDS,
    "organisation": ORGANISATION_FIELDS,
    "participation": PARTICIPATION_FIELDS,
}
KNOWN = sorted([f"{group}.{name}" for group, fields in GROUPS.items() for name in fields] + ["region"])


class FileOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


class Mapping(BaseModel):
    """A column mapping file."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="source name of the projects")
    file: FileOptions = Field(default_factory=FileOptions)
    defaults: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, str]

    @field_validator("columns", "defaults")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [name for name in value if name not in KNOWN]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; known fields: {', '.join(KNOWN)}")
        return value

    @field_validator("columns")
    @classmethod
    def _required(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [name for name in ("project.source_id", "project.title") if name not in value]
        if missing:
            raise ValueError(f"the mapping must give a column for {' and '.join(missing)}")
        return value


def load_mapping(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise InputError(f"mapping file {path} does not exist", hint="give the path of a YAML mapping") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        raise InputError(f"mapping file {path} is not valid YAML", [Problem(str(exc), where)],
                         hint="check the indentation and quoting") from exc  # fmt: skip
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(error["msg"], Location(str(path), field=".".join(str(p) for p in error["loc"])))
            for error in exc.errors()
        ]
        raise InputError(f"mapping file {path} is not valid", problems,
                         hint="see the mapping example in the README") from exc  # fmt: skip


def import_mapped(
    context: ImportContext, path: Path, *, mapping: Path | str, encoding: str | None = None,
    delimiter: str | None = None, sheet: str | None = None,
) -> None:  # fmt: skip
    """Read a CSV/XLSX file through ``mapping`` into the import's records."""
    spec = load_mapping(Path(mapping))
    table = open_table(
        path,
        encoding=encoding or spec.file.encoding or "utf-8",
        delimiter=delimiter or spec.file.delimiter,
        sheet=sheet or spec.file.sheet,
        limits=context.limits,
    )
    positions: dict[str, int] = {}
    missing = []
    for name, column in spec.columns.items():
        index = table.index(column)
        if index is None:
            missing.append(column)
        else:
            positions[name] = index
    if missing:
        raise InputError(
            f"{table.name} lacks column(s) named in the mapping: {', '.join(missing)}",
            [Problem(f"columns found: {', '.join(table.header)}", Location(table.name, 1))],
            hint="correct the column names in the mapping (they must match the header exactly, case aside)",
        )
    _check_defaults(spec, Path(mapping))
    c = Cells(context, table)
    records, strategy = context.records, context.strategy
    for c.line, c.values in context.rows(table, f"{spec.source} ({path.name})"):
        parsed: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
        for name, default in spec.defaults.items():
            _set(parsed, name, default, None, c)
        for name, index in positions.items():
            _set(parsed, name, c.values[index], index, c)
        region_text = parsed.pop("region", {}).get("value")
        if region_text:
            region = _region(strategy, region_text)
            if region is None:
                context.reject(
                    table,
                    c.line,
                    positions.get("region"),
                    f"{region_text!r} is not a region of the strategy",
                    "write the region's name, NUTS-3 code or maakunta number",
                )
            else:
                parsed["participation"].setdefault("nuts_code", region)
                parsed["organisation"].setdefault("nuts_code", region)
        if not c.ok:
            continue
        project = parsed["project"]
        source_id, title = project.pop("source_id", None), project.get("title")
        if not source_id or not title:
            context.reject(table, c.line, positions["project.source_id" if not source_id else "project.title"],
                           "the row has no project id or no title", "fill in both columns")  # fmt: skip
            continue
        key = (spec.source, source_id)
        records.project(key, project)
        organisation = parsed["organisation"]
        if organisation.get("name") or organisation.get("business_id") or organisation.get("pic"):
            handle = records.organisation(organisation, spec.source)
            participation = parsed["participation"]
            if participation.get("nuts_code"):
                participation.setdefault("location_basis", "mapping")
            records.participation(key, handle, participation)


def _check_defaults(spec: Mapping, path: Path) -> None:
    problems = []
    for name, raw in spec.defaults.items():
        if name == "region":
            continue
        group, field = name.split(".", 1)
        _, parser, hint = GROUPS[group][field]
        try:
            parser(raw)
        except ValueError as exc:
            problems.append(Problem(str(exc), Location(str(path), field=f"defaults.{name}"), hint))
    if problems:
        raise InputError(f"mapping file {path} has bad default values", problems)


def _set(parsed: dict[str, dict[str, Any]], name: str, raw: str, index: int | None, c: Cells) -> None:
    if name == "region":
        parsed.setdefault("region", {})["value"] = clean(raw)
        return
    group, field = name.split(".", 1)
    column, parser, hint = GROUPS[group][field]
    # A default from the mapping was checked when the mapping was read; a cell is checked here.
    value = parser(raw) if index is None else c.parsed(index, parser, hint or "")
    if value is not None:
        parsed[group][column] = value


def _region(strategy: Any, text: str) -> str | None:
    folded = text.strip().casefold()
    for region in strategy.regions:
        names = {
            region.code.casefold(),
            region.maakunta,
            region.name.fi.casefold(),
            region.name.en.casefold(),
        }
        if region.name.sv:
            names.add(region.name.sv.casefold())
        names.update(code.casefold() for code in region.legacy_codes)
        if folded in names or folded.lstrip("0") == region.maakunta.lstrip("0"):
            return str(region.code)
    return None
