"""The REST API under /api/v1: each resource's shape, pages and totals, filters in the URL, ETags, the one error
shape, the CSV and XLSX exports (formula injection neutralised), the docs page without a CDN, and schemathesis
over the OpenAPI description."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from smartspec import Observatory
from smartspec.config import Settings
from smartspec.store import models as m
from smartspec.store import transaction
from smartspec.web import create_app
from smartspec.web.exports import cell, neutralise, table

HOSTILE = '=HYPERLINK("http://example.invalid","x")'
ERROR_KEYS = {"status", "message", "problems", "hint"}


@pytest.fixture(scope="module")
def api_db(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int, str]:
    """A copy of the web observatory whose first project has a title that a spreadsheet would run as a formula."""
    source = web_db.removeprefix("sqlite:///")
    target = tmp_path_factory.mktemp("api") / "api.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    with Observatory(url) as obs:
        with transaction(obs.engine) as session:
            project = session.scalars(
                select(m.Project).where(m.Project.source == "cordis").order_by(m.Project.id)
            ).first()
            assert project is not None
            project.title = HOSTILE
            hostile_id = project.id
        obs.reindex([hostile_id])
        obs.add_user("reader", "viewer", "a viewer's long password")
        token = obs.create_token("reader", label="api tests").token
    return url, hostile_id, token


@pytest.fixture(scope="module")
def app(api_db: tuple[str, int, str]) -> FastAPI:
    return create_app(Settings(database_url=api_db[0]))


@pytest.fixture(scope="module")
def client(app: FastAPI, api_db: tuple[str, int, str]) -> Iterator[TestClient]:
    """A client with a viewer's API token: the import log and the review queue are not public reads."""
    with TestClient(app, headers={"Authorization": f"Bearer {api_db[2]}"}) as test_client:
        yield test_client


