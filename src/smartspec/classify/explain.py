"""Why a project has its labels: its text, each area's probability with matched terms and keywords, the sub-topics,
the nearest labelled examples and the reviews. Read only: it loads the stored model and writes nothing."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.classify.classifier import LoadedModel, Toolkit, training_examples
from smartspec.classify.labels import REVIEW, effective_labels, euroscivoc_titles, of_strategy
from smartspec.classify.metadata import OrganisationSignal, record_metadata
from smartspec.classify.results import AreaEvidence, Explanation, Neighbour, ReviewInfo, TopicEvidence
from smartspec.classify.signals import KeywordSignal
from smartspec.classify.text import project_text
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.strategy import Area, Strategy, Topic

NEIGHBOURS = 5


def explain(session: Session, strategy: Strategy, strategy_id: int, loaded: LoadedModel, toolkit: Toolkit,
            project_id: int) -> Explanation:  # fmt: skip
    project = session.get(m.Project, project_id)
    if project is None:
        raise InputError(f"there is no project {project_id}", hint="give the id `smartspec classify review` shows")
    text, lang = project_text(project, euroscivoc_titles(session, [project_id]).get(project_id, []))
    reviews = [ReviewInfo(code=c.code, status=c.status, by=c.decided_by,
                          at=c.decided_at.isoformat() if c.decided_at else None)
               for c in session.scalars(of_strategy(select(m.Classification), strategy_id, method=REVIEW)
                                        .where(m.Classification.record_id == project_id))]  # fmt: skip
    labels = sorted(effective_labels(session, strategy_id, [project_id]).get(project_id, set()))
    examples = training_examples(session, strategy, strategy_id)
    model = loaded.model
    with toolkit.embedder.read_only():
        meta = record_metadata(session, [project_id]).get(project_id)
        batch = toolkit.batch([text], [lang], [meta])
        batch._matches = toolkit.lexical.score([text], [lang], explain=True)
        probabilities = model.probabilities(batch)[0]
        chosen = toolkit.topics.choose(batch, model.decide(probabilities[None, :], [lang]))[0]
        vector = batch.embeddings[0]
        train_vectors = toolkit.embedder.embed([e.text for e in examples])
    keywords = model.signal("keywords")
    prior = model.model(lang).signal("organisations")
    nearest = np.argsort(-(train_vectors @ vector))[:NEIGHBOURS]
    ranked = sorted(enumerate(zip(model.areas, probabilities, strict=True)), key=lambda item: -item[1][1])
    return Explanation(
        project_id=project_id, source=project.source, source_id=project.source_id, lang=lang, text=text,
        model_version=loaded.info.version, threshold=model.threshold(lang), labels=labels,
        areas=[AreaEvidence(area=area, label=label(strategy, area, lang), probability=round(float(p), 3),
                            terms=batch.matches[0].terms[i],
                            keywords=keywords.nearest(vector, i) if isinstance(keywords, KeywordSignal) else [])
               for i, (area, p) in ranked],
        topics=[TopicEvidence(area=area, topic=choice.code, label=label(strategy, choice.code, lang),
                              keywords=choice.keywords) for area, choice in chosen.items()],
        neighbours=[Neighbour(id=examples[i].id, similarity=round(float(train_vectors[i] @ vector), 3),
                              areas=sorted(examples[i].areas) or ["none"], text=examples[i].text[:160])
                    for i in nearest],
        reviews=reviews,
        metadata=meta.describe() if meta else [],
        organisation_prior=prior.evidence(meta) if isinstance(prior, OrganisationSignal) else {},
        thresholds={area: round(float(t), 3) for area, t in zip(model.areas, model.thresholds(lang), strict=True)},
    )  # fmt: skip


def label(strategy: Strategy, code: str, lang: str) -> str:
    item = strategy.find(code)
    return item.label.get(lang) if isinstance(item, Area | Topic) else code
