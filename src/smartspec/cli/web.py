"""`smartspec serve`: the web observatory and its API over the same database as the command line."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

import typer

from smartspec.cli.common import DbOption, console, settings


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Worker processes answering requests (each with its own connections and "
                     "cache; all read the same database). More than one needs a database file or server every "
                     "process can open"),
    ] = 1,
) -> None:  # fmt: skip
    """Serve the web observatory (pages and /api/v1) until Ctrl-C. / Käynnistä verkkopalvelu."""
    import uvicorn  # imported here: only the server pays for it

    from smartspec.web import app as web_app

    config = settings(db)
    console.print(f"Serving the observatory at http://{host}:{port} (API: http://{host}:{port}/api/v1/docs)"
                  f"{f' with {workers} worker processes' if workers > 1 else ''}; press Ctrl-C to stop. / Palvelu "
                  "osoitteessa yllä; lopeta painamalla Ctrl-C.")  # fmt: skip
    if workers == 1:
        uvicorn.run(web_app.create_app(config), host=host, port=port, log_level="warning")
        return
    if config.secret_key is None:  # one key for all workers: a form from one is accepted by the others
        config = config.model_copy(update={"secret_key": secrets.token_urlsafe(32)})
    # uvicorn starts each worker as a new process that imports the app factory: the settings resolved here (--db
    # included) travel to every worker in its environment.
    os.environ[web_app.WORKER_SETTINGS] = config.model_dump_json()
    # The health check starts while a new worker still imports smartspec (which takes longer than uvicorn's 5 s on a
    # busy machine, and a worker that misses it is killed and started again, for ever): give it a minute.
    uvicorn.run(f"{web_app.__name__}:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", timeout_worker_healthcheck=60)  # fmt: skip
