"""The signals a classification combines, each behind one interface.

A signal turns a batch of texts into a feature block. Built-ins: ``lexical`` (TF-IDF cosine and keyword hits
against the strategy's bilingual descriptions), ``semantic`` (cosine to the areas' embedded descriptions),
``keywords`` (cosine to each of the areas' keywords embedded one by one, a lexicon matched by meaning), ``embedding``
(the text's own embedding), ``terms`` (a bag of normalised terms learnt from labelled examples) and ``precision``
(how surely a text's terms point to each area, learnt from labelled examples with the strategy's keywords as the
prior). A new signal is one class registered in ``SIGNALS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.lexical import LexicalMatch, LexicalScorer
from smartspec.strategy import Area, Strategy, Topic

if TYPE_CHECKING:
    from smartspec.classify.metadata import RecordMeta


@dataclass
class Batch:
    """Texts to classify, with what the signals compute once and share."""

    texts: list[str]
    langs: list[str]
    embedder: CachedEmbedder
    lexical: LexicalScorer
    meta: list[RecordMeta | None] | None = None  # each text's record metadata, where known
    _embeddings: np.ndarray | None = None
    _matches: list[LexicalMatch] | None = None
    _terms: list[list[str]] | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def metadata(self) -> list[RecordMeta | None]:
        return self.meta if self.meta is not None else [None] * len(self.texts)

    @property
    def embeddings(self) -> np.ndarray:
        if self._embeddings is None:
            self._embeddings = self.embedder.embed(self.texts)
        return self._embeddings

    @property
    def matches(self) -> list[LexicalMatch]:
        if self._matches is None:
            self._matches = self.lexical.score(self.texts, self.langs)
        return self._matches

    @property
    def terms(self) -> list[list[str]]:
        if self._terms is None:
            self._terms = [self.lexical.terms(text, lang) for text, lang in zip(self.texts, self.langs, strict=True)]
        return self._terms

    def subset(self, rows: np.ndarray) -> Batch:
        meta = None if self.meta is None else [self.meta[i] for i in rows]
        part = Batch([self.texts[i] for i in rows], [self.langs[i] for i in rows], self.embedder, self.lexical, meta)
        if self._embeddings is not None:
            part._embeddings = self._embeddings[rows]
        if self._matches is not None:
            part._matches = [self._matches[i] for i in rows]
        if self._terms is not None:
            part._terms = [self._terms[i] for i in rows]
        return part


class Signal(Protocol):
    name: str
    dense: bool  # dense blocks are standardised; sparse blocks are used as they are
    score: bool  # one of the few, informative score blocks the model weights up

    def fit(self, batch: Batch, labels: np.ndarray) -> np.ndarray | None:
        """Learn from the training batch. A signal whose features on the training texts must not see each text's
        own label returns those features here; the others return None."""
        ...

    def features(self, batch: Batch) -> np.ndarray | sparse.csr_matrix: ...


class SignalClass(Protocol):
    name: str

    def build(self, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> Signal: ...


# The signals by name, in the order the default configuration uses them.
SIGNALS: dict[str, SignalClass] = {}


def register_signal(cls: Any) -> Any:
    """Class decorator: make a signal available by its ``name`` (configurations list signals by name)."""
    SIGNALS[cls.name] = cls
    return cls


def keyword_terms(strategy: Strategy, scorer: LexicalScorer) -> list[set[str]]:
    """Per area, the normalised terms of its and its sub-topics' labels and keywords in both languages."""
    normaliser = scorer.normaliser
    sets: list[set[str]] = []
    for area in strategy.areas():
        terms: set[str] = set()
        items: list[Area | Topic] = [area, *area.topics]
        for item in items:
            for lang in ("fi", "en"):
                terms.update(normaliser.terms(" ".join(item.keywords.get(lang)), lang))
                terms.update(normaliser.terms(item.label.get(lang), lang))
        sets.append(terms)
    return sets


@register_signal
class LexicalSignal:
    """TF-IDF cosine to each area's description, and keyword hits weighted by how specific each keyword is."""

    name = "lexical"
    dense = True

    score = True

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> LexicalSignal:
        return cls(strategy, scorer)

    def __init__(self, strategy: Strategy, scorer: LexicalScorer) -> None:
        self.keyword_sets = keyword_terms(strategy, scorer)
        frequency: dict[str, int] = {}
        for terms in self.keyword_sets:
            for term in terms:
                frequency[term] = frequency.get(term, 0) + 1
        self.specificity = {term: 1.0 / count for term, count in frequency.items()}

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        return None

    def features(self, batch: Batch) -> np.ndarray:
        cosine = np.vstack([match.scores for match in batch.matches])
        hits = np.zeros_like(cosine)
        for row, terms in enumerate(batch.terms):
            present = set(terms)
            for column, keywords in enumerate(self.keyword_sets):
                hits[row, column] = sum(self.specificity[t] for t in present & keywords)
        return np.hstack([cosine, hits])


