"""The packages whose exports load on first use (smartspec.lazy): every name resolves to its module's object, and a
function named like its own submodule keeps the package's name whichever is imported first."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smartspec.lazy import lazy_names

ENVIRONMENT = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
PACKAGES = ["smartspec.classify", "smartspec.network", "smartspec.report"]

# Run in a fresh interpreter: the test session has long imported everything.
EXPORTS = """
import importlib, json, sys
package = importlib.import_module(sys.argv[1])
found = {}
for name in package.__all__:
    module, attribute = package._lazy_names[name]
    found[name] = getattr(package, name) is getattr(importlib.import_module(module), attribute)
print(json.dumps({"found": found, "dir": sorted(set(package.__all__) - set(dir(package)))}))
"""


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_resolves_to_its_module_object(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", EXPORTS, package], capture_output=True, text=True, check=True, env=ENVIRONMENT
    )
    result = json.loads(done.stdout)
    assert result["found"] and all(result["found"].values()), result["found"]
    assert result["dir"] == []


SUBMODULE_FIRST = """
import sys
import smartspec.network.evaluate  # the submodule first: the import system sets smartspec.network.evaluate
import smartspec.classify.explain
from smartspec import classify, network
print(network.evaluate is sys.modules["smartspec.network.evaluate"].evaluate,
      classify.explain is sys.modules["smartspec.classify.explain"].explain)
"""


def test_a_function_keeps_its_name_when_its_submodule_is_imported_first() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SUBMODULE_FIRST], capture_output=True, text=True, check=True, env=ENVIRONMENT
    )
    assert done.stdout.split() == ["True", "True"]


def test_unknown_names_and_other_statements_are_refused() -> None:
    import smartspec.report

    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        smartspec.report.nothing  # noqa: B018
    tree = ast.parse("if TYPE_CHECKING:\n    import numpy\n")
    with pytest.raises(ImportError, match="only `from MODULE import NAME`"):
        lazy_names(tree, "smartspec.example")
    relative = ast.parse("if TYPE_CHECKING:\n    from .data import ReportData as Data\n")
    assert lazy_names(relative, "smartspec.report") == {"Data": ("smartspec.report.data", "ReportData")}
