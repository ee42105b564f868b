"""The web pages of project search, project and organisation profiles and indicators with their records: the
facade's profile reads on both backends, the pages in Finnish and English, searches from several threads, and a
browser that searches, filters, opens a project, an organisation, an indicator and its records, and runs axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from helpers import cordis_zip
from smartspec import Observatory
from smartspec.config import Settings
from smartspec.errors import InputError
from smartspec.search.normalise import VoikkoSearchNormaliser, voikko_available
from smartspec.web import create_app

FIXTURES_EURA = "tests/fixtures/eura/eura2014.csv"
HYDROGEN = "Vetytalouden kehittämisympäristö Lappiin"


@pytest.fixture(scope="module")
def client(web_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=web_db))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def obs(web_db: str) -> Iterator[Observatory]:
    with Observatory(web_db) as observatory:
        yield observatory


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# The facade's reads, on SQLite and PostgreSQL -------------------------------------------------------------------


def test_profiles_on_both_backends_without_a_classifier(engine: Engine, tmp_path: Any) -> None:
    from pathlib import Path

    with Observatory(engine=engine) as obs:
        obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
        obs.import_file("eura", Path(FIXTURES_EURA))
        hydro = next(i for i in obs.search(q="HYDRO-NORTH").items)
        project = obs.project(hydro.id)
        assert project.source_url == f"https://cordis.europa.eu/project/id/{project.source_id}"
        assert project.labels == [] and project.reviews == []  # not classified yet
        assert {p.name for p in project.participants} >= {"OULUN YLIOPISTO", "TECHNISCHE UNIVERSITAET MUENCHEN"}
        assert sum(p.ec_contribution or 0 for p in project.participants) > 0
        assert project.regions[0] == "FI1D7"  # the strategy's order: Lapland first
        lapin = next(p for p in project.participants if p.name.startswith("LAPIN"))
        org = obs.organisation(lapin.organisation_id)
        assert {(n.name, n.source) for n in org.names} == {("LAPIN AMMATTIKORKEAKOULU OY", "cordis"),
                                                           ("Lapin ammattikorkeakoulu Oy", "eura")}  # fmt: skip
        assert {p.title for p in org.projects} >= {HYDRO_TITLE, HYDROGEN}
        assert org.region == "FI1D7" and {p.name for p in org.partners} >= {"OULUN YLIOPISTO"}
        assert [f.key for f in org.by_year] == sorted({str(p.year) for p in org.projects}, reverse=True)
        assert [f.key for f in org.by_area] == ["none"]  # no labels yet: one row for "no area"
        assert sum(f.public_funding for f in org.by_year) == sum(p.public_funding or 0 for p in org.projects)
        with pytest.raises(InputError, match="there is no project 999999"):
            obs.project(999_999)
        with pytest.raises(InputError, match="there is no organisation"):
            obs.organisation(999_999)
        obs.decide(hydro.id, "I.4", "add", by="tester")
        reviewed = obs.project(hydro.id)
        assert reviewed.labels == ["I.4"] and [(r.code, r.status, r.by) for r in reviewed.reviews] == [
            ("I.4", "manual", "tester")
        ]
        with TestClient(create_app(observatory=obs)) as client:
            page = client.get(f"/projects/{hydro.id}?lang=en")
            assert page.status_code == 200 and "No classifier is stored" in page.text  # the note, not an error
            assert "I.4 Renewable energy" in page.text and "tester" in page.text


HYDRO_TITLE = "Hydrogen valleys of the North: electrolysers; storage and use"


def test_indicator_records_follow_the_stored_ids(obs: Observatory) -> None:
    values = obs.indicators(2023).values
    funding = next(v for v in values if v.indicator == "g2_eu_funding" and v.region == "FI1D9" and v.area is None)
    records = obs.indicator_records(2023, "g2_eu_funding", "FI1D9")
    assert records.kind == "participation" and [r.id for r in records.rows] == funding.records.ids
    assert sum(r.amount or 0 for r in records.rows) == pytest.approx(funding.value)
    assert all(r.organisation_name and r.project_title for r in records.rows)
    projects = obs.indicator_records(2023, "g1_projects", "FI1D9", per_page=1)
    assert projects.kind == "project" and projects.rows[0].title == HYDRO_TITLE and projects.pages == projects.total
    assert obs.indicator_years() == [2015, 2016, 2022, 2023, 2024, 2025]
    with pytest.raises(InputError, match="there is no indicator 'g9_nothing'"):
        obs.indicator_records(2023, "g9_nothing")
    with pytest.raises(InputError, match="there is no stored value of g1_projects for 1999"):
        obs.indicator_records(1999, "g1_projects", "FI1D9")
    with pytest.raises(InputError, match="not a region"):
        obs.indicator_records(2023, "g1_projects", "XX999")


def test_searches_from_several_threads_give_the_answers_of_one(obs: Observatory) -> None:
    words = ["vetytaloudessa", "matkailun", "kaivosten", "puurakentamisen", "digitaalisten", "kaksosten", "Lapin",
             "energiatehokkuuden", "hydrogen", "valleys", "biotaloudessa", "tutkimuksen"]  # fmt: skip
    alone = {w: [i.id for i in obs.search(q=w).items] for w in words}
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda w: (w, [i.id for i in obs.search(q=w).items]), words * 4))
    assert all(ids == alone[w] for w, ids in together)
    if voikko_available():  # fresh normalisers: 200 words analysed from 8 threads at once, 4 times over
        stems = [
            "vety",
            "kaivos",
            "matkailu",
            "puu",
            "talous",
            "energia",
            "metsä",
            "vesi",
            "kone",
            "terveys",
            "liikunta",
            "peli",
            "data",
            "akku",
            "malmi",
            "ruoka",
            "kala",
            "tuuli",
            "aurinko",
            "rakennus",
        ]
        endings = ["", "n", "ssa", "lla", "jen", "ineen", "toiminta", "alan", "teknologian", "palveluja"]
        many = [stem + ending for stem in stems for ending in endings]
        expected = [VoikkoSearchNormaliser().word(w, "fi") for w in many]
        for _ in range(4):  # without the lock, Voikko's shared handle mixes up answers in most rounds
            fresh = VoikkoSearchNormaliser()
            with ThreadPoolExecutor(max_workers=8) as pool:
                assert list(pool.map(fresh.word, many, ["fi"] * len(many))) == expected


# The pages --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_search_finds_base_forms_and_keeps_every_filter_in_the_url(client: TestClient, lang: str) -> None:
    page = client.get(f"/search?lang={lang}&q=vetytaloudessa")
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    body = main(page.text)
    assert HYDROGEN in body and {"fi": "kokonainen sana", "en": "whole word"}[lang] in body
    assert "vetytaloudessa → vetytalous" in body
    assert {"fi": "Hankehaku", "en": "Project search"}[lang] in body
    # A facet link adds its filter and keeps the text; a second one keeps the first.
    region = re.search(r'href="(/search\?[^"]*region=FI1D7[^"]*)"', body)
    assert region is not None
    with_region = region.group(1).replace("&amp;", "&")
    assert ("q", "vetytaloudessa") in parse_qsl(urlsplit(with_region).query)
    second = main(client.get(with_region).text)
    fund = re.search(r'href="(/search\?[^"]*fund=EAKR[^"]*)"', second)
    assert fund is not None
    both = fund.group(1).replace("&amp;", "&")
    params = parse_qsl(urlsplit(both).query)
    assert {("region", "FI1D7"), ("fund", "EAKR"), ("q", "vetytaloudessa")} <= set(params)
    filtered = main(client.get(both).text)
    assert HYDROGEN in filtered and filtered.count({"fi": "poista", "en": "remove"}[lang] + "<span") == 2
    assert 'href="/api/v1/projects.csv?q=vetytaloudessa&amp;region=FI1D7&amp;fund=EAKR"' in filtered


def test_search_pages_sorts_and_bad_parameters(client: TestClient) -> None:
    first = main(client.get("/search?lang=en&per_page=2&sort=title").text)
    assert 'aria-current="page">1<' in first and 'rel="next"' in first
    titles = re.findall(r'<h3><a href="/projects/\d+">([^<]+)</a>', first)
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 2
    second = main(client.get("/search?lang=en&per_page=2&sort=title&page=2").text)
    assert not set(re.findall(r'<h3><a href="/projects/\d+">([^<]+)</a>', second)) & set(titles)
    bad = client.get("/search?lang=en&sort=sideways&region=XX")
    assert bad.status_code == 400 and "sort is one of" in bad.text and "XX" in bad.text


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_project_page_shows_evidence_participants_and_source(client: TestClient, obs: Observatory, lang: str) -> None:
    hydro = obs.search(q="HYDRO-NORTH").items[0]
    body = main(client.get(f"/projects/{hydro.id}?lang={lang}").text)
    assert HYDRO_TITLE in body and "https://cordis.europa.eu/project/id/101100001" in body
    assert {"fi": "todennäköisyys", "en": "probability"}[lang] in body  # the classifier's evidence
    assert {"fi": "Lähimmät luokitellut esimerkit", "en": "Nearest labelled examples"}[lang] in body
    assert "hydrogen" in body.lower() and {"fi": "Vetytalous", "en": "Hydrogen economy"}[lang] in body
    assert re.search(r'<a href="/organisations/\d+">OULUN YLIOPISTO</a>', body)
    assert {"fi": "Pohjois-Pohjanmaa", "en": "North Ostrobothnia"}[lang] in body
    assert client.get("/projects/999999").status_code == 404


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_organisation_profile(client: TestClient, obs: Observatory, lang: str) -> None:
    hydro = obs.project(obs.search(q="HYDRO-NORTH").items[0].id)
    lapin = next(p for p in hydro.participants if p.name.startswith("LAPIN"))
    body = main(client.get(f"/organisations/{lapin.organisation_id}?lang={lang}").text)
    assert "Lapin ammattikorkeakoulu Oy" in body and "LAPIN AMMATTIKORKEAKOULU OY" in body  # both spellings
    assert HYDROGEN in body and HYDRO_TITLE in body
    assert {"fi": "Rahoitus vuosittain", "en": "Funding by year"}[lang] in body
    assert {"fi": "Kumppanit", "en": "Partners"}[lang] in body and "TECHNISCHE UNIVERSITAET MUENCHEN" in body


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_indicator_pages_chart_table_and_records(client: TestClient, lang: str) -> None:
    catalogue = main(client.get(f"/indicators?lang={lang}").text)
    assert 'href="/indicators/g2_eu_funding"' in catalogue and "G7 · " in catalogue
    page = main(client.get(f"/indicators/g2_eu_funding?lang={lang}").text)
    assert re.search(r'role="img" aria-label="[^"]+"><svg', page)  # the chart, with its text alternative
    link = '/indicators/g2_eu_funding/records?year=2023&amp;region=FI1D9"'
    assert link in page
    records = main(client.get(f"/indicators/g2_eu_funding/records?year=2023&region=FI1D9&lang={lang}").text)
    assert HYDRO_TITLE in records and "OULUN YLIOPISTO" in records
    assert 'href="/api/v1/indicators/2023/g2_eu_funding/records.csv?region=FI1D9"' in records
    by_area = main(client.get(f"/indicators/rca_eu?lang={lang}").text)
    assert 'aria-current="true">I.' in by_area  # an indicator by area only starts with its first area
    assert client.get("/indicators/g9_nothing").status_code == 404
    assert client.get("/indicators/g1_projects/records?year=1999&region=FI1D9").status_code == 404


# The browser -----------------------------------------------------------------------------------------------------


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]  # fmt: skip


def at_phone_width(page: Any) -> list[str]:
    """axe at 360 px, and nothing wider than the screen (tables stack or scroll inside their own box)."""
    page.set_viewport_size({"width": 360, "height": 800})
    found = serious(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return found + ([f"{page.url}: {width} px wide at 360 px"] if width > 360 else [])


def test_search_filter_project_organisation_indicator_in_a_browser(page: Any, live_server: str) -> None:
    problems: list[str] = []
    page.set_default_timeout(5000)
    page.goto(f"{live_server}/search?lang=fi")
    page.get_by_label("Hakusanat suomeksi tai englanniksi").fill("vetytaloudessa")
    page.get_by_role("button", name="Haku").click()
    assert page.get_by_role("link", name=HYDROGEN).count() == 1  # the inflected word finds its base form
    problems += serious(page)
    page.locator("#filters").get_by_role("link", name=re.compile("^Lappi 1")).click()
    page.locator("#filters").get_by_role("link", name=re.compile("^Euroopan aluekehitysrahasto")).click()
    assert "region=FI1D7" in page.url and "fund=EAKR" in page.url and "q=vetytaloudessa" in page.url
    assert page.locator(".chosen li").count() == 3  # two filters and "remove all"
    problems += at_phone_width(page)
    page.get_by_role("link", name=HYDROGEN).click()
    assert page.locator("h1").inner_text() == HYDROGEN
    assert page.locator("section.evidence").count() >= 1 and page.get_by_text("todennäköisyys").count() >= 1
    problems += serious(page) + at_phone_width(page)
    page.get_by_role("link", name="Lapin ammattikorkeakoulu Oy").first.click()
    assert "/organisations/" in page.url and page.get_by_text("LAPIN AMMATTIKORKEAKOULU OY").count() >= 1
    problems += serious(page) + at_phone_width(page)
    page.get_by_role("link", name="Indikaattorit").first.click()
    problems += serious(page)
    page.get_by_role("link", name="EU-rahoitus alueen toimijoille").click()
    assert page.locator('[role="img"] svg').count() == 1
    problems += serious(page) + at_phone_width(page)
    page.get_by_role("link", name=re.compile("^Pohjois-Pohjanmaa 2023")).click()
    assert page.locator("h1").inner_text() == "Arvon taustalla olevat tietueet"
    assert page.get_by_role("link", name=HYDRO_TITLE).count() == 1
    problems += serious(page) + at_phone_width(page)
    assert not problems, "\n".join(problems)
