"""``ally directory``: import, export, search and validate the local-help directory (HSDS)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from ally.directory.errors import DirectoryFileError
from ally.directory.fallback import areas_for_pack, national_lines
from ally.directory.geo import Place, resolve_place
from ally.directory.hsds import Bundle
from ally.directory.jsonio import read_json, write_json
from ally.directory.search import Hit, SearchQuery, search
from ally.directory.seed import ensure_seeded
from ally.directory.tabular import read_tabular, write_tabular
from ally.directory.taxonomy import types_for_route
from ally.errors import UsageError
from ally.storage.directory_store import DirectoryStore, ImportReport
from ally.vault.location import data_dir

app = typer.Typer(
    help="Local help: shelters, counselling, legal aid and helplines (Open Referral HSDS).",
    no_args_is_help=True,
)

DATABASE = typer.Option(
    None, "--database", envvar="ALLY_DATABASE_URL", help="SQLite path or postgresql:// URL."
)


class InputFormat(StrEnum):
    auto = "auto"
    json = "json"
    tabular = "tabular"


class OutputFormat(StrEnum):
    json = "json"
    tabular = "tabular"


class Show(StrEnum):
    text = "text"
    json = "json"


def default_database() -> str:
    """The embedded SQLite database in the person's data directory, as ``ally serve`` uses.

    ``ALLY_HOME`` moves it like every other file Ally keeps (a portable install on a USB
    stick must not leave a directory behind on the computer it was used on).
    """
    return str(data_dir() / "ally.sqlite3")


def _store(database: str | None) -> DirectoryStore:
    return DirectoryStore.open(database or default_database())


def read_bundle(path: Path, input_format: InputFormat = InputFormat.auto) -> Bundle:
    """A validated bundle from a JSON file, a folder of CSV files or a datapackage.json."""
    if not path.exists():
        raise DirectoryFileError(f"{path} does not exist.")
    tabular = path.is_dir() or path.name == "datapackage.json" or path.suffix.lower() == ".csv"
    if input_format is InputFormat.tabular or (input_format is InputFormat.auto and tabular):
        return read_tabular(path.parent if path.suffix.lower() == ".csv" else path)
    return read_json(path)


def _notes(bundle_notes: list[object]) -> None:
    for note in bundle_notes[:10]:
        typer.echo(f"note: {note}", err=True)
    if len(bundle_notes) > 10:
        typer.echo(f"note: … and {len(bundle_notes) - 10} more notes", err=True)


@app.command("validate")
def validate_command(
    path: Path = typer.Argument(..., help="HSDS JSON file, CSV folder or datapackage.json."),
    input_format: InputFormat = typer.Option(InputFormat.auto, "--format"),
) -> None:
    """Check HSDS data against the HSDS 3.0 schemas without importing it."""
    bundle = read_bundle(path, input_format)
    _notes(list(bundle.notes))
    typer.echo(
        f"Valid HSDS 3.0: {len(bundle.organizations)} organizations, {len(bundle.services)} services, "
        f"{len(bundle.taxonomy_terms)} taxonomy terms."
    )


@app.command("import")
def import_command(
    path: Path | None = typer.Argument(
        None, help="HSDS JSON file, CSV folder or datapackage.json."
    ),
    input_format: InputFormat = typer.Option(InputFormat.auto, "--format"),
    packs: bool = typer.Option(
        False, "--packs", help="Also refresh the records from Ally's packs."
    ),
    database: str | None = DATABASE,
) -> None:
    """Import HSDS data; records with the same id are replaced. All or nothing."""
    if path is None and not packs:
        raise UsageError("Give a file or folder to import, or --packs for the packs' contacts.")
    bundle = read_bundle(path, input_format) if path is not None else None
    store = _store(database)
    try:
        if packs:
            changed = ensure_seeded(store)
            typer.echo("Pack contacts refreshed." if changed else "Pack contacts are up to date.")
        if bundle is not None:
            _report(store.import_bundle(bundle))
    finally:
        store.close()


def _report(report: ImportReport) -> None:
    _notes(list(report.notes))
    typer.echo(
        f"Imported {report.organizations} organizations, {report.services} services and "
        f"{report.taxonomy_terms} taxonomy terms ({report.entries} searchable places)."
    )


@app.command("export")
def export_command(
    path: Path = typer.Argument(..., help="A .json file, or a folder for the tabular form."),
    output_format: OutputFormat = typer.Option(OutputFormat.json, "--format"),
    packs: bool = typer.Option(True, "--packs/--no-packs", help="Include the packs' contacts."),
    database: str | None = DATABASE,
) -> None:
    """Export the directory as HSDS JSON (a list of services) or CSV with datapackage.json."""
    store = _store(database)
    try:
        if packs:
            ensure_seeded(store)
        bundle = store.export_bundle()
    finally:
        store.close()
    if output_format is OutputFormat.tabular:
        written = write_tabular(bundle, path)
        _notes(list(bundle.notes))
        typer.echo(f"Wrote {len(written)} tables and datapackage.json to {path}.")
    else:
        count = write_json(bundle, path)
        typer.echo(f"Wrote {count} services to {path}.")


@app.command("search")
def search_command(
    text: str | None = typer.Argument(None, help="Words to look for, e.g. 'legal aid'."),
    service_type: list[str] = typer.Option([], "--type", help="Service type, e.g. shelter."),
    step: str | None = typer.Option(None, "--step", help="A plan route, e.g. protection_order."),
    language: list[str] = typer.Option([], "--language", help="Language code, e.g. es."),
    near: str | None = typer.Option(None, "--near", help="City, US ZIP code or 'lat,lon'."),
    area: str | None = typer.Option(
        None, "--area", help="Without --near, keep to one place's services, e.g. US or US-CA."
    ),
    radius: float | None = typer.Option(
        None, "--radius", help="Kilometres (default: widen until found)."
    ),
    open_now: bool = typer.Option(False, "--open-now", help="Only services open right now."),
    limit: int = typer.Option(10, "--limit", min=1, max=100),
    show: Show = typer.Option(Show.text, "--format"),
    database: str | None = DATABASE,
) -> None:
    """Find services by words, type, language, opening hours and distance."""
    types = tuple(service_type) + (types_for_route(step) if step else ())
    query = SearchQuery(
        text=text,
        types=tuple(dict.fromkeys(types)),
        languages=tuple(language),
        near=resolve_place(near) if near else None,
        radius_km=radius,
        open_now=open_now,
        limit=limit,
        areas=areas_for_pack(area.lower()) if area else (),
    )
    store = _store(database)
    try:
        ensure_seeded(store)
        hits = search(store, query)
    finally:
        store.close()
    if show is Show.json:
        typer.echo(json.dumps([hit.to_dict() for hit in hits], indent=2))
        return
    if not hits and query.near is None:
        typer.echo("No services found. Try fewer words, another type, or a larger --radius.")
        return
    if query.near is not None:
        _near_heading(query.near, hits)
    for number, hit in enumerate(hits, start=1):
        typer.echo(_describe(number, hit))


def _near_heading(place: Place, hits: list[Hit]) -> None:
    """Say plainly when nothing with an address is near, and offer the national line."""
    if any(hit.scope == "local" for hit in hits):
        typer.echo(f"Near {place.label}:")
        return
    typer.echo(f"Nothing with an address was found near {place.label}.")
    lines = [
        f"{contact.name}: {contact.phone or contact.web}"
        for contact in national_lines(place.country)
    ]
    if lines:
        typer.echo("You can always reach: " + "; ".join(lines) + ".")
    if hits:
        typer.echo("These serve your whole state or country:")


def _describe(number: int, hit: Hit) -> str:
    title = (
        hit.name
        if not hit.organization or hit.organization == hit.name
        else f"{hit.name} — {hit.organization}"
    )
    where = f"{hit.distance_km:.1f} km" if hit.distance_km is not None else _SCOPES[hit.scope]
    details = [where, hit.address, ", ".join(hit.phones) or None, _open_text(hit)]
    lines = [f"{number}. {title}", "   " + " · ".join(part for part in details if part)]
    if hit.url:
        lines.append(f"   {hit.url}")
    if hit.status != "active":
        lines.append(f"   ({hit.status})")
    return "\n".join(lines)


_SCOPES = {
    "local": "nearby",
    "region": "serves your state or region",
    "country": "national",
    "world": "anywhere",
}


def _open_text(hit: Hit) -> str | None:
    return {True: "open now", False: "closed now", None: None}[hit.open_now]
