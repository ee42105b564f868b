"""The annual report: both languages, Finnish number formats, every goal, a map, and a real PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import Engine

from conftest import SHARED_DATA
from helpers import cli, observe
from smartspec.errors import InputError
from smartspec.i18n import translations
from smartspec.report import format as fmt
from smartspec.report import write
from smartspec.report.sections import alert_label
from smartspec.strategy import Strategy


@pytest.fixture
def store(imported: Engine) -> Engine:
    return imported


def test_finnish_and_english_formats() -> None:
    assert fmt.money(1234567.4, "fi") == "1\u00a0234\u00a0567\u00a0€"
    assert fmt.money(1234567.4, "en") == "€1,234,567"
    assert fmt.percent(0.256, "fi") == "26\u00a0%"
    assert fmt.number(1234.5, "fi", 2) == "1\u00a0234,50"
    assert fmt.change(150, 100, "fi") == "+50\u00a0%" and fmt.change(1, 0, "en") == "new"
    assert fmt.change(1, 0, "fi") == "uusi" and fmt.change(0, 0, "fi") == "–"


def test_report_texts_come_from_the_catalogues() -> None:
    """The report's wording of the gap alerts (kept apart from the web's by a context) in both languages."""
    assert alert_label("falling_funding", "fi") == "EU-rahoitus laski vähintään neljänneksen"
    assert alert_label("no_international_partner", "en") == "Specialised, but no partner abroad in three years"
    assert alert_label("no_cluster", "fi") == "Ei rekisteröityä klusteria osaamisalueella"
    assert translations("fi").pgettext("report", "Gap alerts") == "Huomiot"
    assert translations("sv").gettext("Caveat") == "Obs" and translations("sv").gettext("Summary") == "Sammanfattning"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_report_in_both_languages(store: Engine, strategy: Strategy, tmp_path: Path) -> None:
    data_dir = SHARED_DATA if (SHARED_DATA / "finland_regions_geo").is_dir() else None
    obs = observe(store)
    with pytest.raises(InputError, match="smartspec indicators --year 2023"):
        obs.report(2023, "fi", data_dir)  # the report reads stored values; it computes nothing
    obs.compute_indicators([2022, 2023])
    fi = obs.report(2023, "fi", data_dir)
    en = obs.report(2023, "en", data_dir)
    for goal in strategy.goals:
        assert escape(goal.label.fi) in fi.html and escape(goal.label.en) in en.html
    assert "500\u00a0001\u00a0€" in fi.html  # Oulu's EU funding in HYDRO-NORTH, Finnish style
    assert "€500,001" in en.html
    if data_dir is not None:  # per-inhabitant and per-GDP figures say which year's population and GDP they use
        assert "väkiluku vuodelta 2022" in fi.html and "GDP of 2021" in en.html
    assert "Menetelmät ja lähteet" in fi.html and "CC BY 4.0" in fi.html
    assert fi.html.count("<svg") >= 2
    if data_dir is not None:
        assert "map_missing" not in fi.context or not fi.context["map_missing"]
    pdf = write(fi, tmp_path / "raportti.pdf", "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    from weasyprint import HTML

    assert len(HTML(string=fi.html).render().pages) >= 6  # summary, goals, methods
    with pytest.raises(InputError, match="unknown language"):
        obs.report(2023, "sv")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_report_command(store: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert cli("report", "--year", "2023", "--lang", "en", "--format", "html", "--out", out, "--db", db_url) == 2
    assert "smartspec indicators --year 2023" in capsys.readouterr().err
    assert cli("indicators", "--year", "2023", "--db", db_url) == 0
    assert cli("report", "--year", "2023", "--lang", "en", "--format", "html", "--out", out, "--db", db_url) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert cli("report", "--year", "2023", "--format", "docx", "--out", tmp_path / "r.docx", "--db", db_url) == 2
    assert "use --format html or --format pdf" in capsys.readouterr().err
