"""Classifying the store's projects and organisations, explaining a decision, and human review.

Automatic labels are rows with method ``model``; a reviewer's decisions are rows with method ``review`` and
status ``accepted``, ``rejected`` or ``manual``. A record's labels are its model labels plus accepted and
manual ones, less rejected ones, so reviews win and survive re-classification and re-import (projects keep
their ids when imports update them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from smartspec.classify.classifier import Toolkit, stored_model
from smartspec.classify.model import BilingualModel
from smartspec.classify.signals import KeywordSignal
from smartspec.classify.text import project_text
from smartspec.classify.topics import TopicChoice
from smartspec.classify.training import Example, shipped_examples
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.store import session_factory, sync_strategy
from smartspec.strategy import Area, Strategy, Topic

MODEL, REVIEW, AGGREGATE = "model", "review", "aggregate"


@dataclass
class RunResult:
    model_version: str
    trained: bool
    projects: int
    organisations: int
    embedded: int
    areas: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def reviewed_examples(session: Session, strategy_id: int) -> list[Example]:
    """Projects a reviewer has decided on, as training examples (their effective labels)."""
    rows = session.execute(select(m.Classification.record_id).where(
        m.Classification.record_type == "project", m.Classification.method == REVIEW,
        m.Classification.strategy_id == strategy_id).distinct()).scalars().all()  # fmt: skip
    if not rows:
        return []
    labels = effective_labels(session, strategy_id, list(rows))
    examples = []
    for project in session.scalars(select(m.Project).where(m.Project.id.in_(rows))):
        text, lang = project_text(project, _euroscivoc(session, [project.id]).get(project.id, []))
        areas = frozenset(code for code in labels.get(project.id, set()) if code.count(".") == 1)
        examples.append(Example(f"project:{project.id}", text, lang, areas, source="review"))
    return examples


def _euroscivoc(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        query = select(m.ProjectLabel.project_id, m.ProjectLabel.title).where(
            m.ProjectLabel.project_id.in_(ids[start : start + 900]), m.ProjectLabel.scheme == "euroscivoc"
        )
        for project_id, title in session.execute(query):
            if title:
                out[project_id].append(title)
    return out


def effective_labels(session: Session, strategy_id: int, ids: list[int] | None = None,
                     record_type: str = "project") -> dict[int, set[str]]:  # fmt: skip
    """Each record's labels: model ones, plus accepted and manual, less rejected (codes of areas and topics)."""
    query = select(m.Classification.record_id, m.Classification.code, m.Classification.method,
                   m.Classification.status).where(m.Classification.strategy_id == strategy_id,
                                                  m.Classification.record_type == record_type)  # fmt: skip
    if ids is not None:
        query = query.where(m.Classification.record_id.in_(ids))
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


def _training(engine: Engine, strategy: Strategy) -> tuple[list[Example], int]:
    with session_factory(engine)() as session, session.begin():
        strategy_id = sync_strategy(session, strategy).id
        return shipped_examples(strategy) + reviewed_examples(session, strategy_id), strategy_id


def run(engine: Engine, strategy: Strategy, *, only_new: bool = True, sources: list[str] | None = None,
        country: str | None = None,
        toolkit: Toolkit | None = None, progress: Callable[[str, int | None], None] | None = None,
        config: dict[str, Any] | None = None) -> RunResult:  # fmt: skip
    """Classify projects (all, or those the current model has not seen) and aggregate organisations.

    ``sources`` and ``country`` narrow the projects: only these sources, only projects with a participant
    in this country (ISO code).
    """
    tools = toolkit or Toolkit.build(strategy, engine)
    examples, strategy_id = _training(engine, strategy)
    model, version, trained = stored_model(engine, tools, examples, config)
    with session_factory(engine)() as session:
        query = select(m.Project)
        if sources:
            query = query.where(m.Project.source.in_(sources))
        if country:
            query = query.where(m.Project.id.in_(select(m.Participation.project_id).where(
                m.Participation.country == country)))  # fmt: skip
        projects = list(session.scalars(query.order_by(m.Project.id)))
        if only_new:
            done = set(session.scalars(select(m.Classification.record_id).where(
                m.Classification.record_type == "project", m.Classification.method == MODEL,
                m.Classification.strategy_id == strategy_id, m.Classification.model_version == version)))  # fmt: skip
            projects = [p for p in projects if p.id not in done]
        fields = _euroscivoc(session, [p.id for p in projects])
        texts = [project_text(p, fields.get(p.id, [])) for p in projects]
    before = tools.embedder.computed
    if progress:
        progress(f"classifying {len(projects)} projects", len(projects))
    counts: dict[str, int] = defaultdict(int)
    for start in range(0, len(projects), 500):
        chunk = projects[start : start + 500]
        chunk_texts = texts[start : start + 500]
        batch = tools.batch([t for t, _ in chunk_texts], [lang for _, lang in chunk_texts])
        probabilities = model.probabilities(batch)
        topics = tools.topics.choose(batch, model.decide(probabilities, batch.langs))
        rows = _rows(model, strategy_id, version, [p.id for p in chunk], probabilities, topics, batch)
        with session_factory(engine)() as session, session.begin():
            session.execute(delete(m.Classification).where(
                m.Classification.record_type == "project", m.Classification.method == MODEL,
                m.Classification.strategy_id == strategy_id,
                m.Classification.record_id.in_([p.id for p in chunk])))  # fmt: skip
            session.execute(insert(m.Classification), rows)
        for row in rows:
            if row["code"].count(".") == 1 or row["code"] == "none":
                counts[row["code"]] += 1
    organisations = aggregate_organisations(engine, strategy_id)
    return RunResult(version, trained, len(projects), organisations, tools.embedder.computed - before, dict(counts))


