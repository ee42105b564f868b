"""Accounts on the web: the gate (who is asking, may they), CSRF, login and its throttling, the editing pages, and
the route matrix: every route of the app's own route table × role × region, answered as the one policy says."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from starlette.routing import Mount

from smartspec import Observatory
from smartspec.accounts import UserInfo, allowed
from smartspec.accounts.policy import REGIONAL
from smartspec.accounts.regions import project_regions
from smartspec.config import Settings
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.web import access, auth, create_app
from smartspec.web.pages.accounts import safe_next

PASSWORDS = {"viewer": "viewer-secret-1", "kainuu": "kainuu-secret-1", "boss": "boss-secret-12"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def accounts(obs: Observatory, region: str = "FI1D8") -> dict[str, UserInfo]:
    return {
        "viewer": obs.add_user("viewer", "viewer", PASSWORDS["viewer"]),
        "kainuu": obs.add_user("kainuu", "editor", PASSWORDS["kainuu"], regions=[region]),
        "boss": obs.add_user("boss", "admin", PASSWORDS["boss"]),
    }


@dataclass
class Browser:
    """A client's cookies, kept by hand so that each request says exactly who it comes from."""

    client: TestClient
    session: str | None = None
    nonce: str = ""
    token: str = ""

    def refresh(self) -> None:
        page = self.client.get("/login", headers=self.headers())
        self.nonce = page.cookies.get(auth.CSRF_COOKIE) or self.nonce
        self.token = CSRF.findall(self.client.get("/login", headers=self.headers()).text)[0]

    def headers(self) -> dict[str, str]:
        self.client.cookies.clear()  # only the cookies named here: the client's jar is shared by every Browser
        cookies = [f"{auth.CSRF_COOKIE}={self.nonce}"] if self.nonce else []
        if self.session:
            cookies.append(f"{auth.SESSION_COOKIE}={self.session}")
        return {"Cookie": "; ".join(cookies)} if cookies else {}


def browser_for(client: TestClient, obs: Observatory, username: str | None) -> Browser:
    found = Browser(client, obs.login(username, PASSWORDS[username]).token if username else None)
    found.refresh()
    return found


# The helpers ------------------------------------------------------------------------------------------------------


def test_after_login_only_paths_of_this_site() -> None:
    assert safe_next("/review?x=1") == "/review?x=1"
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None, "javascript:alert(1)"):
        assert safe_next(hostile) == "/"


# The route matrix -------------------------------------------------------------------------------------------------


@pytest.fixture
def store(imported: Engine, install_model: Callable[[Engine], None]) -> Iterator[dict[str, Any]]:
    """The fixture projects, a model and three accounts; the editor's region is that of a fixture project (the
    fixture files have no Kainuu project), the other region one of a project outside it."""
    install_model(imported)
    obs = Observatory(engine=imported)
    with session_factory(imported)() as session:
        ids = session.scalars(select(m.Project.id).order_by(m.Project.id)).all()
        regions = {pid: project_regions(session, obs.strategy, pid) for pid in ids}
    own_project = next(pid for pid, found in regions.items() if found)
    own = sorted(regions[own_project])[0]
    other_project = next(pid for pid, found in regions.items() if found and own not in found)
    users = accounts(obs, own)
    obs.add_user("target", "viewer", "target-secret-1")
    yield {"obs": obs, "users": users, "own": own, "other": sorted(regions[other_project])[0],
           "projects": {own: own_project, "other": other_project},
           "project_regions": regions, "engine": imported}  # fmt: skip
    obs.close()


def _route_table(app: Any) -> list[tuple[str, str]]:
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            found.append(("MOUNT", context.path))
        else:
            found.extend((method, context.path) for method in sorted(getattr(context, "methods", None) or ["GET"])
                         if method != "HEAD")  # fmt: skip
    return found


PARAMS = {"code": "FI1D8", "organisation_id": "1", "year": "1900", "output_format": "csv", "kind": "cluster",
          "indicator_id": "G1.1", "username": "target", "change": "disable"}  # fmt: skip


