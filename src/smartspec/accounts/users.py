"""Accounts and API tokens: add, list, disable, enable, reset the password, set the role; create, verify and
revoke tokens. Every change is one transaction with its audit entry (never a password or a token)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartspec.accounts import audit
from smartspec.accounts.models import Actor, NewToken, Role, TokenInfo, UserInfo
from smartspec.accounts.passwords import TOKEN_PREFIX, check_password, hash_password, new_token, token_digest
from smartspec.config import Settings
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.store import session_factory, transaction
from smartspec.strategy import Strategy

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOUCH_EVERY = dt.timedelta(seconds=60)  # last-used times are written at most this often (one writer in SQLite)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes for timezone-aware columns: they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r} / tuntematon rooli", hint="use admin, editor or viewer") from None


def user_info(row: m.User, role: Role | None = None, token_id: int | None = None) -> UserInfo:
    return UserInfo(id=row.id, username=row.username, full_name=row.full_name, email=row.email,
                    role=role or Role(row.role), regions=list(row.regions or []), disabled=row.disabled,
                    created_at=aware(row.created_at),
                    last_login_at=aware(row.last_login_at) if row.last_login_at else None,
                    token_id=token_id)  # fmt: skip


def snapshot(row: m.User) -> dict[str, object]:
    """What the audit log keeps of an account (never its password hash)."""
    return {"username": row.username, "full_name": row.full_name, "email": row.email, "role": row.role,
            "regions": list(row.regions or []), "disabled": row.disabled}  # fmt: skip


def check_regions(strategy: Strategy, role: Role, regions: Iterable[str]) -> list[str]:
    """An editor's regions as current NUTS-3 codes of the strategy (legacy codes are mapped)."""
    given = [code.strip().upper() for code in regions if code.strip()]
    if role is not Role.EDITOR:
        if given:
            raise InputError(f"only editors have regions; a {role.value} may read (and an admin change) all",
                             hint="leave out --region, or use --role editor")  # fmt: skip
        return []
    if not given:
        raise InputError("an editor needs at least one region / muokkaajalla on oltava alue",
                         hint=f"add --region, one of {', '.join(r.code for r in strategy.regions)}")  # fmt: skip
    codes = []
    for code in given:
        region = strategy.region(code)
        if region is None:
            raise InputError(f"{code!r} is not a region of {strategy.code}",
                             hint=f"use one of {', '.join(r.code for r in strategy.regions)}")  # fmt: skip
        if region.code not in codes:
            codes.append(region.code)
    return codes


def find_user(session: Session, username: str) -> m.User:
    row = session.scalars(select(m.User).where(m.User.username == username)).first()
    if row is None:
        raise InputError(f"there is no user {username!r} / käyttäjää ei ole", hint="see `smartspec user list`")
    return row


def add_user(engine: Engine, settings: Settings, strategy: Strategy, actor: Actor, username: str,
             role: str | Role, password: str, *, regions: Iterable[str] = (), full_name: str | None = None,
             email: str | None = None) -> UserInfo:  # fmt: skip
    if not USERNAME.match(username):
        raise InputError(f"{username!r} is not a valid username",
                         hint="letters, digits and . _ @ - (first a letter or digit), at most 100")  # fmt: skip
    chosen = parse_role(role)
    codes = check_regions(strategy, chosen, regions)
    check_password(password, settings.password_min_length)
    try:
        with transaction(engine) as session:
            row = m.User(username=username, full_name=full_name, email=email, role=chosen.value, regions=codes,
                         password_hash=hash_password(password), disabled=False, failed_logins=0)  # fmt: skip
            session.add(row)
            session.flush()
            audit.record(session, actor, "user.add", "user", row.id, after=snapshot(row))
    except IntegrityError:
        raise InputError(
            f"the user {username!r} exists already / käyttäjä on jo olemassa",
            hint="choose another name, or `smartspec user reset` to set a new password",
        ) from None
    return user_info(row)


def list_users(engine: Engine) -> list[UserInfo]:
    with session_factory(engine)() as session:
        return [user_info(row) for row in session.scalars(select(m.User).order_by(m.User.username))]


def _revoke_sessions(session: Session, user_id: int) -> None:
    live = (m.UserSession.user_id == user_id) & m.UserSession.revoked_at.is_(None)
    session.execute(update(m.UserSession).where(live).values(revoked_at=now()))


def set_disabled(engine: Engine, actor: Actor, username: str, disabled: bool) -> UserInfo:
    """Disable (ending its sessions; its tokens stop working) or enable an account."""
    with transaction(engine) as session:
        row = find_user(session, username)
        before = snapshot(row)
        row.disabled = disabled
        row.updated_at = now()
        if disabled:
            _revoke_sessions(session, row.id)
        audit.record(session, actor, "user.disable" if disabled else "user.enable", "user", row.id, before=before,
                     after=snapshot(row))  # fmt: skip
    return user_info(row)


