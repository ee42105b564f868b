"""The overview, strategy, region, report and data pages: their facade reads, the pages in Finnish and English, and
the pages in a browser (language switch, the map's indicator, a region, axe-core, phone width)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine

from helpers import FIXTURES, cordis_zip, observe
from smartspec import Observatory
from smartspec.config import Settings
from smartspec.indicators.trends import HEADLINES
from smartspec.report import charts
from smartspec.web import create_app
from smartspec.web.graphics import sparkline
from smartspec.web.pages.common import chosen_year, figure

PAGES = ["/", "/strategy", "/regions", "/regions/FI1D9", "/reports", "/data"]


@pytest.fixture(scope="module")
def obs(web_db: str) -> Any:
    with Observatory(web_db) as observatory:
        yield observatory


@pytest.fixture(scope="module")
def client(web_db: str) -> Any:
    with TestClient(create_app(Settings(database_url=web_db))) as test_client:
        yield test_client


# The facade's reads -------------------------------------------------------------------------------------------------


def test_years_and_headlines_come_from_the_stored_values(obs: Observatory) -> None:
    assert obs.indicator_years() == [2015, 2016, 2022, 2023, 2024, 2025]
    assert 2025 not in obs.indicator_years(with_projects=True)  # computed, but no project of it was imported
    assert chosen_year(obs.indicator_years(), None, obs.indicator_years(with_projects=True)) == 2024
    assert chosen_year([2023, 2024], 2023) == 2023 and chosen_year([], 2023) is None
    headlines = obs.headlines(2024)
    assert [goal.goal for goal in headlines.goals] == list(HEADLINES)
    stored = {year: obs.indicators(year).table() for year in (2023, 2024)}
    for goal in headlines.goals:
        for row in goal.regions:

            def stored_value(year: int, indicator: str = goal.indicator, region: str = row.region) -> float:
                table = stored[year]
                if (indicator, region, None) in table:
                    return table[(indicator, region, None)].value
                return sum(v.value for (i, r, _), v in table.items() if i == indicator and r == region)

            assert row.value == pytest.approx(stored_value(2024)) and row.previous == pytest.approx(stored_value(2023))
            assert [p.year for p in row.series] == headlines.years
    eu = next(goal for goal in headlines.goals if goal.goal == "G2").regions
    oulu = next(row for row in eu if row.region == "FI1D9")
    assert oulu.previous and oulu.change == pytest.approx((oulu.value - oulu.previous) / oulu.previous)  # type: ignore[operator]
    communities = next(goal for goal in headlines.goals if goal.goal == "G3")  # stored per area only: summed
    assert sum(row.value or 0 for row in communities.regions) > 0


def test_strategy_figures_agree_with_the_area_counts(obs: Observatory) -> None:
    figures = obs.strategy_figures()
    counts = obs.area_counts()  # a separate count of the same labels: projects per area and region
    for area, by_region in counts.areas.items():
        for region, projects in by_region.items():
            assert figures.regions[region][area].projects == projects, (area, region)
    for priority in obs.strategy.priorities:
        in_priority = figures.codes.get(priority.code)
        for area in priority.areas:
            found = figures.codes.get(area.code)
            assert found is None or (in_priority and found.projects <= in_priority.projects)
            for topic in area.topics:  # a topic's projects are among its area's
                assert figures.codes.get(topic.code) is None or (found and figures.codes[topic.code].projects
                                                                 <= found.projects)  # fmt: skip
    assert figures.total.projects >= max(f.projects for code, f in figures.codes.items() if "." not in code)


def test_region_profile(obs: Observatory) -> None:
    profile = obs.region_profile("FI1D9", 2023)
    assert profile.year == 2023 and profile.rca_year == 2023
    stored = obs.indicators(2023, "FI1D9").table()
    for area in profile.areas:
        rca = stored.get(("rca_finland", "FI1D9", area.area))
        assert area.rca_finland == (rca.value if rca else None)
    assert profile.figures.projects == obs.stats().regions["FI1D9"].projects
    assert profile.figures.eu_funding == obs.stats().regions["FI1D9"].ec_contribution_eur
    assert profile.alerts == [a for a in obs.alerts(2023) if a.region == "FI1D9"]
    assert profile.organisations and profile.organisations == sorted(
        profile.organisations, key=lambda o: (-o.eu_funding, -o.public_funding, o.id)
    )
    assert all(p.projects > 0 for p in profile.partners)
    inside = [p for p in profile.partners if p.in_strategy]
    assert all(p.code != "FI1D9" and obs.strategy.region(p.code) for p in inside)
    assert profile.partners[: len(inside)] == inside  # the strategy's regions first


def test_data_sources_with_licence_and_last_import(obs: Observatory) -> None:
    sources = {source.key: source for source in obs.data_sources()}
    assert sources["cordis"].licence.startswith("CC BY 4.0") and sources["cordis"].imported_at is not None
    assert sources["eura"].imports == 1 and sources["population"].imported_at is None


def test_the_reads_on_each_backend(engine: Engine, install_model: Callable[[Engine], None], tmp_path: Path) -> None:
    obs = observe(engine)
    obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
    obs.import_file("eura", FIXTURES / "eura" / "eura2014.csv")
    assert obs.indicator_years() == [] and obs.region_profile("FI1D9").year is None
    install_model(engine)
    obs.classify()
    obs.compute_indicators([2023, 2024])
    assert obs.indicator_years() == obs.indicator_years(with_projects=True) == [2023, 2024]
    communities = obs.headlines(2024).goals[2]
    assert communities.indicator == "g3_communities"
    stored = obs.indicators(2024).table()
    for row in communities.regions:
        assert row.value == sum(v.value for (i, r, _), v in stored.items() if i == "g3_communities" and r == row.region)
    figures = obs.strategy_figures()
    for area, by_region in obs.area_counts().areas.items():
        assert all(figures.regions[region][area].projects == n for region, n in by_region.items())
    profile = obs.region_profile("FI1D9")
    assert profile.year == 2024 and profile.figures.projects == obs.stats().regions["FI1D9"].projects
    assert {source.key for source in obs.data_sources() if source.imported_at} == {"cordis", "eura"}


def test_charts_are_one_labelled_image() -> None:
    svg = charts.accessible('<svg width="1"><g role="graphics-symbol" aria-roledescription="mark">'
                            '<path aria-label="x"/></g></svg>', 'EU funding <per> region')  # fmt: skip
    assert svg.startswith('<svg width="1" role="img" aria-label="EU funding &lt;per&gt; region"><title>')
    assert "graphics-symbol" not in svg and 'aria-label="x"' not in svg
    line = sparkline([(2015, 1.0), (2016, 3.0), (2022, 2.0)], "2015: 1, 2016: 3, 2022: 2")
    assert 'role="img"' in line and 'aria-label="2015: 1, 2016: 3, 2022: 2"' in line and "style=" not in line
    xs = [float(pair.split(",")[0]) for pair in re.search(r'points="([^"]+)"', line).group(1).split()]  # type: ignore[union-attr]
    assert xs[1] - xs[0] < xs[2] - xs[1]  # x follows the years: the gap 2016-2022 shows
    assert figure(0.256, "share", "fi") == "26\u00a0%" and figure(1234.5, "EUR", "en") == "€1,235"
    assert figure(None, "EUR", "sv") == "–" and figure(0.00041, "EUR per EUR of GDP", "en") == "0.41‰"


# The pages ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_finnish_and_english_and_the_switch_keeps_it(client: TestClient, path: str) -> None:
    fi = client.get(f"{path}?lang=fi")
    en = client.get(f"{path}?lang=en")
    assert fi.status_code == en.status_code == 200
    assert '<html lang="fi">' in fi.text and '<html lang="en">' in en.text
    assert "Raportit" in fi.text and "Reports" in en.text  # the navigation
    assert f'href="{path}?lang=en"' in fi.text  # the language switch stays on the page
    assert "style=" not in fi.text  # the CSP allows no inline style


def test_overview(client: TestClient, obs: Observatory) -> None:
    fi = client.get("/?lang=fi").text
    assert "Tavoitteet vuonna 2024" in fi and "Puutehälytykset 2024" in fi
    en = client.get("/?lang=en").text
    assert "The goals in 2024" in en and "its change from 2023" in en
    for goal in obs.strategy.goals:
        assert str(escape(goal.label.en)) in en
    assert '<select id="year" name="year">' in en and '<option value="2023">' in en
    assert en.count('class="spark"') == 7 * 7  # a trend per goal and region
    assert 'role="img" aria-label="EU funding per inhabitant 2024:' in en  # the default map, with its text
    lapland = obs.indicators(2024).table()[("g2_eu_funding_per_capita", "FI1D7", None)].value
    assert f"Lapland {figure(lapland, 'EUR per inhabitant', 'en')}" in en
    chosen = client.get("/?lang=en&indicator=g1_projects&year=2023").text
    assert "<caption>Projects with an actor of the region 2023</caption>" in chosen
    assert '<option value="g1_projects" selected>' in chosen and "The goals in 2023" in chosen
    unknown = client.get("/?lang=en&indicator=nothing&year=1990").text
    assert "No indicator values are stored for 1990; showing 2024." in unknown
    assert '<option value="g2_eu_funding_per_capita" selected>' in unknown
    for alert in obs.alerts(2024):
        assert f'<abbr title="{escape(obs.strategy.find(alert.area).label.en)}">{alert.area}</abbr>' in en  # type: ignore[union-attr]


def test_overview_without_the_map_file(web_db: str, tmp_path: Any) -> None:
    with TestClient(create_app(Settings(database_url=web_db, data_dir=tmp_path))) as bare:
        page = bare.get("/?lang=en").text
    assert "The map needs the regions' boundaries" in page and "<caption>EU funding per inhabitant" in page


def test_strategy_page(client: TestClient, obs: Observatory) -> None:
    en = client.get("/strategy?lang=en").text
    assert "Clean solutions" in en and 'href="/search?area=I.4&amp;lang=en"' in en
    assert 'href="/search?topic=I.4.1&amp;lang=en"' in en
    for region in obs.strategy.regions:
        assert str(escape(region.priorities[0].label.en)) in en
    fi = client.get("/strategy?lang=fi").text
    assert "Puhtaat ratkaisut" in fi and "Maakuntien omat painopisteet" in fi
    total = obs.strategy_figures().codes["I"]
    assert re.search(rf"Priority I together</th>\s*<td[^>]*>{total.projects}</td>", en)


def test_region_pages(client: TestClient, obs: Observatory) -> None:
    listing = client.get("/regions?lang=sv").text
    assert "Norra Österbotten" in listing and 'href="/regions/FI1D9?lang=sv"' in listing
    en = client.get("/regions/FI1D9?lang=en").text
    assert "<h1>North Ostrobothnia</h1>" in en and "Specialisation" in en and "Partner regions" in en
    profile = obs.region_profile("FI1D9", 2024)
    top = profile.organisations[0]
    assert f'href="/organisations/{top.id}?lang=en"' in en
    assert 'href="/search?area=I.1&amp;region=FI1D9&amp;lang=en"' in en
    fi = client.get("/regions/FI1D9?lang=fi&year=2023").text
    assert "Erikoistuminen" in fi and "RCA-arvot vuodelta 2023." in fi
    assert '<th scope="row">Germany</th>' in en and '<th scope="row">Saksa</th>' in fi  # partner countries by name
    assert client.get("/regions/XX1?lang=en").status_code == 404
    assert client.get("/regions/FI1A2").status_code == 404  # an older code of North Ostrobothnia


def test_reports(client: TestClient) -> None:
    listing = client.get("/reports?lang=en").text
    assert 'href="/reports/2024.html?lang=fi"' in listing and 'href="/reports/2024.pdf?lang=en"' in listing
    page = client.get("/reports/2024.html?lang=en")
    assert page.status_code == 200
    assert "<h1>East and North Finland smart specialisation monitoring report 2024" in page.text
    csp = page.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in csp and "script" not in csp and "default-src 'none'" in csp
    assert '<meta name="viewport"' in page.text and "<script" not in page.text and ' style="' not in page.text
    assert page.text.count('role="img"') == page.text.count("<svg") >= 2
    assert "graphics-symbol" not in page.text
    assert client.get("/reports/2024.html?lang=sv").text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert client.get("/reports/1990.html").status_code == 404
    pdf = client.get("/reports/2024.pdf?lang=fi")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="raportti-2024.pdf"' in pdf.headers["content-disposition"]


def test_data_page(client: TestClient, obs: Observatory) -> None:
    en = client.get("/data?lang=en").text
    assert "CORDIS – EU research projects" in en and "CC BY 4.0" in en and "Import log" in en
    for batch in obs.imports():
        assert f'<th scope="row">#{batch.id}</th>' in en
    fi = client.get("/data?lang=fi").text
    assert "Tuontiloki" in fi and "Luetaan aineistohakemistosta" in fi


# In a browser -------------------------------------------------------------------------------------------------------


def serious(page: Any) -> list[tuple[str, str, list[Any]]]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
            if v["impact"] in ("serious", "critical")]  # fmt: skip


def test_the_pages_in_a_browser(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/?lang=fi")
    assert page.locator("h2#goals-heading").inner_text() == "Tavoitteet vuonna 2024"
    page.get_by_role("link", name="In English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2#goals-heading").inner_text() == "The goals in 2024"
    page.get_by_label("Indicator").select_option("g1_projects")
    page.locator("#map-heading ~ form button").click()
    assert "indicator=g1_projects" in page.url and "lang=en" in page.url
    assert page.locator(".map-table caption").inner_text() == "Projects with an actor of the region 2024"
    assert page.locator(".map svg[role=img]").get_attribute("aria-label").startswith("Projects with an actor")
    page.locator(".map-table").get_by_role("link", name="North Ostrobothnia").click()
    assert page.locator("h1").inner_text() == "North Ostrobothnia" and page.url.endswith("/regions/FI1D9?lang=en")
    for path in [*PAGES, "/reports/2024.html?lang=fi"]:
        page.goto(f"{live_server}{path}" + ("" if "?" in path else "?lang=en"))
        assert serious(page) == [], path


def test_the_pages_at_phone_width(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="fi-FI")
    phone = context.new_page()
    try:
        for path in [*PAGES, "/reports/2024.html"]:
            phone.goto(f"{live_server}{path}?lang=fi")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path  # nothing sticks out
        # The report's region table no longer sits beside the map: the map comes below it, full width.
        table = phone.locator("td.layout-main").bounding_box()
        drawn = phone.locator("td.layout-side svg").bounding_box()
        assert drawn["y"] >= table["y"] + table["height"] - 1 and drawn["width"] >= 250
        assert serious(phone) == []
    finally:
        context.close()
