"""Loading a strategy YAML file, with errors that point at file:line:column."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from smartspec.errors import Location, Problem, StrategyError
from smartspec.strategy.models import Strategy

DEFAULT_STRATEGY = "east-north-finland-2024.yaml"


def default_strategy_path() -> Path:
    """The strategy shipped with the package (East and North Finland, 2024)."""
    return Path(str(resources.files("smartspec.strategy") / "data" / DEFAULT_STRATEGY))


def _node_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], tuple[int, int]]) -> None:
    """Record the line and column of every value in a composed YAML document, keyed by its path."""
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _node_lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, (*path, index), out)


def _locate(lines: dict[tuple[Any, ...], tuple[int, int]], loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """The position of ``loc`` or of its nearest ancestor that exists in the file."""
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def parse_strategy(text: str, source: str = "<strategy>") -> Strategy:
    """Parse and validate strategy YAML text; every problem is reported with its position."""
    # libyaml's parser where PyYAML has it (about ten times faster on the shipped file), composed once: the node
    # tree gives the line of every field for the error messages, and the data is constructed from it.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise StrategyError(
            f"{source} is not valid YAML",
            [Problem(str(getattr(exc, "problem", exc)), where)],
            hint="check the indentation and quoting near the line shown",
        ) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict) or node is None:
        raise StrategyError(
            f"{source} does not hold a strategy",
            [Problem("the top level must be a mapping with priorities, regions, goals …", Location(source))],
        )
    lines: dict[tuple[Any, ...], tuple[int, int]] = {}
    _node_lines(node, (), lines)
    try:
        return Strategy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"] and error["type"] == "value_error":
                problems.extend(_consistency(lines, source, error["msg"]))
                continue
            loc = tuple(error["loc"])
            position = _locate(lines, loc)
            field = ".".join(str(part) for part in loc) or None
            line, column = position or (None, None)
            where = Location(source, line, column, field)
            problems.append(Problem(error["msg"], where, _hint(error["type"], loc)))
        raise StrategyError(
            f"{source} is not a valid strategy ({len(problems)} problem(s))",
            problems,
        ) from exc


def _consistency(lines: dict[tuple[Any, ...], tuple[int, int]], source: str, message: str) -> list[Problem]:
    """Problems from Strategy's consistency check: one 'path: message' per line."""
    problems = []
    for entry in message.removeprefix("Value error, ").splitlines():
        path, _, text = entry.partition(": ")
        loc = tuple(int(part) if part.isdigit() else part for part in path.split("."))
        line, column = _locate(lines, loc) or (None, None)
        problems.append(Problem(text, Location(source, line, column, path), "give every code once, under its parent"))
    return problems


def _hint(kind: str, loc: tuple[Any, ...]) -> str | None:
    last = str(loc[-1]) if loc else ""
    if kind == "missing" and last in ("fi", "en"):
        return f"add the {'Finnish' if last == 'fi' else 'English'} text under this key"
    if kind == "missing":
        return f"add the field {last!r}"
    if kind == "extra_forbidden":
        return f"remove {last!r} or correct its spelling"
    return None


def load_strategy(path: str | Path | None = None) -> Strategy:
    """Load and validate a strategy file; without a path, the one shipped with smartspec."""
    file = Path(path) if path is not None else default_strategy_path()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise StrategyError(
            f"strategy file {file} does not exist",
            hint="give the path of a strategy YAML file, or leave SMARTSPEC_STRATEGY_FILE unset for the built-in one",
        ) from exc
    except UnicodeDecodeError as exc:
        raise StrategyError(
            f"strategy file {file} is not UTF-8",
            [Problem(str(exc), Location(str(file)))],
            hint="save the file as UTF-8",
        ) from exc
    return parse_strategy(text, str(file))


def cached_strategy(path: str | Path | None = None) -> Strategy:
    """A strategy loaded once per process and file version (strategies are immutable values): parsing and checking
    the shipped file takes about a second, and every Observatory (one per web request's user) needs it. A file
    edited on disk is loaded again."""
    file = Path(path) if path is not None else default_strategy_path()
    try:
        stamp = file.stat()
    except FileNotFoundError:
        return load_strategy(file)  # says what is missing
    return _load_version(str(file.resolve()), stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=8)
def _load_version(path: str, mtime_ns: int, size: int) -> Strategy:
    return load_strategy(path)
