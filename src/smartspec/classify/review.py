"""Human review: the queue of least certain labels, and a reviewer's decisions (which win over the model)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, Select, delete, select
from sqlalchemy.orm import Session

from smartspec.classify.classifier import newest_model_row, reviews_since
from smartspec.classify.labels import MODEL, REVIEW, effective_labels, of_strategy
from smartspec.classify.results import AreaProbability, Decision, ReviewItem
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

C = m.Classification
ACTIONS = {"accept": "accepted", "reject": "rejected", "add": "manual"}


def decide(engine: Engine, strategy: Strategy, strategy_id: int, project_id: int, code: str, action: str,
           who: str, via: str | None = None, address: str | None = None) -> Decision:  # fmt: skip
    """A reviewer accepts, rejects or adds a label; the latest decision on a code wins. Logged in the audit log."""
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}", hint="use accept, reject or add")
    known = {*strategy.area_codes(), *(t.code for t in strategy.topics())}
    if code not in known:
        raise InputError(
            f"{code!r} is not an area or sub-topic of {strategy.code}", hint="use a code such as I.4 or I.4.3"
        )
    status = ACTIONS[action]
    with session_factory(engine)() as session, session.begin():
        if session.get(m.Project, project_id) is None:
            raise InputError(f"there is no project {project_id}", hint="see `smartspec classify review` for ids")
        previous = session.scalars(of_strategy(select(C.status), strategy_id, method=REVIEW).where(
            C.record_id == project_id, C.code == code)).first()  # fmt: skip
        session.execute(of_strategy(delete(C), strategy_id, method=REVIEW).where(C.record_id == project_id,
                                                                                  C.code == code))  # fmt: skip
        session.add(C(record_type="project", record_id=project_id, strategy_id=strategy_id, code=code, method=REVIEW,
                      status=status, decided_by=who, decided_at=dt.datetime.now(dt.UTC), evidence={}))  # fmt: skip
        session.add(m.AuditLog(actor=who, via=via, address=address, action=f"classification.{action}", entity="project",
                               entity_id=str(project_id),
                               detail={"code": code, "before": previous, "after": status, "via": via}))  # fmt: skip
    with session_factory(engine)() as session:
        behind = model_reviews_behind(session, strategy_id)
    return Decision(project_id=project_id, code=code, action=action, status=status, by=who,
                    model_reviews_behind=behind)  # fmt: skip


def model_reviews_behind(session: Session, strategy_id: int) -> int:
    row = newest_model_row(session, strategy_id)
    if row is None:
        return len(list(session.scalars(of_strategy(select(C.id), strategy_id, method=REVIEW))))
    return reviews_since(session, strategy_id, row.created_at)


def review_queue(session: Session, strategy_id: int, limit: int = 20,
                 among: Select[tuple[int]] | None = None) -> list[ReviewItem]:  # fmt: skip
    """Projects whose automatic labels are least certain (probability closest to the threshold), unreviewed only;
    ``among``: a query of the project ids to choose from (an editor's regions' projects), else all."""
    reviewed = set(session.scalars(of_strategy(select(C.record_id), strategy_id, method=REVIEW)))
    margins: dict[int, float] = {}
    probabilities: dict[int, dict[str, float]] = {}
    query = of_strategy(select(C.record_id, C.evidence), strategy_id, method=MODEL)
    if among is not None:
        query = query.where(C.record_id.in_(among))
    for record_id, evidence in session.execute(query):
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
        out.append(ReviewItem(project_id=record_id, source=source, source_id=source_id, title=title,
                              margin=margins[record_id], labels=sorted(labels.get(record_id, set())),
                              top=[AreaProbability(area=a, probability=p) for a, p in top]))  # fmt: skip
    return out
