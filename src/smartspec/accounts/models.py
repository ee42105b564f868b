"""What the accounts layer returns: users, sessions, tokens and audit entries as pydantic models (never ORM rows),
and the Actor that every write is recorded under."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """admin: everything, user management included; editor: the writes of their regions; viewer: reads."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}[self]


class UserInfo(BaseModel):
    """An account as the rest of smartspec sees it. ``role`` is the token's role when it came through a token."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str | None = None
    email: str | None = None
    role: Role
    regions: list[str] = Field(default_factory=list)
    disabled: bool = False
    created_at: dt.datetime | None = None
    last_login_at: dt.datetime | None = None
    token_id: int | None = None  # the API token this user came through, if any


class SessionInfo(BaseModel):
    """A login session (without its token: the store keeps only the token's hash)."""

    user: UserInfo
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    idle_expires_at: dt.datetime
    address: str | None = None


class LoginResult(BaseModel):
    """A new session: ``token`` goes into the cookie and is shown nowhere else."""

    token: str = Field(repr=False)
    session: SessionInfo


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: Role
    label: str | None = None
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class NewToken(BaseModel):
    """A created API token: ``token`` is shown this once; the store keeps only its SHA-256."""

    token: str = Field(repr=False)
    info: TokenInfo


class AuditEntry(BaseModel):
    """One change: who, how (via) and from where, what record, before and after, when."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    actor: str
    via: str | None = None
    address: str | None = None
    action: str
    entity: str
    entity_id: str | None = None
    before: Any = None
    after: Any = None
    detail: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a name, how they came (``os``: the operating-system user of a command, who acts as
    admin; ``session``: a login in the browser; ``token``: an API token), the account (None for the OS user and
    for anonymous readers) and the client's address. Every write records it in the audit log."""

    name: str
    via: str = "os"
    user: UserInfo | None = None
    address: str | None = None

    @classmethod
    def from_os(cls) -> Actor:
        return cls(getpass.getuser(), "os")

    @classmethod
    def of(cls, user: UserInfo | None, via: str, address: str | None = None) -> Actor:
        """The actor of a web request: a user (through a session or a token), or an anonymous reader."""
        return cls(user.username if user else "anonymous", via, user, address)

    @property
    def is_os(self) -> bool:
        return self.via == "os" and self.user is None
