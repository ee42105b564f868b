"""Who may do what: the one place that decides (``allowed``), and ``require`` that raises PermissionDenied.

admin: everything, user management and the audit log included. editor: reads; writes only where one of their
regions is concerned (a register entry of their region, the review of a project with a participant there, an
imported row located there) and retraining. viewer: reads, including what is not public. anonymous: public reads
when the ``public_read`` setting allows. A disabled account has no more rights than an anonymous reader.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from smartspec.accounts.models import Role, UserInfo
from smartspec.errors import SmartspecError


class Action(StrEnum):
    READ_PUBLIC = "read_public"  # the public pages and API
    READ = "read"  # everything, including what is not public (review queues, the import log)
    REVIEW = "review"  # accept, reject or add a project's label
    EDIT_REGISTER = "edit_register"  # add, change, delete or import register entries
    IMPORT = "import"  # import project files
    TRAIN = "train"  # retrain the classifier from the reviews
    OPERATE = "operate"  # init, classify runs, indicator computation, backups
    MANAGE_USERS = "manage_users"  # accounts and their tokens
    READ_AUDIT = "read_audit"  # the audit log


# Writes an editor may make where one of their regions is concerned.
REGIONAL = frozenset({Action.REVIEW, Action.EDIT_REGISTER, Action.IMPORT})
READS = frozenset({Action.READ_PUBLIC, Action.READ})


class PermissionDenied(SmartspecError):  # noqa: N818 - the name web handlers and tests know (issue #12)
    """The user (or an anonymous reader) may not do this; nothing was changed."""


def _regions(region: str | Collection[str] | None) -> frozenset[str]:
    if region is None:
        return frozenset()
    return frozenset([region]) if isinstance(region, str) else frozenset(region)


def allowed(user: UserInfo | None, action: Action, resource: str | None = None,
            region: str | Collection[str] | None = None, *, public_read: bool = True) -> bool:  # fmt: skip
    """Whether ``user`` (None: anonymous) may do ``action`` on ``resource`` (a register kind, "project", "user" …)
    concerning ``region`` (a NUTS-3 code, or the codes a record is located in: any one of the editor's is
    enough). ``public_read`` is the setting of that name."""
    del resource  # the rules depend on the action and the region; the resource names the thing in messages
    if user is None or user.disabled:
        return action is Action.READ_PUBLIC and public_read
    if user.role is Role.ADMIN:
        return True
    if action in READS:
        return True
    if user.role is Role.EDITOR:
        if action is Action.TRAIN:
            return True
        if action in REGIONAL:
            return bool(_regions(region) & set(user.regions))
    return False


def regional_scope(user: UserInfo | None) -> list[str] | None:
    """The regions a user's regional work lists (the review queue) are limited to: an editor's own regions; None
    (everything) for the others, who either may act everywhere (admin) or only read (viewer, anonymous)."""
    if user is not None and not user.disabled and user.role is Role.EDITOR:
        return list(user.regions)
    return None


def require(user: UserInfo | None, action: Action, resource: str | None = None,
            region: str | Collection[str] | None = None, *, public_read: bool = True) -> None:  # fmt: skip
    """Raise PermissionDenied unless ``allowed``; the message says who, what, where and what to do."""
    if allowed(user, action, resource, region, public_read=public_read):
        return
    raise PermissionDenied(denial(user, action, resource, region), hint=denial_hint(user, action))


def denial(user: UserInfo | None, action: Action, resource: str | None,
           region: str | Collection[str] | None) -> str:  # fmt: skip
    who = "an anonymous reader" if user is None else f"{user.role.value} {user.username!r}"
    what = action.value.replace("_", " ") + (f" {resource}" if resource else "")
    where = ", ".join(sorted(_regions(region)))
    text = f"permission denied / ei oikeutta: {who} may not {what}"
    if user is not None and user.role is Role.EDITOR and action in REGIONAL:
        text += f" in {where or 'no region of yours'} (your regions: {', '.join(user.regions) or 'none'})"
    return text


def denial_hint(user: UserInfo | None, action: Action) -> str:
    if user is None:
        return "log in / kirjaudu sisään"
    if user.disabled:
        return "the account is disabled; ask an admin / tunnus on poistettu käytöstä"
    if user.role is Role.EDITOR and action in REGIONAL:
        return "ask an editor of that region or an admin / pyydä alueen muokkaajaa tai ylläpitäjää"
    return "ask an admin for a role that allows it / pyydä ylläpitäjältä oikeutta"
