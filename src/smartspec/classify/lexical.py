"""Lexical signal: TF-IDF cosine between a text and each area's (and sub-topic's) bilingual description.

An area's document is its label, description and keywords in Finnish and English, plus those of its
sub-topics; keywords count twice. Texts and documents go through the same normaliser, so a Finnish title
matches Finnish keywords by lemma or stem and an English abstract matches the English ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from smartspec.classify.normalise import AnyNormaliser, SimplemmaNormaliser, SnowballNormaliser
from smartspec.strategy import Area, Strategy, Topic


def _identity(terms: list[str]) -> list[str]:
    return terms


@dataclass
class LexicalMatch:
    scores: np.ndarray  # one per area, in strategy order
    topic_scores: np.ndarray  # one per sub-topic, in strategy order
    terms: list[list[tuple[str, float]]]  # per area: the matched terms with their weight, strongest first


class LexicalScorer:
    def __init__(self, strategy: Strategy, normaliser: AnyNormaliser) -> None:
        self.areas = list(strategy.areas())
        self.topics = list(strategy.topics())
        if isinstance(normaliser, SnowballNormaliser):
            items: list[Area | Topic] = [*self.areas, *self.topics]
            vocabulary = {normaliser.stem(word, "fi") for item in items for phrase in item.keywords.fi
                          for word in phrase.split()}  # fmt: skip
            normaliser = normaliser.with_vocabulary(vocabulary)
        elif isinstance(normaliser, SimplemmaNormaliser):
            items = [*self.areas, *self.topics]
            lemmas = {term for item in items for phrase in item.keywords.fi for term in normaliser.terms(phrase, "fi")}
            normaliser = normaliser.with_vocabulary(lemmas)
        self.normaliser = normaliser
        area_docs = [self._document(area, [*area.topics]) for area in self.areas]
        topic_docs = [self._document(topic, []) for topic in self.topics]
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
        self.vectorizer.fit(area_docs + topic_docs)
        self.area_matrix = self.vectorizer.transform(area_docs)
        self.topic_matrix = self.vectorizer.transform(topic_docs)
        self.vocabulary = np.array(self.vectorizer.get_feature_names_out())

    def _document(self, item: Area | Topic, children: list[Topic]) -> list[str]:
        terms: list[str] = []
        for part in [item, *children]:
            for lang in ("fi", "en"):
                terms += self.normaliser.terms(part.label.get(lang), lang)
                terms += self.normaliser.terms(part.description.get(lang), lang)
                keywords = self.normaliser.terms(" ".join(part.keywords.get(lang)), lang)
                terms += keywords * 2
        return terms

    def terms(self, text: str, lang: str) -> list[str]:
        return self.normaliser.terms(text, lang)

    def score(self, texts: list[str], langs: list[str], *, explain: bool = False) -> list[LexicalMatch]:
        docs = [self.terms(text, lang) for text, lang in zip(texts, langs, strict=True)]
        matrix = self.vectorizer.transform(docs)
        area_scores = (matrix @ self.area_matrix.T).toarray()
        topic_scores = (matrix @ self.topic_matrix.T).toarray()
        out = []
        for row in range(len(docs)):
            matched: list[list[tuple[str, float]]] = []
            if explain:
                vector = matrix.getrow(row)
                for area_row in range(len(self.areas)):
                    product = vector.multiply(self.area_matrix.getrow(area_row))
                    _, columns = product.nonzero()
                    weights = sorted(((str(self.vocabulary[c]), float(product[0, c])) for c in columns),
                                     key=lambda pair: -pair[1])  # fmt: skip
                    matched.append(weights[:8])
            out.append(LexicalMatch(area_scores[row], topic_scores[row], matched))
        return out

    def describe(self) -> dict[str, Any]:
        return {"normaliser": self.normaliser.name, "vocabulary": len(self.vocabulary)}
