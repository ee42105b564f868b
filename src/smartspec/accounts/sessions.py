"""Logging in: password check with throttling per account and per address, server-side sessions that rotate at
every login and end when idle, at their absolute end or at logout."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from smartspec.accounts.models import LoginResult, SessionInfo, UserInfo
from smartspec.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from smartspec.accounts.users import TOUCH_EVERY, aware, now, user_info
from smartspec.config import Settings
from smartspec.errors import SmartspecError
from smartspec.store import models as m
from smartspec.store import transaction

FAILURES = ("wrong-password", "unknown-user", "disabled")  # what counts toward an address's lock


class LoginFailedError(SmartspecError):
    """Wrong username or password (the message does not say which), or a disabled account."""


class LoginThrottledError(SmartspecError):
    """Too many failed logins for the account or from the address; ``until`` says when to try again."""

    until: dt.datetime | None = None


def _throttled(what: str, until: dt.datetime, moment: dt.datetime) -> LoginThrottledError:
    minutes = max(1, int((until - moment).total_seconds() // 60) + 1)
    error = LoginThrottledError(
        f"too many failed logins {what}; try again after {until:%H:%M} UTC (in {minutes} min) / liian monta "
        f"epäonnistunutta kirjautumista; yritä uudelleen klo {until:%H:%M} UTC jälkeen",
        hint="an admin can lift an account's lock with `smartspec user reset NAME`",
    )
    error.until = until
    return error


def _address_lock(session: Session, settings: Settings, address: str | None, moment: dt.datetime) -> dt.datetime | None:
    """When the address may try again, if it is locked now."""
    if not address:
        return None
    since = moment - dt.timedelta(minutes=settings.login_window_minutes)
    failures, newest = session.execute(select(func.count(), func.max(m.LoginAttempt.at)).where(
        m.LoginAttempt.address == address, m.LoginAttempt.reason.in_(FAILURES),
        m.LoginAttempt.at >= since)).one()  # fmt: skip
    if failures < settings.login_max_failures_per_address or newest is None:
        return None
    until = aware(newest) + dt.timedelta(minutes=settings.login_lockout_minutes)
    return until if moment < until else None


def login(engine: Engine, settings: Settings, username: str, password: str, *, address: str | None = None,
          user_agent: str | None = None, replaces: str | None = None) -> LoginResult:  # fmt: skip
    """A new session for a right password (a new random id every login; ``replaces``, the session token the
    client had, is revoked). Raises LoginFailedError or LoginThrottledError; every attempt is recorded."""
    moment = now()
    failure: SmartspecError | None = None
    with transaction(engine) as session:

        def attempt(ok: bool, reason: str) -> None:
            session.add(m.LoginAttempt(at=moment, username=username[:100], address=address, ok=ok, reason=reason))

        locked = _address_lock(session, settings, address, moment)
        if locked is not None:
            attempt(False, "throttled")
            failure = _throttled("from this address / tästä osoitteesta", locked, moment)
        else:
            user = session.scalars(select(m.User).where(m.User.username == username)).first()
            if user is not None and user.locked_until is not None and moment < aware(user.locked_until):
                attempt(False, "throttled")
                failure = _throttled("for this account / tälle tunnukselle", aware(user.locked_until), moment)
            elif user is None or not verify_password(user.password_hash, password):
                if user is None:
                    verify_password(dummy_hash(), password)  # the same time as for a known user
                attempt(False, "unknown-user" if user is None else "wrong-password")
                failure = LoginFailedError("wrong username or password / väärä käyttäjätunnus tai salasana",
                                      hint="check both; repeated failures lock logging in for a while")  # fmt: skip
                if user is not None:
                    _count_failure(user, settings, moment)
                    if user.locked_until is not None:
                        failure = _throttled("for this account / tälle tunnukselle", aware(user.locked_until), moment)
            elif user.disabled:
                attempt(False, "disabled")
                failure = LoginFailedError(f"the account {username!r} is disabled / tunnus on poistettu käytöstä",
                                      hint="ask an admin to enable it")  # fmt: skip
            else:
                attempt(True, "ok")
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                user.failed_logins, user.locked_until, user.last_login_at = 0, None, moment
                if replaces:
                    _revoke(session, replaces, moment)
                token = new_token()
                row = m.UserSession(id=token_digest(token), user_id=user.id, created_at=moment, last_seen_at=moment,
                                    expires_at=moment + dt.timedelta(hours=settings.session_max_hours),
                                    address=address, user_agent=(user_agent or "")[:500] or None)  # fmt: skip
                session.add(row)
                info = _session_info(row, user_info(user), settings)
    if failure is not None:
        raise failure
    return LoginResult(token=token, session=info)


def _count_failure(user: m.User, settings: Settings, moment: dt.datetime) -> None:
    window = dt.timedelta(minutes=settings.login_window_minutes)
    if user.last_failed_at is None or moment - aware(user.last_failed_at) > window:
        user.failed_logins = 0  # earlier failures are outside the window
    user.failed_logins += 1
    user.last_failed_at = moment
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = moment + dt.timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0


def _session_info(row: m.UserSession, user: UserInfo, settings: Settings) -> SessionInfo:
    last_seen = aware(row.last_seen_at)
    return SessionInfo(user=user, created_at=aware(row.created_at), last_seen_at=last_seen,
                       expires_at=aware(row.expires_at),
                       idle_expires_at=min(aware(row.expires_at),
                                           last_seen + dt.timedelta(minutes=settings.session_idle_minutes)),
                       address=row.address)  # fmt: skip


def _revoke(session: Session, token: str, moment: dt.datetime) -> bool:
    row = session.get(m.UserSession, token_digest(token))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = moment
    return True


def logout(engine: Engine, token: str) -> bool:
    """End a session; False when there was no live session with this token."""
    with transaction(engine) as session:
        return _revoke(session, token, now())


def session_info(engine: Engine, settings: Settings, token: str) -> SessionInfo | None:
    """The live session of a cookie's token, its last-seen time moved on; None when it is unknown, revoked,
    idle longer than ``session_idle_minutes``, past its absolute end, or its user is disabled."""
    moment = now()
    with transaction(engine) as session:
        row = session.get(m.UserSession, token_digest(token))
        if row is None or row.revoked_at is not None:
            return None
        user = session.get_one(m.User, row.user_id)
        idle = moment - aware(row.last_seen_at) > dt.timedelta(minutes=settings.session_idle_minutes)
        if user.disabled or idle or moment >= aware(row.expires_at):
            return None
        if moment - aware(row.last_seen_at) > TOUCH_EVERY:
            row.last_seen_at = moment
        return _session_info(row, user_info(user), settings)


def session_user(engine: Engine, settings: Settings, token: str) -> UserInfo | None:
    info = session_info(engine, settings, token)
    return info.user if info else None
