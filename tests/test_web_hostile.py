"""Hostile input through every field a user can type into: the register forms of each register, the register and
project uploads, the review form, the account admin forms and the login form. Whatever is stored comes back
escaped on every page that shows it, and neutralised in every export (register CSV and XLSX, the audit CSV, the
API's CSV and XLSX downloads); whatever is refused is refused with a message that is itself escaped, and nothing
is written. (That a script in a stored entry does not run in a browser: tests/test_browser_accounts.py.)"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, func, select

from smartspec import Observatory
from smartspec.spreadsheet import FORMULA_STARTS
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.web import create_app

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SINGLE = "' autofocus onfocus='alert(1)"
DOUBLE = '" autofocus onfocus="alert(1)'
JS_URL = "javascript:alert(1)"
LONG = "Pitkä <i>teksti</i> & " * 900  # 20 kB of text with markup in it
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]
# The corpus: one list, entered through every editable field (non-UTF-8 bytes: the uploads below).
HOSTILE = [SCRIPT, IMG, SINGLE, DOUBLE, JS_URL, LONG, *FORMULAS]
NON_UTF8 = "Kajaanin pelialan klusteri äö".encode("cp1252")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
PASSWORDS = {"boss": "boss-secret-12", "kainuu": "kainuu-secret-1"}


def assert_safe(body: str, shown: tuple[str, ...] | list[str] = (), where: str = "") -> None:
    """No markup of the corpus is live in ``body``; each of ``shown`` is there, escaped."""
    lowered = body.lower()
    assert "<script" not in lowered and "<img src=x" not in lowered, where
    for value in HOSTILE:
        if any(c in value for c in "<>\"'&"):
            assert value not in body, (where, value[:40])
    for value in shown:
        assert str(escape(value)) in body, (where, value[:40])


def formula_cells(cells: list[str], where: str) -> int:
    """How many cells hold a formula of the corpus; each must be neutralised (not begin with a formula sign)."""
    found = 0
    for text in cells:
        if any(formula in text for formula in FORMULAS):
            found += 1
            assert not text.startswith(FORMULA_STARTS), (where, text)
    return found


def csv_cells(content: bytes) -> list[str]:
    return [value for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for value in row]


def xlsx_cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)  # no cell is stored as a formula
    return [str(c.value) for c in cells]


def token(client: TestClient, path: str = "/registers/cluster") -> str:
    return CSRF.findall(client.get(path).text)[0]


def logged_in(stack: ExitStack, app: FastAPI, username: str) -> TestClient:
    client = stack.enter_context(TestClient(app))
    done = client.post("/login", data={"username": username, "password": PASSWORDS[username], "next": "/",
                                       "csrf": token(client, "/login")}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    return client


def count(engine: Engine, model: type[Any]) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def site(imported: Engine, install_model: Callable[[Engine], None]) -> Iterator[dict[str, Any]]:
    """An admin's and a Kainuu editor's browsers (TestClients) over the fixture projects, with a model."""
    install_model(imported)
    obs = Observatory(engine=imported)
    obs.add_user("boss", "admin", PASSWORDS["boss"])
    obs.add_user("kainuu", "editor", PASSWORDS["kainuu"], regions=["FI1D8"])
    app = create_app(observatory=Observatory(engine=imported))
    with ExitStack() as stack:
        yield {"obs": obs, "engine": imported, "boss": logged_in(stack, app, "boss"),
               "kainuu": logged_in(stack, app, "kainuu"), "app": app}  # fmt: skip


def post(client: TestClient, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(url, data={"csrf": token(client), **data}, follow_redirects=False, **kwargs)


def test_hostile_register_entries_are_escaped_everywhere_and_neutralised_in_exports(site: dict[str, Any]) -> None:
    boss: TestClient = site["kainuu"]  # an editor of Kainuu: the corpus goes through the regional check too
    stored: dict[str, list[str]] = {"cluster": [], "network": [], "communication": []}
    for i, value in enumerate(HOSTILE):
        forms = {
            "cluster": {"name": value, "region": "FI1D8", "areas": "II.2", "eccp_fields": f"contact={value}"},
            "network": {"network": "VANGUARD", "region": "FI1D8", "year_from": str(2000 + i), "role": value,
                        "note": value},
            "communication": {"region": "FI1D8", "kind": "news", "title": value, "date": f"2023-01-{i + 1:02d}",
                              "url": "https://example.org/uutiset"},
        }  # fmt: skip
        for kind, form in forms.items():
            saved = post(boss, f"/registers/{kind}", form)
            assert saved.status_code == 303, (kind, value[:40], saved.text[:500])
            stored[kind].append(value)
        # The fields that are checked refuse the value, with a message that shows it escaped; nothing is written.
        refusals = {
            "cluster": [{"name": "C", "region": value}, {"name": "C", "region": "FI1D8", "eccp_profile_url": value},
                        {"name": "C", "region": "FI1D8", "members": value},
                        {"name": "C", "region": "FI1D8", "label_level": value}],
            "network": [{"network": value, "region": "FI1D8"}, {"network": "ECA", "region": "FI1D8", "year_to": value}],
            "communication": [{"region": "FI1D8", "kind": value, "title": "T", "date": "2023-01-01"},
                              {"region": "FI1D8", "kind": "news", "title": "T", "date": "2023-01-01", "url": value},
                              {"region": "FI1D8", "kind": "news", "title": "T", "date": "2023-01-01",
                               "priority": value}],
        }  # fmt: skip
        for kind, forms_refused in refusals.items():
            before = site["obs"].registers(kind).entries
            for form in forms_refused:
                refused = post(boss, f"/registers/{kind}", form)
                assert refused.status_code == 400, (kind, form, refused.status_code)
                assert_safe(refused.text, where=f"refused {kind} {form}")
                assert 'value="' in refused.text  # the form comes back filled in (escaped) to be corrected
            assert site["obs"].registers(kind).entries == before

    obs: Observatory = site["obs"]
    # Every page that shows an entry: the register list, each entry's edit and delete pages.
    for kind, values in stored.items():
        listed = boss.get(f"/registers/{kind}")
        assert_safe(listed.text, [v.strip() for v in values], f"/registers/{kind}")
        for entry in obs.registers(kind).entries:
            for page in ("edit", "delete"):
                answer = boss.get(f"/registers/{kind}/{entry.id}/{page}")
                assert answer.status_code == 200
                assert_safe(answer.text, where=f"{kind} {entry.id} {page}")
    # The admin's audit log page shows every change's before and after.
    admin: TestClient = site["boss"]
    assert_safe(admin.get("/admin/audit", params={"limit": 1000}).text, where="/admin/audit")
    # The indicator pages that list the registers' records (G4 clusters, G5 memberships, G6 actions).
    obs.compute_indicators([2023])
    for indicator, named in (("g4_clusters", True), ("g5_memberships", False), ("g6_actions", True)):
        page = admin.get(f"/indicators/{indicator}/records", params={"year": 2023, "region": "FI1D8"})
        assert page.status_code == 200
        assert_safe(page.text, [SCRIPT, IMG] if named else [], indicator)
        for fmt, cells in (("csv", csv_cells), ("xlsx", xlsx_cells)):
            download = admin.get(f"/api/v1/indicators/2023/{indicator}/records.{fmt}", params={"region": "FI1D8"})
            assert download.status_code == 200
            assert formula_cells(cells(download.content), f"{indicator}.{fmt}") >= (len(FORMULAS) if named else 0)
    # The registers' own downloads (the import format) and the facade's export, CSV and XLSX.
    for kind in stored:
        for fmt, cells in (("csv", csv_cells), ("xlsx", xlsx_cells)):
            download = admin.get(f"/registers/{kind}/export.{fmt}")
            assert download.status_code == 200
            assert formula_cells(cells(download.content), f"{kind}.{fmt}") >= len(FORMULAS)
        assert admin.get(f"/api/v1/registers/{kind}").status_code == 200
    audit = admin.get("/admin/audit.csv")
    assert formula_cells(csv_cells(audit.content), "audit.csv") >= len(FORMULAS)
    # The long text is kept whole.
    assert any(e.values["name"] == LONG.strip() for e in obs.registers("cluster").entries)


def eura_file(titles: list[str]) -> bytes:
    header = ("Koodi,Rahasto,Hankkeen nimi,Tl,Viranomainen,Tila,Aloituspvm,Päättymispvm,Toteuttajan nimi,"
              "Myönnetty EU- ja valtion rahoitus,Toteutunut EU- ja valtion rahoitus,"
              "Suunniteltu julkinen rahoitus yhteensä,Toteutunut julkinen rahoitus yhteensä")  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, title in enumerate(titles):
        writer.writerow([f"K{i:05d}", "EAKR", title, "1", "Kainuun liitto", "Toiminnassa", "1.3.2023", "28.2.2025",
                         f"{title} Oy", "100000", "", "125000", ""])  # fmt: skip
    return (header + "\n" + out.getvalue()).encode("utf-8")


def test_hostile_uploads_reviews_accounts_and_logins(site: dict[str, Any]) -> None:
    engine: Engine = site["engine"]
    obs: Observatory = site["obs"]
    kainuu: TestClient = site["kainuu"]
    admin: TestClient = site["boss"]
    # A project file by upload: the corpus as project titles and organisation names.
    titles = [v for v in HOSTILE if v.strip()]
    done = post(kainuu, "/imports/upload", {"source": "eura"},
                files={"file": ("hankkeet.csv", eura_file(titles), "text/csv")})  # fmt: skip
    assert done.status_code == 200, done.text[:800]
    assert_safe(done.text, where="upload report")
    obs.classify()
    with session_factory(engine)() as session:
        ids = list(session.scalars(select(m.Project.id).where(m.Project.source_id.like("K%")).order_by(m.Project.id)))
        organisations = list(session.scalars(select(m.Participation.organisation_id).where(
            m.Participation.project_id.in_(ids))))  # fmt: skip
    assert len(ids) == len(titles)
    for project_id, title in zip(ids, titles, strict=True):
        assert_safe(kainuu.get(f"/projects/{project_id}").text, [title.strip()], f"project {project_id}")
    for organisation_id in organisations:
        assert_safe(kainuu.get(f"/organisations/{organisation_id}").text, where=f"organisation {organisation_id}")
    assert_safe(kainuu.get("/review").text, where="/review")
    for value in (SCRIPT, IMG, "+1"):
        assert_safe(kainuu.get("/search", params={"q": value}).text, where=f"/search {value}")
    for fmt, cells in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        exported = kainuu.get(f"/api/v1/projects.{fmt}", params={"region": "FI1D8", "per_page": 100})
        assert exported.status_code == 200
        assert formula_cells(cells(exported.content), f"projects.{fmt}") >= len(FORMULAS)
    # Bad uploads: non-UTF-8 bytes, a hostile file name, a hostile source; each refused, escaped, nothing written.
    projects = count(engine, m.Project)
    for name, content, source in (
        ("hankkeet.csv", eura_file(["Kajaani"]).replace(b"Kajaani", NON_UTF8), "eura"),
        (SCRIPT + ".csv", b"Koodi\n\xff\n", "eura"),
        ("x.csv", b"a,b\n1,2\n", IMG),
    ):
        refused = post(kainuu, "/imports/upload", {"source": source}, files={"file": (name, content, "text/csv")})
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        assert_safe(refused.text, where=f"upload {name[:20]} {source[:20]}")
    # A cell longer than its column holds (a 20 kB project code, the column holds 100): the row is refused with its
    # line, nothing is written (PostgreSQL would refuse the value; SQLite would keep it).
    long_code = post(kainuu, "/imports/upload", {"source": "eura"},
                     files={"file": ("koodit.csv", eura_file(["Pitkä koodi"]).replace(b"K00000", b"K" * 20_000),
                                     "text/csv")})  # fmt: skip
    assert long_code.status_code == 400 and "koodit.csv:2" in long_code.text
    assert "source_id has 20,000 characters; its column holds 100" in long_code.text
    assert count(engine, m.Project) == projects
    clusters = count(engine, m.Cluster)
    for name, content in (("klusterit.csv", b"name,region\n" + NON_UTF8 + b",FI1D8\n"),
                          (IMG + ".csv", f"name,region\n{SCRIPT},FI1X9\n".encode()),
                          ("=cmd.csv", b"\xff\xfe" + "name,region\n".encode("utf-16-le"))):  # fmt: skip
        refused = post(kainuu, "/registers/cluster/upload", {}, files={"file": (name, content, "text/csv")})
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        assert_safe(refused.text, where=f"register upload {name[:20]}")
    assert count(engine, m.Cluster) == clusters
    # The review form: a hostile code or action is refused with an escaped message; nothing is written.
    reviews = count(engine, m.Classification)
    for form in ({"code": SCRIPT, "action": "add"}, {"code": "I.1", "action": IMG}, {"code": SINGLE, "action": "add"}):
        refused = post(kainuu, f"/review/{ids[0]}", form)
        assert refused.status_code == 400
        assert_safe(refused.text, where=f"review {form}")
    assert count(engine, m.Classification) == reviews
    # The account forms: hostile usernames and regions are refused; a hostile token label is stored and escaped.
    users = count(engine, m.User)
    for value in HOSTILE:
        for form in ({"username": value, "role": "viewer", "password": "a long password 1"},
                     {"username": "uusi", "role": "editor", "regions": value, "password": "a long password 1"},
                     {"username": "uusi", "role": value, "password": "a long password 1"}):  # fmt: skip
            refused = post(admin, "/admin/users", form)
            assert refused.status_code == 400, (form, refused.status_code)
            assert_safe(refused.text, where=f"/admin/users {form}")
        labelled = post(admin, "/admin/users/kainuu/token", {"label": value})
        assert labelled.status_code == 200
        assert_safe(labelled.text, [value], f"token label {value[:20]}")
    assert count(engine, m.User) == users
    for path in ("/admin/users", "/admin/audit"):
        assert_safe(admin.get(path).text, where=path)
    assert formula_cells(csv_cells(admin.get("/admin/audit.csv").content), "audit.csv") >= len(FORMULAS)
    # The login form shows the username typed back, escaped.
    with TestClient(site["app"]) as anonymous:
        for value in HOSTILE:
            failed = anonymous.post("/login", data={"username": value, "password": "x", "next": value,
                                                    "csrf": token(anonymous, "/login")})  # fmt: skip
            assert failed.status_code == 401
            assert_safe(failed.text, [value], f"login {value[:20]}")
