"""Classifying projects and organisations into the strategy's competence areas and sub-topics."""

from smartspec.classify.classifier import Toolkit, stored_model, train
from smartspec.classify.evaluate import ABLATIONS, score_gold, score_topics
from smartspec.classify.service import (
    RunResult,
    area_region_counts,
    decide,
    effective_labels,
    explain,
    review_queue,
    run,
)
from smartspec.classify.training import Example, gold_dev, gold_test, load_gold, shipped_examples

__all__ = [
    "ABLATIONS",
    "Example",
    "RunResult",
    "Toolkit",
    "area_region_counts",
    "decide",
    "effective_labels",
    "explain",
    "gold_dev",
    "gold_test",
    "load_gold",
    "review_queue",
    "run",
    "score_gold",
    "score_topics",
    "shipped_examples",
    "stored_model",
    "train",
]
