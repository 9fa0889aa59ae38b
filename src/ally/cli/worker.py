"""``ally worker``: run the imports and reports of a hosted Ally (a thin shell over
:mod:`ally.hosted.worker`). Start as many as the load needs, on any machine that reaches the
database; each holds its own key in memory only."""

from __future__ import annotations

import typer

from ally.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    database: str = typer.Option(
        ...,
        "--database",
        envvar="ALLY_DATABASE_URL",
        help="The hosted PostgreSQL database (postgresql://...), the same as `ally serve`'s.",
    ),
    concurrency: int = typer.Option(
        1, "--concurrency", min=1, max=16, help="Jobs run at once by this worker."
    ),
    heartbeat: float = typer.Option(
        10.0,
        "--heartbeat",
        min=0.2,
        max=300.0,
        help="Seconds between 'still alive' marks; a worker silent for three is taken as "
        "stopped and its jobs go to the others.",
    ),
) -> None:
    """Run a hosted Ally's background imports and reports until stopped (Ctrl-C, SIGTERM)."""
    from ally.hosted.worker import run_worker

    if not database.startswith(("postgresql://", "postgres://")):
        raise UsageError("ally worker needs --database postgresql://... (the organisation's).")

    def started(worker: str) -> None:
        typer.echo(f"Ally's worker {worker} is running. Press Ctrl-C to stop.")

    run_worker(database, concurrency=concurrency, heartbeat=heartbeat, started=started)
    typer.echo("Ally's worker has stopped.")
