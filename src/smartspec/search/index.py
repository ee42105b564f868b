"""The project search index: each project's normalised terms and facet values, rebuilt by ``reindex``.

The text of a project is its title, acronym and summary (in the project's language) and its call topic's
title (English in CORDIS). The facets are what the search filters and counts: region (participations'
NUTS codes mapped to the strategy's regions), area and sub-topic (the project's effective classification),
programme, fund, year (start year, else the call year) and organisation type (of the participants).

Reindex after imports, classification runs and reviews; the facade does it. The full-text indexes follow
the table by themselves (SQLite triggers, PostgreSQL generated columns; see migration 0004).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine, Select, and_, delete, exists, func, select, union
from sqlalchemy.orm import Session, aliased

from smartspec.search.normalise import SearchNormaliser, Terms, make_search_normaliser, text_terms
from smartspec.store import models as m
from smartspec.store import sync_strategy, transaction
from smartspec.store.bulk import insert_rows
from smartspec.store.queries import call_year
from smartspec.strategy import Strategy

FACETS = ("region", "area", "topic", "programme", "fund", "year", "org_type")
CHUNK = 900  # ids per IN list: under SQLite's 999 bound parameters on old builds
CLASSIFIED = ("model", "review")  # the methods whose project labels count (as in classify.service)


class ReindexResult(BaseModel):
    normaliser: str
    projects: int  # projects (re)indexed
    full: bool  # whether the whole index was rebuilt
    duration_s: float


class IndexState(BaseModel):
    normaliser: str | None  # of the stored index; None when nothing is indexed
    indexed: int
    projects: int


def index_state(session: Session) -> IndexState:
    normaliser = session.scalar(select(m.ProjectSearch.normaliser).limit(1))
    indexed = session.scalar(select(func.count()).select_from(m.ProjectSearch)) or 0
    projects = session.scalar(select(func.count()).select_from(m.Project)) or 0
    return IndexState(normaliser=normaliser, indexed=indexed, projects=projects)


def reindex(engine: Engine, strategy: Strategy, project_ids: Iterable[int] | None = None, *,
            normaliser: SearchNormaliser | None = None) -> ReindexResult:  # fmt: skip
    """Rebuild the index of all projects, or of ``project_ids`` only (projects no longer there are dropped).

    Idempotent. Indexing only some projects rebuilds everything when the stored index was made by another
    normaliser, since old and new terms would not match each other."""
    started = dt.datetime.now(dt.UTC)
    normaliser = normaliser or make_search_normaliser()
    with transaction(engine) as session:
        strategy_id = sync_strategy(session, strategy).id
        other = session.scalar(
            select(m.ProjectSearch.normaliser).where(m.ProjectSearch.normaliser != normaliser.name).limit(1)
        )
        ids = None if project_ids is None or other is not None else sorted(set(project_ids))
        if ids is not None and _incomplete(session, len(ids)):
            ids = None  # projects outside ``project_ids`` lack their index rows (a store indexed before): all of them
        if ids is None:
            session.execute(delete(m.ProjectFacet))
            session.execute(delete(m.ProjectSearch))
            # A chunk of projects at a time, so that memory stays flat however many projects the store holds
            # (issue #15: a whole-store rebuild after importing 74.5k participations added 30 MB to the import).
            every = list(session.scalars(select(m.Project.id).order_by(m.Project.id)))
            chunks = [every[i : i + CHUNK] for i in range(0, len(every), CHUNK)]
        else:
            chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        count = 0
        for chunk in chunks:
            if ids is not None:
                session.execute(delete(m.ProjectFacet).where(m.ProjectFacet.project_id.in_(chunk)))
                session.execute(delete(m.ProjectSearch).where(m.ProjectSearch.project_id.in_(chunk)))
            count += _index(session, strategy, strategy_id, normaliser, chunk)
    duration = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return ReindexResult(normaliser=normaliser.name, projects=count, full=ids is None, duration_s=duration)


def _incomplete(session: Session, indexing: int) -> bool:
    """Whether more projects lack an index row than the ``indexing`` about to be indexed."""
    projects = session.scalar(select(func.count()).select_from(m.Project)) or 0
    indexed = session.scalar(select(func.count()).select_from(m.ProjectSearch)) or 0
    return projects - indexed > indexing


def batch_projects(session: Session, batch_id: int) -> list[int]:
    """The projects whose index rows an import batch may have changed: the projects it wrote or updated, those of
    the participations it wrote or updated, and those of the organisations it changed (an organisation's type is a
    facet of each of its projects). Rows an import found unchanged keep their earlier batch, so a repeated import
    touches nothing."""
    p = m.Participation
    query = union(
        select(m.Project.id).where(m.Project.import_batch_id == batch_id),
        select(p.project_id).where(p.import_batch_id == batch_id),
        select(p.project_id).join(m.Organisation, m.Organisation.id == p.organisation_id)
        .where(m.Organisation.import_batch_id == batch_id),
    )  # fmt: skip
    return sorted(session.scalars(query))


@dataclass
class _Row:
    id: int
    text: str
    lang: str | None
    topic_title: str
    year: int | None
    title_key: str
    funding: int | None
    facets: set[tuple[str, str]]


def _index(session: Session, strategy: Strategy, strategy_id: int, normaliser: SearchNormaliser,
           ids: list[int]) -> int:  # fmt: skip
    fund = aliased(m.FundingSource)
    query = (
        select(
            m.Project.id,
            m.Project.title,
            m.Project.acronym,
            m.Project.summary,
            m.Project.call_topic_title,
            m.Project.language,
            m.Project.start_date,
            m.Project.call_topic,
            m.Project.programme,
            fund.code,
            m.Project.ec_max_contribution_cents,
            m.Project.public_funding_cents,
        )
        .outerjoin(fund, fund.id == m.Project.funding_source_id)
        .where(m.Project.id.in_(ids))
    )
    rows: dict[int, _Row] = {}
    for (
        pid,
        title,
        acronym,
        summary,
        topic_title,
        lang,
        start,
        topic,
        programme,
        fund_code,
        ec,
        public,
    ) in session.execute(query):
        year = start.year if start is not None else call_year(topic)
        facets = {("programme", programme), ("fund", fund_code), ("year", str(year) if year else None)}
        rows[pid] = _Row(
            id=pid,
            text=" ".join(x for x in (title, acronym, summary) if x),
            lang=lang,
            topic_title=topic_title or "",
            year=year,
            title_key=(title or acronym or "").casefold(),
            funding=ec if ec is not None else public,
            facets={(f, v) for f, v in facets if v},
        )
    nuts = strategy.nuts_to_region()
    places = select(m.Participation.project_id, m.Participation.nuts_code, m.Organisation.org_type).join(
        m.Organisation, m.Organisation.id == m.Participation.organisation_id
    )
    for pid, code, org_type in session.execute(places.where(m.Participation.project_id.in_(ids))):
        region = nuts.get(code or "")
        if region:
            rows[pid].facets.add(("region", region))
        if org_type:
            rows[pid].facets.add(("org_type", org_type))
    for pid, code in session.execute(labels_query(strategy_id).where(m.Classification.record_id.in_(ids))):
        if pid in rows:
            rows[pid].facets.add(("area" if code.count(".") == 1 else "topic", code))
    now = dt.datetime.now(dt.UTC)
    search_rows: list[dict[str, object]] = []
    facet_rows: list[dict[str, object]] = []
    for row in rows.values():
        terms = _terms(normaliser, row)
        search_rows.append({"project_id": row.id, "normaliser": normaliser.name, "words": " ".join(terms.words),
                            "parts": " ".join(terms.parts), "year": row.year, "title_key": row.title_key,
                            "funding_cents": row.funding, "indexed_at": now})  # fmt: skip
        facet_rows.extend({"project_id": row.id, "facet": f, "value": v[:100]} for f, v in sorted(row.facets))
    insert_rows(session, m.ProjectSearch, search_rows)
    insert_rows(session, m.ProjectFacet, facet_rows)
    return len(search_rows)


def _terms(normaliser: SearchNormaliser, row: _Row) -> Terms:
    words: dict[str, None] = {}
    parts: dict[str, None] = {}
    # A text of unknown language is indexed both ways; the call topic title is English (CORDIS).
    pieces = [(row.text, lang) for lang in ([row.lang] if row.lang in ("fi", "en") else ["fi", "en"])]
    for text, lang in [*pieces, (row.topic_title, "en")]:
        terms = text_terms(normaliser, text, lang)
        words.update(dict.fromkeys(terms.words))
        parts.update(dict.fromkeys(terms.parts))
    return Terms(tuple(words), tuple(p for p in parts if p not in words))


def labels_query(strategy_id: int) -> Select[int, str]:
    """(project id, area or sub-topic code) of every project's effective labels: model and review rows, less
    codes a reviewer rejected; the same rule as ``classify.service.effective_labels``, as one query."""
    rejected = aliased(m.Classification)
    return (
        select(m.Classification.record_id, m.Classification.code)
        .distinct()
        .where(
            m.Classification.strategy_id == strategy_id,
            m.Classification.record_type == "project",
            m.Classification.method.in_(CLASSIFIED),
            m.Classification.status != "rejected",
            m.Classification.code != "none",
            ~exists().where(
                and_(
                    rejected.strategy_id == strategy_id,
                    rejected.record_type == "project",
                    rejected.record_id == m.Classification.record_id,
                    rejected.code == m.Classification.code,
                    rejected.status == "rejected",
                )
            ),
        )
    )
