"""Searching projects: full text over the normalised terms, facet filters and counts, order and pages.

A query word matches a project when one of its forms is among the project's terms (AND across words, OR
across a word's forms). SQLite answers through the FTS5 table, PostgreSQL through the tsvector columns; both
rank whole-word matches before compound-part ones, then by full-text rank (bm25 / ts_rank), then newest.
Facet counts for one facet apply every filter but that facet's own, so that its other values stay choosable.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import CTE, ColumnElement, Select, case, column, false, func, literal, literal_column, select, table
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smartspec.errors import InputError, Location, Problem, StoreError
from smartspec.search.index import FACETS
from smartspec.search.models import (
    Facet,
    FacetValue,
    MatchedTerm,
    QueryTerm,
    SearchItem,
    SearchQuery,
    SearchResult,
    Sort,
)
from smartspec.search.normalise import QueryWord, SearchNormaliser, make_search_normaliser, query_words
from smartspec.store import models as m
from smartspec.store.revision import Memo
from smartspec.strategy import Strategy

ORG_TYPES = {
    "PRC": ("Yritys", "Company"), "HES": ("Korkeakoulu", "Higher education"),
    "REC": ("Tutkimuslaitos", "Research organisation"), "PUB": ("Julkinen toimija", "Public body"),
    "OTH": ("Muu", "Other"),
}  # fmt: skip
T = TypeVar("T")
PROGRESS_STEPS = 10_000  # SQLite virtual machine steps between time-limit checks (about a millisecond)


def search_projects(session: Session, strategy: Strategy, q: SearchQuery, *, timeout_s: float | None = None,
                    normaliser: SearchNormaliser | None = None, memo: Memo | None = None) -> SearchResult:  # fmt: skip
    """Projects matching ``q``, one page of them, with facet counts. ``timeout_s`` bounds the search's queries
    (PostgreSQL statement_timeout, a progress handler on SQLite); the store's engine sets its own limit too.

    ``memo(key, compute)`` may answer parts of the search from a cache (the facade's, valid while the data do not
    change): the total and facet counts per (query words, filters), the page per (words, filters, order, page).
    The words are the query's normalised forms, so "Matkailun" and "matkailun " share their entries."""
    normaliser = normaliser or make_search_normaliser()
    _check_codes(strategy, q)
    words, ignored = query_words(normaliser, q.q)
    has_text = bool(q.q.strip())
    text_key = (has_text, tuple((w.word, w.forms) for w in words))
    filters_key = tuple((name, tuple(sorted({str(v) for v in getattr(q, name)}))) for name in FACETS)
    remember = memo or _compute

    def counts() -> tuple[int, list[Facet]]:
        with _time_limit(session, timeout_s):
            _check_index(session, normaliser)
            matched = _matched(session, words, has_text)
            total = session.scalar(select(func.count()).select_from(_filtered(matched, q).subquery())) or 0
            return total, _facets(session, strategy, matched, q, everything=not has_text)

    def page() -> list[SearchItem]:
        with _time_limit(session, timeout_s):
            _check_index(session, normaliser)
            return _page(session, _matched(session, words, has_text), q, words)

    total, facets = remember(("search-counts", normaliser.name, text_key, filters_key), counts)
    items = remember(("search-page", normaliser.name, text_key, filters_key, q.sort, q.page, q.per_page), page)
    return SearchResult(
        query=q, total=total, pages=math.ceil(total / q.per_page), items=items, facets=facets,
        terms=[QueryTerm(word=w.word, forms=list(w.forms)) for w in words], ignored_words=ignored,
        normaliser=normaliser.name,
    )  # fmt: skip


def _compute(_key: Hashable, compute: Callable[[], T]) -> T:
    return compute()


def _check_index(session: Session, normaliser: SearchNormaliser) -> None:
    stored = session.scalar(select(m.ProjectSearch.normaliser).limit(1))
    if stored is not None and stored != normaliser.name:
        raise StoreError(
            f"the search index was built with {stored}, this smartspec searches with {normaliser.name}",
            hint="rebuild the index: `smartspec search --reindex` (or Observatory.reindex())",
        )


def _check_codes(strategy: Strategy, q: SearchQuery) -> None:
    known = {
        "region": [r.code for r in strategy.regions],
        "area": strategy.area_codes(),
        "topic": [t.code for t in strategy.topics()],
    }
    problems = [
        Problem(f"{name} {value!r} is not in the strategy {strategy.code}",
                where=Location("search parameters", field=name), hint=f"use one of {', '.join(codes)}")
        for name, codes in known.items() for value in getattr(q, name) if value not in codes
    ]  # fmt: skip
    if problems:
        raise InputError("the search parameters are not valid / hakuehdot eivät kelpaa", problems=problems)


