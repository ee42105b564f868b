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

from smartspec.classify.classifier import Toolkit, fit
from smartspec.classify.metadata import METADATA_SIGNALS
from smartspec.classify.metrics import evaluate
from smartspec.classify.model import DEFAULT_CONFIG
from smartspec.classify.results import Evaluation
from smartspec.classify.topics import METHODS
from smartspec.classify.training import Example, without

TEXT_SIGNALS = [name for name in DEFAULT_CONFIG["signals"] if name not in METADATA_SIGNALS]
# Each variant leaves out one part of the combined model (the decision rule's keys are merged over the defaults).
ABLATIONS: dict[str, dict[str, Any]] = {
    "lexical": {"signals": ["lexical", "terms", "precision"], "neighbour_weight": 0.0},
    "embeddings": {"signals": ["semantic", "keywords", "embedding"]},
    "no-metadata": {"signals": TEXT_SIGNALS},
    "no-metadata-tokens": {"signals": [name for name in DEFAULT_CONFIG["signals"] if name != "metadata"]},
    "no-organisation-prior": {"signals": [name for name in DEFAULT_CONFIG["signals"] if name != "organisations"]},
}
# Variants of the decision rule alone: chosen from the same fitted heads and out-of-fold probabilities as the
# combined model in each fold (what they would be in runs of their own), so they cost no extra fitting.
DECISIONS: dict[str, dict[str, Any]] = {
    "no-area-thresholds": {"per_area": False},
    "no-second-area": {"second_area": False},
    "one-threshold": {"per_area": False, "second_area": False},
}
NORMALISER_NAMES = ("voikko", "simplemma", "snowball")


def predict(toolkit: Toolkit, training: list[Example], test: list[Example], config: dict[str, Any] | None,
            decisions: dict[str, dict[str, Any]] | None = None,
            ) -> tuple[list[set[str]], np.ndarray, dict[str, list[set[str]]]]:  # fmt: skip
    """The predicted area sets of ``test`` (``{"none"}`` for none), their probabilities (one row per item), and
    the area sets under each variant of the decision rule in ``decisions``."""
    fitted = fit(toolkit, training, _merged(config))
    model = fitted.model
    batch = toolkit.batch([e.text for e in test], [e.lang for e in test], [e.meta for e in test])
    probabilities = model.probabilities(batch)
    variants: dict[str, list[set[str]]] = {}
    if fitted.out_of_fold is not None:
        for name, settings in (decisions or {}).items():
            model.tune(fitted.out_of_fold, fitted.langs, fitted.labels, settings)
            variants[name] = [set(areas) or {"none"} for areas in model.decide(probabilities, batch.langs)]
        model.tune(fitted.out_of_fold, fitted.langs, fitted.labels)
    guesses = [set(areas) or {"none"} for areas in model.decide(probabilities, batch.langs)]
    return guesses, probabilities, variants


