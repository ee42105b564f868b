"""The library facade and the settings: what users script against, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

import smartspec
from smartspec.config import Settings


def test_facade_exports_exactly_its_api() -> None:
    for name in smartspec.__all__:
        assert hasattr(smartspec, name), name
    public = {name for name in vars(smartspec) if not name.startswith("_")} - {
        # the subpackages themselves
        "accounts", "classify", "cli", "config", "errors", "i18n", "indicators", "ingest", "lazy", "money", "network",
        "observatory", "report", "search", "spreadsheet", "store", "strategy", "web",
    }  # fmt: skip
    assert public <= set(smartspec.__all__)


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMARTSPEC_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("SMARTSPEC_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url == "sqlite:///x.db" and settings.data_dir == tmp_path


def test_scripting_through_the_facade(tmp_path: Path) -> None:
    from helpers import cordis_zip

    with smartspec.Observatory(f"sqlite:///{tmp_path / 'api.db'}") as obs:
        assert obs.init().schema_before is None
        result = obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
        assert isinstance(result, smartspec.ImportResult) and result.inserted > 0
        assert obs.stats().regions["FI1D2"].projects == 1
        assert {"cordis", "eura", "csv"} <= {source.name for source in obs.sources()}
        assert obs.strategy.code == smartspec.load_strategy().code
