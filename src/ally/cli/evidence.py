"""``ally evidence``: import chat, SMS and email exports, review flagged messages, search them.

Message text is shown only on the person's own terminal when they ask for it (review, search);
summaries and errors never contain it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ally.cli.console import literal_console, styled
from ally.cli.vault import FdOpt, VaultOpt, open_unlocked
from ally.errors import UsageError
from ally.evidence.importers import IMPORTERS, ImportOptions, detect_format, installed_importers
from ally.evidence.index import message_index
from ally.evidence.pipeline import import_file
from ally.evidence.review import Reviewed, mark
from ally.evidence.snapshot import capture_snapshot, is_image_file, read_capture_time
from ally.model.journal import SETTINGS_KIND, journal_zone
from ally.vault import Vault, default_location

app = typer.Typer(
    help="Evidence from exports: import chats, SMS and email; review and search.",
    no_args_is_help=True,
)
out = literal_console()
err = literal_console(stderr=True)
FORMATS = ", ".join(importer.name for importer in IMPORTERS)


def _open(vault: str | None, fd: int | None) -> Vault:
    return open_unlocked(vault or default_location(), fd)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr counting messages (shown only on a terminal)."""
    columns = (TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def _zone(name: str | None) -> dt.tzinfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise UsageError(
            f"Unknown time zone {name!r}; use a name like Europe/London or America/New_York."
        ) from error


def _when(text: str | None, end_of_day: bool = False) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise UsageError(
            f"Could not read the date {text!r}; write it like 2024-03-01 or 2024-03-01T18:30."
        ) from error
    if end_of_day and len(text) <= 10:
        value = value.replace(hour=23, minute=59, second=59)
    return value if value.tzinfo else value.astimezone()


def _said_by(source: str | None) -> str:
    """'from the MHTML Date header', or 'given when it was imported' as it stands."""
    text = source or "the file"
    return text if text.startswith("given") else f"from {text}"


@app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., help="The exported file (.txt, .zip, .json, .csv, .xml, .eml, .mbox)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help=f"Skip detection and read as: {FORMATS}."
    ),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="Zone of exports without one (WhatsApp), e.g. Europe/Berlin. Default: this computer's.",
    ),
    conversation: str | None = typer.Option(
        None, "--conversation", help="Name the conversation yourself."
    ),
    date_order: str | None = typer.Option(
        None,
        "--date-order",
        help="WhatsApp date order if Ally guesses wrong: DMY, MDY, YMD or YDM.",
    ),
    platform: str | None = typer.Option(
        None, "--platform", help="For Messenger-style files: facebook or instagram."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse a chat text export with any line that cannot be read (by default such "
        "lines are kept as written and listed in the summary).",
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Import an export into your vault. Importing the same file again adds nothing."""
    if date_order and date_order.upper() not in ("DMY", "MDY", "YMD", "YDM"):
        raise UsageError("--date-order must be DMY, MDY, YMD or YDM.")
    options = ImportOptions(
        timezone=_zone(timezone),
        conversation=conversation,
        date_order=date_order.upper() if date_order else None,
        platform=platform,
        strict=strict,
    )
    if fmt is None and file.is_file():
        detect_format(file)  # an unknown file gets its clear error before the passphrase prompt
    with _open(vault, passphrase_fd) as opened, progress_bar("Importing messages") as update:
        result = import_file(opened, file, options, fmt, progress=update)
    out.print(
        f"{result.file} ({result.format}): {result.read} messages read, {result.added} added, "
        f"{result.already_present} already in your vault; {result.flagged} flagged for review."
    )
    for note in result.notes():
        out.print(note, highlight=False, markup=False)
    if result.original_stored:
        out.print(f"The original file is kept in your vault (SHA-256 {result.sha256[:16]}…).")
    out.print(DETECTION_NOTE)
    if result.flagged:
        out.print("Run `ally evidence review` to go through the flagged messages.")
    else:
        out.print("Run `ally evidence review` to read them: nothing flagged is not nothing wrong.")


DETECTION_NOTE = (
    "Ally looks for threats, stalking, sharing your details, sexual harassment, coercive "
    "control, retaliation, insults and attacks on who you are. It only knows some ways of "
    "saying them: messages that are not flagged can still matter, so read the conversation too."
)
"""Said after every import: "0 flagged" must never read as "nothing wrong here"."""


def _show(item: Reviewed) -> None:
    message = item.message
    where = message.provenance.where()
    out.rule(f"{item.entry_id[:10]}  {message.timestamp:%Y-%m-%d %H:%M %Z}  {message.conversation}")
    out.print(styled((message.sender or "(system)", "bold"), ": ", message.text))
    for reason in item.reasons:
        out.print(styled(("  • " + reason, "yellow")))
    out.print(styled((f"  from {where}", "dim")))


@app.command()
def review(
    show_all: bool = typer.Option(False, "--all", help="Also show messages already reviewed."),
    limit: int = typer.Option(0, "--limit", help="Stop after this many messages (0: no limit)."),
    list_only: bool = typer.Option(False, "--list", help="Only list the queue; do not ask."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Go through imported messages, flagged ones first: mark each as evidence or not relevant."""
    with _open(vault, passphrase_fd) as opened:
        queue = message_index(opened).queue(include_reviewed=show_all).items(0, limit or None)
        if not queue:
            out.print("Nothing to review.")
            return
        for item in queue:
            _show(item)
            if list_only:
                continue
            answer = (
                typer.prompt("[e]vidence, [n]ot relevant, [s]kip, [q]uit", default="s")
                .strip()
                .lower()
            )
            if answer.startswith("q"):
                break
            if answer.startswith("e"):
                mark(opened, item.entry_id, "evidence")
            elif answer.startswith("n"):
                mark(opened, item.entry_id, "not_relevant")


@app.command("mark")
def mark_command(
    entry_id: str = typer.Argument(..., help="The message's id (or its first characters)."),
    decision: str = typer.Argument(..., help="evidence or not-relevant"),
    note: str | None = typer.Option(None, "--note", help="Why (optional)."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Mark one message as evidence or not relevant (for scripts; `review` asks interactively)."""
    with _open(vault, passphrase_fd) as opened:
        mark(opened, entry_id, decision.replace("-", "_"), note)
    out.print("Saved.")


@app.command("search")
def search_command(
    text: str | None = typer.Option(None, "--text", help="Words in the message."),
    sender: str | None = typer.Option(
        None, "--sender", help="Part of the sender's name or number."
    ),
    since: str | None = typer.Option(None, "--since", help="From this date (2024-03-01)."),
    until: str | None = typer.Option(None, "--until", help="Up to this date, inclusive."),
    conversation: str | None = typer.Option(
        None, "--conversation", help="Part of the conversation's name."
    ),
    flagged: bool = typer.Option(False, "--flagged", help="Only flagged messages."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Find imported messages by text, sender and date range."""
    with _open(vault, passphrase_fd) as opened:
        found = (
            message_index(opened)
            .search(
                text, sender, _when(since), _when(until, end_of_day=True), conversation, flagged
            )
            .items()
        )
    table = Table("id", "when", "conversation", "sender", "message", "flag", "mark")
    for item in found:
        message = item.message
        table.add_row(
            item.entry_id[:10],
            f"{message.timestamp:%Y-%m-%d %H:%M}",
            message.conversation,
            message.sender or "(system)",
            message.text if len(message.text) <= 120 else message.text[:119] + "…",
            "yes" if item.flagged else "",
            (item.decision or "").replace("_", " "),
        )
    out.print(table)
    out.print(f"{len(found)} message{'s' if len(found) != 1 else ''} found.")


@app.command("snapshot")
def snapshot_command(
    file: Path = typer.Argument(
        ...,
        help="The saved web page (.html, .mhtml/.mht, SingleFile .html, .warc/.warc.gz), "
        "or a screenshot on its own.",
    ),
    url: str | None = typer.Option(
        None, "--url", help="The page's address (needed when the file does not record it)."
    ),
    screenshot: Path | None = typer.Option(
        None, "--screenshot", help="A screenshot of the page (PNG, JPEG, WebP or GIF)."
    ),
    captured: str | None = typer.Option(
        None,
        "--captured",
        help="When you saved or saw the page (2026-03-02T14:30, in your journal's time zone); "
        "needed when the file does not record it, as a plain .html file or a screenshot.",
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Keep a web page as evidence: its address, when it was captured, its text, its files.

    Nothing is fetched from the internet: Ally reads the files you saved."""
    page: Path | None = file
    if screenshot is None and is_image_file(file):
        page, screenshot = None, file
    for path in (page, screenshot):
        if path is not None and not path.is_file():
            raise UsageError(f"There is no file {path}.")
    with _open(vault, passphrase_fd) as opened:
        when = read_capture_time(captured, journal_zone(opened.entries(kind=SETTINGS_KIND)))
        result = capture_snapshot(opened, page, screenshot, url, captured=when)
    snap = result.snapshot
    if not result.added:
        out.print("This snapshot is already in your journal; nothing was added.")
        return
    out.print(
        f"Saved the web page {snap.url} as journal entry {result.entry_id[:10]}.", markup=False
    )
    if snap.captured_at is not None:
        out.print(
            f"Captured {snap.captured_at.isoformat()} ({_said_by(snap.captured_at_source)}).",
            markup=False,
        )
    else:
        out.print(
            "The file does not say when the page was captured. When you keep a page, "
            "--captured 2026-03-02T14:30 records when you saved or saw it (in your journal's "
            "time zone)."
        )
    if snap.page_file is not None:
        out.print(
            f"Saved page ({snap.format_label}): SHA-256 {snap.page_file.sha256}", markup=False
        )
        out.print(f"Page text: {len(snap.page_text)} characters, SHA-256 {snap.page_text_sha256}")
    if snap.screenshot is not None:
        out.print(f"Screenshot: SHA-256 {snap.screenshot.sha256}", markup=False)
    for note in result.notes:
        out.print(note, markup=False, highlight=False)


@app.command("formats")
def formats() -> None:
    """List the export formats Ally can read (with the package that adds each plugin one)."""
    for entry in installed_importers():
        origin = "" if entry.builtin else f"  (from {entry.source})"
        out.print(f"{entry.item.name:14} {entry.item.label}{origin}", markup=False)
