"""Accounts: users with a role (and an editor's regions), login sessions, API tokens, the audit log, and the one
policy that decides who may do what (``allowed``/``require``)."""

from smartspec.accounts.models import Actor, AuditEntry, LoginResult, NewToken, Role, SessionInfo, TokenInfo, UserInfo
from smartspec.accounts.policy import Action, PermissionDenied, allowed, require
from smartspec.accounts.sessions import LoginFailedError, LoginThrottledError

__all__ = ["Action", "Actor", "AuditEntry", "LoginFailedError", "LoginResult", "LoginThrottledError", "NewToken",
           "PermissionDenied", "Role", "SessionInfo", "TokenInfo", "UserInfo", "allowed", "require"]  # fmt: skip
