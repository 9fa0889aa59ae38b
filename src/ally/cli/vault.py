"""``ally vault ...``: the evidence journal in the terminal.

Passphrases never come from a command-line argument (it would sit in the shell history and
the process list): they come from a hidden prompt, from ``ALLY_PASSPHRASE`` (and
``ALLY_NEW_PASSPHRASE`` for ``passwd``), or from a file descriptor (``--passphrase-fd``).
Journal text likewise comes from prompts or a file, not from arguments.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from ally.cli.console import literal_console, styled
from ally.documents.casefile import describe_when, entry_when, format_moment, stored_zone
from ally.errors import AllyError, UsageError
from ally.knowledge.dates import DateOrder, incident_time, read_when
from ally.model.journal import (
    SETTINGS_KIND,
    Action,
    Entry,
    Incident,
    IncidentTime,
    Note,
    Reply,
    in_zone,
    journal_zone,
    journal_zone_name,
    read_time_kind,
)
from ally.model.pages import MESSAGE_KIND, PAGE_KIND
from ally.storage.vault_store import database_for
from ally.vault import Vault, default_location, generate_passphrase, verify_bundle
from ally.vault.bundle import MANIFEST
from ally.vault.errors import PassphraseError, WrongPassphraseError
from ally.vault.keyslots import WrongRecoveryCodeError
from ally.vault.strength import EXPLANATIONS, weakness
from ally.vault.throttle import LocalGate, SqlLedger, TooManyAttemptsError, UnlockThrottle
from ally.vault.verify import VerifyReport

app = typer.Typer(
    help="Your evidence journal: encrypted, tamper-evident, yours.", no_args_is_help=True
)
out = literal_console()
err = literal_console(stderr=True)


VaultOpt = typer.Option(
    None, "--vault", envvar="ALLY_VAULT", help="Vault folder or postgresql:// URL."
)
FdOpt = typer.Option(
    None, "--passphrase-fd", help="Read the passphrase from this file descriptor (scripts)."
)


# --- passphrases ---------------------------------------------------------------------------------


def _read_fd(fd: int) -> str:
    with os.fdopen(fd, "r", encoding="utf-8", closefd=False) as handle:
        line = handle.readline()
    return line.rstrip("\r\n")


def _interactive() -> bool:
    return sys.stdin.isatty()


def read_passphrase(fd: int | None, env: str = "ALLY_PASSPHRASE", what: str = "Passphrase") -> str:
    """From the file descriptor, else the environment, else a hidden prompt."""
    if fd is not None:
        return _read_fd(fd)
    if os.environ.get(env):
        return os.environ[env]
    if not _interactive():
        raise UsageError(
            f"No passphrase given: type it at a prompt, or set {env} or --passphrase-fd."
        )
    value: str = typer.prompt(what, hide_input=True)
    return value


def new_passphrase(fd: int | None, env: str) -> str:
    """A new passphrase: given by a script, or chosen at the prompt (a generated one offered).

    A script's passphrase is checked by the same rule as a typed one and refused with the
    reason; at the prompt a weak choice is explained and asked for again, never a reason to
    quit half-way through setting up.
    """
    if fd is not None or os.environ.get(env):
        value = read_passphrase(fd, env)
        problem = weakness(value)
        if problem is not None:
            raise PassphraseError(f"{EXPLANATIONS[problem]} Nothing was saved.")
        return value
    if not _interactive():
        raise UsageError(f"No passphrase given: run this in a terminal, or set {env}.")
    suggestion = generate_passphrase()
    err.print("Here is a passphrase of six random words. It is strong and easy to remember:\n")
    err.print(styled("    ", (suggestion, "bold"), "\n"))
    err.print("Write it down and keep it somewhere safe. Without it the journal cannot be read.")
    if typer.confirm("Use this passphrase?", default=True, err=True):
        for _ in range(3):
            again = typer.prompt("Type it once to confirm", hide_input=True, err=True)
            if " ".join(again.split()) == suggestion:
                return suggestion
            err.print("That does not match the suggested passphrase. Please type it again.")
        raise PassphraseError("That does not match the suggested passphrase. Nothing was saved.")
    return _own_passphrase()


def _own_passphrase() -> str:
    """Ask until the person's own passphrase passes the one rule (or they press Ctrl-C)."""
    while True:
        own: str = typer.prompt(
            "Your own passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
        problem = weakness(own)
        if problem is None:
            return own
        err.print(EXPLANATIONS[problem])


# --- helpers -------------------------------------------------------------------------------------


def _location(vault: str | None) -> str:
    return vault or default_location()


def open_unlocked(vault: str | None, fd: int | None) -> Vault:
    """The vault, unlocked with the passphrase, through the same throttle as the web app.

    "No vault here" is said before asking for a passphrase, and so is "wait": after a few
    wrong passphrases in a row, each further try must wait longer (1, 2, 4 ... seconds, up
    to 5 minutes). The count is kept in the vault's own database, so it holds across runs.
    """
    location = _location(vault)
    Vault.open(location).close()
    ledger = database_for(location)
    try:
        throttle = UnlockThrottle(LocalGate(1), SqlLedger(ledger))
        keys = {"vault": "this"}
        wait = throttle.retry_after(keys)
        if wait > 0:
            raise TooManyAttemptsError(wait)
        passphrase = read_passphrase(fd)
        with throttle.attempt(keys) as attempt:
            try:
                opened = Vault.open(location, passphrase)
            except WrongPassphraseError:
                attempt.failed()
                raise
            attempt.succeeded()
        return opened
    finally:
        ledger.close()


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, driven by (done, total) callbacks."""
    with Progress(
        TextColumn(description),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"{source} is not a file.")
    return path.read_text(encoding="utf-8")


def _json_object(source: str) -> dict[str, Any]:
    try:
        value = json.loads(_read_source(source))
    except ValueError as error:
        raise UsageError("That is not valid JSON. Nothing was saved.") from error
    if not isinstance(value, dict):
        raise UsageError("Expected a JSON object. Nothing was saved.")
    return value


def _model_error(error: ValidationError) -> UsageError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "entry"
    return UsageError(f"{where}: {first['msg']}. Nothing was saved.")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_when(
    text: str, zone: dt.tzinfo | None = None, order: DateOrder | None = None
) -> IncidentTime:
    """'2024-03-02 14:30', '28/11/2026 18:00', 'last Saturday', 'early March'... through the
    one date reader, in the person's zone; what it cannot read is refused (UsageError),
    never filed as "now"."""
    zone = zone or dt.datetime.now().astimezone().tzinfo or dt.UTC
    try:
        found = read_when(text, dt.datetime.now(zone), order)
    except AllyError as error:
        raise UsageError(str(error)) from None
    return incident_time(found, text, zone)


def _date_order(opened: Vault) -> DateOrder | None:
    """The date order of the pack the case was started with, if there is a case."""
    from ally.case.store import VaultCase
    from ally.knowledge.loader import load_pack
    from ally.model.case import AnswersEvent

    packs = [e.pack for e in VaultCase(opened).events() if isinstance(e, AnswersEvent)]
    if not packs:
        return None
    try:
        return load_pack(packs[-1]).date_order
    except AllyError:
        return None


def _settle_zone(vault: Vault, name: str | None) -> dt.tzinfo:
    """The person's zone: the one given (stored if new), else the stored one, else asked once
    (at a terminal) and stored, else this computer's."""
    stored = journal_zone_name(vault.entries(kind=SETTINGS_KIND))
    if name is None and stored is None and _interactive():
        local = dt.datetime.now().astimezone().tzinfo
        guess = getattr(local, "key", None) or "UTC"
        name = _ask("Your time zone, for the times you type (e.g. America/Los_Angeles)", guess)
    chosen = name or stored
    if chosen is None:
        return dt.datetime.now().astimezone().tzinfo or dt.UTC
    try:
        zone = ZoneInfo(chosen)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UsageError(
            f"{chosen!r} is not a time zone Ally knows. Use a name such as America/Los_Angeles "
            "or Europe/London. Nothing was saved."
        ) from error
    if chosen != stored:
        vault.add_entry(SETTINGS_KIND, {"timezone": chosen})
        err.print(f"Times in this journal are now read in {chosen}.")
    return zone


RETALIATION = "retaliation"
"""The tag ``--retaliation`` adds (read by ``documents.law.find_conduct``)."""


def _ask(label: str, default: str = "") -> str:
    value: str = typer.prompt(label, default=default, show_default=bool(default), err=True)
    return value.strip()


def _when_default(when: IncidentTime, zone: dt.tzinfo | None) -> str:
    """The time an edit offers to keep, in the person's zone as they typed it (a UTC time
    offered to someone in California reads as a different evening, and invites a wrong fix)."""
    return describe_when(when, zone or dt.datetime.now().astimezone().tzinfo or dt.UTC)


def _prompt_incident(
    current: Incident | None = None,
    zone: dt.tzinfo | None = None,
    order: DateOrder | None = None,
) -> Incident:
    """One question at a time; everything but 'what happened' may be left empty."""
    c = current
    when_default = _when_default(c.when, zone) if c else ""
    when_value: IncidentTime | None = c.when if c else None
    while True:
        when = _ask(
            "When did it happen? (e.g. 28/11/2026 18:00, last Saturday, two weeks ago)",
            when_default,
        )
        if c is not None and when == when_default:
            break
        try:
            when_value = _parse_when(when, zone, order)
            break
        except UsageError as error:
            err.print(f"[yellow]{error}[/yellow]")
    what = _ask("What happened?", c.what if c else "")
    fields = {
        "where": _ask("Where? (optional)", (c.where or "") if c else ""),
        "who": _split_list(
            _ask("Who was involved? (commas between names)", ", ".join(c.who) if c else "")
        ),
        "witnesses": _split_list(
            _ask("Witnesses? (optional)", ", ".join(c.witnesses) if c else "")
        ),
        "impact": _ask("How did it affect you? (optional)", (c.impact or "") if c else ""),
        "tags": _split_list(_ask("Tags? (optional)", ", ".join(c.tags) if c else "")),
        "contexts": _split_list(
            _ask(
                "Which parts of your plan? e.g. work, online (optional)",
                ", ".join(c.contexts) if c else "",
            )
        ),
    }
    try:
        assert when_value is not None
        return Incident(
            when=when_value,
            what=what,
            where=fields["where"] or None,
            who=fields["who"],
            witnesses=fields["witnesses"],
            impact=fields["impact"] or None,
            tags=fields["tags"],
            contexts=fields["contexts"],
        )
    except ValidationError as error:
        # `from None`: pydantic's error quotes what the person typed.
        raise _model_error(error) from None


def _prompt_step(kind: str, current: Entry | None, zone: dt.tzinfo | None) -> dict[str, Any]:
    """Something the person did (an action) or an answer they received (a reply)."""
    old: dict[str, Any] = dict(current.payload or {}) if current else {}
    if kind == "action":
        what = _ask("What did you do? (e.g. emailed HR a formal complaint)", old.get("what", ""))
        did = _ask(
            "Which fits best: reported, complained, filed, called, asked, other",
            old.get("did", "reported"),
        )
        to = _ask("Who did it go to? (optional)", old.get("to") or "")
        fields: dict[str, Any] = {"what": what, "did": did, "to": to or None}
    else:
        what = _ask("What did they say or do?", old.get("what", ""))
        outcome = _ask(
            "Which fits best: acknowledged, acted, refused, asked, closed, other",
            old.get("outcome", "other"),
        )
        by = _ask("Who answered? (optional)", old.get("by") or "")
        fields = {"what": what, "outcome": outcome, "by": by or None}
    when_default = (
        _when_default(IncidentTime.model_validate(old["when"]), zone) if "when" in old else ""
    )
    when = _ask("When? (YYYY-MM-DD HH:MM, or a date)", when_default)
    reference = _ask("Reference or case number? (optional)", old.get("reference") or "")
    step = _ask("Which step of your plan is it for? (step id, optional)", old.get("step") or "")
    keep_when = bool(old) and when == when_default
    fields |= {
        "when": old["when"] if keep_when else _parse_when(when, zone).model_dump(mode="json"),
        "reference": reference or None,
        "step": step or None,
        "contexts": old.get("contexts", []),
    }
    model: type[Action] | type[Reply] = Action if kind == "action" else Reply
    return model.model_validate(fields).model_dump(mode="json")


def _payload(
    kind: str,
    source: str | None,
    current: Entry | None,
    zone: dt.tzinfo | None = None,
    order: DateOrder | None = None,
) -> dict[str, Any]:
    """What to save: from a file (JSON, or text for notes) or from prompts. Times written
    without a zone are read in the person's."""
    try:
        if kind in ("action", "reply"):
            model: type[Action] | type[Reply] = Action if kind == "action" else Reply
            if source:
                raw = _json_object(source)
                return model.model_validate(in_zone(raw, zone) if zone else raw).model_dump(
                    mode="json"
                )
            return _prompt_step(kind, current, zone)
        if kind == "incident":
            if source:
                raw = _json_object(source)
                return Incident.model_validate(in_zone(raw, zone) if zone else raw).model_dump(
                    mode="json"
                )
            old = current.incident() if current and current.payload else None
            return _prompt_incident(old, zone, order).model_dump(mode="json")
        if kind == "note":
            if source:
                return Note(text=_read_source(source).strip()).model_dump(mode="json")
            default = current.note().text if current and current.payload else ""
            return Note(text=_ask("Note", default)).model_dump(mode="json")
    except ValidationError as error:
        # `from None`: pydantic's error quotes what the person typed.
        raise _model_error(error) from None
    if not source:
        raise UsageError(f"Entries of kind '{kind}' are added from a JSON file: --from FILE.")
    return _json_object(source)


# --- commands ------------------------------------------------------------------------------------


@app.command()
def init(vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt) -> None:
    """Create your vault, locked with a passphrase (a strong one is suggested)."""
    location = _location(vault)
    from ally.vault.errors import VaultNotFoundError

    try:
        Vault.open(location).close()
    except VaultNotFoundError:
        pass
    else:
        raise UsageError("A vault already exists there. Nothing was changed.")
    passphrase = new_passphrase(passphrase_fd, "ALLY_PASSPHRASE")
    with Vault.create(location, passphrase, recovery=True) as created:
        code = created.head_code()
        recovery = created.recovery_code
    err.print(f"Your vault is ready at {location}.")
    err.print(f"Its code is {code}. Add entries with `ally vault add incident`.")
    assert recovery is not None
    _show_recovery_code(recovery)


def _show_recovery_code(code: str) -> None:
    """Shown once: Ally does not keep it, so it cannot be shown again."""
    err.print("\nYour recovery code (it opens the journal if you forget the passphrase):\n")
    err.print(styled("    ", (code, "bold"), "\n"))
    err.print(
        "Write it on paper and keep it where no one else looks. It is shown only now. "
        "`ally vault recover` uses it; `ally vault recovery-code` makes a new one."
    )


@app.command()
def add(
    kind: str = typer.Argument(
        "incident",
        help="incident (done to you), action (what you did: reported, complained, filed), "
        "reply (what came back), note, or another kind (from JSON).",
    ),
    source: str | None = typer.Option(
        None,
        "--from",
        help="Read the entry from a file ('-' for standard input): JSON, or text for a note.",
    ),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="Your time zone, e.g. America/Los_Angeles: typed times are read in it, and it is "
        "kept for this journal (asked once otherwise).",
    ),
    retaliation: bool = typer.Option(
        False,
        "--retaliation",
        help="This happened after I complained or reported it (retaliation): letters and "
        "agency intakes then name retaliation.",
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Add an entry. Questions are asked one at a time; skip any you like."""
    if retaliation and kind != "incident":
        raise UsageError(
            "--retaliation is for an incident (something done to you after you complained). "
            "Nothing was saved."
        )
    with open_unlocked(vault, passphrase_fd) as opened:
        zone = _settle_zone(opened, timezone)
        payload = _payload(kind, source, None, zone, _date_order(opened))
        if retaliation:
            tags = [str(tag) for tag in payload.get("tags") or []]
            payload["tags"] = tags if RETALIATION in tags else [*tags, RETALIATION]
        entry = opened.add_entry(kind, payload)
        err.print(f"Saved as entry {entry.seq}. Journal code: {opened.head_code()}")
        err.print("(Send the code to someone you trust: it proves this entry existed today.)")


@app.command()
def edit(
    ref: str = typer.Argument(..., help="Entry number or id."),
    source: str | None = typer.Option(None, "--from", help="Read the new version from a file."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Save a corrected version of an entry. The original is kept, and both are shown."""
    with open_unlocked(vault, passphrase_fd) as opened:
        current = opened.entry(ref)
        if current.forgotten:
            raise UsageError("That entry was forgotten; it cannot be edited.")
        zone = stored_zone(opened.entries(kind=SETTINGS_KIND))
        entry = opened.edit(ref, _payload(current.kind, source, current, zone, _date_order(opened)))
        err.print(f"Entry {entry.seq} now has {entry.version} versions.")


@app.command()
def attach(
    ref: str = typer.Argument(..., help="Entry number or id to attach to."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    name: str | None = typer.Option(None, "--name", help="File name to record (default: its own)."),
    media_type: str | None = typer.Option(None, "--type", help="Media type, e.g. image/jpeg."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Attach a file (photo, screenshot, PDF, recording...) of any size to an entry."""
    kind = media_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    with open_unlocked(vault, passphrase_fd) as opened, file.open("rb") as stream:
        with progress_bar("Encrypting") as update:
            att = opened.attach(
                ref, stream, name or file.name, kind, size_hint=file.stat().st_size, progress=update
            )
        err.print(
            f"Attached as entry {att.seq}. The original file is unchanged; "
            "delete it yourself if it is not safe to keep."
        )


@app.command("save")
def save_attachment(
    ref: str = typer.Argument(..., help="Attachment number or id."),
    output: Path = typer.Argument(..., help="Where to write the decrypted file."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Decrypt an attachment to a file."""
    if output.exists():
        raise UsageError(f"{output} already exists. Choose a new name.")
    with open_unlocked(vault, passphrase_fd) as opened, progress_bar("Decrypting") as update:
        opened.attachment(ref)
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("xb") as handle:
                opened.save_attachment(ref, handle, update)
            partial.rename(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    err.print(f"Saved to {output}.")


def _entry_table(entries: list[Entry], *, by_time: bool, zone: dt.tzinfo) -> Table:
    table = Table(box=None, pad_edge=False)
    table.add_column("No.", justify="right")
    table.add_column("Happened" if by_time else "Recorded")
    table.add_column("Kind")
    table.add_column("Summary")
    table.add_column("Files", justify="right")
    for e in entries:
        # In the person's zone with its offset, worded as the report words it.
        when = entry_when(e, zone) if by_time else format_moment(e.recorded_at, zone)
        # A later version of imported messages only records a review decision (or a message
        # forgotten): the sender's words are unchanged, so it is not the person's edit.
        edited = e.version > 1 and e.kind not in (PAGE_KIND, MESSAGE_KIND)
        flags = " (edited)" if edited else ""
        table.add_row(
            str(e.seq),
            when,
            read_time_kind(e).kind,  # a step an older version saved as a tagged incident
            e.summary() + flags,
            str(len([a for a in e.attachments if not a.forgotten])) or "",
        )
    return table


@app.command("list")
def list_entries(
    kind: str | None = typer.Option(None, "--kind", help="Only this kind (incident, note...)."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """List entries in the order they were recorded (the case's records only with --kind case)."""
    with open_unlocked(vault, passphrase_fd) as opened:
        entries = [e for e in opened.entries(kind=kind) if kind or not e.is_bookkeeping]
        out.print(_entry_table(entries, by_time=False, zone=_shown_zone(opened)))
        err.print(f"{len(entries)} entries. Journal code: {opened.head_code()}")


@app.command()
def timeline(vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt) -> None:
    """Entries in the order things happened."""
    with open_unlocked(vault, passphrase_fd) as opened:
        out.print(_entry_table(opened.timeline(), by_time=True, zone=_shown_zone(opened)))


def _shown_zone(opened: Vault) -> dt.tzinfo:
    """Where times are shown: the journal's zone (the one typed times were read in)."""
    return journal_zone(opened.entries(kind=SETTINGS_KIND))


@app.command()
def show(
    ref: str = typer.Argument(..., help="Entry number or id."),
    history: bool = typer.Option(False, "--history", help="Show every version."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Show one entry in full, with its attachments."""
    with open_unlocked(vault, passphrase_fd) as opened:
        versions = opened.history(ref) if history else [opened.entry(ref)]
        zone = _shown_zone(opened)
        for entry in versions:
            _print_entry(entry, zone)


def _print_entry(entry: Entry, zone: dt.tzinfo) -> None:
    out.print(
        styled(
            (f"Entry {entry.seq}", "bold"),
            f" · {entry.kind} · version {entry.version} · "
            f"recorded {format_moment(entry.recorded_at, zone)}",
        )
    )
    if entry.forgotten or entry.payload is None:
        out.print("  This entry was forgotten: its content was deleted, a record of it remains.")
        return
    if entry.kind == "incident":
        inc = entry.incident()
        rows = [
            ("When", describe_when(inc.when, zone)),
            ("What", inc.what),
            ("Where", inc.where or ""),
            ("Who", ", ".join(inc.who)),
            ("Witnesses", ", ".join(inc.witnesses)),
            ("Impact", inc.impact or ""),
            ("Tags", ", ".join(inc.tags)),
            ("Contexts", ", ".join(inc.contexts)),
        ]
    else:
        rows = [
            (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in entry.payload.items()
        ]
    for label, value in rows:
        if value:
            out.print(styled("  ", (f"{label}:", "bold"), f" {value}"))
    for att in entry.attachments:
        state = (
            "forgotten" if att.forgotten else f"{att.filename} ({att.media_type}, {att.size} bytes)"
        )
        out.print(f"  Attachment {att.seq}: {state}", highlight=False)


@app.command()
def forget(
    ref: str = typer.Argument(..., help="Entry or attachment number or id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Delete an entry's content (all versions and files) or one attachment. Cannot be undone.

    A tombstone remains, so the journal still verifies and shows that something was removed.
    """
    with open_unlocked(vault, passphrase_fd) as opened:
        if not yes and not typer.confirm(
            "Delete this content for good? Copies you exported or shared are not affected.",
            err=True,
        ):
            raise typer.Abort()
        opened.forget(ref)
        err.print("Forgotten. The journal records that something was removed, and when.")


def _print_report(report: VerifyReport, what: str, *, salvage: bool = False) -> None:
    if report.ok:
        extra = f", {report.forgotten} forgotten" if report.forgotten else ""
        extra += f", {report.withheld} withheld" if report.withheld else ""
        out.print(
            f"OK: {what} verified — {report.entries} entries, "
            f"{report.files_checked} encrypted files checked{extra}."
        )
    else:
        out.print(styled(("NOT OK:", "bold red"), f" {what} failed verification."))
        out.print(f"First problem: {report.first_problem}", highlight=False)
        if len(report.problems) > 1:
            out.print(f"({len(report.problems) - 1} more problem(s) follow from it or elsewhere.)")
        _print_extent(report, salvage=salvage)
    for note in report.notes:
        out.print(f"Note: {note}", highlight=False)
    if report.ok and report.head_code:
        out.print(f"Journal code: {report.head_code}")
        out.print(JOURNAL_CODE_ADVICE)


JOURNAL_CODE_ADVICE = (
    "Send this code to someone you trust (or to your advocate when you share the journal): "
    "later it proves that nothing up to this point was removed or rolled back."
)


def _print_extent(report: VerifyReport, *, salvage: bool) -> None:
    """How much of a damaged journal still verifies, and how to save it."""
    sound = report.chain_intact_to
    if sound == 0:
        out.print("No entry can be confirmed. Keep the damaged vault and any earlier exports.")
        return
    whole = report.intact_to
    out.print(
        f"Entries 1 to {whole} verify completely."
        if whole == sound
        else f"Entries 1 to {whole} verify completely; the records of entries up to {sound} "
        "are sound, but some of their files are damaged or missing."
    )
    if salvage:
        out.print(
            "To keep what still verifies, copy it into a new vault: "
            "ally vault salvage NEW-FOLDER (the damaged vault is not changed)."
        )


@app.command()
def verify(
    bundle: Path | None = typer.Argument(
        None, help="An export bundle folder (default: your vault)."
    ),
    code: list[str] = typer.Option(
        [], "--code", help="Also check a journal code noted earlier (repeat for more)."
    ),
    vault: str | None = VaultOpt,
) -> None:
    """Check the journal's chain and every file. No passphrase needed.

    A journal that was rolled back (its newest entries removed and its head rewritten) still
    checks out on its own; only a code noted earlier, given with --code, reveals it.
    """
    if bundle is not None:
        if not (bundle / MANIFEST).is_file():
            raise UsageError(f"{bundle} is not an export bundle (no {MANIFEST}).")
        with progress_bar("Verifying") as update:
            report = verify_bundle(bundle, update)
        _print_report(report, "the bundle")
        found = {c: _bundle_has_code(bundle, c) for c in code}
    else:
        with progress_bar("Verifying") as update:
            report = Vault.verify_at(_location(vault), update, code)
        _print_report(report, "the journal", salvage=True)
        found = {c: report.codes.get(c, False) for c in code}
    for given, ok in found.items():
        out.print(
            f"The code {given} is part of this journal's history."
            if ok
            else styled(
                (f"The code {given} does not match this journal:", "bold red"),
                " entries it covered were removed or changed, or it was mistyped.",
            ),
            highlight=False,
        )
    if not report.ok or not all(found.values()):
        raise typer.Exit(1)


@app.command("backup")
def backup_command(
    path: Path = typer.Argument(..., help="A new folder (or a new .db file) for the backup."),
    vault: str | None = VaultOpt,
) -> None:
    """Write a safe, verified copy of the whole vault. No passphrase needed.

    Safe while Ally runs: copying vault.db with a file manager can miss the newest entries
    (they may still be in vault.db-wal); this copy has everything saved so far.
    """
    with Vault.open(_location(vault)) as opened, progress_bar("Backing up"):
        result = opened.backup(path)
    report = result.report
    if report.ok:
        out.print(
            f"Backup written to {result.path} and verified: {report.entries} entries, "
            f"{report.files_checked} encrypted files.",
            highlight=False,
        )
    else:
        out.print(
            styled(("The backup was written but does not verify:", "bold red")),
            f" {report.first_problem}. Run `ally vault verify` on your vault.",
            highlight=False,
        )
    if report.head_code:
        out.print(f"Journal code: {report.head_code}")
        out.print(JOURNAL_CODE_ADVICE)
    out.print(f"To use it, open or check it with --vault {result.path}.", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command("salvage")
def salvage_command(
    dest: str = typer.Argument(..., help="A new folder (or postgresql:// URL) for the copy."),
    vault: str | None = VaultOpt,
) -> None:
    """Copy every entry that still verifies out of a damaged vault into a new vault.

    The damaged vault is only read, never changed. No passphrase needed: the copy keeps the
    same passphrase, and the same journal codes up to the last entry copied.
    """
    from ally.vault.salvage import salvage

    result = salvage(_location(vault), dest)
    out.print(
        f"Copied entries 1 to {result.entries} (of {result.readable} readable) and "
        f"{result.files} encrypted files into {dest}.",
        highlight=False,
    )
    if result.first_problem is not None and result.entries < result.readable:
        out.print(f"Not copied, from the first problem on: {result.first_problem}", highlight=False)
    if result.lost_files:
        listed = ", ".join(str(n) for n in result.lost_files)
        out.print(f"Could not be recovered: the encrypted content of entries {listed}.")
    if result.forgotten_later:
        listed = ", ".join(str(n) for n in result.forgotten_later)
        out.print(f"Entries {listed} had been forgotten by a later entry that was not copied.")
    if result.report.head_code:
        out.print(f"Journal code of the copy: {result.report.head_code}")
    out.print("The damaged vault was not changed. Keep it too: an expert may recover more from it.")


def _bundle_has_code(bundle: Path, code: str) -> bool:
    from ally.vault.bundle import read_manifest
    from ally.vault.chain import head_code, parse_head_code

    parsed = parse_head_code(code)
    records = read_manifest(bundle)["records"]
    if parsed is None or not 0 < parsed[0] <= len(records):
        return False
    return head_code(parsed[0], str(records[parsed[0] - 1].get("hash", ""))) == parsed[1]


@app.command("code")
def show_code(vault: str | None = VaultOpt) -> None:
    """Show the journal code: send it to yourself or a lawyer as proof of the journal's state."""
    with Vault.open(_location(vault)) as opened:
        out.print(opened.head_code())
    err.print(JOURNAL_CODE_ADVICE)


@app.command()
def export(
    output: Path = typer.Argument(..., help="New folder to write the bundle to."),
    to: list[str] = typer.Option(
        [], "--to", help="Make it readable by this age public key (repeat for more)."
    ),
    entry: list[str] = typer.Option([], "--entry", help="Only these entries (with --to)."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Write an export bundle: readable with the stock `age` tool, checkable by anyone."""
    location = _location(vault)
    opened = open_unlocked(location, passphrase_fd) if to else Vault.open(location)
    with opened, progress_bar("Exporting") as update:
        result = opened.export(output, recipients=to, entries=entry or None, progress=update)
    err.print(f"Wrote {result.files} files to {result.path}. Journal code: {result.head_code}")


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., help="A full export bundle folder."),
    vault: str | None = VaultOpt,
) -> None:
    """Recreate a vault from a full export bundle (it is verified first)."""
    from ally.vault.bundle import import_bundle

    with progress_bar("Importing") as update:
        report = import_bundle(bundle, _location(vault), update)
    err.print(f"Imported {report.entries} entries. Journal code: {report.head_code}")


@app.command()
def share(
    key: str = typer.Argument(..., help="The advocate's or lawyer's age public key (age1...)."),
    existing: bool = typer.Option(
        True, "--existing/--new-only", help="Also share what is already there."
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Let someone you trust read your journal with their own age key."""
    with open_unlocked(vault, passphrase_fd) as opened, progress_bar("Sharing") as update:
        opened.share(key, include_existing=existing, progress=update)
    err.print(
        "Shared. New entries will be readable by that key too. Undo with `ally vault unshare`."
    )


@app.command()
def unshare(
    key: str = typer.Argument(..., help="The age public key to stop sharing with."),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Stop sharing new entries with a key (copies they already have stay with them)."""
    with open_unlocked(vault, passphrase_fd) as opened:
        opened.unshare(key)
    err.print("No longer shared with that key.")


@app.command()
def shares(vault: str | None = VaultOpt) -> None:
    """List the age keys this journal is shared with (no passphrase needed)."""
    with Vault.open(_location(vault)) as opened:
        usable = [str(key) for key in opened.shared_with()]
        unusable = opened.unusable_shares()
    if not usable and not unusable:
        err.print("This journal is not shared with anyone.")
    for key in usable:
        typer.echo(key)
    for key in unusable:
        typer.echo(f"{key}  cannot be used (no one holds it); remove it: ally vault unshare {key}")


@app.command()
def passwd(
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
    new_passphrase_fd: int | None = typer.Option(
        None, "--new-passphrase-fd", help="Read the new passphrase from this file descriptor."
    ),
) -> None:
    """Change the passphrase. Only the key is re-locked; your entries are not touched."""
    with open_unlocked(vault, passphrase_fd) as opened:
        opened.change_passphrase(new_passphrase(new_passphrase_fd, "ALLY_NEW_PASSPHRASE"))
    err.print("Passphrase changed. The old one no longer opens this vault.")
    err.print(
        "Exports and bundles you made before keep the passphrase they were made with: "
        "the old one still opens them. Delete old copies you no longer need."
    )


@app.command("recovery-code")
def recovery_code(vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt) -> None:
    """Make a new recovery code (the old one stops working). It is shown once."""
    with open_unlocked(vault, passphrase_fd) as opened:
        code = opened.make_recovery_code()
    _show_recovery_code(code)


@app.command()
def recover(
    vault: str | None = VaultOpt,
    new_passphrase_fd: int | None = typer.Option(
        None, "--new-passphrase-fd", help="Read the new passphrase from this file descriptor."
    ),
) -> None:
    """Open the journal with its recovery code and choose a new passphrase.

    The code comes from a hidden prompt or ALLY_RECOVERY_CODE; the new passphrase as for
    `ally vault passwd`. Needed after too many wrong passphrases, if a limit was set.
    """
    location = _location(vault)
    Vault.open(location).close()
    code = read_passphrase(None, "ALLY_RECOVERY_CODE", "Recovery code")
    chosen = new_passphrase(new_passphrase_fd, "ALLY_NEW_PASSPHRASE")
    ledger = database_for(location)
    try:
        throttle = UnlockThrottle(LocalGate(1), SqlLedger(ledger))
        with throttle.attempt({"vault": "recovery"}) as attempt:
            try:
                Vault.recover(location, code, chosen).close()
            except WrongRecoveryCodeError:
                attempt.failed()
                raise
            attempt.succeeded()
    finally:
        ledger.close()
    err.print("Your journal is open again with the new passphrase. The recovery code still works.")


@app.command()
def limit(
    failures: int = typer.Argument(
        ..., help="Wrong passphrases in a row before only the recovery code opens (0: no limit)."
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """After this many wrong passphrases in a row, only the recovery code opens the journal."""
    with open_unlocked(vault, passphrase_fd) as opened:
        code = opened.set_failure_limit(failures or None)
    if failures:
        err.print(
            f"After {failures} wrong passphrases in a row, only the recovery code will open "
            "this journal (the count survives restarts)."
        )
    else:
        err.print("No limit: wrong passphrases only make you wait a little longer each time.")
    if code is not None:
        _show_recovery_code(code)


duress_app = typer.Typer(
    help="A second passphrase for when someone forces you to open the journal.",
    no_args_is_help=True,
)
app.add_typer(duress_app, name="duress")


@duress_app.command("set")
def duress_set(
    wipe: bool = typer.Option(
        False,
        "--wipe",
        help="Destroy the real journal's key before opening an empty one (cannot be undone).",
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
    duress_fd: int | None = typer.Option(
        None, "--duress-passphrase-fd", help="Read the duress passphrase from this descriptor."
    ),
) -> None:
    """Set a duress passphrase: typed instead of yours, it opens a decoy journal."""
    with open_unlocked(vault, passphrase_fd) as opened:
        duress = _duress_passphrase(duress_fd)
        opened.set_duress(duress, "wipe" if wipe else "decoy")
    if wipe:
        err.print(
            "Duress passphrase set. Typed anywhere Ally asks for the passphrase, it destroys "
            "this journal's key, so nothing can open it again, and opens an empty journal. "
            "Keep a backup elsewhere (`ally vault export`) if you may need the entries."
        )
    else:
        err.print(
            "Duress passphrase set. Typed anywhere Ally asks for the passphrase, it opens the "
            "decoy journal. Open it that way now and add a few ordinary entries, so it looks "
            "lived in."
        )


def _duress_passphrase(fd: int | None) -> str:
    if fd is not None or os.environ.get("ALLY_DURESS_PASSPHRASE"):
        value = read_passphrase(fd, "ALLY_DURESS_PASSPHRASE")
    elif _interactive():
        value = typer.prompt(
            "Duress passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
    else:
        raise UsageError(
            "No duress passphrase given: set ALLY_DURESS_PASSPHRASE, or use a terminal."
        )
    problem = weakness(value)
    if problem is not None:
        raise PassphraseError(f"{EXPLANATIONS[problem]} Nothing was changed.")
    return value


@duress_app.command("off")
def duress_off(vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt) -> None:
    """Remove the duress passphrase and delete the decoy journal."""
    with open_unlocked(vault, passphrase_fd) as opened:
        opened.clear_duress()
    err.print("The duress passphrase is removed and the decoy journal deleted.")


@duress_app.command("status")
def duress_status(vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt) -> None:
    """Say whether a duress passphrase is set and what it does (needs the passphrase)."""
    with open_unlocked(vault, passphrase_fd) as opened:
        mode = opened.duress_mode()
        failures = opened.failure_limit()
        recovery = opened.has_recovery_code()
    out.print(
        {
            None: "No duress passphrase is set.",
            "decoy": "A duress passphrase is set: it opens the decoy journal.",
            "wipe": "A duress passphrase is set: it destroys this journal's key, then opens "
            "an empty journal.",
        }[mode]
    )
    out.print(
        f"Limit: after {failures} wrong passphrases in a row, only the recovery code opens."
        if failures
        else "No limit on wrong passphrases."
    )
    out.print("A recovery code exists." if recovery else "There is no recovery code.")
