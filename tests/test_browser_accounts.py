"""Accounts in a real browser (Debian's Chromium through Playwright), over a served copy of the web observatory
with a Kainuu and a Lappi project, a cluster in each region and one account per role:

- each role logs in through the login form and is offered what the role may do;
- the Kainuu editor edits a Kainuu cluster, is refused a Lappi cluster (403 shown, nothing changed in the
  database), reviews a Kainuu project and sees the review on the project page; the queue holds no Lappi project;
- the viewer is shown no editing form, and a forged POST (with a valid CSRF token) is refused;
- five wrong passwords lock the account, and the page says so;
- a project file uploaded with a bad row writes nothing and the page names the row;
- a stored script does not run.

Screenshots of the login, register editing, review and upload pages at 1280 and 360 px go to $SMARTSPEC_SHOTS
(default: the test's temporary folder)."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import serve
from smartspec import Observatory
from smartspec.store import models as m
from smartspec.store import session_factory

PASSWORDS = {"boss": "boss-secret-12", "kainuu": "kainuu-secret-1", "lukija": "lukija-secret-1",
             "lukko": "lukko-secret-1"}  # fmt: skip
HEADER = ("Koodi,Rahasto,Hankkeen nimi,Tl,Viranomainen,Tila,Aloituspvm,Päättymispvm,Toteuttajan nimi,"
          "Myönnetty EU- ja valtion rahoitus,Toteutunut EU- ja valtion rahoitus,"
          "Suunniteltu julkinen rahoitus yhteensä,Toteutunut julkinen rahoitus yhteensä\n")  # fmt: skip
PROJECTS = HEADER + (
    "K80001,EAKR,Kainuun matkailuyritysten digitaaliset palvelut,1,Kainuun liitto,Toiminnassa,1.3.2023,28.2.2025,"
    "Kajaanin ammattikorkeakoulu Oy,200000,,250000,\n"
    "L80001,EAKR,Kaivosvesien puhdistus biohiilellä,1,Lapin liitto,Toiminnassa,1.4.2023,31.3.2025,"
    "Lapin ammattikorkeakoulu Oy,300000,,375000,\n"
)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def story(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served copy of the web observatory with the Kainuu and Lappi projects (classified), a cluster in each
    region and the accounts: boss (admin), kainuu (editor of FI1D8), lukija and lukko (viewers)."""
    folder = tmp_path_factory.mktemp("story")
    target = folder / "story.db"
    with sqlite3.connect(web_db.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    (folder / "hankkeet.csv").write_text(PROJECTS, encoding="utf-8")
    with Observatory(url) as obs:
        obs.import_file("eura", folder / "hankkeet.csv")
        obs.classify()
        obs.add_user("boss", "admin", PASSWORDS["boss"])
        obs.add_user("kainuu", "editor", PASSWORDS["kainuu"], regions=["FI1D8"])
        obs.add_user("lukija", "viewer", PASSWORDS["lukija"])
        obs.add_user("lukko", "viewer", PASSWORDS["lukko"])
        own = obs.register_add("cluster", {"name": "Kajaanin peliklusteri", "region": "FI1D8", "areas": "II.2"}).id
        other = obs.register_add("cluster", {"name": "Lapin matkailuklusteri", "region": "FI1D7", "areas": "III.2"}).id
        with session_factory(obs.engine)() as session:
            ids = {source_id: id_ for source_id, id_ in session.execute(select(m.Project.source_id, m.Project.id))}
    with serve(url) as base:
        yield {"url": url, "base": base, "clusters": {"own": own, "other": other},
               "projects": {"own": ids["K80001"], "other": ids["L80001"]}}  # fmt: skip


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SMARTSPEC_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, folder: Path, name: str) -> None:
    """The page at 1280 and at 360 px wide (a phone): nothing wider than the screen at 360."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        if width == 360:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name}: the page is {overflow} px wider than a 360 px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def login(page: Any, base: str, username: str, password: str | None = None) -> Any:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password or PASSWORDS[username])
    with page.expect_navigation():
        page.click('main form[action="/login"] button[type="submit"]')
    return page


def cluster(url: str, entry_id: int) -> dict[str, Any]:
    with Observatory(url) as obs:
        return obs.register_entry("cluster", entry_id).values


def csrf(page: Any) -> str:
    """The CSRF token of the page's forms (the logout form has one on every page)."""
    return str(page.locator('input[name="csrf"]').first.get_attribute("value"))


