"""The signals a classification combines, each behind one interface.

A signal turns a batch of texts into a feature block. Built-ins: ``lexical`` (TF-IDF cosine and keyword hits
against the strategy's bilingual descriptions), ``semantic`` (cosine to the areas' embedded descriptions),
``keywords`` (cosine to each of the areas' keywords embedded one by one, a lexicon matched by meaning), ``embedding``
(the text's own embedding) and ``terms`` (a bag of normalised terms learnt from labelled
examples). A new signal is one class registered in ``SIGNALS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.lexical import LexicalMatch, LexicalScorer
from smartspec.strategy import Area, Strategy, Topic


@dataclass
class Batch:
    """Texts to classify, with what the signals compute once and share."""

    texts: list[str]
    langs: list[str]
    embedder: CachedEmbedder
    lexical: LexicalScorer
    _embeddings: np.ndarray | None = None
    _matches: list[LexicalMatch] | None = None
    _terms: list[list[str]] | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

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
        part = Batch([self.texts[i] for i in rows], [self.langs[i] for i in rows], self.embedder, self.lexical)
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

    def fit(self, batch: Batch, labels: np.ndarray) -> None: ...

    def features(self, batch: Batch) -> np.ndarray | sparse.csr_matrix: ...


class LexicalSignal:
    """TF-IDF cosine to each area's description, and keyword hits weighted by how specific each keyword is."""

    name = "lexical"
    dense = True

    def __init__(self, strategy: Strategy, scorer: LexicalScorer) -> None:
        normaliser = scorer.normaliser
        self.keyword_sets: list[set[str]] = []
        for area in strategy.areas():
            terms: set[str] = set()
            items: list[Area | Topic] = [area, *area.topics]
            for item in items:
                for lang in ("fi", "en"):
                    terms.update(normaliser.terms(" ".join(item.keywords.get(lang)), lang))
                    terms.update(normaliser.terms(item.label.get(lang), lang))
            self.keyword_sets.append(terms)
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


class SemanticSignal:
    """Cosine between a text's embedding and each area's embedded description, in the text's language."""

    name = "semantic"
    dense = True

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


class KeywordSignal:
    """The strategy's keywords matched by meaning: each keyword phrase is embedded on its own, and a text gets, per
    area, its best cosine to one of the area's keywords and the mean of its three best.

    This reaches words the keyword lists do not spell out ("koiravaljakkosafari" is near "safari" and "husky") and
    crosses languages, which matters for short Finnish titles that share few exact terms with the descriptions.
    """

    name = "keywords"
    dense = True
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


class EmbeddingSignal:
    """The text's embedding itself, for the supervised heads."""

    name = "embedding"
    dense = True

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        return None

    def features(self, batch: Batch) -> np.ndarray:
        return batch.embeddings


class TermsSignal:
    """A bag of normalised terms (lemmas, compound parts or stems) learnt from the labelled examples."""

    name = "terms"
    dense = False

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)

    def fit(self, batch: Batch, labels: np.ndarray) -> None:
        self.vectorizer.fit(batch.terms)

    def features(self, batch: Batch) -> sparse.csr_matrix:
        return sparse.csr_matrix(self.vectorizer.transform(batch.terms))


def _identity(terms: list[str]) -> list[str]:
    return terms


SIGNALS = ("lexical", "semantic", "keywords", "embedding", "terms")
SCORES = ("lexical", "semantic", "keywords")  # the few, informative score blocks the model weights up


def make_signal(name: str, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder) -> Signal:
    if name == "lexical":
        return LexicalSignal(strategy, scorer)
    if name == "semantic":
        return SemanticSignal(strategy, embedder)
    if name == "keywords":
        return KeywordSignal(strategy, embedder)
    if name == "embedding":
        return EmbeddingSignal()
    if name == "terms":
        return TermsSignal()
    raise ValueError(f"unknown signal {name!r}; known: {', '.join(SIGNALS)}")
