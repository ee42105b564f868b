"""Reading the stored labels: each record's effective labels, reviewed examples, and counts per area and region.

Automatic labels are rows with method ``model``; a reviewer's decisions are rows with method ``review`` and
status ``accepted``, ``rejected`` or ``manual``; organisations get ``aggregate`` rows. A record's labels are its
model labels plus accepted and manual ones, less rejected ones, so reviews win and survive re-classification and
re-import (projects keep their ids when imports update them).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.classify.text import project_text
from smartspec.classify.training import Example
from smartspec.store import models as m
from smartspec.strategy import Strategy

MODEL, REVIEW, AGGREGATE = "model", "review", "aggregate"
C = m.Classification


def of_strategy(query: Any, strategy_id: int, *, record_type: str | None = "project",
                method: str | None = None) -> Any:  # fmt: skip
    """``query`` (a select or a delete) narrowed to one strategy's classification rows of a record type and
    (optionally) a method."""
    narrowed: Any = query.where(C.strategy_id == strategy_id)
    if record_type is not None:
        narrowed = narrowed.where(C.record_type == record_type)
    if method is not None:
        narrowed = narrowed.where(C.method == method)
    return narrowed


def is_area(code: str) -> bool:
    return code.count(".") == 1


def effective_labels(session: Session, strategy_id: int, ids: list[int] | None = None,
                     record_type: str = "project") -> dict[int, set[str]]:  # fmt: skip
    """Each record's labels: model ones, plus accepted and manual, less rejected (codes of areas and topics)."""
    query = of_strategy(select(C.record_id, C.code, C.method, C.status), strategy_id, record_type=record_type)
    if ids is not None:
        query = query.where(C.record_id.in_(ids))
    labels: dict[int, set[str]] = defaultdict(set)
    rejected: dict[int, set[str]] = defaultdict(set)
    for record_id, code, method, status in session.execute(query):
        if status == "rejected":
            rejected[record_id].add(code)
        elif code == "none":
            labels[record_id]  # classified, with no area
        elif method in (MODEL, REVIEW, AGGREGATE):
            labels[record_id].add(code)
    return {record_id: codes - rejected[record_id] for record_id, codes in labels.items()}


def euroscivoc_titles(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The EuroSciVoc field titles of each project (part of its text for classification)."""
    out: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        query = select(m.ProjectLabel.project_id, m.ProjectLabel.title).where(
            m.ProjectLabel.project_id.in_(ids[start : start + 900]), m.ProjectLabel.scheme == "euroscivoc"
        )
        for project_id, title in session.execute(query):
            if title:
                out[project_id].append(title)
    return out


def reviewed_ids(session: Session, strategy_id: int) -> list[int]:
    return list(session.scalars(of_strategy(select(C.record_id), strategy_id, method=REVIEW).distinct()))


def reviewed_examples(session: Session, strategy_id: int) -> list[Example]:
    """Projects a reviewer has decided on, as training examples (their effective labels)."""
    rows = reviewed_ids(session, strategy_id)
    if not rows:
        return []
    labels = effective_labels(session, strategy_id, rows)
    fields = euroscivoc_titles(session, rows)
    examples = []
    for project in session.scalars(select(m.Project).where(m.Project.id.in_(rows))):
        text, lang = project_text(project, fields.get(project.id, []))
        areas = frozenset(code for code in labels.get(project.id, set()) if is_area(code))
        examples.append(Example(f"project:{project.id}", text, lang, areas, source="review"))
    return examples


def area_region_counts(session: Session, strategy: Strategy, strategy_id: int,
                       source: str | None = None) -> dict[str, dict[str, int]]:  # fmt: skip
    """Projects per competence area and region (a project counts in every region where it has a participant)."""
    labels = effective_labels(session, strategy_id)
    nuts = strategy.nuts_to_region()
    query = select(m.Participation.project_id, m.Participation.nuts_code).where(
        m.Participation.nuts_code.in_(sorted(nuts))
    )
    if source:
        query = query.join(m.Project, m.Project.id == m.Participation.project_id).where(m.Project.source == source)
    regions_of: dict[int, set[str]] = defaultdict(set)
    for project_id, code in session.execute(query):
        if code:
            regions_of[project_id].add(nuts[code])
    table: dict[str, dict[str, int]] = {area: defaultdict(int) for area in [*strategy.area_codes(), "none"]}
    for project_id, regions in regions_of.items():
        if project_id not in labels:
            continue
        areas = [code for code in labels[project_id] if is_area(code)] or ["none"]
        for area in areas:
            for region in regions:
                table[area][region] += 1
    return {area: dict(counts) for area, counts in table.items()}
