"""Record metadata as evidence: what a stored project carries besides its text.

A CORDIS project carries EuroSciVoc fields (paths such as /engineering and technology/environmental
engineering/…), a call topic code (HORIZON-CL5-2022-D3-01-02) and its title, a funding scheme and a legal basis;
a structural-funds project carries its fund (ERDF/EAKR, ESF/ESR), priority axis and granting authority; both carry
their organisations. Two signals learn from them:

* ``metadata``: a bag of tokens (``fund:ESR``, ``fund:ESR/axis:3``, ``field:/natural sciences``,
  ``call:HORIZON-CL5``, ``call:HORIZON-CL5-D3``, the call title's normalised terms …), which the heads weight like
  the bag of terms;
* ``organisations``: a prior from the organisation's other labelled projects: per area, the smoothed share of
  them that carry the area (the best over the project's organisations), and how many there are. On the training
  examples each one's own labels are left out of its organisations' counts (leave-one-out), or the heads would
  learn to trust a prior that merely echoes the labels.

A labelled example gets its record's metadata when its id names a stored record (``cordis:101…``,
``eura:A71030``, ``project:ID`` for reviewed projects); otherwise it has none and both signals see nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.signals import Batch, _identity, register_signal  # _identity: one analyser (models pickle it)
from smartspec.classify.training import Example
from smartspec.store import models as m
from smartspec.strategy import Strategy

METADATA_SIGNALS = ("metadata", "organisations")
_YEAR = re.compile(r"-(19|20)\d\d(?=-|$)")


@dataclass(frozen=True)
class RecordMeta:
    """The metadata of one stored project that the classifier uses."""

    record: str  # source:source_id
    tokens: tuple[str, ...] = ()  # fund, axis, authority, scheme, legal basis, call topic levels, field paths
    call_title: str = ""
    fields: tuple[str, ...] = ()  # EuroSciVoc paths (for explain)
    organisations: tuple[int, ...] = ()

    def describe(self) -> list[str]:
        """What a reviewer reads in `classify explain`."""
        shown = [token for token in self.tokens if not token.startswith("field:")]
        shown += [f"field:{path}" for path in self.fields]
        if self.call_title:
            shown.append(f"call title: {self.call_title}")
        return shown


def call_levels(code: str) -> list[str]:
    """A call topic code at its levels, the year left out: HORIZON-CL5-2022-D3-01-02 → HORIZON-CL5,
    HORIZON-CL5-D3, HORIZON-CL5-D3-01, HORIZON-CL5-D3-01-02."""
    parts = _YEAR.sub("", code.strip().upper()).split("-")
    return ["-".join(parts[:size]) for size in range(2, len(parts) + 1)] or [code]


def field_levels(path: str) -> list[str]:
    """A EuroSciVoc path at its first three levels: /a/b/c/d → /a, /a/b, /a/b/c."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:size]) for size in range(1, min(3, len(parts)) + 1)]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def record_metadata(session: Session, project_ids: list[int]) -> dict[int, RecordMeta]:
    """The metadata of stored projects, by project id."""
    out: dict[int, RecordMeta] = {}
    fields: dict[int, list[str]] = defaultdict(list)
    organisations: dict[int, list[int]] = defaultdict(list)
    funds = {row.id: row.code for row in session.scalars(select(m.FundingSource))}
    for start in range(0, len(project_ids), 900):
        chunk = project_ids[start : start + 900]
        query = select(m.ProjectLabel.project_id, m.ProjectLabel.path).where(
            m.ProjectLabel.project_id.in_(chunk), m.ProjectLabel.scheme == "euroscivoc"
        )
        for project_id, path in session.execute(query):
            if path:
                fields[project_id].append(path)
        members = select(m.Participation.project_id, m.Participation.organisation_id).where(
            m.Participation.project_id.in_(chunk)
        )
        for project_id, organisation_id in session.execute(members):
            organisations[project_id].append(organisation_id)
        for project in session.scalars(select(m.Project).where(m.Project.id.in_(chunk))):
            tokens: list[str] = []
            fund = funds.get(project.funding_source_id) if project.funding_source_id else None
            if fund:
                tokens.append(f"fund:{fund}")
                if project.priority_axis:
                    tokens.append(f"fund:{fund}/axis:{_clean(project.priority_axis)}")
            for name, value in (("authority", project.authority), ("scheme", project.funding_scheme),
                                ("legal", project.legal_basis)):  # fmt: skip
                if _clean(value):
                    tokens.append(f"{name}:{_clean(value).casefold()}")
            if project.call_topic:
                tokens += [f"call:{level}" for level in call_levels(project.call_topic)]
            paths = sorted(set(fields.get(project.id, [])))
            tokens += sorted({f"field:{level}" for path in paths for level in field_levels(path)})
            out[project.id] = RecordMeta(f"{project.source}:{project.source_id}", tuple(dict.fromkeys(tokens)),
                                         _clean(project.call_topic_title), tuple(paths),
                                         tuple(sorted(set(organisations.get(project.id, [])))))  # fmt: skip
    return out


