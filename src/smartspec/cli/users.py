"""`smartspec user …` (accounts and API tokens) and `smartspec audit` (the audit log). The OS user running a
command acts as admin; the changes are logged under that name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from smartspec.accounts import UserInfo
from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.errors import InputError

app = typer.Typer(help="Accounts: add, list, disable, reset, API tokens. / Käyttäjätunnukset.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input")
]


def read_password(from_stdin: bool) -> str:
    """The password from stdin's first line, or asked twice without echo (never an argument: it would show in ps
    and the shell history)."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("no password on standard input", hint="e.g. printf '%s\\n' \"$PASSWORD\" | smartspec …")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password / salasana", hide_input=True, confirmation_prompt=True)
    return password


def _describe(user: UserInfo) -> str:
    regions = f" ({', '.join(user.regions)})" if user.regions else ""
    state = " [disabled]" if user.disabled else ""
    return f"{user.username}: {user.role.value}{regions}{state}"


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Username")],
    role: Annotated[str, typer.Option("--role", help="admin, editor or viewer")],
    region: Annotated[
        list[str] | None, typer.Option("--region", help="An editor's region (NUTS-3), repeatable")
    ] = None,
    full_name: Annotated[str | None, typer.Option("--full-name", help="The person's name")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address")] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add an account: `smartspec user add kainuu --role editor --region FI1D8` (asks the password twice).

    Lisää käyttäjätunnus.
    """
    password = read_password(password_stdin)
    user = observatory(db).add_user(name, role, password, regions=region or [], full_name=full_name, email=email)
    console.print(f"added {escape(_describe(user))}", highlight=False)


@app.command("list")
def list_users(db: DbOption = None, json_out: JsonOption = False) -> None:
    """List the accounts. / Luettele käyttäjätunnukset."""
    listed = observatory(db).users()
    if json_out:
        print_json([user.model_dump(mode="json") for user in listed])
        return
    table = Table("username", "role", "regions", "name", "disabled", "last login", title="users")
    for user in listed:
        table.add_row(escape(user.username), user.role.value, ", ".join(user.regions), escape(user.full_name or ""),
                      "yes" if user.disabled else "", f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at
                      else "")  # fmt: skip
    console.print(table)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Username")], db: DbOption = None) -> None:
    """Disable an account: its sessions end, its API tokens stop working. / Poista tunnus käytöstä."""
    user = observatory(db).disable_user(name)
    console.print(f"disabled {escape(_describe(user))}", highlight=False)


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="Username")], db: DbOption = None) -> None:
    """Enable a disabled account again. / Ota tunnus uudelleen käyttöön."""
    user = observatory(db).enable_user(name)
    console.print(f"enabled {escape(_describe(user))}", highlight=False)


@app.command("reset")
def reset(name: Annotated[str, typer.Argument(help="Username")], password_stdin: PasswordStdin = False,
          db: DbOption = None) -> None:  # fmt: skip
    """Set a new password (asked twice); the account's sessions end and a login lock is lifted.

    Vaihda salasana.
    """
    password = read_password(password_stdin)
    user = observatory(db).reset_password(name, password)
    console.print(f"new password set for {escape(user.username)}", highlight=False)


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="Username")],
    label: Annotated[str | None, typer.Option("--label", help="What the token is for, e.g. the script's name")] = None,
    role: Annotated[str | None, typer.Option("--role", help="A lower role for the token than the user's")] = None,
    db: DbOption = None,
) -> None:
    """Create an API token for scripts; it is printed once, as the last line (keep it secret).

    Luo API-avain; se näytetään vain kerran, viimeisellä rivillä.
    """
    created = observatory(db).create_token(name, label=label, role=role)
    info = created.info
    console.print(f"API token {info.id} for {escape(info.username)} ({info.role.value}"
                  f"{', ' + escape(info.label) if info.label else ''}); shown only now:", highlight=False)  # fmt: skip
    sys.stdout.write(created.token + "\n")


def audit(
    limit: Annotated[int, typer.Option("--limit", help="How many entries, newest first (0: all)")] = 50,
    entity: Annotated[str | None, typer.Option("--entity", help="Only this kind of record: cluster, user …")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="Write the whole log to this CSV file")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show the audit log: who changed what, before and after, when, from where.

    Muutosloki: kuka muutti mitä, ennen ja jälkeen, milloin ja mistä.
    """
    obs = observatory(db)
    if export is not None:
        count = obs.export_audit(export)
        console.print(f"{count} audit entries written to {escape(str(export))}", highlight=False)
        return
    entries = obs.audit(limit, entity)
    if json_out:
        print_json([entry.model_dump(mode="json") for entry in entries])
        return
    table = Table("id", "at", "actor", "via", "action", "record", "before", "after", title="audit log")
    for entry in entries:
        table.add_row(str(entry.id), f"{entry.at:%Y-%m-%d %H:%M:%S}", escape(entry.actor), entry.via or "",
                      escape(entry.action), escape(f"{entry.entity} {entry.entity_id or ''}"),
                      escape(_short(entry.before)), escape(_short(entry.after)))  # fmt: skip
    console.print(table)


def _short(value: object, width: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