def _requests(method: str, path: str, store: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(URL, region the request concerns, form) for each region the route can concern."""
    obs: Observatory = store["obs"]
    if method == "MOUNT":
        return [(path + "/style.css", None, {})]
    variants: list[tuple[str, str | None, dict[str, Any]]] = []
    for region in (store["own"], store["other"]):
        url, form = path, {}
        if "{entry_id}" in path:
            saved = Observatory(engine=store["engine"]).register_add(
                "cluster", {"name": f"C{region}", "region": region}
            )
            url = url.replace("{entry_id}", str(saved.id))
            form = {"name": f"C{region}", "region": region}
        elif "{project_id}" in path:
            url = url.replace("{project_id}", str(store["projects"][region if region == store["own"] else "other"]))
            form = {"code": "I.1", "action": "add"}
        elif path == "/registers/{kind}" and method == "POST":
            form = {"name": f"New {region}", "region": region}
        else:
            region = None
        for name, value in PARAMS.items():
            url = url.replace("{" + name + "}", value)
        if path == "/login" and method == "POST":
            form = {"username": "target", "password": "target-secret-1"}
        if path in ("/admin/users/{username}/{change}", "/login"):
            obs.enable_user("target")  # an admin's request of the matrix disabled it
        variants.append((url, region, form))
        if region is None:
            break
    return variants


def _refused(response: Any) -> bool:
    location = response.headers.get("location", "")
    return response.status_code in (401, 403) or (response.status_code == 303 and location.startswith("/login"))


def test_every_route_answers_every_role_as_the_policy_says(store: dict[str, Any]) -> None:
    obs: Observatory = store["obs"]
    users: dict[str, UserInfo] = store["users"]
    seen = 0
    for public_read in (True, False):
        app = create_app(observatory=Observatory(engine=store["engine"], settings=Settings(public_read=public_read)))
        with TestClient(app) as client:
            roles = {None: browser_for(client, obs, None)}
            if public_read:
                roles.update({name: browser_for(client, obs, name) for name in users})
            table = _route_table(app)
            missing = [route for route in table if access.rule(*route) is None]
            assert not missing, f"routes without an access rule in smartspec.web.access.RULES: {missing}"
            assert len(table) >= 50
            for method, path in table:
                rule = access.rule(method, path)
                assert rule is not None
                for username, browser in roles.items():
                    user = users.get(username) if username else None
                    for url, region, form in _requests(method, path, store):
                        if rule.action is None:
                            expected = True
                        else:
                            where = region if region else (user.regions if user and rule.action in REGIONAL else None)
                            expected = allowed(user, rule.action, rule.resource, where, public_read=public_read)
                        if method == "POST":
                            files = {"file": ("x.csv", b"a,b\n1,2\n", "text/csv")} if "upload" in path else None
                            response = client.post(url, data={"csrf": browser.token, **form}, files=files,
                                                   headers=browser.headers(), follow_redirects=False)  # fmt: skip
                        else:
                            response = client.get(url, headers=browser.headers(), follow_redirects=False)
                        seen += 1
                        assert _refused(response) is not expected, (method, url, username, region, response.status_code,
                                                                    response.text[:300])  # fmt: skip
                        assert response.status_code < 500, (method, url, username, response.text[:300])
                        if path == "/logout" and browser.session:  # that request ended the role's session
                            browser.session = obs.login(username or "", PASSWORDS[username or ""]).token
                            browser.refresh()
    assert seen > 250


def test_every_form_write_needs_the_csrf_token(store: dict[str, Any]) -> None:
    obs: Observatory = store["obs"]
    with TestClient(create_app(observatory=Observatory(engine=store["engine"]))) as client:
        boss = browser_for(client, obs, "boss")
        before = obs.registers("cluster").entries
        # The altered token differs in its last hex digit whatever that digit is (a fixed "0" equals it 1 time in 16).
        altered = boss.token[:-1] + ("1" if boss.token.endswith("0") else "0")
        for token in ("", "0" * 64, altered):
            refused = client.post("/registers/cluster", data={"csrf": token, "name": "X", "region": "FI1D8"},
                                  headers=boss.headers(), follow_redirects=False)  # fmt: skip
            assert refused.status_code == 403 and "CSRF" in refused.text
        # Another browser's token (another nonce) is refused too: the token is bound to the nonce and the session.
        other = browser_for(client, obs, "boss")
        refused = client.post("/registers/cluster", data={"csrf": other.token, "name": "X", "region": "FI1D8"},
                              headers=boss.headers(), follow_redirects=False)  # fmt: skip
        assert refused.status_code == 403
        assert obs.registers("cluster").entries == before
        done = client.post("/registers/cluster", data={"csrf": boss.token, "name": "X", "region": "FI1D8"},
                           headers=boss.headers(), follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        # A script with an API token (no session cookie) needs no CSRF token, but a valid token.
        bad = client.get("/api/v1/strategy", headers={"Authorization": "Bearer nonsense"})
        assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"


# Register import by upload ------------------------------------------------------------------------------------------


def _workbook(rows: list[list[str]]) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_editor_imports_a_register_file_of_their_region_only(store: dict[str, Any]) -> None:
    obs: Observatory = store["obs"]
    own, other = store["own"], store["other"]
    with TestClient(create_app(observatory=Observatory(engine=store["engine"]))) as client:
        editor = browser_for(client, obs, "kainuu")

        def upload(name: str, content: bytes) -> Any:
            return client.post(
                "/registers/cluster/upload",
                data={"csrf": editor.token},
                headers=editor.headers(),
                files={"file": (name, content, "application/octet-stream")},
                follow_redirects=False,
            )

        # A row of another region (line 3) and a bad area (line 4): both listed with their lines, nothing written.
        refused = upload("klusterit.csv", f"name;region;areas\nOwn;{own};I.1\nOther;{other};I.1\nBad;{own};IX.9\n"
                         .encode())  # fmt: skip
        assert refused.status_code == 400
        assert (
            "klusterit.csv:3 [region]" in refused.text and f"may not edit register cluster in {other}" in refused.text
        )
        assert "klusterit.csv:4" in refused.text and "&#39;IX.9&#39; is not a competence area" in refused.text
        assert "smartspec-register-" not in refused.text  # the upload's own name, never the temporary path
        assert obs.registers("cluster").entries == []
        # The same report for a workbook; then a good workbook is imported, and audited with the file's name.
        refused = upload("klusterit.xlsx", _workbook([["name", "region"], ["Own", own], ["Other", other]]))
        assert refused.status_code == 400 and "klusterit.xlsx:3 [region]" in refused.text
        done = upload("klusterit.xlsx", _workbook([["name", "region", "areas"], ["Own", own, "I.1;I.2"]]))
        assert done.status_code == 303 and done.headers["location"] == "/registers/cluster?imported=1+0"
        assert [(e.values["name"], e.values["areas"]) for e in obs.registers("cluster").entries] == [
            ("Own", ["I.1", "I.2"])]  # fmt: skip
        entry = obs.audit(entity="cluster")[0]
        assert (entry.action, entry.actor, entry.entity_id) == ("register.cluster.import", "kainuu", "klusterit.xlsx")
        long_name = "k" * 200 + ".csv"  # longer than the audit log's record id column (100)
        assert upload(long_name, f"name,region,areas\nOwn,{own},I.1;I.2\n".encode()).status_code == 303
        entry = obs.audit(entity="cluster")[0]
        assert entry.entity_id == long_name[-100:] and entry.detail["file"] == long_name
        # The downloads are the import format: the CSV and the workbook import back unchanged.
        for output_format in ("csv", "xlsx"):
            download = client.get(f"/registers/cluster/export.{output_format}", headers=editor.headers())
            assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
            again = upload(f"again.{output_format}", download.content)
            assert again.status_code == 303 and again.headers["location"].endswith("imported=0+1")
        assert [(e.values["name"], e.values["areas"]) for e in obs.registers("cluster").entries] == [
            ("Own", ["I.1", "I.2"])]  # fmt: skip
        assert client.get("/registers/cluster/export.pdf", headers=editor.headers()).status_code == 404


def test_cookies_rotate_and_are_flagged_and_big_uploads_are_refused(store: dict[str, Any]) -> None:
    obs: Observatory = store["obs"]
    app = create_app(observatory=Observatory(engine=store["engine"], settings=Settings(max_upload_mb=1)))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        nonce = page.headers["set-cookie"]
        assert nonce.startswith(f"{auth.CSRF_COOKIE}=") and "HttpOnly" in nonce and "SameSite=strict" in nonce
        assert "Secure" in nonce  # over HTTPS only, as the site was reached
        sessions = []
        for _ in range(2):
            token = CSRF.findall(client.get("/login").text)[0]
            done = client.post("/login", data={"username": "kainuu", "password": PASSWORDS["kainuu"], "csrf": token},
                               follow_redirects=False)  # fmt: skip
            cookie = done.headers["set-cookie"]
            assert done.status_code == 303 and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
            sessions.append(client.cookies[auth.SESSION_COOKIE])
        assert sessions[0] != sessions[1]  # a new session at every login
        assert obs.session(sessions[0]) is None and obs.session(sessions[1]) is not None  # the old one ended
        # An upload over SMARTSPEC_MAX_UPLOAD_MB is refused before it is read; the refusal carries the headers too.
        token = CSRF.findall(client.get("/registers/cluster").text)[0]
        big = b"name,region\n" + b"x" * (1024 * 1024 + 1)
        refused = client.post("/registers/cluster/upload", data={"csrf": token},
                              files={"file": ("big.csv", big, "text/csv")})  # fmt: skip
        assert refused.status_code == 413 and "default-src 'self'" in refused.headers["content-security-policy"]
        assert refused.headers["x-frame-options"] == "DENY" and obs.registers("cluster").entries == []
        other = client.get(
            f"/registers/cluster/{obs.register_add('cluster', {'name': 'L', 'region': store['other']}).id}/edit"
        )
        assert other.status_code == 403 and other.headers["x-content-type-options"] == "nosniff"
