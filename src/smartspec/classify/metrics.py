"""Quality figures for multi-label area classification, as `smartspec classify evaluate` reports them.

Micro and per-area figures count area labels: an item whose gold label is ``none`` has no true labels, so
any area predicted for it is a false positive; predicting ``none`` for it is simply correct and adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(
    gold: Sequence[set[str]], predicted: Sequence[set[str]], langs: Sequence[str], areas: Sequence[str]
) -> dict[str, Any]:
    """Micro precision/recall/F1, macro F1 over areas with support, per-area and per-language figures."""
    counts = {area: [0, 0, 0] for area in areas}  # tp, fp, fn
    by_lang: dict[str, list[int]] = {}
    for truth, guess, lang in zip(gold, predicted, langs, strict=True):
        truth, guess = truth - {"none"}, guess - {"none"}
        lang_counts = by_lang.setdefault(lang, [0, 0, 0])
        for area in truth | guess:
            if area not in counts:
                continue
            hit = area in truth and area in guess
            index = 0 if hit else (1 if area in guess else 2)
            counts[area][index] += 1
            lang_counts[index] += 1
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    precision, recall, f1 = _prf(tp, fp, fn)
    per_area = {}
    for area, (a_tp, a_fp, a_fn) in counts.items():
        p, r, f = _prf(a_tp, a_fp, a_fn)
        per_area[area] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": a_tp + a_fn}
    supported = [v["f1"] for v in per_area.values() if v["support"] > 0]
    multi = [(truth - {"none"}, guess - {"none"}) for truth, guess in zip(gold, predicted, strict=True)
             if len(truth - {"none"}) >= 2]  # fmt: skip
    multi_tp = sum(len(truth & guess) for truth, guess in multi)
    multi_gold = sum(len(truth) for truth, _ in multi)
    return {
        "micro": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
        "macro_f1": round(sum(supported) / len(supported), 4) if supported else 0.0,
        "per_area": per_area,
        "per_lang": {
            lang: {"micro_f1": round(_prf(*c)[2], 4), "n": sum(1 for x in langs if x == lang)}
            for lang, c in sorted(by_lang.items())
        },
        "multi": {  # the items with two or more gold areas: how many of their areas are found
            "n": len(multi),
            "recall": round(multi_tp / multi_gold, 4) if multi_gold else 0.0,
            "all_found": round(sum(1 for truth, guess in multi if truth <= guess) / len(multi), 4) if multi else 0.0,
        },
        "n": len(gold),
    }