def _rows(model: BilingualModel, strategy_id: int, version: str, ids: list[int], probabilities: np.ndarray,
          topics: list[dict[str, TopicChoice]], batch: Any) -> list[dict[str, Any]]:  # fmt: skip
    keywords = model.signal("keywords")
    now = dt.datetime.now(dt.UTC)
    rows = []
    for row, record_id in enumerate(ids):
        p = probabilities[row]
        threshold = model.threshold(batch.langs[row])
        margin = float(np.min(np.abs(p - threshold)))
        rounded = {area: round(float(x), 3) for area, x in zip(model.areas, p, strict=True)}
        evidence_base = {"margin": round(margin, 4), "probabilities": rounded}
        chosen = [a for a, x in zip(model.areas, p, strict=True) if x >= threshold]
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
                rows.append(
                    {
                        **base,
                        "code": topic.code,
                        "score": topic.score,
                        "evidence": {"area": area, "keywords": topic.keywords, "lexical": topic.lexical},
                    }
                )
    return rows


def aggregate_organisations(engine: Engine, strategy_id: int) -> int:
    """An organisation's areas and sub-topics are its projects', each scored by the share of its projects in it."""
    with session_factory(engine)() as session, session.begin():
        labels = effective_labels(session, strategy_id)
        per_org: dict[int, list[int]] = defaultdict(list)
        for project_id, organisation_id in session.execute(
                select(m.Participation.project_id, m.Participation.organisation_id)):  # fmt: skip
            if project_id in labels:
                per_org[organisation_id].append(project_id)
        session.execute(delete(m.Classification).where(m.Classification.record_type == "organisation",
                                                       m.Classification.method == AGGREGATE,
                                                       m.Classification.strategy_id == strategy_id))  # fmt: skip
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
            session.execute(insert(m.Classification), rows[start : start + 5000])
        return len(per_org)


def decide(engine: Engine, strategy: Strategy, project_id: int, code: str, action: str, who: str) -> None:
    """A reviewer accepts, rejects or adds a label; the latest decision on a code wins."""
    if action not in ("accept", "reject", "add"):
        raise InputError(f"unknown review action {action!r}", hint="use accept, reject or add")
    known = {*strategy.area_codes(), *(t.code for t in strategy.topics())}
    if code not in known:
        raise InputError(
            f"{code!r} is not an area or sub-topic of {strategy.code}", hint="use a code such as I.4 or I.4.3"
        )
    status = {"accept": "accepted", "reject": "rejected", "add": "manual"}[action]
    with session_factory(engine)() as session, session.begin():
        if session.get(m.Project, project_id) is None:
            raise InputError(f"there is no project {project_id}", hint="see `smartspec classify review` for ids")
        strategy_id = sync_strategy(session, strategy).id
        session.execute(delete(m.Classification).where(
            m.Classification.record_type == "project", m.Classification.record_id == project_id,
            m.Classification.strategy_id == strategy_id, m.Classification.method == REVIEW,
            m.Classification.code == code))  # fmt: skip
        session.add(m.Classification(record_type="project", record_id=project_id, strategy_id=strategy_id,
                                     code=code, method=REVIEW, status=status, decided_by=who,
                                     decided_at=dt.datetime.now(dt.UTC), evidence={}))  # fmt: skip
        session.add(m.AuditLog(actor=who, action=f"classification.{action}", entity="project",
                               entity_id=str(project_id), detail={"code": code}))  # fmt: skip