def _record_key(identifier: str) -> tuple[str, str] | None:
    source, _, source_id = identifier.partition(":")
    return (source, source_id) if source and source_id else None


def with_metadata(session: Session, examples: list[Example]) -> list[Example]:
    """``examples`` with the metadata of the stored records their ids name (``source:source_id`` or
    ``project:ID``); the others unchanged."""
    by_key: dict[tuple[str, str], int] = {}
    keys = {key for key in map(_record_key, (e.id for e in examples)) if key and key[0] != "project"}
    wanted = sorted(keys)
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        query = select(m.Project.source, m.Project.source_id, m.Project.id).where(
            tuple_(m.Project.source, m.Project.source_id).in_(chunk)
        )
        for source, source_id, project_id in session.execute(query):
            by_key[(source, source_id)] = project_id
    ids: dict[str, int] = {}
    for example in examples:
        key = _record_key(example.id)
        if key is None:
            continue
        if key[0] == "project" and key[1].isdigit():
            ids[example.id] = int(key[1])
        elif key in by_key:
            ids[example.id] = by_key[key]
    metadata = record_metadata(session, sorted(set(ids.values())))
    return [dataclasses.replace(e, meta=metadata.get(ids[e.id])) if e.id in ids else e for e in examples]


@register_signal
class MetadataSignal:
    """The record's metadata tokens and its call title's normalised terms, as a bag the heads learn from."""

    name = "metadata"
    dense = False
    score = False

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> MetadataSignal:
        return cls()

    def __init__(self) -> None:
        # the call title's terms come from the batch's normaliser: a stored model keeps no normaliser (Voikko's
        # handle cannot be pickled, and the toolkit that loads a model brings the one it was trained with)
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, use_idf=False)
        self.fitted = False

    def _bags(self, batch: Batch) -> list[list[str]]:
        bags: list[list[str]] = []
        for meta in batch.metadata:
            if meta is None:
                bags.append([])
                continue
            title = [f"title:{term}" for term in batch.lexical.terms(meta.call_title, "en")] if meta.call_title else []
            bags.append([*meta.tokens, *dict.fromkeys(title)])
        return bags

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        bags = self._bags(batch)
        self.fitted = sum(1 for bag in bags if bag) >= 2
        if self.fitted:
            try:
                self.vectorizer.fit(bags)
            except ValueError:  # no token occurs twice
                self.fitted = False

    def features(self, batch: Batch) -> sparse.csr_matrix:
        if not self.fitted:
            return sparse.csr_matrix((len(batch), 1))
        return sparse.csr_matrix(self.vectorizer.transform(self._bags(batch)))


@register_signal
class OrganisationSignal:
    """A prior from the organisation's other labelled projects: per area the smoothed share of them carrying the
    area (the best over the project's organisations), and the log of how many there are."""

    name = "organisations"
    dense = True
    score = True

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> OrganisationSignal:
        return cls(len(strategy.area_codes()))

    def __init__(self, areas: int, prior_weight: float = 2.0) -> None:
        self.areas = areas
        self.prior_weight = prior_weight
        self.counts: dict[int, int] = {}  # labelled projects per organisation
        self.hits: dict[int, np.ndarray] = {}  # … and per area, those carrying it
        self.base = np.zeros(areas)

    def fit(self, batch: Batch, labels: np.ndarray) -> np.ndarray:
        self.counts, self.hits = {}, {}
        self.base = labels.mean(axis=0) if len(labels) else np.zeros(self.areas)
        for row, meta in enumerate(batch.metadata):
            for organisation in meta.organisations if meta else ():
                self.counts[organisation] = self.counts.get(organisation, 0) + 1
                self.hits[organisation] = self.hits.get(organisation, np.zeros(self.areas)) + labels[row]
        return self._scores(batch, labels)

    def features(self, batch: Batch) -> np.ndarray:
        return self._scores(batch, None)

    def _scores(self, batch: Batch, own: np.ndarray | None) -> np.ndarray:
        out = np.zeros((len(batch), self.areas + 1))
        out[:, : self.areas] = self.base
        for row, meta in enumerate(batch.metadata):
            best, seen = None, 0
            for organisation in meta.organisations if meta else ():
                count = self.counts.get(organisation, 0)
                hits = self.hits.get(organisation, np.zeros(self.areas))
                if own is not None:  # the example's own labels are not evidence about itself
                    count, hits = count - 1, hits - own[row]
                if count <= 0:
                    continue
                share = (hits + self.prior_weight * self.base) / (count + self.prior_weight)
                best = share if best is None else np.maximum(best, share)
                seen = max(seen, count)
            if best is not None:
                out[row, : self.areas] = best
                out[row, self.areas] = np.log1p(seen)
        return out

    def evidence(self, meta: RecordMeta | None) -> dict[str, object]:
        """The organisations' labelled projects behind a record's prior (for `classify explain`)."""
        organisations = [o for o in (meta.organisations if meta else ()) if self.counts.get(o)]
        return {"organisations": len(organisations),
                "labelled_projects": sum(self.counts[o] for o in organisations)}  # fmt: skip
