"""The `smartspec` command. Errors a user can fix print as text with exit status 2, never as a traceback."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from smartspec.cli import classify as classify_commands
from smartspec.cli import demo as demo_commands
from smartspec.cli import imports, monitor, search, store, users, web
from smartspec.cli import network as network_commands
from smartspec.cli import strategy as strategy_commands
from smartspec.cli.common import close_observatories, errors, setup_logging
from smartspec.errors import SmartspecError


def create_app() -> typer.Typer:
    app = typer.Typer(
        name="smartspec",
        help=(
            "smartspec: the joint smart specialisation strategy of East and North Finland as software.\n\n"
            "Itä- ja Pohjois-Suomen yhteinen älykkään erikoistumisen strategia ohjelmistona."
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.command()(store.init)
    app.add_typer(imports.create_app(), name="import")
    app.command()(store.imports)
    app.command()(store.stats)
    app.command()(search.search)
    app.add_typer(strategy_commands.app, name="strategy")
    app.add_typer(classify_commands.app, name="classify")
    app.command()(monitor.indicators)
    app.add_typer(monitor.register_app, name="register")
    app.command()(monitor.report)
    app.command()(network_commands.network)
    app.command()(network_commands.partners)
    app.command()(store.backup)
    app.command()(store.restore)
    app.command()(demo_commands.fetch)
    app.command()(demo_commands.demo)
    app.command()(web.serve)
    app.add_typer(users.app, name="user")
    app.command()(users.audit)
    return app


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    app = create_app()
    try:
        return _run(app, argv)
    finally:
        close_observatories()


def _run(app: typer.Typer, argv: list[str] | None) -> int:
    try:
        app(args=argv, standalone_mode=False)
    except SmartspecError as error:
        errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        errors.print("aborted")
        return 1
    except typer.TyperException as error:  # usage errors: wrong option, bad parameter
        show = getattr(error, "show", None)
        if callable(show):
            show()
        return int(getattr(error, "exit_code", 2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
