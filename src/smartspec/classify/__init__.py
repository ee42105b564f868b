"""Classifying projects and organisations into the strategy's competence areas and sub-topics."""

from typing import TYPE_CHECKING

from smartspec.lazy import attach

if TYPE_CHECKING:  # imported on first use (smartspec.lazy): a command loads only what it runs
    from smartspec.classify.classifier import (
        LoadedModel,
        ModelMissingError,
        Toolkit,
        load_model,
        train,
        train_and_store,
        training_examples,
    )
    from smartspec.classify.evaluate import ABLATIONS, evaluate_gold, score_gold, score_topics
    from smartspec.classify.explain import explain
    from smartspec.classify.labels import area_region_counts, effective_labels, reviewed_examples
    from smartspec.classify.metadata import RecordMeta, with_metadata
    from smartspec.classify.normalise import NORMALISERS
    from smartspec.classify.results import (
        Decision,
        Evaluation,
        Explanation,
        ModelInfo,
        ReviewItem,
        RunResult,
        TrainResult,
    )
    from smartspec.classify.review import decide, model_reviews_behind, review_queue
    from smartspec.classify.runner import run
    from smartspec.classify.training import Example, gold_dev, gold_test, load_gold, shipped_examples

__all__ = [
    "ABLATIONS",
    "NORMALISERS",
    "Decision",
    "Evaluation",
    "Example",
    "Explanation",
    "LoadedModel",
    "ModelInfo",
    "ModelMissingError",
    "RecordMeta",
    "ReviewItem",
    "RunResult",
    "Toolkit",
    "TrainResult",
    "area_region_counts",
    "decide",
    "effective_labels",
    "evaluate_gold",
    "explain",
    "gold_dev",
    "gold_test",
    "load_gold",
    "load_model",
    "model_reviews_behind",
    "review_queue",
    "reviewed_examples",
    "run",
    "score_gold",
    "score_topics",
    "shipped_examples",
    "train",
    "train_and_store",
    "training_examples",
    "with_metadata",
]

attach(__name__)
