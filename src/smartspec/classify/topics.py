"""Choosing the sub-topic of a predicted area: its keywords matched by meaning, together with the lexical match.

Each sub-topic's labels and keywords (both languages) are embedded phrase by phrase. For an area given to a
text, every sub-topic of that area gets two scores: the best cosine between the text and one of its phrases,
and the TF-IDF match of the lexical scorer. Both are standardised over the area's sub-topics and added; the
highest sum wins (ties: the area's first sub-topic). The lexical match alone leaves a short Finnish title with
no sub-topic when it shares no word with the lists, and the meaning alone misses exact but rare terms. On the
labelled sub-topics of the gold files (data/LABELLING.md) the sum is right more often than the lexical match on
both sets, and than the meaning alone on the blind split (on the dev items the meaning alone is one item ahead).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.signals import Batch, nearest_phrases
from smartspec.strategy import Strategy

METHODS = ("combined", "keywords", "lexical")
TOPIC_METHOD = "combined/1"  # part of the model version: change it when the choice changes, so projects are redone


@dataclass(frozen=True)
class TopicChoice:
    code: str
    score: float  # the best cosine between the text and one of the sub-topic's phrases
    keywords: list[tuple[str, float]]  # the sub-topic's phrases nearest in meaning, with their cosine
    lexical: float  # the sub-topic's TF-IDF match


class TopicChooser:
    TOP = 3

    def __init__(self, strategy: Strategy, embedder: CachedEmbedder) -> None:
        self.codes: list[str] = []  # in strategy.topics() order, as the lexical scorer's topic_scores
        self.by_area: dict[str, list[int]] = {}  # an area's sub-topics, as indices into codes and members
        self.members: list[np.ndarray] = []  # each sub-topic's rows in phrases
        self.phrases: list[str] = []
        for area in strategy.areas():
            for topic in area.topics:
                own = dict.fromkeys(
                    phrase for lang in ("fi", "en") for phrase in [topic.label.get(lang), *topic.keywords.get(lang)]
                )
                self.by_area.setdefault(area.code, []).append(len(self.codes))
                self.codes.append(topic.code)
                self.members.append(np.arange(len(self.phrases), len(self.phrases) + len(own)))
                self.phrases += own
        self.vectors = embedder.embed(self.phrases)

    def choose(self, batch: Batch, areas: list[list[str]], method: str = "combined") -> list[dict[str, TopicChoice]]:
        """For each text, a sub-topic for every area given to it (``areas``, one list per text of the batch)."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
        rows = [row for row, given in enumerate(areas) if given]
        similarity = np.zeros((len(areas), len(self.phrases)), dtype=np.float32)
        if rows:
            similarity[rows] = batch.embeddings[rows] @ self.vectors.T
        out: list[dict[str, TopicChoice]] = []
        for row, given in enumerate(areas):
            chosen: dict[str, TopicChoice] = {}
            for area in given:
                candidates = self.by_area.get(area, [])
                if not candidates:
                    continue
                meaning = np.array([similarity[row, self.members[i]].max() for i in candidates])
                lexical = batch.matches[row].topic_scores[candidates]
                total = {"combined": _standard(meaning) + _standard(lexical), "keywords": meaning,
                         "lexical": lexical}[method]  # fmt: skip
                best = int(np.argmax(total))  # the first of equals
                members = self.members[candidates[best]]
                chosen[area] = TopicChoice(self.codes[candidates[best]], round(float(meaning[best]), 4),
                                           nearest_phrases(self.phrases, members, similarity[row, members], self.TOP),
                                           round(float(lexical[best]), 4))  # fmt: skip
            out.append(chosen)
        return out


def _standard(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values, dtype=float)
