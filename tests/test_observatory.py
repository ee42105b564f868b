"""The facade: typed results for every operation, the same figures as the CLI, registries a plug-in can extend."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine

import smartspec
from helpers import FIXTURES, cli, cordis_zip, observe
from smartspec import Observatory, Option, Source
from smartspec.errors import SmartspecError
from smartspec.indicators import Catalogue, load_catalogue
from smartspec.indicators.base import INDICATORS, check_registry
from smartspec.ingest import registry
from smartspec.ingest.batch import ImportContext
from smartspec.ingest.readers import read_table
from smartspec.strategy import Strategy

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def store(imported: Engine) -> Engine:
    return imported


def test_every_operation_returns_pydantic_models(store: Engine, install_model: Callable[[Engine], None],
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    install_model(store)
    obs = observe(store)
    results: list[object] = [obs.stats(), obs.imports()[0], obs.train(), obs.classify(), obs.area_counts(),
                             obs.compute_indicators([2023]), obs.indicators(2023), obs.registers("network"),
                             obs.review_queue(3)[0], obs.sources()[0]]  # fmt: skip
    project = obs.review_queue(1)[0].project_id
    results += [obs.explain(project), obs.decide(project, "I.4", "accept", by="tester")]
    for result in results:
        assert isinstance(result, BaseModel), type(result)
        assert json.loads(result.model_dump_json())  # and each serialises to JSON
    # The facade's figures are the CLI's: `smartspec stats --json` prints obs.stats()
    url = store.url.render_as_string(hide_password=False)
    assert cli("stats", "--db", url, "--json") == 0
    assert json.loads(capsys.readouterr().out) == obs.stats().model_dump(mode="json")
    assert cli("imports", "--db", url, "--json") == 0
    assert json.loads(capsys.readouterr().out)["batches"][0]["id"] == obs.imports()[0].id


def test_money_stays_exact(store: Engine) -> None:
    stats = observe(store).stats()
    figure = stats.regions["FI1D9"]
    assert str(figure.ec_contribution_eur) == "620001.25" and figure.ec_contribution_cents == 62000125


def test_the_readme_example_runs_as_written(store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            install_model: Callable[[Engine], None]) -> None:  # fmt: skip
    """The README's Python block, run in a folder whose smartspec.db is a demo database."""
    if store.url.get_backend_name() != "sqlite":
        pytest.skip("the README example uses the default SQLite file")
    install_model(store)
    observe(store).classify()
    block = re.search(r"### As a library\n.*?```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None, "the README has no Python example under 'As a library'"
    monkeypatch.chdir(tmp_path)
    observe(store).backup(tmp_path / "smartspec.db")
    monkeypatch.setattr("builtins.print", lambda *args, **kwargs: None)
    exec(compile(block.group(1), "README.md", "exec"), {})


def test_nuts_2024_codes_land_in_their_regions(engine: Engine, strategy: Strategy, tmp_path: Path) -> None:
    assert [strategy.region(code).code for code in ("FI1DA", "FI1DB", "FI1DC")] == ["FI1D1", "FI1D2", "FI1D3"]  # type: ignore[union-attr]
    organisations = (FIXTURES / "cordis_he" / "organization.csv").read_text(encoding="utf-8")
    assert "FI1D2" in organisations  # UEF in Kuopio, NUTS 2021
    archive = cordis_zip(tmp_path / "c.zip", replace={"organization.csv": organisations.replace("FI1D2", "FI1DB")})
    obs = observe(engine)
    obs.import_file("cordis", archive)
    assert obs.stats().regions["FI1D2"].projects == 1  # published with NUTS 2024 codes, still Pohjois-Savo


def test_public_funding_counts_every_source_but_eu_direct_programmes(engine: Engine, tmp_path: Path) -> None:
    """A council's own register, imported through a column mapping, counts as public funding (not only EURA)."""
    mapping = tmp_path / "kainuu.yaml"
    mapping.write_text("source: kainuu-hankkeet\ndefaults: {project.fund: EAKR, organisation.country: FI}\n"
                       "columns: {project.source_id: Koodi, project.title: Nimi, project.start_date: Alkaa, "
                       "organisation.name: Toteuttaja, participation.public_funding: Tuki, region: Maakunta}\n",
                       encoding="utf-8")  # fmt: skip
    rows = tmp_path / "hankkeet.csv"
    rows.write_text("Koodi;Nimi;Alkaa;Toteuttaja;Tuki;Maakunta\nK-1;Biohiilen koetehdas;1.2.2022;Kajaanin AMK;"
                    "120000;Kainuu\n", encoding="utf-8")  # fmt: skip
    obs = observe(engine)
    obs.import_file("csv", rows, mapping=mapping)
    obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
    obs.compute_indicators([2022, 2023])
    assert obs.indicators(2022, "FI1D8").table()[("g2_public_funding", "FI1D8", None)].value == 120000.0
    # CORDIS projects are the EU's direct programmes: their money is EU funding, not public funding
    oulu = obs.indicators(2023, "FI1D9").table()
    assert oulu[("g2_eu_funding", "FI1D9", None)].value == 500000.5
    assert oulu[("g2_public_funding", "FI1D9", None)].value == 0.0


def test_per_gdp_and_per_capita_say_which_year_they_use(store: Engine) -> None:
    obs = observe(store)
    if obs.settings.data_dir is None or not (obs.settings.data_dir / "finland_regions_stats").is_dir():
        pytest.skip("no data directory with finland_regions_stats")
    obs.compute_indicators([2023])
    table = obs.indicators(2023, "FI1D9").table()
    per_gdp = table[("g2_eu_funding_per_gdp", "FI1D9", None)]
    assert per_gdp.details["gdp_year"] == 2021 and per_gdp.details["gdp_eur"] > 10**10  # the latest GDP: 2021
    assert per_gdp.value == pytest.approx(500000.50 / per_gdp.details["gdp_eur"], abs=1e-7)
    assert table[("g2_eu_funding_per_capita", "FI1D9", None)].details["population_year"] == 2022


def test_the_catalogue_and_the_indicator_functions_agree() -> None:
    catalogue = load_catalogue()
    assert {entry.id for entry in catalogue.indicators} == set(INDICATORS)
    partial = Catalogue.model_validate({**catalogue.model_dump(), "indicators": [
        entry.model_dump() for entry in catalogue.indicators if entry.id != "g1_projects"]})  # fmt: skip
    with pytest.raises(SmartspecError, match="no catalogue entry for g1_projects"):
        check_registry(partial)


def _read_plain_list(context: ImportContext, path: Path, *, fund: str | None = None) -> None:
    """A minimal plug-in source: 'code;title;region' rows as projects located in a strategy region."""
    table = read_table(path)
    for line, (code, title, region) in context.rows(table, "plain list"):
        key = ("plain", code)
        context.records.project(key, {"title": title, "language": "fi", "fund": fund})
        organisation = context.records.organisation({"name": f"Toteuttaja {code}", "country": "FI"}, "plain")
        context.records.participation(key, organisation, {"nuts_code": region, "country": "FI"})
        del line


PLAIN = Source("plain", "A plain project list (a test plug-in)", _read_plain_list,
               (Option("fund", "Fund code of every project"),))  # fmt: skip


@pytest.fixture
def plugin_registered() -> Iterator[None]:
    smartspec.register(PLAIN)
    yield
    registry._SOURCES.pop("plain", None)


def test_a_source_added_through_the_registry_imports_from_the_cli(
    db_url: str, tmp_path: Path, plugin_registered: None, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("code;title;region\nP-1;Vesiosaamisen keskus;FI1D3\nP-2;Matkailun digiloikka;FI1D7\n",
                       encoding="utf-8")  # fmt: skip
    assert cli("import", "plain", "--help") == 0
    assert "--fund" in capsys.readouterr().out
    assert cli("import", "plain", listing, "--fund", "EAKR", "--db", db_url, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "plain" and result["counts"]["project"]["inserted"] == 2
    with Observatory(db_url) as obs:
        assert obs.stats("plain").regions["FI1D3"].projects == 1
        assert "plain" in {s.name for s in obs.sources()}


def test_plug_in_sources_load_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint("plain", "test_observatory:PLAIN", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [point] if group == registry.ENTRY_POINT_GROUP else [])
    monkeypatch.setattr(registry, "_PLUGINS_LOADED", False)
    try:
        assert registry.get_source("plain").description == PLAIN.description
    finally:
        registry._SOURCES.pop("plain", None)


def test_unknown_source_options_are_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(SmartspecError, match="takes no option sheet"):
        observe(engine).import_file("cordis", cordis_zip(tmp_path / "c.zip"), sheet="x")
    with pytest.raises(SmartspecError, match="needs --mapping"):
        observe(engine).import_file("csv", FIXTURES / "eura" / "eura2014.csv")


def test_register_exports_neutralise_formula_cells(engine: Engine, tmp_path: Path) -> None:
    obs = observe(engine)
    obs.register_add("communication", {"region": "FI1D8", "kind": "news", "title": '=HYPERLINK("http://x","y")',
                                       "date": "2024-03-01"})  # fmt: skip
    out = tmp_path / "actions.csv"
    assert obs.register_export("communication", out) == 1
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8")  # a spreadsheet shows it as text, never runs it
