"""The area classifier: signals combined by one logistic-regression head per competence area, blended with the
vote of the nearest labelled examples.

Each head sees the standardised dense signals (lexical, semantic and keyword scores weighted up, since they are few
and informative), the standardised embedding, and the sparse bag of terms. Class weights are balanced, so an
area with few examples is not drowned by ``none``. The heads' probabilities are blended with the neighbours'
vote (neighbours.py). An area is predicted when its blended probability reaches the threshold; a text with no
area is ``none``.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.neighbours import NeighbourVote
from smartspec.classify.signals import SCORES, SIGNALS, Batch, Signal, make_signal
from smartspec.strategy import Strategy

DEFAULT_CONFIG: dict[str, Any] = {
    "format": 3,  # raise when a fitted model's stored form changes, so that stored models are trained anew
    "signals": list(SIGNALS),
    "C": 0.01,  # overall regularisation of the heads
    "score_weight": 3.0,  # weight of the score blocks (signals.SCORES)
    "terms_weight": 3.0,  # weight of the bag of terms
    "neighbours": 20,  # the nearest labelled examples that vote (neighbours.py)
    "neighbour_temperature": 30.0,  # how much more a closer example's vote counts
    "neighbour_weight": 0.4,  # the vote's share in the blended probability; 0 leaves the heads alone
    "threshold": 0.5,
    # C, the weights, the vote's settings and the threshold were chosen together by 5-fold cross-validation
    # (two shuffles) on the development gold set.
}


@dataclass
class AreaModel:
    areas: list[str]
    config: dict[str, Any]
    signals: list[Signal] = field(default_factory=list)
    scalers: dict[str, StandardScaler] = field(default_factory=dict)
    heads: list[LogisticRegression | float] = field(default_factory=list)  # a float: the constant probability
    vote: NeighbourVote | None = None

    @classmethod
    def create(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder,
               config: dict[str, Any] | None = None) -> AreaModel:  # fmt: skip
        merged = {**DEFAULT_CONFIG, **(config or {})}
        signals = [make_signal(name, strategy, scorer, embedder) for name in merged["signals"]]
        return cls(strategy.area_codes(), merged, signals)

    def _matrix(self, batch: Batch, fit: bool) -> sparse.csr_matrix:
        blocks = []
        root = np.sqrt(self.config["C"])
        for signal in self.signals:
            values = signal.features(batch)
            if signal.dense:
                if fit:
                    self.scalers[signal.name] = StandardScaler().fit(values)
                scaled = self.scalers[signal.name].transform(values)
                weight = self.config["score_weight"] if signal.name in SCORES else 1.0
                blocks.append(sparse.csr_matrix(scaled * weight * root))
            else:
                blocks.append(sparse.csr_matrix(values) * np.sqrt(self.config["terms_weight"]) * root)
        return sparse.hstack(blocks).tocsr()

    def fit(self, batch: Batch, labels: np.ndarray, weights: np.ndarray | None = None) -> AreaModel:
        for signal in self.signals:
            signal.fit(batch, labels)
        matrix = self._matrix(batch, fit=True)
        self.heads = []
        for column in range(len(self.areas)):
            target = labels[:, column]
            if target.min() == target.max():  # no positive (or no negative) example: a constant
                self.heads.append(float(target.max()))
                continue
            head = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
            head.fit(matrix, target, sample_weight=weights)
            self.heads.append(head)
        if self.config["neighbour_weight"] > 0:
            self.vote = NeighbourVote.fit(batch.embeddings, labels, weights, self.config["neighbours"],
                                          self.config["neighbour_temperature"])  # fmt: skip
        return self

    def probabilities(self, batch: Batch) -> np.ndarray:
        if len(batch) == 0:
            return np.zeros((0, len(self.areas)))
        matrix = self._matrix(batch, fit=False)
        columns = []
        for head in self.heads:
            if isinstance(head, float):
                columns.append(np.full(len(batch), head))
            else:
                columns.append(head.predict_proba(matrix)[:, 1])
        heads = np.vstack(columns).T
        if self.vote is None:
            return heads
        share = self.config["neighbour_weight"]
        blended: np.ndarray = (1 - share) * heads + share * self.vote.probabilities(batch.embeddings)
        return blended

    def signal(self, name: str) -> Signal | None:
        return next((signal for signal in self.signals if signal.name == name), None)

    def decide(self, probabilities: np.ndarray) -> list[list[str]]:
        threshold = self.config["threshold"]
        return [[area for area, p in zip(self.areas, row, strict=True) if p >= threshold] for row in probabilities]

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> AreaModel:
        # Only blobs this module wrote into the store are loaded (never user-supplied files).
        model = pickle.loads(blob)
        if not isinstance(model, AreaModel):  # pragma: no cover - a damaged store
            raise TypeError("the stored classifier is not an AreaModel")
        return model
