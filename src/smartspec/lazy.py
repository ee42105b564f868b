"""Packages whose exported names load on first use (PEP 562), so that a command pays only for what it runs.

`smartspec import`, `stats` and `--help` need neither scikit-learn, SciPy and the embedding model (classify/) nor
igraph and networkx (network/): importing those costs about 140 MB and seconds before any work. A package lists its
exports as usual, but under ``if TYPE_CHECKING:`` (so that type checkers and readers see every name and where it
comes from), and ends with ``attach(__name__)``::

    if TYPE_CHECKING:
        from smartspec.classify.runner import run

    __all__ = ["run"]
    attach(__name__)

``attach`` reads those ``from … import …`` lines from the package's source and imports a name's module when the
name is first asked for (``smartspec.classify.run``, ``from smartspec.classify import run``). Submodules import as
always (``from smartspec.classify.labels import REVIEW`` loads labels.py and what it imports, nothing else).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from pathlib import Path


def attach(package: str) -> None:
    """Make the names imported under ``if TYPE_CHECKING:`` in ``package``'s ``__init__.py`` load on first use."""
    module = sys.modules[package]
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    names = lazy_names(ast.parse(source), package)
    module.__dict__["_lazy_names"] = names
    module.__class__ = LazyPackage


def lazy_names(tree: ast.Module, package: str) -> dict[str, tuple[str, str]]:
    """Exported name -> (module, attribute), from the top-level ``if TYPE_CHECKING:`` blocks."""
    names: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if not isinstance(statement, ast.ImportFrom) or statement.module is None:
                raise ImportError(f"{package}: only `from MODULE import NAME` lines may stand under TYPE_CHECKING")
            module = "." * statement.level + statement.module
            resolved = importlib.util.resolve_name(module, package) if statement.level else module
            for alias in statement.names:
                names[alias.asname or alias.name] = (resolved, alias.name)
    return names


class LazyPackage(types.ModuleType):
    """A package module whose exports are imported on first access (see the module's docstring)."""

    _lazy_names: dict[str, tuple[str, str]]

    def __getattr__(self, name: str) -> object:
        target = self.__dict__.get("_lazy_names", {}).get(name)
        if target is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target[0]), target[1])
        self.__dict__[name] = value  # later look-ups are plain attribute reads
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.__dict__.get("_lazy_names", {})))

    def __setattr__(self, name: str, value: object) -> None:
        # The import system sets a package's attribute to each submodule it loads. Where the package exports a
        # function named like the submodule that defines it (classify.explain, network.evaluate), the function
        # keeps the name, as it did when the package ran `from .explain import explain` itself.
        target = self.__dict__.get("_lazy_names", {}).get(name)
        if isinstance(value, types.ModuleType) and target is not None and target == (value.__name__, name):
            value = getattr(value, name)
        super().__setattr__(name, value)
