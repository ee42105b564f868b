"""What importers collect before anything is written: projects, organisations, participations, labels.

Importers add rows keyed by their natural keys (a project by source and source id, a participation by project
and organisation); a key seen twice is merged, later non-empty values winning. They are written in batches, each
in a few bulk statements, inside the import's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from smartspec.errors import Location, Problem
from smartspec.ingest.organisations import Handle, OrganisationIndex
from smartspec.store import models as m
from smartspec.store.bulk import Counts, KeyedTable, now

ProjectKey = tuple[str, str]  # (source, source_id)

PROJECT_FIELDS = ("programme", "funding_source_id", "acronym", "title", "summary", "language", "call_topic",
                  "call_topic_title", "legal_basis", "funding_scheme", "master_call", "status", "authority",
                  "priority_axis", "start_date", "end_date", "total_cost_cents", "ec_max_contribution_cents",
                  "public_funding_cents", "public_funding_paid_cents", "planned_public_cents",
                  "realised_public_cents", "nuts_code", "doi")  # fmt: skip
PARTICIPATION_FIELDS = ("role", "position", "ec_contribution_cents", "net_ec_contribution_cents",
                        "public_funding_cents", "total_cost_cents", "country", "nuts_code",
                        "location_basis")  # fmt: skip
LABEL_FIELDS = ("path", "title")

# Funding programmes and funds the built-in importers know (code, Finnish name, English name, kind).
FUNDING_SOURCES = {
    "HORIZON": ("Horisontti Eurooppa", "Horizon Europe", "eu-direct"),
    "H2020": ("Horisontti 2020", "Horizon 2020", "eu-direct"),
    "FP7": ("EU:n 7. puiteohjelma", "EU 7th Framework Programme", "eu-direct"),
    "EAKR": (
        "Euroopan aluekehitysrahasto (EAKR)",
        "European Regional Development Fund (ERDF)",
        "eu-structural",
    ),
    "ESR": ("Euroopan sosiaalirahasto (ESR)", "European Social Fund (ESF)", "eu-structural"),
}


def _lengths(model: type[m.Base]) -> dict[str, int]:
    """The text columns of a table that hold at most some characters (PostgreSQL refuses more; SQLite keeps it)."""
    return {column.name: column.type.length for column in model.__table__.columns
            if isinstance(column.type, String) and column.type.length}  # fmt: skip


LENGTHS = {"project": _lengths(m.Project), "participation": _lengths(m.Participation),
           "organisation": _lengths(m.Organisation), "label": _lengths(m.ProjectLabel)}  # fmt: skip


def _merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None:
            target[name] = value


# Rows collected before they are written: enough for executemany to be efficient, few enough that memory stays
# flat whatever the file's size (issue #15: the 136k-row H2020 file peaked at 644 MB when collected whole).
FLUSH_ROWS = 20_000
KINDS = ("project", "participation", "label")  # the rows written in batches, each counted once per import


@dataclass
class Records:
    """Rows collected by one import, merged by natural key, written in batches inside the import's transaction.

    Writing in batches keeps the semantics of one write at the end: KeyedTable merges a batch into what the
    table holds exactly as rows of one batch merge (later non-empty values win), and each row is counted
    once per import (inserted, updated or unchanged) however many batches mention it.
    """

    organisations: OrganisationIndex
    projects: dict[ProjectKey, dict[str, Any]] = field(default_factory=dict)
    participations: dict[tuple[ProjectKey, Handle], dict[str, Any]] = field(default_factory=dict)
    labels: dict[tuple[ProjectKey, str, str], dict[str, Any]] = field(default_factory=dict)
    funding_codes: set[str] = field(default_factory=set)
    where: Location | None = None  # the row being read (ImportContext.rows sets it)
    origins: dict[ProjectKey, Location] = field(default_factory=dict)  # where each project was first read
    session: Session | None = None
    batch_id: int | None = None
    flush_rows: int = FLUSH_ROWS
    problems: list[Problem] = field(default_factory=list)  # cells too long for their column (ImportContext takes them)
    bad: set[ProjectKey] = field(default_factory=set)  # projects of such rows: never written
    _written: set[ProjectKey] = field(default_factory=set)  # projects an earlier batch of this import wrote
    _counts: dict[str, Counts] = field(
        default_factory=lambda: {"project": Counts(), "participation": Counts(), "label": Counts()}
    )
    _counted: dict[str, dict[Any, str]] = field(
        default_factory=lambda: {"project": {}, "participation": {}, "label": {}}
    )

    @classmethod
    def for_session(cls, session: Session, batch_id: int | None = None) -> Records:
        """Records for one import; with ``batch_id`` they are written every ``FLUSH_ROWS`` rows."""
        return cls(OrganisationIndex.load(session), session=session, batch_id=batch_id, flush_rows=FLUSH_ROWS)

    def too_long(self, kind: str, values: dict[str, Any]) -> bool:
        """Whether a value is longer than its column holds; each such value is a problem of the row being read, and
        is removed from ``values`` (so that it is never written)."""
        found, limits = False, LENGTHS[kind]
        for name, value in values.items():  # the row's few values, not every limited column (a hot path)
            limit = limits.get(name)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                self.problems.append(Problem(f"the {kind}'s {name} has {len(value):,} characters; its column holds "
                                             f"{limit}", self.where,
                                             "shorten the cell, or check that the file's columns are in their "
                                             "places"))  # fmt: skip
                values[name] = None
                found = True
        return found

    def project(self, key: ProjectKey, values: dict[str, Any]) -> None:
        if key in self.bad or self.too_long("project", {"source": key[0], "source_id": key[1], **values}):
            self.bad.add(key)
            return
        fund = values.pop("fund", None)
        if fund:
            self.funding_codes.add(fund)
            values["funding_code"] = fund
        self._seen(key)
        _merge(self.projects.setdefault(key, {}), values)

    def has_project(self, key: ProjectKey) -> bool:
        """Whether this import mentioned the project (in the batch being collected or one already written)."""
        return key in self.projects or key in self._written

    def organisation(self, values: dict[str, Any], source: str) -> Handle:
        self.too_long("organisation", values)  # the row is rejected; the over-long value is left out
        return self.organisations.resolve(values, source)

    def participation(self, project: ProjectKey, organisation: Handle, values: dict[str, Any]) -> None:
        if project in self.bad or self.too_long("participation", values):
            self.bad.add(project)
            return
        if project not in self.projects:
            self.projects[project] = {}
        self._seen(project)
        key = (project, organisation)
        known = self.participations.get(key)
        if known is None:
            self.participations[key] = values  # the common case: the first row for this pair
            self._maybe_flush()
        else:
            _merge(known, values)

    def label(self, project: ProjectKey, scheme: str, code: str, values: dict[str, Any]) -> None:
        if project in self.bad or self.too_long("label", {"scheme": scheme, "code": code, **values}):
            self.bad.add(project)
            return
        if project not in self.projects:
            self.projects[project] = {}
        self._seen(project)
        key = (project, scheme, code)
        known = self.labels.get(key)
        if known is None:
            self.labels[key] = {name: value for name, value in values.items() if value is not None}
            self._maybe_flush()
        else:
            _merge(known, values)

    def _seen(self, key: ProjectKey) -> None:
        if self.where is not None and key not in self.origins:
            self.origins[key] = self.where

    def regions(self, key: ProjectKey, nuts_to_region: dict[str, str]) -> frozenset[str]:
        """The strategy regions a project is located in: its own location and its participants'."""
        codes = [self.projects.get(key, {}).get("nuts_code")]
        codes += [values.get("nuts_code") for (project, _), values in self.participations.items() if project == key]
        return frozenset(nuts_to_region[c] for c in codes if c and c in nuts_to_region)

    def take_problems(self) -> list[Problem]:
        """The problems found since the last call (ImportContext adds them to the row being read)."""
        found, self.problems = self.problems, []
        return found

    def drop_bad(self) -> None:
        """Forget the projects of rows with over-long values (rows already written in an earlier batch stay)."""
        for key in self.bad:
            self.drop(key)

    def drop(self, key: ProjectKey) -> None:
        """Forget a project with its participations and labels (a row the importing user may not write)."""
        self.projects.pop(key, None)
        for pair in [pair for pair in self.participations if pair[0] == key]:
            del self.participations[pair]
        for label in [label for label in self.labels if label[0] == key]:
            del self.labels[label]

    # Writing ------------------------------------------------------------------------------------------------

    def _maybe_flush(self) -> None:
        if self.batch_id is not None and len(self.participations) + len(self.labels) >= self.flush_rows:
            assert self.session is not None
            self.flush(self.session, self.batch_id)

    def flush(self, session: Session, batch_id: int, *, final: bool = False) -> None:
        """Write what was collected since the last flush, then forget it (the ids stay known)."""
        funding_ids = _funding_sources(session, self.funding_codes)
        stamp = {"updated_at": now(), "import_batch_id": batch_id}
        # Only this batch's projects are looked up, so that memory does not grow with the projects the store holds.
        kind = "project"
        projects = KeyedTable(m.Project, ("source", "source_id"), PROJECT_FIELDS, counts=self._counts[kind],
                              counted=self._counted[kind])  # fmt: skip
        for source in sorted({source for source, _ in self.projects}):
            projects.load_in(session, "source_id", {sid for src, sid in self.projects if src == source},
                             batch_id=batch_id, where=m.Project.__table__.c.source == source)  # fmt: skip
        project_rows = []
        for (source, source_id), values in self.projects.items():
            code = values.get("funding_code")
            if code:
                values["funding_source_id"] = funding_ids[code]
            project_rows.append((source, source_id, *map(values.get, PROJECT_FIELDS)))
        project_ids = projects.write(session, project_rows, stamp=stamp)  # this batch's projects
        touched = set(project_ids.values())
        self._written.update(self.projects)
        self.projects.clear()
        self.origins.clear()  # only an import checked row by row (not written in batches) reports them
        organisation_ids = self.organisations.save(session, batch_id, {"updated_at": stamp["updated_at"]}, final=final)

        kind = "participation"
        participations = KeyedTable(m.Participation, ("project_id", "organisation_id"), PARTICIPATION_FIELDS,
                                    counts=self._counts[kind], counted=self._counted[kind])  # fmt: skip
        if self.participations:
            participations.load_in(session, "project_id", touched, batch_id=batch_id)
        participations.write(
            session,
            (
                (project_ids[project], organisation_ids[handle], *map(values.get, PARTICIPATION_FIELDS))
                for (project, handle), values in self.participations.items()
            ),
            stamp={"import_batch_id": batch_id},
            remember=False,
        )
        self.participations.clear()
        labels = KeyedTable(m.ProjectLabel, ("project_id", "scheme", "code"), LABEL_FIELDS,
                            counts=self._counts["label"], counted=self._counted["label"])  # fmt: skip
        if self.labels:
            labels.load_in(session, "project_id", touched, batch_id=batch_id)
        labels.write(
            session,
            (
                (project_ids[project], scheme, code, *(values.get(name) for name in LABEL_FIELDS))
                for (project, scheme, code), values in self.labels.items()
            ),
            stamp={"import_batch_id": batch_id},
            remember=False,
        )
        self.labels.clear()

    def save(self, session: Session, batch_id: int) -> dict[str, dict[str, int]]:
        """Write everything not yet written; returns inserted/updated/unchanged counts per kind of row."""
        self.flush(session, batch_id, final=True)
        return {
            "project": self._counts["project"].as_dict(),
            "organisation": self.organisations.counts.as_dict(),
            "participation": self._counts["participation"].as_dict(),
            "label": self._counts["label"].as_dict(),
        }


def _funding_sources(session: Session, codes: set[str]) -> dict[str, int]:
    table = m.FundingSource.__table__
    known: dict[str, int] = {code: id_ for code, id_ in session.execute(select(table.c.code, table.c.id))}
    for code in sorted(codes - known.keys()):
        name_fi, name_en, kind = FUNDING_SOURCES.get(code, (code, code, "other"))
        source = m.FundingSource(code=code, name_fi=name_fi, name_en=name_en, kind=kind)
        session.add(source)
        session.flush()
        known[code] = source.id
    return known
