"""Entry point for the ``ally`` command.

Errors that Ally raises on purpose (AllyError) are shown as a plain message without a
traceback; anything else is a bug and keeps its traceback so it can be reported. With
``--debug`` (or ``ALLY_DEBUG=1``) an AllyError is followed by the chain of what caused it,
without personal data (:mod:`ally.debug`).
"""

from __future__ import annotations

import sys
import warnings
from typing import TextIO

import typer

from ally import __version__, debug
from ally.cli import admin, case, directory, packs, plan
from ally.cli import evidence as evidence_cli
from ally.cli import letters as letters_cli
from ally.cli import serve as serve_cli
from ally.cli import vault as vault_cli
from ally.cli import worker as worker_cli
from ally.errors import AllyError, AllyWarning
from ally.storage.private import private_umask

app = typer.Typer(
    name="ally",
    help="Ally helps you get harassment stopped: a plan, evidence, letters and follow-up.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(packs.app, name="packs")
app.add_typer(case.app, name="case")
app.add_typer(directory.app, name="directory")
app.add_typer(vault_cli.app, name="vault")
app.add_typer(evidence_cli.app, name="evidence")
app.add_typer(admin.app, name="admin")
_debug = {"on": False}


@app.callback()
def _options(
    show_details: bool = typer.Option(
        False,
        "--debug",
        help="After an error, show what caused it, for a bug report (never your data). "
        "ALLY_DEBUG=1 does the same.",
    ),
) -> None:
    """Ally helps you get harassment stopped: a plan, evidence, letters and follow-up."""
    _debug["on"] = show_details


plan.register(app)
letters_cli.register(app)
serve_cli.register(app)
worker_cli.register(app)


@app.command()
def version() -> None:
    """Show Ally's version."""
    typer.echo(__version__)


_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Ally's warnings as one plain line on stderr; anything else as Python shows it."""
    if issubclass(category, AllyWarning):
        typer.secho(f"Warning: {message}", err=True, fg=typer.colors.YELLOW)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def main() -> None:
    """Run the CLI; usage errors are shown by Typer, AllyErrors as one plain message.

    Everything the command writes (journal, reports, letters, bundles) is its owner's alone:
    files 0600 and folders 0700, whatever the umask the shell started with.
    """
    warnings.showwarning = _show_warning
    private_umask()
    try:
        app()
    except AllyError as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        if _debug["on"] or debug.enabled():
            typer.echo(debug.describe(error), err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        typer.echo("\nStopped.", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
