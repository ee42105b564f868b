"""The area classifier: signals combined by one logistic-regression head per competence area, blended with the
vote of the nearest labelled examples, one such model per language.

Each head sees the standardised dense signals (lexical, semantic, keyword and term-precision scores weighted up,
since they are few and informative), the standardised embedding, and the sparse bag of terms. Class weights are
balanced, so an area with few examples is not drowned by ``none``. The heads' probabilities are blended with the
neighbours' vote (neighbours.py). An area is predicted when its blended probability reaches the threshold; a text
with no area is ``none``.

Finnish titles (a few words) and English abstracts (a few hundred) are different kinds of text, so each language
gets its own model (``BilingualModel``), trained on all labelled examples with the other language's examples
weighted by ``other_language_weight`` and with the settings in ``languages`` applied over the shared ones.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import smartspec.classify.metadata  # noqa: F401 - registers the metadata signals before SIGNALS is read
from smartspec.classify.decision import DEFAULT_DECISION, DecisionRule, choose_rule
from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.neighbours import NeighbourVote
from smartspec.classify.signals import SIGNALS, Batch, Signal, make_signal
from smartspec.strategy import Strategy

DEFAULT_CONFIG: dict[str, Any] = {
    "format": 5,  # raise when a fitted model's stored form changes, so that stored models are trained anew
    "signals": list(SIGNALS),
    "C": 0.01,  # overall regularisation of the heads
    "score_weight": 3.0,  # weight of the score blocks (signals.SCORES)
    "terms_weight": 3.0,  # weight of the bag of terms
    "neighbours": 20,  # the nearest labelled examples that vote (neighbours.py)
    "neighbour_temperature": 30.0,  # how much more a closer example's vote counts
    "neighbour_weight": 0.4,  # the vote's share in the blended probability; 0 leaves the heads alone
    "threshold": 0.5,
    "decision": DEFAULT_DECISION,  # per-area thresholds and a second-area rule, chosen at train time (decision.py)
    "other_language_weight": 1.0,  # the weight of the other language's examples in one language's model
    "drop_signals": [],  # signals this language's model leaves out
    "languages": {
        "fi": {"threshold": 0.55},
        "en": {
            "other_language_weight": 0.1,
            "drop_signals": ["precision", "metadata", "organisations"],
            "decision": {"per_area": False, "second_area": False},
        },
    },
    # C, the weights, the vote's settings and the threshold were chosen together by 5-fold cross-validation
    # (two shuffles) on the development gold set; the per-language settings by the same cross-validation over
    # its 3,960 random items (data/LABELLING.md). The English model leaves the record metadata and the decision
    # rule out: on the 5-fold cross-validation over all 4,400 random items they lowered English micro-F1 (0.731 →
    # 0.692 with both; docs/notes/NOTES-classify.md), while the Finnish model gains a little from them.
}
LANGUAGES = ("fi", "en")


def language_config(config: dict[str, Any], lang: str) -> dict[str, Any]:
    """The settings of one language's model: the shared ones with the language's own applied over them."""
    merged = {**config, **config.get("languages", {}).get(lang, {})}
    merged["signals"] = [name for name in merged["signals"] if name not in merged["drop_signals"]]
    return merged


@dataclass
class AreaModel:
    areas: list[str]
    config: dict[str, Any]
    signals: list[Signal] = field(default_factory=list)
    scalers: dict[str, StandardScaler] = field(default_factory=dict)
    heads: list[LogisticRegression | float] = field(default_factory=list)  # a float: the constant probability
    vote: NeighbourVote | None = None
    rule: DecisionRule | None = None  # None: the language's threshold for every area

    @classmethod
    def create(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder,
               config: dict[str, Any] | None = None) -> AreaModel:  # fmt: skip
        merged = {**DEFAULT_CONFIG, **(config or {})}
        signals = [make_signal(name, strategy, scorer, embedder) for name in merged["signals"]]
        return cls(strategy.area_codes(), merged, signals)

    def _matrix(self, batch: Batch, fit: bool, given: dict[str, np.ndarray] | None = None) -> sparse.csr_matrix:
        blocks = []
        root = np.sqrt(self.config["C"])
        for signal in self.signals:
            values = (given or {}).get(signal.name)
            if values is None:
                values = signal.features(batch)
            if signal.dense:
                if fit:
                    self.scalers[signal.name] = StandardScaler().fit(values)
                scaled = self.scalers[signal.name].transform(values)
                weight = self.config["score_weight"] if signal.score else 1.0
                blocks.append(sparse.csr_matrix(scaled * weight * root))
            else:
                blocks.append(sparse.csr_matrix(values) * np.sqrt(self.config["terms_weight"]) * root)
        return sparse.hstack(blocks).tocsr()

    def fit(self, batch: Batch, labels: np.ndarray, weights: np.ndarray | None = None) -> AreaModel:
        given = {}
        for signal in self.signals:
            values = signal.fit(batch, labels)
            if values is not None:
                given[signal.name] = values
        matrix = self._matrix(batch, fit=True, given=given)
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

    def decision_rule(self) -> DecisionRule:
        return self.rule or DecisionRule.uniform(len(self.areas), float(self.config["threshold"]))


@dataclass
class BilingualModel:
    """One AreaModel per language; each text is classified by its language's model (English for any other)."""

    areas: list[str]
    config: dict[str, Any]
    models: dict[str, AreaModel]

    @classmethod
    def create(cls, strategy: Strategy, scorer: LexicalScorer, embedder: CachedEmbedder,
               config: dict[str, Any] | None = None) -> BilingualModel:  # fmt: skip
        merged = {**DEFAULT_CONFIG, **(config or {})}
        models = {lang: AreaModel.create(strategy, scorer, embedder, language_config(merged, lang))
                  for lang in LANGUAGES}  # fmt: skip
        return cls(strategy.area_codes(), merged, models)

    def fit(self, batch: Batch, langs: list[str], labels: np.ndarray, weights: np.ndarray) -> BilingualModel:
        same = np.array(langs)
        for lang, model in self.models.items():
            other = model.config["other_language_weight"]
            model.fit(batch, labels, np.where(same == lang, weights, weights * other))
        return self

    def model(self, lang: str) -> AreaModel:
        return self.models.get(lang, self.models["en"])

    def threshold(self, lang: str) -> float:
        return float(self.model(lang).config["threshold"])

    def probabilities(self, batch: Batch) -> np.ndarray:
        out = np.zeros((len(batch), len(self.areas)))
        batch.embeddings  # noqa: B018 - computed once for the whole batch, then shared by its parts
        langs = np.array([lang if lang in self.models else "en" for lang in batch.langs])
        for lang, model in self.models.items():
            rows = np.flatnonzero(langs == lang)
            if len(rows):
                out[rows] = model.probabilities(batch.subset(rows))
        return out

    def thresholds(self, lang: str) -> np.ndarray:
        """Each area's threshold for a text in ``lang``."""
        return self.model(lang).decision_rule().thresholds

    def tune(self, probabilities: np.ndarray, langs: list[str], labels: np.ndarray,
             settings: dict[str, Any] | None = None) -> BilingualModel:  # fmt: skip
        """Choose each language's decision rule from out-of-fold probabilities of the training examples
        (``settings`` over the model's decision settings)."""
        same = np.array(langs)
        for lang, model in self.models.items():
            rows = np.flatnonzero(same == lang)
            chosen = {**DEFAULT_DECISION, **model.config.get("decision", {}), **(settings or {})}
            model.rule = choose_rule(probabilities[rows], labels[rows], float(model.config["threshold"]), chosen)
        return self

    def decide(self, probabilities: np.ndarray, langs: list[str]) -> list[list[str]]:
        """The areas each text's language's decision rule gives it (per-area thresholds, a second area)."""
        out: list[list[str]] = [[] for _ in langs]
        keys = np.array([lang if lang in self.models else "en" for lang in langs])
        for lang, model in self.models.items():
            rows = np.flatnonzero(keys == lang)
            if len(rows):
                chosen = model.decision_rule().apply(probabilities[rows])
                for row, flags in zip(rows, chosen, strict=True):
                    out[row] = [area for area, flag in zip(self.areas, flags, strict=True) if flag]
        return out

    def signal(self, name: str) -> Signal | None:
        """A signal that does not learn from examples (the same in every language's model)."""
        return self.models["fi"].signal(name)

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> BilingualModel:
        # Only blobs this module wrote into the store are loaded (never user-supplied files).
        model = pickle.loads(blob)
        if not isinstance(model, BilingualModel):  # pragma: no cover - a damaged store
            raise TypeError("the stored classifier is not a BilingualModel")
        return model
