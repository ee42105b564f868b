"""Turning an item's area probabilities into its areas: per-area thresholds and a rule for a second area.

One threshold for every area is too shy with a second area: a project whose first area is clear often has a
data, sensing or monitoring side (II.4) or an automation side (II.1) whose probability stays below it. Two
refinements are chosen from out-of-fold probabilities of the *training* examples (an inner cross-validation at
train time, ``classifier.train``), never from the items a model is scored on:

* per-area thresholds: each area's threshold is the one that maximises micro-F1 over the out-of-fold
  probabilities with the other areas' thresholds held, searched around the language's threshold and shrunk
  towards it by the area's number of positive examples (``n / (n + shrink)``), since a rare area's best cut is
  noisy;
* a second-area rule: when an item's best area is given, its runner-up is given too when its probability reaches
  ``ratio`` times the best one's and at least ``floor``; the ratio (or no rule) is chosen the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_DECISION: dict[str, Any] = {
    "inner_folds": 3,  # 0 or 1: no inner cross-validation, one threshold for all areas and no second-area rule
    "per_area": True,
    "second_area": True,
    "span": 0.25,  # how far an area's threshold may move from the language's threshold
    "step": 0.025,
    "shrink": 15.0,  # positives at which an area's own threshold and the language's count equally
    "ratios": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    "floors": [0.15, 0.2, 0.3],
}


@dataclass
class DecisionRule:
    thresholds: np.ndarray  # one per area
    ratio: float | None = None  # the runner-up area is given at ratio × the best probability (None: never)
    floor: float = 1.0  # … and only when its probability reaches this

    @classmethod
    def uniform(cls, areas: int, threshold: float) -> DecisionRule:
        return cls(np.full(areas, threshold, dtype=float))

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """0/1 decisions, one row per item and one column per area."""
        chosen = probabilities >= self.thresholds[None, :]
        if self.ratio is not None and probabilities.shape[1] > 1 and len(probabilities):
            order = np.argsort(-probabilities, axis=1)
            rows = np.arange(len(probabilities))
            best, second = order[:, 0], order[:, 1]
            p1, p2 = probabilities[rows, best], probabilities[rows, second]
            extra = chosen[rows, best] & (p2 >= self.ratio * p1) & (p2 >= self.floor)
            chosen[rows[extra], second[extra]] = True
        return chosen


def micro_f1(chosen: np.ndarray, labels: np.ndarray) -> float:
    tp = float((chosen & (labels == 1)).sum())
    fp = float((chosen & (labels == 0)).sum())
    fn = float((~chosen & (labels == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_rule(probabilities: np.ndarray, labels: np.ndarray, threshold: float,
                settings: dict[str, Any]) -> DecisionRule:  # fmt: skip
    """The rule with the best micro-F1 on ``probabilities`` (out-of-fold, training examples) against ``labels``."""
    areas = labels.shape[1]
    rule = DecisionRule.uniform(areas, threshold)
    if len(probabilities) == 0:
        return rule
    if settings.get("per_area", True):
        span, step = settings["span"], settings["step"]
        grid = np.arange(max(0.05, threshold - span), min(0.95, threshold + span) + 1e-9, step)
        for _ in range(2):  # coordinate ascent: each area against the others' current thresholds
            for column in range(areas):
                positives = float(labels[:, column].sum())
                if positives == 0:
                    continue
                scores = []
                for candidate in grid:
                    rule.thresholds[column] = candidate
                    scores.append(micro_f1(rule.apply(probabilities), labels))
                best = float(grid[int(np.argmax(scores))])
                share = positives / (positives + settings["shrink"])
                rule.thresholds[column] = threshold + share * (best - threshold)
    if settings.get("second_area", True):
        best_score = micro_f1(rule.apply(probabilities), labels)
        chosen: tuple[float | None, float] = (None, 1.0)
        for ratio in settings["ratios"]:
            for floor in settings["floors"]:
                trial = DecisionRule(rule.thresholds, ratio, floor)
                score = micro_f1(trial.apply(probabilities), labels)
                if score > best_score + 1e-9:
                    best_score, chosen = score, (ratio, floor)
        rule.ratio, rule.floor = chosen
    return rule