def test_each_role_logs_in_through_the_form(story: dict[str, Any], page: Any, shots: Path) -> None:
    base = story["base"]
    page.goto(f"{base}/login")
    shoot(page, shots, "login")
    offered = {"boss": {"/admin/users", "/imports/upload", "/review"}, "kainuu": {"/imports/upload", "/review"},
               "lukija": {"/review"}}  # fmt: skip
    for username, links in offered.items():
        login(page, base, username)
        account = page.locator(".account").inner_text()
        role = {"boss": "ylläpitäjä", "kainuu": "muokkaaja", "lukija": "lukija"}[username]  # the page is in Finnish
        assert f"{username} ({role})" in account
        nav = {
            href.split("?")[0]
            for href in page.locator("header nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        }
        assert links <= nav and not ({"/admin/users", "/imports/upload", "/review"} - links) & nav, (username, nav)
        with page.expect_navigation():
            page.click('form[action="/logout"] button')
        assert page.locator(".account a[href^='/login']").count() == 1


def test_the_kainuu_editor_edits_and_reviews_only_kainuu(story: dict[str, Any], page: Any, shots: Path) -> None:
    base, url = story["base"], story["url"]
    own, other = story["clusters"]["own"], story["clusters"]["other"]
    login(page, base, "kainuu")
    page.goto(f"{base}/registers/cluster")
    assert page.locator(f'a[href^="/registers/cluster/{own}/edit"]').count() == 1
    assert page.locator(f'a[href^="/registers/cluster/{other}/edit"]').count() == 0  # not offered
    page.click(f'a[href^="/registers/cluster/{own}/edit"]')
    page.fill("#f-areas", "II.2;II.1")
    page.fill("#f-eccp_profile_url", "https://clustercollaboration.eu/cluster-organisations/kajaani")
    shoot(page, shots, "register-edit")
    with page.expect_navigation():
        page.click(f'form[action="/registers/cluster/{own}"] button[type="submit"]')
    assert page.locator("p.notice").count() == 1
    saved = cluster(url, own)
    assert saved["areas"] == ["II.2", "II.1"] and saved["eccp_profile_url"].endswith("/kajaani")

    # A Lappi cluster: the edit page answers 403, and a POST (with a valid CSRF token) changes nothing.
    before = cluster(url, other)
    refused = page.goto(f"{base}/registers/cluster/{other}/edit")
    assert refused is not None and refused.status == 403
    assert "FI1D7" in page.locator("main h1").inner_text()  # the page says why: the region is not theirs
    forged = page.request.post(f"{base}/registers/cluster/{other}", form={
        "csrf": csrf(page), "name": "Lapin matkailuklusteri", "region": "FI1D7", "areas": "I.1"})  # fmt: skip
    assert forged.status == 403
    assert page.request.post(f"{base}/registers/cluster/{other}/delete", form={"csrf": csrf(page)}).status == 403
    assert cluster(url, other) == before

    # The review queue holds the Kainuu project and no Lappi one; a review shows on the project page.
    own_project, other_project = story["projects"]["own"], story["projects"]["other"]
    page.goto(f"{base}/review")
    queued = page.locator("section.review h2 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any(href.startswith(f"/projects/{own_project}?") for href in queued)
    assert not any(href.startswith(f"/projects/{other_project}?") for href in queued)
    shoot(page, shots, "review")
    form = page.locator(f'form[action="/review/{own_project}"]').filter(has=page.locator('input[value="add"]'))
    form.locator("select").select_option("III.2")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.notice").count() == 1
    refused_review = page.request.post(f"{base}/review/{other_project}",
                                       form={"csrf": csrf(page), "code": "I.3", "action": "add"})  # fmt: skip
    assert refused_review.status == 403
    page.goto(f"{base}/projects/{own_project}")
    review = page.locator("main tr").filter(has=page.locator("td", has_text=re.compile(r"^kainuu$")))
    assert "III.2" in review.inner_text()  # the reviews table: the label, the decision (added) and who
    assert page.locator("main section.evidence h3").filter(has_text="III.2").count() == 1  # the label now shows
    with Observatory(url) as obs, session_factory(obs.engine)() as session:
        query = select(m.Classification.record_id, m.Classification.decided_by).where(
            m.Classification.method == "review"
        )
        reviewed = {record_id: by for record_id, by in session.execute(query)}
    assert reviewed == {own_project: "kainuu"}


def test_the_viewer_is_offered_no_form_and_cannot_post(story: dict[str, Any], page: Any) -> None:
    base, url = story["base"], story["url"]
    login(page, base, "lukija")
    for path in ("/registers/cluster", "/registers/network", "/review", f"/projects/{story['projects']['own']}"):
        page.goto(f"{base}{path}")
        assert page.locator('main form[method="post"]').count() == 0, path
    assert page.goto(f"{base}/imports/upload").status == 403  # type: ignore[union-attr]
    with Observatory(url) as obs:
        before = (obs.registers("cluster"), obs.audit(limit=0))
    token = csrf(page)
    for path, form in (
        ("/registers/cluster", {"name": "Viewer's cluster", "region": "FI1D8"}),
        (f"/registers/cluster/{story['clusters']['own']}/delete", {}),
        (f"/review/{story['projects']['own']}", {"code": "I.1", "action": "add"}),
        ("/review/retrain", {}),
        ("/admin/users", {"username": "x", "password": "long password 1"}),
    ):
        forged = page.request.post(f"{base}{path}", form={"csrf": token, **form})
        assert forged.status == 403, (path, forged.status)
    with Observatory(url) as obs:
        assert (obs.registers("cluster"), obs.audit(limit=0)) == before


def test_five_wrong_passwords_lock_the_account_and_the_page_says_so(story: dict[str, Any], page: Any) -> None:
    base = story["base"]
    for attempt in range(1, 6):
        login(page, base, "lukko", "not the password")
        message = page.locator('p.error[role="alert"]').inner_text()
        if attempt < 5:
            assert "väärä käyttäjätunnus tai salasana" in message
    assert "too many failed logins" in message and "liian monta" in message
    login(page, base, "lukko")  # the right password, while the lock lasts
    assert "liian monta" in page.locator('p.error[role="alert"]').inner_text()
    assert page.locator('.account a[href^="/login"]').count() == 1  # still not logged in


def test_an_upload_with_a_bad_row_writes_nothing_and_names_the_row(story: dict[str, Any], page: Any,
                                                                     shots: Path) -> None:  # fmt: skip
    base, url = story["base"], story["url"]
    login(page, base, "kainuu")
    page.goto(f"{base}/imports/upload")
    content = PROJECTS.replace("K80001", "K80002").replace("L80001", "L80002")
    page.select_option("#source", "eura")
    page.set_input_files("#file", files=[{"name": "hankkeet.csv", "mimeType": "text/csv",
                                          "buffer": content.encode("utf-8")}])  # fmt: skip
    with Observatory(url) as obs, session_factory(obs.engine)() as session:
        projects = session.scalar(select(func.count()).select_from(m.Project))
    with page.expect_navigation():
        page.click('main form[action="/imports/upload"] button[type="submit"]')
    alert = page.locator('main [role="alert"]').inner_text()
    assert "Mitään ei tuotu" in alert and "hankkeet.csv:3" in alert and "FI1D7" in alert
    assert "smartspec-upload" not in alert  # the file's own name, never the server's temporary path
    shoot(page, shots, "upload")
    with Observatory(url) as obs, session_factory(obs.engine)() as session:
        assert session.scalar(select(func.count()).select_from(m.Project)) == projects
        assert session.scalar(select(m.Project.id).where(m.Project.source_id == "K80002")) is None


def test_a_stored_script_does_not_run(story: dict[str, Any], page: Any) -> None:
    base = story["base"]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, base, "boss")
    for name in (SCRIPT, IMG):
        page.goto(f"{base}/registers/cluster")
        page.fill("#f-name", name)
        page.fill("#f-region", "FI1D8")
        with page.expect_navigation():
            page.click('main form[action="/registers/cluster"] button[type="submit"]')
    cells = page.locator("main table td").all_inner_texts()
    assert SCRIPT in cells and IMG in cells  # shown as the text that was typed
    assert page.locator("main img").count() == 0
    with Observatory(story["url"]) as obs:
        stored = next(e.id for e in obs.registers("cluster").entries if e.values["name"] == IMG)
    page.goto(f"{base}/registers/cluster/{stored}/edit")
    assert page.input_value("#f-name") == IMG
    page.goto(f"{base}/admin/audit")
    page.wait_for_load_state("load")
    assert dialogs == []