def ok(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def error(client: TestClient, url: str, status: int) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS and body["error"]["status"] == status
    return dict(body["error"])


# Exports: the helper that neutralises formulas -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [('=HYPERLINK("x")', "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"), ("Matkailu", "Matkailu"), ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_neutralise_prefixes_formula_starts_with_a_quote(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_cells_keep_numbers_and_join_lists() -> None:
    assert cell(-5) == -5 and cell(None) is None and cell(["I.1", "=x"]) == "I.1; =x"
    assert cell(["=x", "I.1"]) == "'=x; I.1" and cell({"a": 1}) == "a=1"
    header, body = table(
        [{"id": 1, "ec_contribution_cents": 123456, "title": "-x"}], ["id", "ec_contribution_cents", "title"]
    )
    assert header == ["id", "ec_contribution_eur", "title"] and body == [[1, Decimal("1234.56"), "'-x"]]


# Resources -------------------------------------------------------------------------------------------------------


def test_strategy_and_regions_with_names_in_three_languages(client: TestClient) -> None:
    assert ok(client, "/api/v1/strategy")["code"]
    regions = ok(client, "/api/v1/regions")
    assert len(regions) == 7
    north = next(r for r in regions if r["code"] == "FI1D9")
    assert north["name"] == {"fi": "Pohjois-Pohjanmaa", "en": "North Ostrobothnia", "sv": "Norra Österbotten"}
    assert north["figures"]["projects"] > 0
    one = ok(client, "/api/v1/regions/FI1D9")
    assert one["figures"] == north["figures"] and "FI1D9" in one["nuts_codes"] and one["priorities"]
    assert sum(one["projects_by_area"].values()) >= 1
    assert error(client, "/api/v1/regions/XX999", 404)["hint"].startswith("use one of")


def test_project_search_pages_add_up_to_the_total(client: TestClient) -> None:
    everything = ok(client, "/api/v1/projects?per_page=100&sort=title")
    assert everything["total"] == len(everything["items"]) > 4 and everything["page"] == 1
    assert {f["name"] for f in everything["facets"]} >= {"region", "area", "year", "fund"}
    seen = []
    pages = -(-everything["total"] // 3)
    for page in range(1, pages + 2):  # one page past the last: empty, with the same total
        found = ok(client, f"/api/v1/projects?per_page=3&sort=title&page={page}")
        assert found["total"] == everything["total"] and found["per_page"] == 3 and found["pages"] == pages
        seen.extend(item["id"] for item in found["items"])
    assert seen == [item["id"] for item in everything["items"]]  # the same order, nothing twice, nothing lost


def test_project_search_filters_in_the_url(client: TestClient) -> None:
    everything = ok(client, "/api/v1/projects?per_page=100")
    region = next(v for f in everything["facets"] if f["name"] == "region" for v in f["values"] if v["count"])
    year = next(v for f in everything["facets"] if f["name"] == "year" for v in f["values"] if v["count"])
    by_region = ok(client, f"/api/v1/projects?region={region['value']}&per_page=100")
    assert by_region["total"] == region["count"] and all(region["value"] in i["regions"] for i in by_region["items"])
    assert by_region["query"]["region"] == [region["value"]]
    both = ok(client, f"/api/v1/projects?region={region['value']}&year={year['value']}&per_page=100")
    assert all(i["year"] == int(year["value"]) for i in both["items"]) and both["total"] <= by_region["total"]
    text = ok(client, "/api/v1/projects?q=hydrogen")
    assert text["terms"] and all(i["match"] in ("word", "part") for i in text["items"])
    assert error(client, "/api/v1/projects?region=FI999", 400)["problems"]
    assert any("per_page" in p for p in error(client, "/api/v1/projects?per_page=500", 422)["problems"])
    assert any("sort" in p for p in error(client, "/api/v1/projects?sort=colour", 422)["problems"])


def test_one_project_with_participants_labels_and_evidence(client: TestClient) -> None:
    hit = next(i for i in ok(client, "/api/v1/projects?per_page=100")["items"] if i["areas"])
    project = ok(client, f"/api/v1/projects/{hit['id']}")
    assert project["id"] == hit["id"] and set(hit["areas"]) <= set(project["labels"])
    assert project["participants"] and all(p["organisation_id"] and p["name"] for p in project["participants"])
    assert project["explanation"]["project_id"] == hit["id"] and project["explanation"]["areas"]
    rows = ok(client, f"/api/v1/classifications/projects/{hit['id']}")
    assert {r["code"] for r in rows if r["status"] != "rejected"} >= set(hit["areas"])
    assert all(r["kind"] in ("area", "topic", "none") and r["method"] for r in rows)
    assert error(client, "/api/v1/projects/999999", 404)["message"] == "there is no project 999999"
    assert error(client, "/api/v1/projects/abc", 422)["problems"]
    error(client, "/api/v1/classifications/projects/999999", 404)
    queue = ok(client, "/api/v1/classifications/review-queue?limit=3")
    assert len(queue) <= 3 and all({"project_id", "margin", "top"} <= set(item) for item in queue)


def test_organisations_page_and_profile(client: TestClient) -> None:
    first = ok(client, "/api/v1/organisations?per_page=2")
    assert first["total"] > 2 and len(first["items"]) == 2
    assert first["items"][0]["projects"] >= first["items"][1]["projects"]  # most projects first
    second = ok(client, "/api/v1/organisations?per_page=2&page=2")
    assert {o["id"] for o in first["items"]}.isdisjoint(o["id"] for o in second["items"])
    everyone = ok(client, "/api/v1/organisations?per_page=100")
    assert everyone["total"] == first["total"] == len(everyone["items"])
    top = first["items"][0]
    profile = ok(client, f"/api/v1/organisations/{top['id']}")
    assert profile["name"] == top["name"] and len(profile["projects"]) == top["projects"] and profile["names"]
    shares = [p["ec_contribution"] for p in profile["projects"] if p["ec_contribution"] is not None]
    assert Decimal(str(top["ec_contribution"])) == sum((Decimal(str(x)) for x in shares), Decimal(0))
    assert profile["by_area"] and all(p["projects"] >= 1 for p in profile["partners"])
    named = ok(client, f"/api/v1/organisations?q={top['name'][:5].lower()}")
    assert top["id"] in {o["id"] for o in named["items"]}
    finnish = ok(client, "/api/v1/organisations?region=FI1D9&per_page=100")
    assert finnish["total"] and all(o["region"] == "FI1D9" for o in finnish["items"])
    by_name = ok(client, "/api/v1/organisations?sort=name&per_page=100")["items"]
    assert [o["name"].lower() for o in by_name] == sorted(o["name"].lower() for o in by_name)
    error(client, "/api/v1/organisations/999999", 404)
    error(client, "/api/v1/organisations?sort=size", 422)
    error(client, "/api/v1/organisations?region=XX1", 400)


def test_indicators_values_and_their_records(client: TestClient) -> None:
    catalogue = ok(client, "/api/v1/indicators")
    assert {"id", "goal", "definition", "unit"} <= set(catalogue[0])
    year = ok(client, "/api/v1/indicators/2024?region=FI1D9")
    assert year["values"] and all(v["region"] == "FI1D9" for v in year["values"])
    value = next(v for v in year["values"] if len(v["records"]["ids"]) >= 2)
    name, area = value["indicator"], value["area"]
    at_area = f"&area={area}" if area else ""
    one = ok(client, f"/api/v1/indicators/2024/{name}?region=FI1D9{at_area}&records_limit=1")
    assert one["indicator"]["id"] == name
    match = next(v for v in one["values"] if v["area"] == area)
    assert match["total"] == len(value["records"]["ids"]) and len(match["rows"]) == 1
    assert match["rows"][0]["id"] == value["records"]["ids"][0] and match["kind"] == value["records"]["kind"]
    records = ok(client, f"/api/v1/indicators/2024/{name}/records?region=FI1D9{at_area}&per_page=500")
    assert records["total"] == len(value["records"]["ids"]) == len(records["items"])
    assert [r["id"] for r in records["items"]] == value["records"]["ids"]
    paged = ok(client, f"/api/v1/indicators/2024/{name}/records?region=FI1D9{at_area}&per_page=1&page=2")
    assert paged["total"] == records["total"] and paged["items"] == records["items"][1:2] and paged["pages"] >= 2
    error(client, "/api/v1/indicators/2024/no_such_indicator", 404)
    error(client, f"/api/v1/indicators/2024/{name}?area=IX.9", 400)
    error(client, f"/api/v1/indicators/1999/{name}/records?region=FI1D9", 404)
    assert ok(client, "/api/v1/indicators/1999")["values"] == []


def test_registers_imports_and_reports(client: TestClient) -> None:
    clusters = ok(client, "/api/v1/registers/cluster")
    assert clusters["kind"] == "cluster" and "name" in clusters["columns"]
    error(client, "/api/v1/registers/secrets", 422)
    imports = ok(client, "/api/v1/imports?per_page=1")
    assert imports["total"] == 2 and len(imports["items"]) == 1 and imports["items"][0]["source"] == "eura"
    html = client.get("/api/v1/reports/2024?lang=en")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html") and "2024" in html.text
    assert "script-src" not in html.headers["content-security-policy"]  # the report runs no script
    pdf = client.get("/api/v1/reports/2024?lang=fi&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "raportti-2024.pdf" in pdf.headers[
        "content-disposition"]  # fmt: skip
    assert error(client, "/api/v1/reports/1999", 404)["hint"].startswith("compute them first")


def test_reads_have_an_etag_and_answer_304_when_unchanged(client: TestClient) -> None:
    first = client.get("/api/v1/projects?per_page=5")
    tag = first.headers["etag"]
    assert tag.startswith('"') and first.headers["cache-control"] == "no-cache"
    assert client.get("/api/v1/projects?per_page=5").headers["etag"] == tag  # a hash of the body: stable
    again = client.get("/api/v1/projects?per_page=5", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get("/api/v1/projects?per_page=4", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    assert "etag" not in client.get("/api/v1/projects/999999").headers  # errors carry none


def test_unknown_paths_and_server_errors_use_the_error_shape(client: TestClient) -> None:
    error(client, "/api/v1/nothing", 404)
    spec = ok(client, "/api/v1/openapi.json")
    documented = spec["paths"]["/api/v1/projects/{project_id}"]["get"]["responses"]
    assert {"404", "422"} <= set(documented) and documented["404"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/ErrorResponse")  # fmt: skip


# Exports ---------------------------------------------------------------------------------------------------------


def rows_of_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_search_results_as_csv_equal_the_json_items(client: TestClient, api_db: tuple[str, int, str]) -> None:
    query = "sort=title&per_page=100"
    items = ok(client, f"/api/v1/projects?{query}")["items"]
    response = client.get(f"/api/v1/projects.csv?{query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="projects.csv"' in response.headers["content-disposition"]
    rows = rows_of_csv(response.content)
    assert [int(r["id"]) for r in rows] == [i["id"] for i in items]
    for row, item in zip(rows, items, strict=True):
        assert row["source_id"] == item["source_id"] and row["areas"] == "; ".join(item["areas"])
        assert row["year"] == str(item["year"] or "")
        cents = item["ec_contribution_cents"]
        assert (Decimal(row["ec_contribution_eur"]) * 100 if row["ec_contribution_eur"] else None) == cents
        assert row["title"] == (neutralise(item["title"]) if item["title"] else "")
    hostile = next(r for r in rows if int(r["id"]) == api_db[1])
    assert hostile["title"] == "'" + HOSTILE  # shown as text, never run
    filtered = rows_of_csv(client.get("/api/v1/projects.csv?region=FI1D9").content)
    assert len(filtered) == ok(client, "/api/v1/projects?region=FI1D9")["total"]


def test_search_results_as_xlsx_open_with_openpyxl(client: TestClient, api_db: tuple[str, int, str]) -> None:
    response = client.get("/api/v1/projects.xlsx?sort=title")
    assert response.status_code == 200 and "projects.xlsx" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "id" and len(rows) == ok(client, "/api/v1/projects")["total"]
    titles = {row[0]: row[header.index("title")] for row in rows}
    assert titles[api_db[1]] == "'" + HOSTILE
    assert all(not (isinstance(t, str) and t.startswith("=")) for t in titles.values())


def test_indicator_tables_and_records_as_csv_and_xlsx(client: TestClient) -> None:
    values = ok(client, "/api/v1/indicators/2024?region=FI1D9")["values"]
    table_rows = rows_of_csv(client.get("/api/v1/indicators/2024.csv?region=FI1D9").content)
    assert [(r["indicator"], r["area"] or None) for r in table_rows] == [(v["indicator"], v["area"]) for v in values]
    assert [int(r["records"]) for r in table_rows] == [len(v["records"]["ids"]) for v in values]
    value = next(v for v in values if v["records"]["ids"])
    at_area = f"&area={value['area']}" if value["area"] else ""
    url = f"/api/v1/indicators/2024/{value['indicator']}/records"
    records = ok(client, f"{url}?region=FI1D9{at_area}&per_page=500")["items"]
    exported = client.get(f"{url}.csv?region=FI1D9{at_area}")
    assert f"{value['indicator']}-2024-FI1D9" in exported.headers["content-disposition"]
    rows = rows_of_csv(exported.content)
    assert [int(r["id"]) for r in rows] == [r["id"] for r in records] == value["records"]["ids"]
    assert all(r["value_region"] == "FI1D9" and r["kind"] == value["records"]["kind"] for r in rows)
    book = client.get(f"{url}.xlsx?region=FI1D9{at_area}")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == len(records) + 1
    assert client.get("/api/v1/indicators/2024.pdf").status_code == 422


# Docs --------------------------------------------------------------------------------------------------------------


def test_the_docs_pages_list_the_endpoints_and_load_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/api/v1/docs?lang=fi")
    assert page.status_code == 200 and "/api/v1/projects/{project_id}" in page.text and "Rajapinnan kuvaus" in page.text
    assert "<script" not in page.text and "default-src 'self'" in page.headers["content-security-policy"]
    swagger = client.get("/api/v1/docs/swagger")
    assert swagger.status_code == 200 and "/api/v1/docs/assets/swagger-ui-bundle.js" in swagger.text
    assert "http://" not in swagger.text and "https://" not in swagger.text  # no CDN
    assert "script-src 'self';" in swagger.headers["content-security-policy"]
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith(
        ("text/javascript", "application/javascript")
    )


def test_the_docs_pages_in_a_browser(page: Any, live_server: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/?lang=en")
        page.get_by_role("link", name="Open data (API)").click()
        assert page.get_by_role("heading", level=1).inner_text() == "API documentation"
        violations = Axe().run(page).response["violations"]
        assert not [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out at phone width
    page.get_by_role("link", name="Try the API in Swagger UI (needs JavaScript)").click()
    page.wait_for_selector(".swagger-ui .opblock")  # Swagger UI ran under the page's CSP, from local files
    assert page.locator(".opblock").count() == len(OPERATIONS)


# schemathesis ------------------------------------------------------------------------------------------------------


# The operations are read from the description at collection (it needs no database); each is one test. The
# schemathesis pytest plugin's lazy loader (from_fixture) does not work with pytest 9 (it sets node._nodeid), so
# each test draws its cases from the operation's hypothesis strategy itself.
OPERATIONS = [(method.upper(), path) for path, operations in create_app().openapi()["paths"].items()
              for method in operations]  # fmt: skip


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_conforms_to_its_openapi_description(api_schema: Any, method: str, path: str,
                                                 api_db: tuple[str, int, str]) -> None:  # fmt: skip
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        if path == "/api/v1/reports/{year}":  # WeasyPrint takes seconds a report: rendering is tested above
            case.path_parameters = {**(case.path_parameters or {}), "year": 1999}
        # The network's year range (year_from <= year_to) is a rule between two parameters that OpenAPI cannot
        # state: an inverted range is answered with a 400 that says so, which is right, not a rejected valid request.
        excluded = [positive_data_acceptance] if path == "/api/v1/network" else []
        case.call_and_validate(headers={"Authorization": f"Bearer {api_db[2]}"}, excluded_checks=excluded)

    check()


def test_no_file_of_swagger_ui_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[1]
    assert not list((root / "src").rglob("swagger-ui*.js")) and not list((root / "src").rglob("swagger-ui*.css"))


def test_the_network_and_partner_suggestions(client: Any) -> None:
    network = client.get("/api/v1/network", params={"area": "I.4"})
    assert network.status_code == 200 and network.json()["organisations"] > 0
    assert client.get("/api/v1/network", params={"year_from": 2024, "year_to": 2020}).status_code == 400
    suggestions = client.get("/api/v1/partners", params={"q": "vetytalous", "lang": "fi"})
    assert suggestions.status_code == 200
    items = suggestions.json()["suggestions"]
    assert items and all(item["reasons"] for item in items)
    assert client.get("/api/v1/partners").json()["error"]["status"] == 422  # the text is required
    organisation = items[0]["organisation"]["id"]
    assert client.get(f"/api/v1/partners/organisations/{organisation}").status_code == 200