@register_signal
class SemanticSignal:
    """Cosine between a text's embedding and each area's embedded description, in the text's language."""

    name = "semantic"
    dense = True

    score = True

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> SemanticSignal:
        return cls(strategy, embedder)

    def __init__(self, strategy: Strategy, embedder: CachedEmbedder) -> None:
        self.prototypes = {}
        for lang in ("fi", "en"):
            texts = [f"{a.label.get(lang)}. {a.description.get(lang)} {', '.join(a.keywords.get(lang))}"
                     for a in strategy.areas()]  # fmt: skip
            self.prototypes[lang] = embedder.embed(texts)

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        return None

    def features(self, batch: Batch) -> np.ndarray:
        vectors = batch.embeddings
        out = np.zeros((len(batch), len(self.prototypes["fi"])), dtype=np.float32)
        for lang, prototypes in self.prototypes.items():
            rows = [i for i, text_lang in enumerate(batch.langs) if text_lang == lang]
            if rows:
                out[rows] = vectors[rows] @ prototypes.T
        return out


@register_signal
class KeywordSignal:
    """The strategy's keywords matched by meaning: each keyword phrase is embedded on its own, and a text gets, per
    area, its best cosine to one of the area's keywords and the mean of its three best.

    This reaches words the keyword lists do not spell out ("koiravaljakkosafari" is near "safari" and "husky") and
    crosses languages, which matters for short Finnish titles that share few exact terms with the descriptions.
    """

    name = "keywords"
    dense = True

    score = True

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> KeywordSignal:
        return cls(strategy, embedder)

    TOP = 3

    def __init__(self, strategy: Strategy, embedder: CachedEmbedder) -> None:
        phrases: list[str] = []
        owners: list[int] = []
        for column, area in enumerate(strategy.areas()):
            items: list[Area | Topic] = [area, *area.topics]
            own = dict.fromkeys(phrase for item in items for lang in ("fi", "en") for phrase in item.keywords.get(lang))
            phrases += own
            owners += [column] * len(own)
        self.phrases = phrases
        self.vectors = embedder.embed(phrases)
        self.owners = np.array(owners)
        self.areas = len(strategy.area_codes())

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        return None

    def features(self, batch: Batch) -> np.ndarray:
        similarity = batch.embeddings @ self.vectors.T
        out = np.zeros((len(batch), 2 * self.areas), dtype=np.float32)
        for column in range(self.areas):
            ranked = np.sort(similarity[:, self.owners == column], axis=1)
            out[:, column] = ranked[:, -1]
            out[:, self.areas + column] = ranked[:, -self.TOP :].mean(axis=1)
        return out

    def nearest(self, vector: np.ndarray, column: int) -> list[tuple[str, float]]:
        """Evidence: the area's keywords nearest in meaning to one text's embedding, with their cosine."""
        rows = np.flatnonzero(self.owners == column)
        return nearest_phrases(self.phrases, rows, self.vectors[rows] @ vector, self.TOP)


def nearest_phrases(phrases: list[str], rows: np.ndarray, similarity: np.ndarray, top: int) -> list[tuple[str, float]]:
    """The ``top`` phrases among ``rows`` with the highest ``similarity`` (one value per row), with it rounded."""
    best = np.argsort(-similarity)[:top]
    return [(phrases[rows[i]], round(float(similarity[i]), 3)) for i in best]


@register_signal
class EmbeddingSignal:
    """The text's embedding itself, for the supervised heads."""

    name = "embedding"
    dense = True

    score = False

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> EmbeddingSignal:
        return cls()

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        return None

    def features(self, batch: Batch) -> np.ndarray:
        return batch.embeddings


@register_signal
class TermsSignal:
    """A bag of normalised terms (lemmas, compound parts or stems) learnt from the labelled examples."""

    name = "terms"
    dense = False

    score = False

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> TermsSignal:
        return cls()

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        self.vectorizer.fit(batch.terms)
        return

    def features(self, batch: Batch) -> sparse.csr_matrix:
        return sparse.csr_matrix(self.vectorizer.transform(batch.terms))


def _identity(terms: list[str]) -> list[str]:
    return terms


