"""The command-line adapter: Typer commands over the services, no business logic of their own."""