def _matched(session: Session, words: list[QueryWord], has_text: bool) -> CTE:
    """(project_id, level, score) of the projects the text matches: level 0 = every word as a whole word,
    1 = some word only as a compound part; lower score = better full-text rank."""
    if not has_text:
        return select(m.ProjectSearch.project_id, literal(0).label("level"), literal(0.0).label("score")).cte("matched")
    if not words:  # only stop words: nothing to find
        return (
            select(m.ProjectSearch.project_id, literal(0).label("level"), literal(0.0).label("score"))
            .where(false())
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
    if session.get_bind().dialect.name == "sqlite":
        # Forms hold only letters and digits (normalise.WORD), so quoting each makes a safe FTS5 expression.
        expression = " AND ".join("(" + " OR ".join(f'"{f}"' for f in w.forms) + ")" for w in words)
        fts = table("project_search_fts", column("rowid"))
        # A second cursor on the FTS table for whole words only; "column MATCH" filters to that column.
        whole_fts = table("project_search_fts", column("rowid"), column("words")).alias("whole_fts")
        whole = select(whole_fts.c.rowid).where(whole_fts.c.words.op("MATCH")(expression))
        return (
            select(
                fts.c.rowid.label("project_id"),
                case((fts.c.rowid.in_(whole), 0), else_=1).label("level"),
                literal_column("bm25(project_search_fts)").label("score"),
            )
            .where(literal_column("project_search_fts").op("MATCH")(expression))
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
    tsquery = func.to_tsquery(literal_column("'simple'"),
                              " & ".join("(" + " | ".join(w.forms) + ")" for w in words))  # fmt: skip
    words_tsv: ColumnElement[object] = literal_column("project_search.words_tsv")
    terms_tsv: ColumnElement[object] = literal_column("project_search.terms_tsv")
    return (
        select(
            m.ProjectSearch.project_id,
            case((words_tsv.op("@@")(tsquery), 0), else_=1).label("level"),
            (-func.ts_rank(terms_tsv, tsquery)).label("score"),
        )
        .where(terms_tsv.op("@@")(tsquery))
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )


def _filters(matched: CTE, q: SearchQuery, leave_out: str | None = None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    for name in FACETS:
        values = [str(v) for v in getattr(q, name)]
        if values and name != leave_out:
            having = select(m.ProjectFacet.project_id).where(m.ProjectFacet.facet == name,
                                                             m.ProjectFacet.value.in_(values))  # fmt: skip
            out.append(matched.c.project_id.in_(having))
    return out


def _filtered(matched: CTE, q: SearchQuery, leave_out: str | None = None) -> Select[int]:
    return select(matched.c.project_id).where(*_filters(matched, q, leave_out))


def _order(session: Session, matched: CTE, sort: Sort) -> list[ColumnElement[Any]]:
    s, p = m.ProjectSearch, m.Project
    title = s.title_key.collate("C") if session.get_bind().dialect.name == "postgresql" else s.title_key
    orders: dict[Sort, list[ColumnElement[Any]]] = {
        Sort.relevance: [matched.c.level.asc(), matched.c.score.asc(), s.year.desc().nulls_last(), p.id.desc()],
        Sort.newest: [s.year.desc().nulls_last(), p.start_date.desc().nulls_last(), p.id.desc()],
        Sort.oldest: [s.year.asc().nulls_last(), p.start_date.asc().nulls_last(), p.id.asc()],
        Sort.title: [title.asc(), p.id.asc()],  # C collation on PostgreSQL: code points, as SQLite compares
        Sort.funding: [s.funding_cents.desc().nulls_last(), p.id.desc()],
    }
    return orders[sort]


def _page(session: Session, matched: CTE, q: SearchQuery, words: list[QueryWord]) -> list[SearchItem]:
    p, s = m.Project, m.ProjectSearch
    query = (
        select(
            p.id,
            p.source,
            p.source_id,
            p.title,
            p.acronym,
            s.year,
            p.programme,
            m.FundingSource.code,
            p.ec_max_contribution_cents,
            p.public_funding_cents,
            s.words,
            s.parts,
        )
        .select_from(matched)
        .join(p, p.id == matched.c.project_id)
        .join(s, s.project_id == p.id)
        .outerjoin(m.FundingSource, m.FundingSource.id == p.funding_source_id)
        .where(*_filters(matched, q))
        .order_by(*_order(session, matched, q.sort))
        .limit(q.per_page)
        .offset((q.page - 1) * q.per_page)
    )
    rows = session.execute(query).all()
    values: dict[tuple[int, str], list[str]] = defaultdict(list)
    facet_query = select(m.ProjectFacet.project_id, m.ProjectFacet.facet, m.ProjectFacet.value).where(
        m.ProjectFacet.project_id.in_([row[0] for row in rows]),
        m.ProjectFacet.facet.in_(("area", "topic", "region")),
    )
    for pid, facet, value in session.execute(facet_query):
        values[(pid, facet)].append(value)
    items = []
    for pid, source, source_id, title, acronym, year, programme, fund, ec, public, whole, parts in rows:
        matched_terms = _matched_terms(words, set(whole.split()), set(parts.split()))
        kinds = {t.word: t.kind for t in sorted(matched_terms, key=lambda t: t.kind, reverse=True)}
        match = None if not words else "word" if all(k == "word" for k in kinds.values()) else "part"
        items.append(SearchItem(
            id=pid, source=source, source_id=source_id, title=title, acronym=acronym, year=year,
            programme=programme, fund=fund, areas=sorted(values[(pid, "area")]),
            topics=sorted(values[(pid, "topic")]), regions=sorted(values[(pid, "region")]),
            ec_contribution_cents=ec, public_funding_cents=public, match=match, matched=matched_terms,
        ))  # fmt: skip
    return items


def _matched_terms(words: list[QueryWord], whole: set[str], parts: set[str]) -> list[MatchedTerm]:
    out: list[MatchedTerm] = []
    for word in words:
        out.extend(MatchedTerm(word=word.word, term=f, kind="word") for f in word.forms if f in whole)
        out.extend(MatchedTerm(word=word.word, term=f, kind="part") for f in word.forms if f in parts)
    return out


def _facets(session: Session, strategy: Strategy, matched: CTE, q: SearchQuery, everything: bool) -> list[Facet]:
    """Every facet's value counts. The facets without a chosen value all count the same projects (those matching
    the text and every filter), so one grouped query counts them together; a facet with chosen values counts the
    projects matching every filter but its own, one query each.

    A text's matches are few next to the facet rows (75,000 in the demo), so their counts start from the matches and
    look each one's facets up by project (SQLite would otherwise scan the facet index: 4-5 times the time); without
    a text the counts scan the facet index, which is faster for the large sets filters leave."""
    f = m.ProjectFacet
    chosen = [name for name in FACETS if getattr(q, name)]
    groups = [[name for name in FACETS if name not in chosen], *([name] for name in chosen)]
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for names in groups:
        if not names:
            continue
        leave_out = names[0] if names[0] in chosen else None
        query = select(f.facet, f.value, func.count()).where(f.facet.in_(names)).group_by(f.facet, f.value)
        if not everything:
            ids = _filtered(matched, q, leave_out=leave_out).subquery()
            query = query.select_from(ids).join(f, f.project_id == ids.c.project_id)
        elif _filters(matched, q, leave_out=leave_out):
            query = query.where(f.project_id.in_(_filtered(matched, q, leave_out=leave_out)))
        for facet, value, count in session.execute(query):
            counts[facet][value] = count
    return [_facet(session, strategy, q, name, counts[name]) for name in FACETS]


def _facet(session: Session, strategy: Strategy, q: SearchQuery, name: str, counts: dict[str, int]) -> Facet:
    selected = {str(v) for v in getattr(q, name)}
    labels = _labels(session, strategy, name)
    order = list(labels)  # the strategy's order for regions, areas and sub-topics
    values = [
        FacetValue(value=value, label_fi=labels.get(value, (value, value))[0],
                   label_en=labels.get(value, (value, value))[1], count=counts.get(value, 0),
                   selected=value in selected)
        for value in set(counts) | selected
    ]  # fmt: skip
    if name in ("region", "area", "topic"):
        values.sort(key=lambda v: (order.index(v.value) if v.value in order else len(order), v.value))
    elif name == "year":
        values.sort(key=lambda v: v.value, reverse=True)
    else:
        values.sort(key=lambda v: (-v.count, v.value))
    return Facet(name=name, values=values)


def _labels(session: Session, strategy: Strategy, name: str) -> dict[str, tuple[str, str]]:
    if name == "region":
        return {r.code: (r.name.fi, r.name.en) for r in strategy.regions}
    if name == "area":
        return {a.code: (a.label.fi, a.label.en) for a in strategy.areas()}
    if name == "topic":
        return {t.code: (t.label.fi, t.label.en) for t in strategy.topics()}
    if name == "fund":
        funds = select(m.FundingSource.code, m.FundingSource.name_fi, m.FundingSource.name_en)
        return {code: (fi, en) for code, fi, en in session.execute(funds)}
    return dict(ORG_TYPES) if name == "org_type" else {}


@contextmanager
def _time_limit(session: Session, timeout_s: float | None) -> Iterator[None]:
    """Stop the search's queries after ``timeout_s`` with a StoreError that says so."""
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    sqlite_connection = raw if isinstance(raw, sqlite3.Connection) else None
    if timeout_s is not None:
        if sqlite_connection is not None:
            deadline = time.monotonic() + timeout_s
            # SQLite has no statement timeout; the progress handler runs every PROGRESS_STEPS virtual machine steps
            # and a true result interrupts the statement (https://sqlite.org/c3ref/progress_handler.html).
            sqlite_connection.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}")
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc) or "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise StoreError(
                f"the search took longer than its time limit{f' of {timeout_s:g} s' if timeout_s else ''}",
                hint="search with more words or filters, or raise SMARTSPEC_QUERY_TIMEOUT_S",
            ) from exc
        raise
    finally:
        if sqlite_connection is not None and timeout_s is not None:
            sqlite_connection.set_progress_handler(None, 0)