@register_signal
class PrecisionSignal:
    """How surely a text's terms point to each area: per area, the best and the summed precision of its terms.

    A term's precision for an area is the share of the labelled texts holding the term that carry the area,
    smoothed towards a prior: ``(k + prior_weight * prior) / (n + prior_weight)``. The prior is ``keyword_prior`` for
    the area's own strategy keywords and the area's share of all labelled texts for any other term. So a keyword
    nobody has labelled yet ("lakritsi" is not one, "panimo" is) still points to its area, a keyword that labelled
    texts contradict ("kone" in countless machine purchases that are ``none``) stops pointing there, and a word that is
    not a keyword but keeps appearing in an area's texts ("pakari", "kylpylä") comes to point to it.

    The ``terms`` signal learns word weights too, but as one regularised linear head per area over thousands of
    words; a word seen in three bakery titles hardly moves it. This signal turns each word's evidence into a few
    bounded scores the heads weight strongly, which is what short titles of one telling word need.

    Written here rather than taken from scikit-learn: its naive Bayes classifiers smooth towards a uniform prior and
    cannot take a per-term, per-area prior, and the leave-one-out counts below are a few lines of sparse algebra.
    On the training texts each text's own label is taken out of the counts (leave-one-out), or the heads would
    learn to trust scores that merely echo the labels.
    """

    name = "precision"
    dense = True

    score = True

    @classmethod
    def build(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> PrecisionSignal:
        return cls(strategy, scorer)

    def __init__(self, strategy: Strategy, scorer: LexicalScorer, prior_weight: float = 2.0,
                 keyword_prior: float = 0.5) -> None:  # fmt: skip
        self.keyword_sets = keyword_terms(strategy, scorer)
        self.prior_weight, self.keyword_prior = prior_weight, keyword_prior
        self.vocabulary: dict[str, int] = {}
        self.counts: np.ndarray = np.zeros(0)  # per term: labelled texts holding it
        self.hits: np.ndarray = np.zeros((0, len(self.keyword_sets)))  # per term and area: those with the area
        self.prior: np.ndarray = np.zeros((0, len(self.keyword_sets)))
        self.base: np.ndarray = np.zeros(len(self.keyword_sets))
        self.unseen: dict[str, np.ndarray] = {}  # keywords no labelled text holds: their prior per area

    def _presence(self, batch: Batch, grow: bool) -> sparse.csr_matrix:
        rows, columns = [], []
        for row, terms in enumerate(batch.terms):
            for term in set(terms):
                column = self.vocabulary.setdefault(term, len(self.vocabulary)) if grow else self.vocabulary.get(term)
                if column is not None:
                    rows.append(row)
                    columns.append(column)
        shape = (len(batch), len(self.vocabulary))
        return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=shape)

    def fit(self, batch: Batch, labels: np.ndarray) -> np.ndarray:
        self.vocabulary, self.unseen = {}, {}
        presence = self._presence(batch, grow=True)
        # float32 keeps the stored model small; counts stay exact far beyond any gold set's size
        self.counts = np.asarray(presence.sum(axis=0), dtype=np.float32).ravel()
        self.hits = np.asarray((presence.T @ labels), dtype=np.float32)
        self.base = labels.mean(axis=0) if len(labels) else np.zeros(len(self.keyword_sets))
        self.prior = np.tile(self.base, (len(self.vocabulary), 1)).astype(np.float32)
        for column, keywords in enumerate(self.keyword_sets):
            for term in keywords:
                if term in self.vocabulary:
                    index = self.vocabulary[term]
                    self.prior[index, column] = max(self.keyword_prior, self.base[column])
                else:
                    self.unseen.setdefault(term, np.zeros(len(self.keyword_sets)))[column] = self.keyword_prior
        return self._scores(presence, batch.terms, labels)

    def features(self, batch: Batch) -> np.ndarray:
        return self._scores(self._presence(batch, grow=False), batch.terms, None)

    def _scores(self, presence: sparse.csr_matrix, terms: list[list[str]], own: np.ndarray | None) -> np.ndarray:
        areas = len(self.keyword_sets)
        out = np.zeros((presence.shape[0], 2 * areas))
        for row in range(presence.shape[0]):
            columns = presence.indices[presence.indptr[row] : presence.indptr[row + 1]]
            counts, hits = self.counts[columns][:, None], self.hits[columns]
            if own is not None:  # leave the text's own label out
                counts, hits = counts - 1, hits - own[row][None, :]
            precision = (hits + self.prior_weight * self.prior[columns]) / (counts + self.prior_weight)
            known = np.zeros(areas)
            for term in set(terms[row]) & self.unseen.keys():
                known = np.maximum(known, self.unseen[term])
            best = precision.max(axis=0) if len(columns) else self.base
            out[row, :areas] = np.maximum(best, known)
            out[row, areas:] = precision.sum(axis=0) + known
        return out


def make_signal(name: str, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> Signal:
    try:
        factory = SIGNALS[name]
    except KeyError:
        raise ValueError(f"unknown signal {name!r}; known: {', '.join(SIGNALS)}") from None
    return factory.build(strategy, scorer, embedder)
