"""Classifying the store's projects with the stored model, and aggregating organisations from their projects."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from smartspec.classify.classifier import LoadedModel, Toolkit
from smartspec.classify.labels import AGGREGATE, MODEL, effective_labels, euroscivoc_titles, is_area, of_strategy
from smartspec.classify.metadata import record_metadata
from smartspec.classify.model import BilingualModel
from smartspec.classify.results import RunResult
from smartspec.classify.signals import Batch, KeywordSignal
from smartspec.classify.text import project_text
from smartspec.classify.topics import TopicChoice
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.bulk import insert_rows

C = m.Classification
CHUNK = 500


def run(engine: Engine, strategy_id: int, loaded: LoadedModel, toolkit: Toolkit, *, only_new: bool = True,
        sources: list[str] | None = None, country: str | None = None,
        progress: Callable[[str, int | None], None] | None = None) -> RunResult:  # fmt: skip
    """Classify projects (all, or those the stored model has not classified yet) and aggregate organisations.

    ``sources`` and ``country`` narrow the projects: only these sources, only projects with a participant
    in this country (ISO code). The run is all or nothing: every chunk is classified first (the slow part, no
    transaction open, so readers and writers go on), then all labels are replaced and the organisations
    aggregated in one transaction; a run killed or failing on the way leaves the store as it was.
    """
    model, version = loaded.model, loaded.info.version
    with session_factory(engine)() as session:
        query = select(m.Project)
        if sources:
            query = query.where(m.Project.source.in_(sources))
        if country:
            query = query.where(m.Project.id.in_(select(m.Participation.project_id).where(
                m.Participation.country == country)))  # fmt: skip
        projects = list(session.scalars(query.order_by(m.Project.id)))
        if only_new:
            done = set(session.scalars(of_strategy(select(C.record_id), strategy_id, method=MODEL)
                                       .where(C.model_version == version)))  # fmt: skip
            projects = [p for p in projects if p.id not in done]
        fields = euroscivoc_titles(session, [p.id for p in projects])
        texts = [project_text(p, fields.get(p.id, [])) for p in projects]
        metadata = record_metadata(session, [p.id for p in projects])
    before = toolkit.embedder.computed
    if progress:
        progress(f"classifying {len(projects)} projects", len(projects))
    counts: dict[str, int] = defaultdict(int)
    chunks: list[tuple[list[int], list[dict[str, Any]]]] = []
    for start in range(0, len(projects), CHUNK):
        ids = [p.id for p in projects[start : start + CHUNK]]
        chunk_texts = texts[start : start + CHUNK]
        batch = toolkit.batch([t for t, _ in chunk_texts], [lang for _, lang in chunk_texts],
                              [metadata.get(i) for i in ids])  # fmt: skip
        probabilities = model.probabilities(batch)
        topics = toolkit.topics.choose(batch, model.decide(probabilities, batch.langs))
        chunks.append((ids, _rows(model, strategy_id, version, ids, probabilities, topics, batch)))
    with session_factory(engine)() as session, session.begin():
        for ids, rows in chunks:
            session.execute(of_strategy(delete(C), strategy_id, method=MODEL).where(C.record_id.in_(ids)))
            insert_rows(session, C, rows)
        organisations = aggregate_organisations(session, strategy_id)
    for _, rows in chunks:
        for row in rows:
            if is_area(row["code"]) or row["code"] == "none":
                counts[row["code"]] += 1
    return RunResult(model_version=version, projects=len(projects), organisations=organisations,
                     embedded=toolkit.embedder.computed - before, areas=dict(counts),
                     stale=loaded.info.stale)  # fmt: skip


def _rows(model: BilingualModel, strategy_id: int, version: str, ids: list[int], probabilities: np.ndarray,
          topics: list[dict[str, TopicChoice]], batch: Batch) -> list[dict[str, Any]]:  # fmt: skip
    keywords = model.signal("keywords")
    now = dt.datetime.now(dt.UTC)
    decided = model.decide(probabilities, batch.langs)
    rows = []
    for row, record_id in enumerate(ids):
        p = probabilities[row]
        margin = float(np.min(np.abs(p - model.thresholds(batch.langs[row]))))
        rounded = {area: round(float(x), 3) for area, x in zip(model.areas, p, strict=True)}
        evidence_base = {"margin": round(margin, 4), "probabilities": rounded}
        chosen = decided[row]
        base = {"record_type": "project", "record_id": record_id, "strategy_id": strategy_id, "method": MODEL,
                "model_version": version, "status": "auto", "decided_by": None, "decided_at": None,
                "created_at": now}  # fmt: skip
        if not chosen:
            rows.append({**base, "code": "none", "score": round(1 - float(p.max()), 4), "evidence": evidence_base})
        for area in chosen:
            index = model.areas.index(area)
            terms = batch.matches[row].terms[index] if batch.matches[row].terms else []
            near = keywords.nearest(batch.embeddings[row], index) if isinstance(keywords, KeywordSignal) else []
            rows.append({**base, "code": area, "score": round(float(p[index]), 4),
                         "evidence": {**evidence_base, "terms": terms, "keywords": near}})  # fmt: skip
            if area in topics[row]:
                topic = topics[row][area]
                evidence = {"area": area, "keywords": topic.keywords, "lexical": topic.lexical}
                rows.append({**base, "code": topic.code, "score": topic.score, "evidence": evidence})
    return rows


def aggregate_organisations(session: Session, strategy_id: int) -> int:
    """An organisation's areas and sub-topics are its projects', each scored by the share of its projects in it
    (in the caller's transaction, which sees the labels it has just written)."""
    labels = effective_labels(session, strategy_id)
    per_org: dict[int, list[int]] = defaultdict(list)
    for project_id, organisation_id in session.execute(
            select(m.Participation.project_id, m.Participation.organisation_id)):  # fmt: skip
        if project_id in labels:
            per_org[organisation_id].append(project_id)
    session.execute(of_strategy(delete(C), strategy_id, record_type="organisation", method=AGGREGATE))
    rows = []
    now = dt.datetime.now(dt.UTC)
    for organisation_id, projects in per_org.items():
        counts: dict[str, int] = defaultdict(int)
        for project_id in projects:
            for code in labels[project_id] - {"none"}:
                counts[code] += 1
        for code, count in counts.items():
            rows.append({"record_type": "organisation", "record_id": organisation_id, "strategy_id": strategy_id,
                         "code": code, "score": round(count / len(projects), 4), "method": AGGREGATE,
                         "model_version": None, "status": "auto", "evidence": {"projects": count,
                         "of": len(projects)}, "created_at": now})  # fmt: skip
    for start in range(0, len(rows), 5000):
        insert_rows(session, C, rows[start : start + 5000])
    return len(per_org)