def reset_password(engine: Engine, settings: Settings, actor: Actor, username: str, password: str) -> UserInfo:
    """A new password: ends the account's sessions and lifts a login lock."""
    check_password(password, settings.password_min_length)
    with transaction(engine) as session:
        row = find_user(session, username)
        row.password_hash = hash_password(password)
        row.failed_logins, row.locked_until, row.updated_at = 0, None, now()
        _revoke_sessions(session, row.id)
        audit.record(session, actor, "user.reset_password", "user", row.id, before=None, after=None,
                     note="password changed; sessions ended")  # fmt: skip
    return user_info(row)


def set_role(engine: Engine, strategy: Strategy, actor: Actor, username: str, role: str | Role,
             regions: Iterable[str] = ()) -> UserInfo:  # fmt: skip
    chosen = parse_role(role)
    codes = check_regions(strategy, chosen, regions)
    with transaction(engine) as session:
        row = find_user(session, username)
        before = snapshot(row)
        row.role, row.regions, row.updated_at = chosen.value, codes, now()
        audit.record(session, actor, "user.set_role", "user", row.id, before=before, after=snapshot(row))
    return user_info(row)


# API tokens -------------------------------------------------------------------------------------------------


def _token_info(row: m.ApiToken, username: str) -> TokenInfo:
    return TokenInfo(id=row.id, username=username, role=Role(row.role), label=row.label,
                     created_at=aware(row.created_at),
                     last_used_at=aware(row.last_used_at) if row.last_used_at else None,
                     revoked_at=aware(row.revoked_at) if row.revoked_at else None)  # fmt: skip


def create_token(engine: Engine, actor: Actor, username: str, *, label: str | None = None,
                 role: str | Role | None = None) -> NewToken:  # fmt: skip
    """A new API token for a user, scoped to ``role`` (default: the user's own; never higher)."""
    token = new_token(TOKEN_PREFIX)
    with transaction(engine) as session:
        user = find_user(session, username)
        own = Role(user.role)
        scope = parse_role(role) if role is not None else own
        if scope.rank > own.rank:
            raise InputError(f"a token of {username!r} cannot have the role {scope.value}, higher than the user's "
                             f"({own.value})", hint=f"use --role {own.value} or lower")  # fmt: skip
        if user.disabled:
            raise InputError(f"the user {username!r} is disabled", hint="enable the account first")
        row = m.ApiToken(token_hash=token_digest(token), user_id=user.id, role=scope.value, label=label)
        session.add(row)
        session.flush()
        info = _token_info(row, user.username)
        audit.record(session, actor, "token.create", "token", row.id, after=info.model_dump(mode="json"))
    return NewToken(token=token, info=info)


def list_tokens(engine: Engine, username: str | None = None) -> list[TokenInfo]:
    with session_factory(engine)() as session:
        query = select(m.ApiToken, m.User.username).join(m.User, m.User.id == m.ApiToken.user_id)
        if username:
            query = query.where(m.User.username == username)
        return [_token_info(row, name) for row, name in session.execute(query.order_by(m.ApiToken.id))]


def revoke_token(engine: Engine, actor: Actor, token_id: int) -> TokenInfo:
    with transaction(engine) as session:
        row = session.get(m.ApiToken, token_id)
        if row is None:
            raise InputError(f"there is no API token {token_id}", hint="see the user's tokens for their ids")
        username = session.get_one(m.User, row.user_id).username
        before = _token_info(row, username)
        if row.revoked_at is None:
            row.revoked_at = now()
        after = _token_info(row, username)
        audit.record(session, actor, "token.revoke", "token", row.id, before=before.model_dump(mode="json"),
                     after=after.model_dump(mode="json"))  # fmt: skip
    return after


def token_user(engine: Engine, token: str) -> UserInfo | None:
    """The user an API token acts for, with the token's role (capped by the user's current one); None when the
    token is unknown or revoked or its user disabled."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with transaction(engine) as session:
        found = session.execute(select(m.ApiToken, m.User).join(m.User, m.User.id == m.ApiToken.user_id).where(
            m.ApiToken.token_hash == token_digest(token))).first()  # fmt: skip
        if found is None:
            return None
        row, user = found
        if row.revoked_at is not None or user.disabled:
            return None
        moment = now()
        if row.last_used_at is None or moment - aware(row.last_used_at) > TOUCH_EVERY:
            row.last_used_at = moment
        scope = min(Role(row.role), Role(user.role), key=lambda r: r.rank)
        return user_info(user, scope, row.id)
