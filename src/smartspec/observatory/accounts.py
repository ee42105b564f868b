"""Accounts on the facade: who may do what (one policy), users, tokens, sessions and the audit log."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Self

from smartspec import accounts as acc
from smartspec.accounts import Action, audit, sessions, users
from smartspec.accounts import Actor as Actor  # re-exported: smartspec.Actor and smartspec.observatory.Actor
from smartspec.observatory.core import ObservatoryCore
from smartspec.store import (
    session_factory,
)


class Accounts(ObservatoryCore):
    # Accounts ---------------------------------------------------------------------------------------------------

    def allowed(self, action: Action, resource: str | None = None,
                region: str | Collection[str] | None = None) -> bool:  # fmt: skip
        """Whether this observatory's actor may do ``action`` (see smartspec.accounts.policy); the OS user of a
        command acts as admin."""
        if self.actor.is_os:
            return True
        return acc.allowed(self.actor.user, action, resource, region, public_read=self.settings.public_read)

    def require(self, action: Action, resource: str | None = None,
                region: str | Collection[str] | None = None) -> None:  # fmt: skip
        """PermissionDenied unless ``allowed`` (for callers that check before showing a form)."""
        self._require(action, resource, region)

    def acting_as(self, actor: Actor) -> Self:
        """The same observatory (engine, strategy, loaded model) for another actor, e.g. the user of a request."""
        other = type(self)(settings=self.settings, actor=actor, clock=self.clock, engine=self.engine)
        other._strategy, other._toolkits, other._model = self._strategy, self._toolkits, self._model
        other._partners, other._reads = self._partners, self._reads
        return other

    def users(self) -> list[acc.UserInfo]:
        """Every account (admins only)."""
        self._require(Action.MANAGE_USERS, "users")
        return users.list_users(self._ready())

    def add_user(self, username: str, role: str, password: str, *, regions: Iterable[str] = (),
                 full_name: str | None = None, email: str | None = None) -> acc.UserInfo:  # fmt: skip
        """A new account; an editor needs at least one region. The password is stored as an Argon2 hash only."""
        self._require(Action.MANAGE_USERS, "users")
        return users.add_user(self._ready(), self.settings, self.strategy, self.actor, username, role, password,
                              regions=regions, full_name=full_name, email=email)  # fmt: skip

    def disable_user(self, username: str) -> acc.UserInfo:
        """Disable an account: its sessions end and its tokens stop working (``enable_user`` restores it)."""
        self._require(Action.MANAGE_USERS, "users")
        return users.set_disabled(self._ready(), self.actor, username, True)

    def enable_user(self, username: str) -> acc.UserInfo:
        self._require(Action.MANAGE_USERS, "users")
        return users.set_disabled(self._ready(), self.actor, username, False)

    def reset_password(self, username: str, password: str) -> acc.UserInfo:
        """Set a new password; the account's sessions end and a login lock is lifted."""
        self._require(Action.MANAGE_USERS, "users")
        return users.reset_password(self._ready(), self.settings, self.actor, username, password)

    def set_role(self, username: str, role: str, regions: Iterable[str] = ()) -> acc.UserInfo:
        """Change an account's role (and an editor's regions); its tokens are capped at the new role."""
        self._require(Action.MANAGE_USERS, "users")
        return users.set_role(self._ready(), self.strategy, self.actor, username, role, regions)

    def create_token(self, username: str, *, label: str | None = None, role: str | None = None) -> acc.NewToken:
        """A new API token for a user, scoped to ``role`` (default and at most the user's); the token is returned
        this once and stored as its SHA-256 only."""
        self._require(Action.MANAGE_USERS, "tokens")
        return users.create_token(self._ready(), self.actor, username, label=label, role=role)

    def tokens(self, username: str | None = None) -> list[acc.TokenInfo]:
        self._require(Action.MANAGE_USERS, "tokens")
        return users.list_tokens(self._ready(), username)

    def revoke_token(self, token_id: int) -> acc.TokenInfo:
        self._require(Action.MANAGE_USERS, "tokens")
        return users.revoke_token(self._ready(), self.actor, token_id)

    def login(self, username: str, password: str, address: str | None = None, *, user_agent: str | None = None,
              replaces: str | None = None) -> acc.LoginResult:  # fmt: skip
        """A new session (a fresh random token every login; ``replaces``, the client's old session, ends). Raises
        LoginFailedError, or LoginThrottledError after too many failures for the account or from the address."""
        return sessions.login(self._ready(), self.settings, username, password, address=address,
                              user_agent=user_agent, replaces=replaces)  # fmt: skip

    def logout(self, token: str) -> bool:
        return sessions.logout(self.engine, token)

    def session(self, token: str) -> acc.SessionInfo | None:
        """The live session of a token (None when unknown, revoked, idle too long or expired)."""
        return sessions.session_info(self.engine, self.settings, token)

    def session_user(self, token: str) -> acc.UserInfo | None:
        return sessions.session_user(self.engine, self.settings, token)

    def token_user(self, token: str) -> acc.UserInfo | None:
        """The user of an API token, with the token's role; None when unknown, revoked or the user disabled."""
        return users.token_user(self.engine, token)

    def audit(self, limit: int = 50, entity: str | None = None) -> list[acc.AuditEntry]:
        """The audit log, newest first (``limit`` 0: all), optionally of one kind of record (admins only)."""
        self._require(Action.READ_AUDIT, "audit")
        with session_factory(self._ready())() as session:
            return audit.entries(session, limit, entity)

    def export_audit(self, path: Path) -> int:
        """The whole audit log as CSV (formula-like cells quoted for spreadsheets); returns the number of rows."""
        self._require(Action.READ_AUDIT, "audit")
        with session_factory(self._ready())() as session:
            return audit.export_csv(session, Path(path))
