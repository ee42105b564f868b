"""Measuring the classifier on a gold file, without ever learning from that file.

Without ``folds`` the classifier is trained as ``make demo`` trains it (the shipped gold sets and the reviewed
decisions), less any example that shares an id or a text with the gold file, and scored on the whole
file. With ``folds`` the gold file itself is split: each fold is scored by a classifier trained on the other
folds plus the training examples (again less anything in the gold file).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from smartspec.classify.classifier import Toolkit, train
from smartspec.classify.metrics import evaluate
from smartspec.classify.results import Evaluation
from smartspec.classify.topics import METHODS
from smartspec.classify.training import Example, without

ABLATIONS: dict[str, dict[str, Any]] = {
    "lexical": {"signals": ["lexical", "terms", "precision"], "neighbour_weight": 0.0},
    "embeddings": {"signals": ["semantic", "keywords", "embedding"]},
    "combined": {},
}


def predict(toolkit: Toolkit, training: list[Example], test: list[Example],
            config: dict[str, Any] | None) -> tuple[list[set[str]], np.ndarray]:  # fmt: skip
    """The predicted area sets of ``test`` (``{"none"}`` for none) and their probabilities, one row per item."""
    model = train(toolkit, training, config)
    batch = toolkit.batch([e.text for e in test], [e.lang for e in test])
    probabilities = model.probabilities(batch)
    return [set(areas) or {"none"} for areas in model.decide(probabilities, batch.langs)], probabilities


def predict_sets(toolkit: Toolkit, training: list[Example], test: list[Example],
                 config: dict[str, Any] | None) -> list[set[str]]:  # fmt: skip
    return predict(toolkit, training, test, config)[0]


def score_gold(
    toolkit: Toolkit,
    gold: list[Example],
    training: list[Example],
    *,
    folds: int | None = None,
    config: dict[str, Any] | None = None,
    seed: int = 0,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Micro/macro/per-area/per-language figures; with ``errors`` (a list), every wrong item is appended to it."""
    areas = toolkit.strategy.area_codes()
    base = without(training, gold)
    predicted: list[set[str]] = [set() for _ in gold]
    probabilities = np.zeros((len(gold), len(areas)))
    if folds:
        splitter = KFold(folds, shuffle=True, random_state=seed)
        for train_rows, test_rows in splitter.split(np.arange(len(gold))):
            fold_train = base + [gold[i] for i in train_rows]
            guesses, scores = predict(toolkit, fold_train, [gold[i] for i in test_rows], config)
            probabilities[test_rows] = scores
            for row, guess in zip(test_rows, guesses, strict=True):
                predicted[row] = guess
    else:
        predicted, probabilities = predict(toolkit, base, gold, config)
    truth = [set(e.areas) or {"none"} for e in gold]
    if errors is not None:
        errors.extend(wrong_items(toolkit, gold, truth, predicted, probabilities))
    result = evaluate(truth, predicted, [e.lang for e in gold], areas)
    result["setup"] = {
        "folds": folds, "training_examples": len(base) + (len(gold) * (folds - 1) // folds if folds else 0),
        "excluded_from_training": len(training) - len(base), **toolkit.describe(config or {}),
    }  # fmt: skip
    return result


def score_topics(toolkit: Toolkit, gold: list[Example]) -> dict[str, Any] | None:
    """How often the sub-topic chosen for an item's gold area is its gold sub-topic (items with labelled topics).

    The area is given, so this measures the sub-topic choice alone. The choice learns nothing from labelled
    examples, so folds do not apply. ``methods`` compares the combined choice with each of its two parts.
    """
    pairs = [(example, code) for example in gold if example.topics for code in sorted(example.topics)]
    if not pairs:
        return None
    batch = toolkit.batch([e.text for e, _ in pairs], [e.lang for e, _ in pairs])
    areas = [[code.rsplit(".", 1)[0]] for _, code in pairs]
    hits: dict[str, np.ndarray] = {}
    truth = [code for _, code in pairs]
    for method in METHODS:
        chosen = toolkit.topics.choose(batch, areas, method)
        hits[method] = np.array([row[a[0]].code == code for row, a, code in zip(chosen, areas, truth, strict=True)])
    langs = np.array([e.lang for e, _ in pairs])
    best = hits[METHODS[0]]
    return {
        "accuracy": round(float(best.mean()), 4),
        "n": len(pairs),
        "per_lang": {str(lang): {"accuracy": round(float(best[langs == lang].mean()), 4),
                                 "n": int((langs == lang).sum())} for lang in sorted(set(langs))},
        "methods": {method: round(float(values.mean()), 4) for method, values in hits.items()},
    }  # fmt: skip


def evaluate_gold(toolkit_for: Callable[[str], Toolkit], gold: list[Example], training: list[Example], *,
                  normaliser: str = "auto", folds: int | None = None, ablation: bool = False,
                  errors: Path | None = None) -> Evaluation:  # fmt: skip
    """Score the classifier on ``gold`` (never learning from it), with the sub-topic choice where it is labelled and,
    with ``ablation``, lexical-only, embeddings-only and combined models under each installed normaliser.

    ``toolkit_for(name)`` gives the toolkit of a normaliser (auto, snowball, voikko); it raises ImportError or
    OSError when that normaliser is not installed.
    """
    toolkit = toolkit_for(normaliser)
    wrong: list[dict[str, Any]] = []
    result = score_gold(toolkit, gold, training, folds=folds, errors=wrong)
    if errors is not None:
        result["errors"] = {"path": str(write_errors(errors, wrong)), "items": len(wrong)}
    topics = score_topics(toolkit, gold)  # learns nothing, so once, whatever the folds or the ablation
    if topics is not None:
        result["topics"] = topics
    if ablation:
        result["ablation"] = {}
        for name in ("snowball", "voikko"):
            try:
                tools = toolkit_for(name)
            except (ImportError, OSError):
                continue
            for label, variant in ABLATIONS.items():
                scored = score_gold(tools, gold, training, folds=folds, config=variant)
                result["ablation"][f"{label}/{tools.lexical.normaliser.name}"] = {
                    "micro_f1": scored["micro"]["f1"], "macro_f1": scored["macro_f1"],
                    "fi": scored["per_lang"].get("fi", {}).get("micro_f1"),
                    "en": scored["per_lang"].get("en", {}).get("micro_f1"),
                }  # fmt: skip
    return Evaluation.model_validate(result)


def wrong_items(toolkit: Toolkit, gold: list[Example], truth: list[set[str]], predicted: list[set[str]],
                probabilities: np.ndarray) -> list[dict[str, Any]]:  # fmt: skip
    """Every item whose predicted areas differ from its gold ones, with the probabilities and the lexical evidence
    (matched terms) of its gold and predicted areas, for a reviewer to read the misses."""
    areas = toolkit.strategy.area_codes()
    rows = [i for i in range(len(gold)) if truth[i] != predicted[i]]
    if not rows:
        return []
    matches = toolkit.lexical.score([gold[i].text for i in rows], [gold[i].lang for i in rows], explain=True)
    out = []
    for row, match in zip(rows, matches, strict=True):
        ranked = sorted(zip(areas, probabilities[row], strict=True), key=lambda pair: -pair[1])
        shown = sorted((truth[row] | predicted[row]) - {"none"})
        out.append({
            "id": gold[row].id, "lang": gold[row].lang, "gold": ";".join(sorted(truth[row])),
            "predicted": ";".join(sorted(predicted[row])),
            "probabilities": ";".join(f"{area}={p:.3f}" for area, p in ranked[:5]),
            "evidence": "; ".join(f"{area}: " + ", ".join(term for term, _ in match.terms[areas.index(area)][:6])
                                  for area in shown),
            "text": gold[row].text,
        })  # fmt: skip
    return out


ERROR_COLUMNS = ("id", "lang", "gold", "predicted", "probabilities", "evidence", "text")


def write_errors(path: Path, items: list[dict[str, Any]]) -> Path:
    """The wrong items as CSV (UTF-8 with BOM, so that Excel opens it as such)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ERROR_COLUMNS))
        writer.writeheader()
        writer.writerows(items)
    return path
