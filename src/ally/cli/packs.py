"""``ally packs``: list, show, validate and publish the schema of knowledge packs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ally.errors import PackValidationError, UsageError
from ally.knowledge.loader import installed_packs, load_pack, source_warnings, validate_folder
from ally.knowledge.schema import Pack, pack_json_schema

app = typer.Typer(help="Knowledge packs: what Ally knows about each place.", no_args_is_help=True)


@app.command("list")
def list_packs() -> None:
    """List the packs by name, the way a person looks for their place: Ally's own, and any an
    installed package provides."""
    table = Table("id", "name", "extends", "facts checked", "from")
    installed = installed_packs()
    packs = sorted((load_pack(pack_id) for pack_id in installed), key=_by_name)
    for pack in packs:
        parent = pack.lineage[1] if len(pack.lineage) > 1 else ""
        origin = "built in" if installed[pack.id].builtin else installed[pack.id].source
        table.add_row(pack.id, pack.name, parent, pack.checked.isoformat(), origin)
    Console().print(table)


def _by_name(pack: Pack) -> tuple[str, str]:
    """Alphabetical by name ("United States - Alabama" before "- Alaska"), then by id."""
    return pack.name.casefold(), pack.id


@app.command()
def show(pack_id: str) -> None:
    """Show a pack's questions, steps, deadlines and contacts."""
    pack = load_pack(pack_id)
    console = Console()
    console.print(
        f"[bold]{pack.name}[/bold] ({pack.id}); extends: {' > '.join(pack.lineage[1:]) or '-'}"
    )
    console.print(f"Facts checked {pack.checked}. {pack.summary or ''}")
    questions = Table("question", "type", "text", title="Questions")
    for question in pack.questions:
        questions.add_row(question.id, question.type.value, question.text)
    console.print(questions)
    steps = Table("step", "phase", "route", "when", title="Steps")
    for step in pack.steps:
        steps.add_row(step.id, step.phase.value, step.route.value, str(step.when))
    console.print(steps)
    deadlines = Table("deadline", "body", "starts", "length", title="Deadlines")
    for deadline in pack.deadlines:
        length = deadline.length.model_dump(exclude_defaults=True)
        deadlines.add_row(deadline.id, deadline.body, deadline.starts, json.dumps(length))
    console.print(deadlines)
    contacts = Table("contact", "name", "phone", "web", title="Contacts")
    for contact in pack.contacts:
        contacts.add_row(contact.id, contact.name, contact.phone or "", contact.web or "")
    console.print(contacts)


@app.command()
def validate(
    path: Path = typer.Argument(..., help="A pack folder (the one holding pack.yaml)."),
) -> None:
    """Check a pack folder and report every problem with its file, line and field."""
    pack, problems = validate_folder(path)
    if problems:
        raise PackValidationError(problems)
    assert pack is not None
    for warning in source_warnings(path):
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(
        f"{pack.id}: OK ({len(pack.questions)} questions, {len(pack.steps)} steps, "
        f"{len(pack.deadlines)} deadlines, {len(pack.contacts)} contacts, {len(pack.sources)} sources)"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of a pack file."""
    typer.echo(json.dumps(pack_json_schema(), indent=2, sort_keys=True))


@app.command()
def generate(
    check: bool = typer.Option(
        False, "--check", help="Only report whether the generated packs are up to date."
    ),
) -> None:
    """Regenerate the us-xx state packs from the state tables (knowledge/states/*.yaml)."""
    from ally.knowledge.statefiles import stale_files, write_generated

    if check:
        stale = stale_files()
        if stale:
            raise UsageError(
                "These generated pack files do not match the state tables: "
                + ", ".join(stale)
                + ". Run `ally packs generate` (never edit them by hand)."
            )
        typer.echo("The generated state packs match the tables.")
        return
    written = write_generated()
    typer.echo(f"Wrote {len(written)} generated pack files from the state tables.")
