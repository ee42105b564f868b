"""Labelled examples: the gold-set CSV format, the development gold set shipped with smartspec, and the
decisions reviewers made in the store. Reviewed decisions are examples too, so the classifier learns from them.

Gold files (DESIGN.md): CSV, UTF-8, header ``id,text,lang,areas``; ``areas`` is a ``;``-separated list of
area codes or ``none``; extra columns are ignored, except an optional ``topics`` column: the sub-topic of each of
the item's areas (``;``-separated codes such as ``I.4.3``), ``none`` when no sub-topic of its areas fits, or
empty when the item's sub-topics are not labelled. `classify evaluate` scores the sub-topic choice on it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from smartspec.errors import InputError, Location, Problem
from smartspec.strategy import Strategy

if TYPE_CHECKING:
    from smartspec.classify.metadata import RecordMeta

GOLD_DEV = "gold-dev.csv"
GOLD_TEST = "gold-test.csv"
REQUIRED = ("id", "text", "lang", "areas")


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    lang: str
    areas: frozenset[str]  # empty means none
    source: str = "gold"
    weight: float = 1.0
    topics: frozenset[str] | None = None  # None: not labelled; empty: no sub-topic fits
    meta: RecordMeta | None = None  # the stored record's metadata, where the id names one (metadata.py)


def parse_gold(text: str, name: str, strategy: Strategy) -> list[Example]:
    """Read a gold file's text; every bad row is reported with its line and column."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InputError(
            f"{name} is not a gold file: column(s) {', '.join(missing)} are missing",
            [Problem(f"header is {','.join(header) or '(empty)'}", Location(name, 1))],
            hint="the header must be id,text,lang,areas (extra columns are ignored)",
        )
    known = set(strategy.area_codes())
    examples: list[Example] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    column = {key: header.index(key) + 1 for key in REQUIRED}
    topic_parents = {topic.code: topic.code.rsplit(".", 1)[0] for topic in strategy.topics()}
    for row in reader:
        line = reader.line_num
        identifier, body = (row.get("id") or "").strip(), (row.get("text") or "").strip()
        lang, areas_text = (row.get("lang") or "").strip().lower(), (row.get("areas") or "").strip()
        if not identifier or identifier in seen:
            problems.append(Problem("the id is empty or repeated", Location(name, line, column["id"], "id"),
                                    "give every row its own id"))  # fmt: skip
            continue
        seen.add(identifier)
        if not body:
            problems.append(Problem("the text is empty", Location(name, line, column["text"], "text")))
            continue
        if lang not in ("fi", "en"):
            problems.append(Problem(f"{lang!r} is not a language", Location(name, line, column["lang"], "lang"),
                                    "write fi or en"))  # fmt: skip
            continue
        codes = {code.strip() for code in areas_text.split(";") if code.strip()}
        unknown = sorted(codes - known - {"none"})
        if not codes or unknown or ("none" in codes and len(codes) > 1):
            problems.append(Problem(
                f"areas {areas_text!r} are not area codes of {strategy.code}" if unknown or not codes
                else "'none' cannot be combined with areas",
                Location(name, line, column["areas"], "areas"),
                f"use ';'-separated codes from {', '.join(sorted(known))}, or none",
            ))  # fmt: skip
            continue
        areas = frozenset(codes - {"none"})
        topics_text = (row.get("topics") or "").strip()
        topics = {code.strip() for code in topics_text.split(";") if code.strip()} if topics_text else None
        if topics is not None and topics != {"none"}:
            wrong = sorted(code for code in topics if topic_parents.get(code) not in areas)
            if wrong:
                problems.append(Problem(
                    f"topics {', '.join(wrong)} are not sub-topics of the item's areas ({areas_text})",
                    Location(name, line, header.index("topics") + 1, "topics"),
                    "give sub-topic codes such as I.4.3 whose area is in the areas column, none, or leave it empty",
                ))  # fmt: skip
                continue
        examples.append(Example(identifier, body, lang, areas,
                                topics=None if topics is None else frozenset(topics - {"none"})))  # fmt: skip
    if problems:
        raise InputError(f"{name}: {len(problems)} bad row(s)", problems, hint="correct the rows listed")
    if not examples:
        raise InputError(f"{name} has no rows", hint="add labelled rows under the header")
    return examples


def load_gold(path: Path, strategy: Strategy) -> list[Example]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"gold file {path} does not exist", hint="give the path of a gold CSV file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"gold file {path} is not UTF-8", hint="save the file as UTF-8") from exc
    return parse_gold(text, str(path), strategy)


def _shipped(name: str, strategy: Strategy) -> list[Example]:
    text = (resources.files("smartspec.classify") / "data" / name).read_text(encoding="utf-8")
    return parse_gold(text, name, strategy)


def gold_dev(strategy: Strategy) -> list[Example]:
    """The development gold set shipped with smartspec: the classifier learns from it (see data/LABELLING.md)."""
    return _shipped(GOLD_DEV, strategy)


def gold_test(strategy: Strategy) -> list[Example]:
    """The blind split shipped with smartspec: random items labelled before any model scored them (LABELLING.md)."""
    return _shipped(GOLD_TEST, strategy)


def shipped_examples(strategy: Strategy) -> list[Example]:
    """Every labelled example shipped with smartspec, which the classifier learns from.

    `classify evaluate` leaves out whatever the gold file it scores holds, so scoring the blind split measures
    a model that has not seen it.
    """
    return gold_dev(strategy) + gold_test(strategy)


def label_matrix(examples: Iterable[Example], areas: list[str]) -> np.ndarray:
    return np.array([[1 if area in example.areas else 0 for area in areas] for example in examples], dtype=int)


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def without(examples: list[Example], excluded: Iterable[Example]) -> list[Example]:
    """``examples`` less any that share an id or a text with ``excluded`` (never learn from the test file)."""
    ids, texts = set(), set()
    for example in excluded:
        ids.add(example.id)
        texts.add(normalised(example.text))
    return [e for e in examples if e.id not in ids and normalised(e.text) not in texts]


def summary(examples: list[Example]) -> dict[str, object]:
    areas = Counter(area for example in examples for area in example.areas)
    return {
        "n": len(examples),
        "by_source": dict(Counter(example.source for example in examples)),
        "by_lang": dict(Counter(example.lang for example in examples)),
        "none": sum(1 for example in examples if not example.areas),
        "areas": dict(sorted(areas.items())),
    }
