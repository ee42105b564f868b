"""The web observatory: the app factory, languages and their catalogues, security headers, errors, a browser."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from smartspec.config import Settings
from smartspec.i18n import LANGS, catalogue_text
from smartspec.web import create_app
from smartspec.web.i18n import choose

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(web_db: str) -> Any:
    with TestClient(create_app(Settings(database_url=web_db))) as test_client:
        yield test_client


def test_the_catalogues_are_complete_and_up_to_date() -> None:
    catalogues = {lang: read_po(io.StringIO(catalogue_text(lang)), locale=lang) for lang in LANGS}
    ids = {lang: {(m.context, m.id) for m in catalogue if m.id} for lang, catalogue in catalogues.items()}
    assert ids["fi"] == ids["en"] == ids["sv"], "a catalogue lacks a string another has: run `make messages`"
    for lang in ("fi", "en"):
        untranslated = [m.id for m in catalogues[lang] if m.id and not m.string]
        assert not untranslated, f"{lang} lacks translations for {untranslated[:5]}"
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"], capture_output=True,
                           text=True, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr  # every string of the templates is in the catalogues
    assert ("report", "Gap alerts") in ids["fi"]  # the one set of catalogues holds the report's strings too


def test_language_choice() -> None:
    assert choose("en", "fi", "fi-FI") == "en" and choose(None, "sv", "en") == "sv"
    assert choose(None, None, "sv-SE,en;q=0.8") == "sv" and choose("xx", None, "de") == "fi"


def test_pages_in_each_language_with_security_headers(client: TestClient) -> None:
    fi = client.get("/?lang=fi")
    assert fi.status_code == 200 and '<html lang="fi">' in fi.text and "Maakunta" in fi.text
    assert "default-src 'self'" in fi.headers["content-security-policy"]
    assert fi.headers["x-content-type-options"] == "nosniff" and fi.headers["x-frame-options"] == "DENY"
    en = client.get("/?lang=en")
    assert "Region" in en.text and en.cookies.get("lang") == "en"
    assert "Pohjois-Pohjanmaa" in fi.text and "North Ostrobothnia" in en.text
    sv = client.get("/?lang=sv")
    assert "Landskap" in sv.text and "Norra Österbotten" in sv.text  # Swedish names of the regions


def test_errors_are_one_json_shape_under_the_api_and_a_page_elsewhere(client: TestClient) -> None:
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and set(api.json()["error"]) == {"status", "message", "problems", "hint"}
    page = client.get("/nothing-here?lang=en")
    assert page.status_code == 404 and "<html" in page.text


def test_the_overview_in_a_browser(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/?lang=fi")
    assert page.locator("h1").inner_text().startswith("Itä- ja Pohjois-Suomen")
    page.get_by_role("link", name="In English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("row", name="North Ostrobothnia").count() == 1
