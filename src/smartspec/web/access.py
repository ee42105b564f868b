"""Which rule of the policy guards each route: (method, path) → (action, resource). The gate (web/auth.py) looks
every request's route up here and asks ``smartspec.accounts.policy.allowed``; a route without an entry is refused
(and tests/test_web_accounts.py fails), so a new route cannot be open by accident.

Regional writes (registers, reviews, imports) pass the gate when the user may make them in some region; the facade
then checks the region of the record itself (a Kainuu editor's edit of a Lappi cluster is refused there).
"""

from __future__ import annotations

from dataclasses import dataclass

from smartspec.accounts.policy import Action

API = "/api/v1"


@dataclass(frozen=True)
class Rule:
    action: Action | None  # None: anyone (the login and logout pages, the stylesheet)
    resource: str


OPEN = Rule(None, "login")
PUBLIC = Rule(Action.READ_PUBLIC, "pages")

_PUBLIC_API = ["/strategy", "/stats", "/regions", "/regions/{code}", "/classifications/projects/{project_id}",
               "/registers/{kind}", "/reports/{year}", "/projects", "/projects.{output_format}",
               "/projects/{project_id}", "/organisations", "/organisations/{organisation_id}", "/indicators",
               "/indicators/{year}.{output_format}", "/indicators/{year}",
               "/indicators/{year}/{indicator_id}/records.{output_format}", "/indicators/{year}/{indicator_id}/records",
               "/indicators/{year}/{indicator_id}", "/network", "/partners",
               "/partners/organisations/{organisation_id}", "/partners/topics/{topic}", "/docs", "/docs/swagger",
               "/openapi.json"]  # fmt: skip
_PUBLIC_PAGES = ["/", "/strategy", "/regions", "/regions/{code}", "/search", "/projects/{project_id}",
                 "/organisations/{organisation_id}", "/indicators", "/indicators/{indicator_id}",
                 "/indicators/{indicator_id}/records", "/reports", "/reports/{year}.html", "/reports/{year}.pdf",
                 "/data", "/registers/{kind}"]  # fmt: skip

RULES: dict[tuple[str, str], Rule] = {
    **{("GET", API + path): Rule(Action.READ_PUBLIC, "api") for path in _PUBLIC_API},
    **{("GET", path): PUBLIC for path in _PUBLIC_PAGES},
    # What is not public: the review queue and the import log of the API.
    ("GET", API + "/classifications/review-queue"): Rule(Action.READ, "review queue"),
    ("GET", API + "/imports"): Rule(Action.READ, "import log"),
    ("MOUNT", API + "/docs/assets"): Rule(Action.READ_PUBLIC, "api docs"),
    ("MOUNT", "/static"): OPEN,  # the stylesheet of the login page
    # Logging in and out.
    ("GET", "/login"): OPEN,
    ("POST", "/login"): OPEN,
    ("POST", "/logout"): OPEN,
    # Registers.
    ("POST", "/registers/{kind}"): Rule(Action.EDIT_REGISTER, "register"),
    ("POST", "/registers/{kind}/upload"): Rule(Action.EDIT_REGISTER, "register"),
    ("GET", "/registers/{kind}/export.{output_format}"): PUBLIC,
    ("GET", "/registers/{kind}/{entry_id}/edit"): Rule(Action.EDIT_REGISTER, "register"),
    ("POST", "/registers/{kind}/{entry_id}"): Rule(Action.EDIT_REGISTER, "register"),
    ("GET", "/registers/{kind}/{entry_id}/delete"): Rule(Action.EDIT_REGISTER, "register"),
    ("POST", "/registers/{kind}/{entry_id}/delete"): Rule(Action.EDIT_REGISTER, "register"),
    # Classification review.
    ("GET", "/review"): Rule(Action.READ, "review queue"),
    ("POST", "/review/{project_id}"): Rule(Action.REVIEW, "project"),
    ("POST", "/review/retrain"): Rule(Action.TRAIN, "classifier"),
    # Imports.
    ("GET", "/imports/upload"): Rule(Action.IMPORT, "project"),
    ("POST", "/imports/upload"): Rule(Action.IMPORT, "project"),
    # Administration.
    ("GET", "/admin/users"): Rule(Action.MANAGE_USERS, "users"),
    ("POST", "/admin/users"): Rule(Action.MANAGE_USERS, "users"),
    ("POST", "/admin/users/{username}/{change}"): Rule(Action.MANAGE_USERS, "users"),
    ("GET", "/admin/audit"): Rule(Action.READ_AUDIT, "audit"),
    ("GET", "/admin/audit.csv"): Rule(Action.READ_AUDIT, "audit"),
}


def rule(method: str, path: str) -> Rule | None:
    """The rule of a route (HEAD is a GET); None when the route has none (the gate then refuses it)."""
    return RULES.get(("GET" if method == "HEAD" else method, path))