def review_queue(engine: Engine, strategy: Strategy, limit: int = 20) -> list[dict[str, Any]]:
    """Projects whose automatic labels are least certain (probability closest to the threshold), unreviewed first."""
    with session_factory(engine)() as session:
        strategy_id = sync_strategy(session, strategy).id
        reviewed = set(session.scalars(select(m.Classification.record_id).where(
            m.Classification.method == REVIEW, m.Classification.strategy_id == strategy_id)))  # fmt: skip
        margins: dict[int, float] = {}
        probabilities: dict[int, dict[str, float]] = {}
        for record_id, evidence in session.execute(select(m.Classification.record_id, m.Classification.evidence).where(
                m.Classification.method == MODEL, m.Classification.record_type == "project",
                m.Classification.strategy_id == strategy_id)):  # fmt: skip
            if record_id in reviewed or "margin" not in evidence:
                continue
            margins[record_id] = float(evidence["margin"])
            probabilities[record_id] = evidence.get("probabilities", {})
        ranked = sorted(margins, key=lambda record_id: margins[record_id])[:limit]
        titles = {p.id: (p.title or p.acronym or "", p.source, p.source_id)
                  for p in session.scalars(select(m.Project).where(m.Project.id.in_(ranked)))}  # fmt: skip
        labels = effective_labels(session, strategy_id, ranked)
    out = []
    for record_id in ranked:
        title, source, source_id = titles[record_id]
        top = sorted(probabilities[record_id].items(), key=lambda pair: -pair[1])[:3]
        out.append({"project_id": record_id, "source": source, "source_id": source_id, "title": title,
                    "margin": margins[record_id], "labels": sorted(labels.get(record_id, set())),
                    "top": [{"area": a, "probability": p} for a, p in top]})  # fmt: skip
    return out


def explain(engine: Engine, strategy: Strategy, project_id: int, toolkit: Toolkit | None = None) -> dict[str, Any]:
    """Why a project has its labels: text, probabilities, matched terms, nearest labelled examples, reviews."""
    tools = toolkit or Toolkit.build(strategy, engine)
    examples, strategy_id = _training(engine, strategy)
    model, version, _ = stored_model(engine, tools, examples)
    with session_factory(engine)() as session:
        project = session.get(m.Project, project_id)
        if project is None:
            raise InputError(f"there is no project {project_id}", hint="give the id `smartspec classify review` shows")
        text, lang = project_text(project, _euroscivoc(session, [project_id]).get(project_id, []))
        reviews = [{"code": c.code, "status": c.status, "by": c.decided_by,
                    "at": c.decided_at.isoformat() if c.decided_at else None}
                   for c in session.scalars(select(m.Classification).where(
                       m.Classification.record_type == "project", m.Classification.record_id == project_id,
                       m.Classification.method == REVIEW))]  # fmt: skip
        labels = sorted(effective_labels(session, strategy_id, [project_id]).get(project_id, set()))
    batch = tools.batch([text], [lang])
    batch._matches = tools.lexical.score([text], [lang], explain=True)
    probabilities = model.probabilities(batch)[0]
    chosen = tools.topics.choose(batch, model.decide(probabilities[None, :], [lang]))[0]
    vector = batch.embeddings[0]
    keywords = model.signal("keywords")
    train_vectors = tools.embedder.embed([e.text for e in examples])
    nearest = np.argsort(-(train_vectors @ vector))[:5]
    return {
        "project_id": project_id, "source": project.source, "source_id": project.source_id, "lang": lang,
        "text": text, "model_version": version, "threshold": model.threshold(lang), "labels": labels,
        "areas": [{"area": area, "label": _label(strategy, area, lang),
                   "probability": round(float(p), 3), "terms": batch.matches[0].terms[i],
                   "keywords": keywords.nearest(vector, i) if isinstance(keywords, KeywordSignal) else []}
                  for i, (area, p) in sorted(enumerate(zip(model.areas, probabilities, strict=True)),
                                             key=lambda item: -item[1][1])],
        "topics": [{"area": area, "topic": choice.code, "label": _label(strategy, choice.code, lang),
                    "keywords": choice.keywords} for area, choice in chosen.items()],
        "neighbours": [{"id": examples[i].id, "similarity": round(float(train_vectors[i] @ vector), 3),
                        "areas": sorted(examples[i].areas) or ["none"], "text": examples[i].text[:160]}
                       for i in nearest],
        "reviews": reviews,
    }  # fmt: skip


def _label(strategy: Strategy, code: str, lang: str) -> str:
    item = strategy.find(code)
    return item.label.get(lang) if isinstance(item, Area | Topic) else code


def area_region_counts(session: Session, strategy: Strategy, source: str | None = None) -> dict[str, dict[str, int]]:
    """Projects per competence area and region (a project counts in every region where it has a participant)."""
    version = sync_strategy(session, strategy)
    labels = effective_labels(session, version.id)
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
        areas = [code for code in labels.get(project_id, set()) if code.count(".") == 1] or ["none"]
        if project_id not in labels:
            continue
        for area in areas:
            for region in regions:
                table[area][region] += 1
    return {area: dict(counts) for area, counts in table.items()}
