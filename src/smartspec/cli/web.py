"""`smartspec serve`: the web observatory and its API over the same database as the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from smartspec.cli.common import DbOption, console, settings


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the web observatory (pages and /api/v1) until Ctrl-C. / Käynnistä verkkopalvelu."""
    import uvicorn  # imported here: only the server pays for it

    from smartspec.web import create_app

    app = create_app(settings(db))
    console.print(f"Serving the observatory at http://{host}:{port} (API: http://{host}:{port}/api/v1/docs); "
                  "press Ctrl-C to stop. / Palvelu osoitteessa yllä; lopeta painamalla Ctrl-C.")  # fmt: skip
    uvicorn.run(app, host=host, port=port, log_level="warning")
