"""What importers collect before anything is written: projects, organisations, participations, labels.

Importers add rows keyed by their natural keys (a project by source and source id, a participation by project
and organisation); a key seen twice is merged, later non-empty values winning. ``save`` then writes it all in
a few bulk statements inside the import's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.errors import Location
from smartspec.ingest.organisations import Handle, OrganisationIndex
from smartspec.store import models as m
from smartspec.store.bulk import KeyedTable, now

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


def _merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None:
            target[name] = value


@dataclass
class Records:
    """Rows collected by one import, merged by natural key."""

    organisations: OrganisationIndex
    projects: dict[ProjectKey, dict[str, Any]] = field(default_factory=dict)
    participations: dict[tuple[ProjectKey, Handle], dict[str, Any]] = field(default_factory=dict)
    labels: dict[tuple[ProjectKey, str, str], dict[str, Any]] = field(default_factory=dict)
    funding_codes: set[str] = field(default_factory=set)
    where: Location | None = None  # the row being read (ImportContext.rows sets it)
    origins: dict[ProjectKey, Location] = field(default_factory=dict)  # where each project was first read

    @classmethod
    def for_session(cls, session: Session) -> Records:
        return cls(OrganisationIndex.load(session))

    def project(self, key: ProjectKey, values: dict[str, Any]) -> None:
        fund = values.pop("fund", None)
        if fund:
            self.funding_codes.add(fund)
            values["funding_code"] = fund
        self._seen(key)
        _merge(self.projects.setdefault(key, {}), values)

    def has_project(self, key: ProjectKey) -> bool:
        return key in self.projects

    def organisation(self, values: dict[str, Any], source: str) -> Handle:
        return self.organisations.resolve(values, source)

    def participation(self, project: ProjectKey, organisation: Handle, values: dict[str, Any]) -> None:
        if project not in self.projects:
            self.projects[project] = {}
        self._seen(project)
        key = (project, organisation)
        known = self.participations.get(key)
        if known is None:
            self.participations[key] = values  # the common case: the first row for this pair
        else:
            _merge(known, values)

    def label(self, project: ProjectKey, scheme: str, code: str, values: dict[str, Any]) -> None:
        self.projects.setdefault(project, {})
        self._seen(project)
        _merge(self.labels.setdefault((project, scheme, code), {}), values)

    def _seen(self, key: ProjectKey) -> None:
        if self.where is not None and key not in self.origins:
            self.origins[key] = self.where

    def regions(self, key: ProjectKey, nuts_to_region: dict[str, str]) -> frozenset[str]:
        """The strategy regions a project is located in: its own location and its participants'."""
        codes = [self.projects.get(key, {}).get("nuts_code")]
        codes += [values.get("nuts_code") for (project, _), values in self.participations.items() if project == key]
        return frozenset(nuts_to_region[c] for c in codes if c and c in nuts_to_region)

    def drop(self, key: ProjectKey) -> None:
        """Forget a project with its participations and labels (a row the importing user may not write)."""
        self.projects.pop(key, None)
        for pair in [pair for pair in self.participations if pair[0] == key]:
            del self.participations[pair]
        for label in [label for label in self.labels if label[0] == key]:
            del self.labels[label]

    # Writing ------------------------------------------------------------------------------------------------

    def save(self, session: Session, batch_id: int) -> dict[str, dict[str, int]]:
        """Write everything; returns inserted/updated/unchanged counts per kind of row."""
        funding_ids = _funding_sources(session, self.funding_codes)
        projects = KeyedTable(m.Project, ("source", "source_id"), PROJECT_FIELDS)
        sources = sorted({source for source, _ in self.projects})
        if sources:
            projects.load(session, m.Project.__table__.c.source.in_(sources))
        project_rows = []
        for (source, source_id), values in self.projects.items():
            code = values.get("funding_code")
            if code:
                values["funding_source_id"] = funding_ids[code]
            project_rows.append((source, source_id, *map(values.get, PROJECT_FIELDS)))
        stamp = {"updated_at": now(), "import_batch_id": batch_id}
        project_ids = projects.write(session, project_rows, stamp=stamp)
        organisation_ids = self.organisations.save(session, batch_id, {"updated_at": stamp["updated_at"]})

        participations = KeyedTable(m.Participation, ("project_id", "organisation_id"), PARTICIPATION_FIELDS)
        touched_projects = set(project_ids.values())
        if touched_projects:
            participations.load(session, _in_projects(m.Participation.__table__.c.project_id, touched_projects))
        participations.write(
            session,
            (
                (
                    project_ids[project],
                    organisation_ids[handle],
                    *map(values.get, PARTICIPATION_FIELDS),
                )
                for (project, handle), values in self.participations.items()
            ),
            stamp={"import_batch_id": batch_id},
        )
        labels = KeyedTable(m.ProjectLabel, ("project_id", "scheme", "code"), LABEL_FIELDS)
        if self.labels and touched_projects:
            labels.load(session, _in_projects(m.ProjectLabel.__table__.c.project_id, touched_projects))
        labels.write(
            session,
            (
                (project_ids[project], scheme, code, *(values.get(name) for name in LABEL_FIELDS))
                for (project, scheme, code), values in self.labels.items()
            ),
            stamp={"import_batch_id": batch_id},
        )
        return {
            "project": projects.counts.as_dict(),
            "organisation": self.organisations.counts.as_dict(),
            "participation": participations.counts.as_dict(),
            "label": labels.counts.as_dict(),
        }


def _in_projects(column: Any, ids: set[int]) -> Any:
    # Loading by a subquery-free IN list would exceed SQLite's parameter limit for big imports; a range
    # filter plus the in-memory key check is exact and fast enough (ids are dense per import).
    return column.between(min(ids), max(ids))


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