def _merged(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """A variant's decision keys merged over the default decision settings."""
    if not config or "decision" not in config:
        return config
    return {**config, "decision": {**DEFAULT_CONFIG["decision"], **config["decision"]}}


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
    decisions: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Micro/macro/per-area/per-language figures; with ``errors`` (a list), every wrong item is appended to it;
    with ``decisions``, the figures under each variant of the decision rule too (``decision_variants``)."""
    areas = toolkit.strategy.area_codes()
    base = without(training, gold)
    predicted: list[set[str]] = [set() for _ in gold]
    probabilities = np.zeros((len(gold), len(areas)))
    variants: dict[str, list[set[str]]] = {name: [set() for _ in gold] for name in decisions or {}}
    splits = (KFold(folds, shuffle=True, random_state=seed).split(np.arange(len(gold))) if folds
              else [(np.arange(0), np.arange(len(gold)))])  # fmt: skip
    for train_rows, test_rows in splits:
        fold_train = base + [gold[i] for i in train_rows]
        guesses, scores, chosen = predict(toolkit, fold_train, [gold[i] for i in test_rows], config, decisions)
        probabilities[test_rows] = scores
        for row, guess in zip(test_rows, guesses, strict=True):
            predicted[row] = guess
        for name, sets in chosen.items():
            for row, guess in zip(test_rows, sets, strict=True):
                variants[name][row] = guess
    truth = [set(e.areas) or {"none"} for e in gold]
    langs = [e.lang for e in gold]
    if errors is not None:
        errors.extend(wrong_items(toolkit, gold, truth, predicted, probabilities))
    result = evaluate(truth, predicted, langs, areas)
    if decisions:
        result["decision_variants"] = {name: evaluate(truth, sets, langs, areas) for name, sets in variants.items()}
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
                  errors: Path | None = None, text_only: bool = False) -> Evaluation:  # fmt: skip
    """Score the classifier on ``gold`` (never learning from it), with the sub-topic choice where it is labelled and,
    with ``ablation``, the combined model less each of its parts, and the combined model under each installed
    normaliser. With ``text_only`` the metadata signals are left out (the examples' metadata is not used).

    ``toolkit_for(name)`` gives the toolkit of a normaliser (auto, voikko, simplemma, snowball); it raises
    ImportError or OSError when that normaliser is not installed.
    """
    toolkit = toolkit_for(normaliser)
    wrong: list[dict[str, Any]] = []
    base_config = {"signals": TEXT_SIGNALS} if text_only else None
    result = score_gold(toolkit, gold, training, folds=folds, errors=wrong, config=base_config,
                        decisions=DECISIONS if ablation else None)  # fmt: skip
    variants = result.pop("decision_variants", {})
    result["setup"]["metadata"] = {
        "used": not text_only, "gold_with_metadata": sum(1 for e in gold if e.meta is not None),
        "training_with_metadata": sum(1 for e in without(training, gold) if e.meta is not None),
    }  # fmt: skip
    if errors is not None:
        result["errors"] = {"path": str(write_errors(errors, wrong)), "items": len(wrong)}
    topics = score_topics(toolkit, gold)  # learns nothing, so once, whatever the folds or the ablation
    if topics is not None:
        result["topics"] = topics
    if ablation:
        result["ablation"] = {f"{name}/{toolkit.lexical.normaliser.name}": _summary(scored)
                              for name, scored in variants.items()}  # fmt: skip
        runs: list[tuple[str, Toolkit, dict[str, Any] | None]] = []
        for label, variant in ABLATIONS.items():
            if text_only and label in ("no-metadata", "no-metadata-tokens", "no-organisation-prior"):
                continue
            signals = variant.get("signals")
            if text_only and signals is not None:
                variant = {**variant, "signals": [name for name in signals if name in TEXT_SIGNALS]}
            runs.append((f"{label}/{toolkit.lexical.normaliser.name}", toolkit, {**(base_config or {}), **variant}))
        for name in NORMALISER_NAMES:
            try:
                tools = toolkit_for(name)
            except (ImportError, OSError):
                continue
            if tools is not toolkit:
                runs.append((f"combined/{tools.lexical.normaliser.name}", tools, base_config))
        for label, tools, settings in runs:
            result["ablation"][label] = _summary(score_gold(tools, gold, training, folds=folds, config=settings))
    return Evaluation.model_validate(result)


def _summary(scored: dict[str, Any]) -> dict[str, float | None]:
    """An ablation's figures: micro and macro F1, per language, the recall on items with two or more gold areas, and
    each area's F1."""
    return {
        "micro_f1": scored["micro"]["f1"], "macro_f1": scored["macro_f1"],
        "fi": scored["per_lang"].get("fi", {}).get("micro_f1"), "en": scored["per_lang"].get("en", {}).get("micro_f1"),
        "multi_recall": scored["multi"]["recall"],
        **{f"f1 {area}": figures["f1"] for area, figures in scored["per_area"].items()},
    }  # fmt: skip


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
