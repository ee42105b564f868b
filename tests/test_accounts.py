"""Accounts: Argon2 passwords, sessions (rotation, idle expiry), login throttling, API tokens, the policy as a
role × action × region matrix, editors refused outside their regions with nothing written, the audit log, and the
`smartspec user` / `smartspec audit` commands. Store tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select

from conftest import FIXTURES, SHIPPED_HASHER, table_counts
from helpers import cli, observe
from smartspec import Observatory
from smartspec.accounts import (
    Action,
    Actor,
    LoginFailedError,
    LoginThrottledError,
    PermissionDenied,
    Role,
    UserInfo,
    allowed,
)
from smartspec.accounts.passwords import hash_password, verify_password
from smartspec.config import Settings
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.store import session_factory

PASSWORD = "kainuun-kalliot-2026"
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
EURA = FIXTURES / "eura" / "eura2014.csv"  # rows: Lappi (line 2), Pohjois-Karjala, an ELY centre, Pohjois-Pohjanmaa


def admin(engine: Engine, **settings: object) -> Observatory:
    """The facade as the OS user of a command (who acts as admin), with optional settings."""
    return observe(engine, settings=Settings(**settings)) if settings else observe(engine)  # type: ignore[arg-type]


def as_user(obs: Observatory, user: UserInfo | None, address: str = "192.0.2.10") -> Observatory:
    return obs.acting_as(Actor.of(user, "session", address))


def count(engine: Engine, model: type[object]) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


# Passwords ----------------------------------------------------------------------------------------------------------


def test_passwords_are_argon2_hashes_that_verify() -> None:
    from argon2 import extract_parameters
    from argon2.profiles import RFC_9106_LOW_MEMORY

    shipped = SHIPPED_HASHER().hash(PASSWORD)  # what smartspec stores (the suite hashes with cheaper parameters)
    assert extract_parameters(shipped) == RFC_9106_LOW_MEMORY and SHIPPED_HASHER().verify(shipped, PASSWORD)
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert stored != hash_password(PASSWORD)  # salted
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password("not a hash", PASSWORD)


def test_users_are_added_checked_and_stored_without_the_password(engine: Engine) -> None:
    obs = admin(engine)
    added = obs.add_user("kainuu", "editor", PASSWORD, regions=["fi1d8"], full_name="Kaisa Kainuu")
    assert (added.role, added.regions) == (Role.EDITOR, ["FI1D8"])
    obs.add_user("lukija", "viewer", PASSWORD)
    assert [u.username for u in obs.users()] == ["kainuu", "lukija"]
    with session_factory(engine)() as session:
        row = session.scalars(select(m.User).where(m.User.username == "kainuu")).one()
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        logged = " ".join(json.dumps(a.detail) for a in session.scalars(select(m.AuditLog)))
    assert PASSWORD not in logged
    for bad, message in [
        (lambda: obs.add_user("kainuu", "viewer", PASSWORD), "exists already"),
        (lambda: obs.add_user("e2", "editor", PASSWORD), "at least one region"),
        (lambda: obs.add_user("e3", "editor", PASSWORD, regions=["SE110"]), "not a region"),
        (lambda: obs.add_user("v2", "viewer", PASSWORD, regions=["FI1D8"]), "only editors have regions"),
        (lambda: obs.add_user("v3", "chief", PASSWORD), "unknown role"),
        (lambda: obs.add_user("v4", "viewer", "short"), "too short"),
        (lambda: obs.add_user("<b>x</b>", "viewer", PASSWORD), "not a valid username"),
    ]:
        with pytest.raises(InputError, match=message):
            bad()
    assert count(engine, m.User) == 2


# Sessions -----------------------------------------------------------------------------------------------------------


def test_every_login_is_a_new_session_stored_hashed_and_logout_ends_it(engine: Engine) -> None:
    obs = admin(engine)
    obs.add_user("lukija", "viewer", PASSWORD)
    first = obs.login("lukija", PASSWORD, "192.0.2.1", user_agent="pytest")
    second = obs.login("lukija", PASSWORD, "192.0.2.1", replaces=first.token)
    assert first.token != second.token and len(second.token) >= 40
    assert obs.session_user(first.token) is None  # rotated: the old session was replaced
    user = obs.session_user(second.token)
    assert user is not None and user.username == "lukija" and user.role is Role.VIEWER
    with session_factory(engine)() as session:
        ids = set(session.scalars(select(m.UserSession.id)))
    assert hashlib.sha256(second.token.encode()).hexdigest() in ids and second.token not in ids
    assert obs.logout(second.token) and obs.session_user(second.token) is None
    assert not obs.logout(second.token)
    with pytest.raises(LoginFailedError, match="wrong username or password"):
        obs.login("lukija", PASSWORD + "!", "192.0.2.1")
    with pytest.raises(LoginFailedError, match="wrong username or password"):
        obs.login("nobody", PASSWORD, "192.0.2.1")


def test_sessions_end_when_idle_and_at_their_absolute_end(engine: Engine) -> None:
    obs = admin(engine, session_idle_minutes=30, session_max_hours=1)
    obs.add_user("lukija", "viewer", PASSWORD)
    with time_machine.travel(START, tick=False) as clock:
        idle = obs.login("lukija", PASSWORD).token
        active = obs.login("lukija", PASSWORD).token
        clock.shift(dt.timedelta(minutes=25))
        assert obs.session_user(active) is not None
        clock.shift(dt.timedelta(minutes=10))  # 35 min after login, 10 after the active one's last request
        assert obs.session_user(idle) is None
        assert obs.session_user(active) is not None
        clock.shift(dt.timedelta(minutes=20))
        assert obs.session_user(active) is not None
        clock.shift(dt.timedelta(minutes=10))  # 65 min: past the one-hour end however active
        assert obs.session_user(active) is None
    disabled = obs.login("lukija", PASSWORD).token
    obs.disable_user("lukija")
    assert obs.session_user(disabled) is None
    with pytest.raises(LoginFailedError, match="disabled"):
        obs.login("lukija", PASSWORD)


def test_five_wrong_passwords_lock_the_account_for_a_while(engine: Engine) -> None:
    obs = admin(engine)
    obs.add_user("kainuu", "editor", PASSWORD, regions=["FI1D8"])
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(4):
            with pytest.raises(LoginFailedError):
                obs.login("kainuu", f"guess-{attempt}-password", f"198.51.100.{attempt}")
        with pytest.raises(LoginThrottledError, match=r"too many failed logins for this account.*08:15 UTC"):
            obs.login("kainuu", "guess-5-password", "198.51.100.5")
        with pytest.raises(LoginThrottledError):  # the right password does not help while locked
            obs.login("kainuu", PASSWORD, "198.51.100.6")
        clock.shift(dt.timedelta(minutes=16))
        assert obs.login("kainuu", PASSWORD, "198.51.100.6").session.user.username == "kainuu"
    with session_factory(engine)() as session:
        reasons = list(session.scalars(select(m.LoginAttempt.reason).order_by(m.LoginAttempt.id)))
    assert reasons == ["wrong-password"] * 5 + ["throttled", "ok"]


def test_failed_logins_from_one_address_lock_that_address(engine: Engine) -> None:
    obs = admin(engine, login_max_failures_per_address=5)
    obs.add_user("lukija", "viewer", PASSWORD)
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(5):  # five different accounts: no account lock, but one address
            with pytest.raises(LoginFailedError):
                obs.login(f"user{attempt}", PASSWORD, "203.0.113.7")
        with pytest.raises(LoginThrottledError, match="from this address"):
            obs.login("lukija", PASSWORD, "203.0.113.7")
        assert obs.login("lukija", PASSWORD, "203.0.113.8").token  # another address is not locked
        clock.shift(dt.timedelta(minutes=16))
        assert obs.login("lukija", PASSWORD, "203.0.113.7").token


def test_reset_password_lifts_the_lock_and_ends_sessions(engine: Engine) -> None:
    obs = admin(engine)
    obs.add_user("lukija", "viewer", PASSWORD)
    token = obs.login("lukija", PASSWORD).token
    for _ in range(5):
        with pytest.raises((LoginFailedError, LoginThrottledError)):
            obs.login("lukija", "wrong-password-here")
    obs.reset_password("lukija", "uusi-salasana-2026")
    assert obs.session_user(token) is None
    with pytest.raises(LoginFailedError):
        obs.login("lukija", PASSWORD)
    assert obs.login("lukija", "uusi-salasana-2026").token


# API tokens ---------------------------------------------------------------------------------------------------------


def test_api_tokens_are_hashed_scoped_and_revocable(engine: Engine) -> None:
    obs = admin(engine)
    obs.add_user("kainuu", "editor", PASSWORD, regions=["FI1D8"])
    created = obs.create_token("kainuu", label="nightly import")
    read_only = obs.create_token("kainuu", label="dashboard", role="viewer")
    assert created.token.startswith("ss_") and len(created.token) > 40
    with session_factory(engine)() as session:
        stored = {row.token_hash: row for row in session.scalars(select(m.ApiToken))}
    assert hashlib.sha256(created.token.encode()).hexdigest() in stored
    assert not any(created.token in (row.token_hash, row.label) for row in stored.values())
    user = obs.token_user(created.token)
    assert user is not None and (user.role, user.regions, user.token_id) == (Role.EDITOR, ["FI1D8"], created.info.id)
    scoped = obs.token_user(read_only.token)
    assert scoped is not None and scoped.role is Role.VIEWER
    assert obs.token_user("ss_" + "x" * 43) is None and obs.token_user(created.token[3:]) is None
    with pytest.raises(InputError, match="higher than the user's"):
        obs.create_token("kainuu", role="admin")
    obs.set_role("kainuu", "viewer")  # a token never has more than its user now has
    capped = obs.token_user(created.token)
    assert capped is not None and capped.role is Role.VIEWER
    revoked = obs.revoke_token(created.info.id)
    assert revoked.revoked_at is not None and obs.token_user(created.token) is None
    obs.disable_user("kainuu")
    assert obs.token_user(read_only.token) is None
    assert [t.label for t in obs.tokens("kainuu")] == ["nightly import", "dashboard"]


# The policy ---------------------------------------------------------------------------------------------------------

# Expected answers: yes, no, own (an editor in one of their regions), public (when public_read is on).
POLICY = {
    "admin": dict.fromkeys(Action, "yes"),
    "editor": {Action.READ_PUBLIC: "yes", Action.READ: "yes", Action.REVIEW: "own", Action.EDIT_REGISTER: "own",
               Action.IMPORT: "own", Action.TRAIN: "yes", Action.OPERATE: "no", Action.MANAGE_USERS: "no",
               Action.READ_AUDIT: "no"},
    "viewer": {action: "yes" if action in (Action.READ_PUBLIC, Action.READ) else "no" for action in Action},
    "anonymous": {action: "public" if action is Action.READ_PUBLIC else "no" for action in Action},
    "disabled editor": {action: "public" if action is Action.READ_PUBLIC else "no" for action in Action},
}  # fmt: skip
USERS = {
    "admin": UserInfo(id=1, username="admin", role=Role.ADMIN),
    "editor": UserInfo(id=2, username="kainuu", role=Role.EDITOR, regions=["FI1D8", "FI1D5"]),
    "viewer": UserInfo(id=3, username="lukija", role=Role.VIEWER),
    "anonymous": None,
    "disabled editor": UserInfo(id=4, username="old", role=Role.EDITOR, regions=["FI1D8"], disabled=True),
}
REGIONS: list[str | list[str] | None] = ["FI1D8", "FI1D7", ["FI1D7", "FI1D5"], [], None]
OWN = {"FI1D8", "FI1D5"}


def test_the_policy_matrix_every_role_action_and_region() -> None:
    assert all(set(rules) == set(Action) for rules in POLICY.values()), "every action needs a rule for every role"
    wrong = []
    for name, user in USERS.items():
        for action in Action:
            for region in REGIONS:
                for public_read in (True, False):
                    rule = POLICY[name][action]
                    touched = {region} if isinstance(region, str) else set(region or [])
                    expected = {"yes": True, "no": False, "own": bool(touched & OWN), "public": public_read}[rule]
                    got = allowed(user, action, "cluster", region, public_read=public_read)
                    if got != expected:
                        wrong.append((name, action.value, region, public_read, got))
    assert wrong == []
    assert len(USERS) * len(Action) * len(REGIONS) * 2 == 450


# Editors and their regions ------------------------------------------------------------------------------------------


@pytest.fixture
def kainuu(engine: Engine) -> tuple[Observatory, Observatory]:
    """(the OS user's facade, a Kainuu and Keski-Pohjanmaa editor's facade over the same store)."""
    obs = admin(engine)
    user = obs.add_user("kainuu", "editor", PASSWORD, regions=["FI1D8", "FI1D5"])
    return obs, as_user(obs, user)


def test_an_editor_edits_their_regions_registers_only(engine: Engine, kainuu: tuple[Observatory, Observatory],
                                                      tmp_path: Path) -> None:  # fmt: skip
    obs, editor = kainuu
    saved = editor.register_add("cluster", {"name": "Kajaani Games", "region": "FI1D8", "areas": "II.2"})
    again = editor.register_add("cluster", {"name": "Kajaani Games", "region": "FI1D8", "areas": "II.2;II.1"})
    assert (saved.action, again.action, again.id) == ("inserted", "updated", saved.id)
    with pytest.raises(PermissionDenied, match=r"editor 'kainuu' may not edit register cluster in FI1D7"):
        editor.register_add("cluster", {"name": "Lapland Cluster", "region": "FI1D7"})
    assert count(engine, m.Cluster) == 1
    path = tmp_path / "clusters.csv"
    path.write_text("name,region,areas\nKokkola Chemistry,FI1D5,I.3\nRovaniemi Arctic,FI1D7,III.2\n", encoding="utf-8")
    with pytest.raises(InputError, match="nothing was imported") as refused:
        editor.register_import("cluster", path)
    problem = refused.value.problems[0]
    assert problem.where is not None and (problem.where.line, problem.where.field) == (3, "region")
    assert "FI1D7" in problem.message and len(refused.value.problems) == 1
    assert count(engine, m.Cluster) == 1
    assert obs.register_import("cluster", path).inserted == 2  # the OS user acts as admin

    entries = obs.audit(entity="cluster")
    update = next(e for e in entries if e.action == "register.cluster.updated")
    assert (update.actor, update.via, update.address) == ("kainuu", "session", "192.0.2.10")
    assert update.before["areas"] == ["II.2"] and update.after["areas"] == ["II.2", "II.1"]
    insert = next(e for e in entries if e.action == "register.cluster.inserted" and e.actor == "kainuu")
    assert insert.before is None and insert.after["name"] == "Kajaani Games"


def test_an_editors_import_refuses_rows_outside_their_regions(engine: Engine) -> None:
    obs = admin(engine)
    user = obs.add_user("lappi", "editor", PASSWORD, regions=["FI1D7"])
    editor = as_user(obs, user, "192.0.2.77")
    before = table_counts(engine)
    with pytest.raises(InputError, match="3 bad row") as refused:
        editor.import_file("eura", EURA)
    assert table_counts(engine) == before  # nothing written
    lines = sorted(p.where.line for p in refused.value.problems if p.where is not None)
    assert lines == [3, 4, 5] and all("your regions: FI1D7" in p.message for p in refused.value.problems)
    assert "project A70002: permission denied" in str(refused.value) and "eura2014.csv:3" in str(refused.value)
    result = editor.import_file("eura", EURA, skip_bad_rows=True)
    assert result.counts["project"]["inserted"] == 1 and result.rows_rejected == 3
    with session_factory(engine)() as session:
        assert list(session.scalars(select(m.Project.source_id))) == ["A70001"]
    entry = obs.audit(entity="import_batch")[0]
    assert (entry.actor, entry.via, entry.address, entry.entity_id) == ("lappi", "session", "192.0.2.77",
                                                                       str(result.batch_id))  # fmt: skip
    assert entry.before is None and entry.after["counts"]["project"]["inserted"] == 1
    viewer = as_user(obs, obs.add_user("lukija", "viewer", PASSWORD))
    with pytest.raises(PermissionDenied):
        viewer.import_file("eura", EURA)


def test_an_editor_reviews_only_projects_with_a_participant_in_their_regions(engine: Engine) -> None:
    obs = admin(engine)
    obs.import_file("eura", EURA)
    editor = as_user(obs, obs.add_user("lappi", "editor", PASSWORD, regions=["FI1D7"]))
    with session_factory(engine)() as session:
        ids = {source_id: id_ for source_id, id_ in session.execute(select(m.Project.source_id, m.Project.id))}
    decision = editor.decide(ids["A70001"], "I.4", "accept")
    assert decision.by == "lappi"
    with pytest.raises(PermissionDenied, match="review project"):
        editor.decide(ids["A70002"], "I.5", "accept")
    with session_factory(engine)() as session:
        reviewed = set(session.scalars(select(m.Classification.record_id).where(m.Classification.method == "review")))
    assert reviewed == {ids["A70001"]}
    entry = obs.audit(entity="project")[0]
    assert (entry.action, entry.before, entry.after, entry.via) == ("classification.accept", None, "accepted",
                                                                    "session")  # fmt: skip


def test_an_editors_review_queue_holds_only_their_regions_projects(
    engine: Engine, install_model: Callable[[Engine], None]
) -> None:
    obs = admin(engine)
    obs.import_file("eura", EURA)
    install_model(engine)
    obs.classify()
    with session_factory(engine)() as session:
        ids = {source_id: id_ for source_id, id_ in session.execute(select(m.Project.source_id, m.Project.id))}
    everything = {item.project_id for item in obs.review_queue(50)}
    assert {ids["A70001"], ids["A70002"]} <= everything  # Lappi and Pohjois-Karjala
    lappi = as_user(obs, obs.add_user("lappi", "editor", PASSWORD, regions=["FI1D7"]))
    assert [item.project_id for item in lappi.review_queue(50)] == [ids["A70001"]]
    both = as_user(obs, obs.add_user("ita", "editor", PASSWORD, regions=["FI1D7", "FI1D3"]))
    assert {item.project_id for item in both.review_queue(50)} == {ids["A70001"], ids["A70002"]}
    kainuu = as_user(obs, obs.add_user("kainuu", "editor", PASSWORD, regions=["FI1D8"]))
    assert kainuu.review_queue(50) == []  # no fixture project is in Kainuu
    viewer = as_user(obs, obs.add_user("lukija", "viewer", PASSWORD))
    assert {item.project_id for item in viewer.review_queue(50)} == everything  # readers see the whole queue
    # A reviewed project leaves the queue; the editor's queue is still limited to their regions.
    lappi.decide(ids["A70001"], "I.4", "accept")
    assert lappi.review_queue(50) == []
    assert ids["A70001"] not in {item.project_id for item in obs.review_queue(50)}


def test_viewers_and_anonymous_readers_write_nothing(engine: Engine, kainuu: tuple[Observatory, Observatory]) -> None:
    obs, editor = kainuu
    viewer = as_user(obs, obs.add_user("lukija", "viewer", PASSWORD))
    anonymous = as_user(obs, None)
    for who in (viewer, anonymous):
        with pytest.raises(PermissionDenied):
            who.register_add("cluster", {"name": "X", "region": "FI1D8"})
        with pytest.raises(PermissionDenied):
            who.users()
    for denied in (lambda: editor.users(), lambda: editor.audit(), lambda: editor.add_user("x", "admin", PASSWORD),
                   lambda: editor.create_token("kainuu"), lambda: editor.compute_indicators([2024])):  # fmt: skip
        with pytest.raises(PermissionDenied):
            denied()
    assert count(engine, m.Cluster) == 0 and count(engine, m.User) == 2
    assert anonymous.allowed(Action.READ_PUBLIC) and not anonymous.allowed(Action.READ)
    assert editor.allowed(Action.EDIT_REGISTER, "cluster", "FI1D8") and obs.allowed(Action.MANAGE_USERS)


def test_every_account_change_is_audited_with_before_and_after(engine: Engine, tmp_path: Path) -> None:
    obs = admin(engine)
    obs.add_user("kainuu", "editor", PASSWORD, regions=["FI1D8"], full_name='=HYPERLINK("http://x")')
    obs.set_role("kainuu", "viewer")
    obs.disable_user("kainuu")
    obs.enable_user("kainuu")
    obs.reset_password("kainuu", "uusi-salasana-2026")
    token = obs.create_token("kainuu", label="script")
    obs.revoke_token(token.info.id)
    entries = obs.audit()
    assert [e.action for e in reversed(entries)] == ["user.add", "user.set_role", "user.disable", "user.enable",
                                                     "user.reset_password", "token.create", "token.revoke"]  # fmt: skip
    by_action = {e.action: e for e in entries}
    assert by_action["user.add"].before is None and by_action["user.add"].after["role"] == "editor"
    role_change = by_action["user.set_role"]
    assert (role_change.before["role"], role_change.after["role"]) == ("editor", "viewer")
    assert by_action["user.disable"].after["disabled"] is True
    assert by_action["token.revoke"].before["revoked_at"] is None and by_action["token.revoke"].after["revoked_at"]
    assert all(e.via == "os" for e in entries)
    everything = json.dumps([e.model_dump(mode="json") for e in entries])
    assert PASSWORD not in everything and "uusi-salasana" not in everything and token.token not in everything
    assert len(obs.audit(limit=2)) == 2 and {e.entity for e in obs.audit(entity="token")} == {"token"}

    path = tmp_path / "audit.csv"
    assert obs.export_audit(path) == 7
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0]["action"] == "user.add" and rows[0]["after"].startswith("{")
    assert '"full_name": "=HYPERLINK' in rows[0]["after"]  # inside JSON: not a formula
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


# The commands -------------------------------------------------------------------------------------------------------


def test_user_commands_with_password_stdin_and_the_token_last(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:  # fmt: skip
    def stdin(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    stdin(PASSWORD + "\n")
    assert (
        cli("user", "add", "kainuu", "--role", "editor", "--region", "FI1D8", "--password-stdin", "--db", db_url) == 0
    )
    assert "kainuu: editor (FI1D8)" in capsys.readouterr().out
    stdin("")
    assert cli("user", "add", "x", "--role", "viewer", "--password-stdin", "--db", db_url) == 2
    assert "no password on standard input" in capsys.readouterr().err
    stdin("short\n")
    assert cli("user", "add", "x", "--role", "viewer", "--password-stdin", "--db", db_url) == 2
    assert "too short" in capsys.readouterr().err

    assert cli("user", "token", "kainuu", "--label", "nightly", "--db", db_url) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    with Observatory(db_url) as obs:
        user = obs.token_user(token)
        assert user is not None and user.username == "kainuu"
        assert obs.login("kainuu", PASSWORD).token

    assert cli("user", "list", "--json", "--db", db_url) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["role"], u["regions"]) for u in listed] == [("kainuu", "editor", ["FI1D8"])]
    stdin("uusi-salasana-2026\r\n")
    assert cli("user", "reset", "kainuu", "--password-stdin", "--db", db_url) == 0
    assert cli("user", "disable", "kainuu", "--db", db_url) == 0
    assert "[disabled]" in capsys.readouterr().out
    assert cli("user", "disable", "nobody", "--db", db_url) == 2
    assert "there is no user 'nobody'" in capsys.readouterr().err
    assert cli("user", "enable", "kainuu", "--db", db_url) == 0
    assert "enabled kainuu" in capsys.readouterr().out
    with Observatory(db_url) as obs:
        assert obs.login("kainuu", "uusi-salasana-2026").token

    assert cli("audit", "--json", "--db", db_url) == 0
    actions = [e["action"] for e in json.loads(capsys.readouterr().out)]
    assert actions == ["user.enable", "user.disable", "user.reset_password", "token.create", "user.add"]
    assert cli("audit", "--entity", "token", "--limit", "5", "--db", db_url) == 0
    assert "token.create" in capsys.readouterr().out
    assert cli("audit", "--export", tmp_path / "audit.csv", "--db", db_url) == 0
    assert "5 audit entries written" in capsys.readouterr().out
    assert len((tmp_path / "audit.csv").read_text(encoding="utf-8").splitlines()) == 6
