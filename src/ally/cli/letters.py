"""``ally letter``, ``ally report`` and ``ally calendar``: documents from the plan and journal.

Letters are drafts: the letter goes to a file (or stdout), and the advice on how to send it
goes to the terminal only, so a redirected or saved letter never carries notes meant for the
person. Nothing is overwritten: an existing output file is an error unless --force is given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shlex
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from ally.cli.console import literal_console, styled
from ally.cli.plan import read_yaml_file
from ally.documents import abuse
from ally.documents.bundle import verify_bundle, write_bundle
from ally.documents.casefile import CaseFile, Selection, build_casefile
from ally.documents.checklist import Candidate, Choice
from ally.documents.drafting import Draft, DraftRequest, draft, host_target, offered_standalone
from ally.documents.evidence import EvidenceSource, MemoryEvidence
from ally.documents.ics import build_calendar
from ally.documents.letters import KINDS, letter_steps, read_details, report_jurisdiction
from ally.documents.report_docx import render_docx
from ally.documents.report_html import paper_for
from ally.documents.report_md import render_markdown
from ally.documents.report_pdf import render_pdf
from ally.documents.xarf import NO_TYPE, build_xarf, dumps, exposes_personal_details
from ally.errors import UsageError
from ally.knowledge.answers import normalise_answers, read_answers_document
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Pack
from ally.model.answers import AnswerValue
from ally.model.plan import Plan
from ally.web.letterwords import (
    CONTEXT_WORDS,
    ENTRIES_HEADING,
    KIND_WORDS,
    REASONS,
    WROTE_DRAFT,
    notices,
)

err = literal_console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("letter")(letter_command)
    app.command("report")(report_command)
    app.command("calendar")(calendar_command)


# --- shared options ----------------------------------------------------------------------------

AnswersOpt = typer.Option(None, "--answers", help="Your answers file (as for `ally plan`).")
PackOpt = typer.Option(None, "--pack", help="Which pack to use, when there is no answers file.")
TodayOpt = typer.Option(None, "--today", help="Count deadlines to this date (YYYY-MM-DD).")
LanguageOpt = typer.Option(None, "--language", help="Language where translated, e.g. es.")
VaultOpt = typer.Option(None, "--vault", envvar="ALLY_VAULT", help="Vault folder or URL.")
FdOpt = typer.Option(None, "--passphrase-fd", help="Read the passphrase from this descriptor.")
NoJournalOpt = typer.Option(False, "--no-journal", help="Do not open the journal.")
EntryOpt = typer.Option([], "--entry", help="Only this journal entry (number or id; repeat).")
SinceOpt = typer.Option(None, "--since", help="Only entries from this date (YYYY-MM-DD).")
UntilOpt = typer.Option(None, "--until", help="Only entries up to this date (YYYY-MM-DD).")
ContextOpt = typer.Option([], "--context", help="Only incidents about this (work, online...).")
ZoneOpt = typer.Option(None, "--timezone", help="Show times in this zone, e.g. Europe/London.")
ForceOpt = typer.Option(False, "--force", help="Replace the output file if it exists.")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise UsageError(f"{option} must be a date such as 2026-11-25.") from error


def _zone(name: str | None) -> dt.tzinfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UsageError(
            f"{name!r} is not a time zone Ally knows. Use a name such as Europe/London."
        ) from error


def _plan(
    answers: Path | None, pack_id: str | None, today: str | None, language: str | None
) -> tuple[Pack, Plan | None, dict[str, AnswerValue]]:
    """The pack, the plan (when there are answers) and the normalised answers."""
    day = _date(today, "--today")
    if answers is None:
        return load_pack(pack_id or "generic", language), None, {}
    chosen, raw, file_today = read_answers_document(
        read_yaml_file(answers, "answers file", UsageError), pack_id
    )
    pack = load_pack(chosen, language)
    when = day or file_today or dt.date.today()
    normalised = normalise_answers(pack, raw, today=when)
    plan = build_plan(pack, normalised, when)
    return pack, plan, normalised


def _with_journal_clocks(
    pack: Pack, answers: dict[str, AnswerValue], plan: Plan | None, journal: EvidenceSource
) -> Plan | None:
    """The plan again, its deadlines counted from the journal and the case as well, so the
    letter gives the same last day as ``ally case status`` and the web pages."""
    from ally.case.store import VaultCase
    from ally.case.tracker import clock_facts
    from ally.vault import Vault

    if plan is None or not isinstance(journal, Vault):
        return plan
    case = VaultCase(journal)
    facts = clock_facts(case.events(), case.journal_dates())
    return build_plan(pack, answers, plan.today, clocks=facts)


def _selection(
    entries: list[str], since: str | None, until: str | None, contexts: list[str], notes: bool
) -> Selection | None:
    if not (entries or since or until or contexts or notes):
        return None
    return Selection(
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        contexts=frozenset(contexts),
        notes=notes,
        entries=frozenset(entries),
    )


@contextlib.contextmanager
def _journal(
    vault: str | None, fd: int | None, skip: bool, required: bool = False
) -> Iterator[EvidenceSource]:
    """The unlocked vault; an empty journal when asked, or (for a letter) when there is no
    vault yet, since a letter is still useful without incidents."""
    if skip:
        yield MemoryEvidence()
        return
    from ally.cli.vault import open_unlocked
    from ally.vault import default_location

    location = vault or default_location()
    if vault is None and not required and not _vault_exists(location):
        err.print("No journal found, so the document has no incidents yet.", style="dim")
        yield MemoryEvidence()
        return
    with open_unlocked(location, fd) as opened:
        yield opened


def _vault_exists(location: str) -> bool:
    if location.startswith(("postgresql://", "postgres://")):
        return True
    return Path(location).exists()


def _write(target: Path, data: bytes, force: bool) -> None:
    if target.exists() and not force:
        raise UsageError(f"{target} already exists. Choose another name, or add --force.")
    try:
        target.write_bytes(data)
    except OSError as error:
        raise UsageError(f"Could not write {target}: {error.strerror}.") from error


def _print_list(title: str, lines: list[str], style: str = "") -> None:
    if lines:
        err.print(title, style="bold")
        for line in lines:
            err.print(f"  {line}", style=style, soft_wrap=True)


# --- ally letter -------------------------------------------------------------------------------


class LetterFormat(StrEnum):
    md = "md"
    json = "json"


def letter_command(
    step: str | None = typer.Argument(
        None, help="The plan step (e.g. employer-hr), or cease-and-desist."
    ),
    answers: Path | None = AnswersOpt,
    pack: str | None = PackOpt,
    today: str | None = TodayOpt,
    language: str | None = LanguageOpt,
    details: Path | None = typer.Option(
        None, "--details", help="YAML file with your name, the recipient, links... (all optional)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the letter to this file."),
    edit: bool = typer.Option(False, "--edit", help="Open the letter in $EDITOR after writing."),
    output_format: LetterFormat = typer.Option(LetterFormat.md, "--format", help="md or json."),
    platform: str | None = typer.Option(None, "--platform", help="For a platform report."),
    max_chars: int | None = typer.Option(
        None, "--max-chars", min=20, help="Fit the description to the form's length limit."
    ),
    lookup: bool = typer.Option(
        False, "--lookup", help="Look up the abuse contact online (RDAP). Off unless asked."
    ),
    rdap: str | None = typer.Option(None, "--rdap", help="Ask this RDAP server directly."),
    xarf: Path | None = typer.Option(None, "--xarf", help="Also write an XARF v4 report here."),
    xarf_images: bool = typer.Option(
        False, "--xarf-images", help="Put image exhibits in the XARF report."
    ),
    list_letters: bool = typer.Option(False, "--list", help="List the letters you can write."),
    entry: list[str] = typer.Option(
        [], "--entry", help="Include this journal entry (number or id; repeat), even if unticked."
    ),
    exclude: list[str] = typer.Option(
        [], "--exclude", help="Leave this journal entry out (number or id; repeat)."
    ),
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    context: list[str] = ContextOpt,
    timezone: str | None = ZoneOpt,
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
    no_journal: bool = NoJournalOpt,
    force: bool = ForceOpt,
) -> None:
    """Write the first draft of a letter or complaint for a step of your plan."""
    loaded, plan, normalised = _plan(answers, pack, today, language)
    if list_letters or step in (None, "list"):
        _list_letters(plan, normalised, language or loaded.language)
        return
    request = DraftRequest(
        details=read_details(read_yaml_file(details, "details file", UsageError), str(details))
        if details
        else read_details(None, ""),
        selection=_selection([], since, until, context, False),
        choice=Choice(include=frozenset(entry), exclude=frozenset(exclude)),
        platform=platform,
        max_chars=max_chars,
        xarf=xarf is not None,
        language=language or loaded.language,
        zone=_zone(timezone),
    )
    if lookup:
        request.lookup = _lookup(request, rdap)
    with _journal(vault, passphrase_fd, no_journal) as journal:
        plan = _with_journal_clocks(loaded, normalised, plan, journal)
        made = draft(loaded, plan, step, journal, request, answers=normalised)
        doxxing = exposes_personal_details(made.case)
        if xarf is not None and made.kind.id == "abuse-report" and not doxxing:
            err.print(NO_TYPE, style="yellow")
            request.xarf = False
            made = draft(loaded, plan, step, journal, request, answers=normalised)
            xarf = None
        if xarf is not None:
            _write_xarf(made, request, journal, xarf, xarf_images, force)
    _emit_letter(made, output_format, out, edit, force, request.language)


def _list_letters(plan: Plan | None, answers: dict[str, AnswerValue], language: str) -> None:
    """The letters the plan offers, named in the person's language (the web page's names)."""
    say = _interface_words(language) if language != "en" else str
    if plan is None:
        err.print("Give your answers file (--answers) to see the letters for your plan.")
    else:
        for plan_step, kind in letter_steps(plan):
            typer.echo(f"{plan_step.id:32} {say(kind.title)}")
    offered = offered_standalone(answers)
    for kind in KINDS:
        if kind.id in offered:
            typer.echo(f"{kind.id:32} {say(kind.title)}")


def _lookup(request: DraftRequest, server: str | None) -> abuse.Lookup | None:
    target = host_target(request.details)
    if target is None:
        raise UsageError("To look up an abuse contact, give host or links in the details file.")
    err.print("Looking up the abuse contact online (RDAP)...", style="dim")
    try:
        return abuse.lookup(target, server=server)
    except abuse.AbuseLookupError as error:
        err.print(str(error), style="yellow")
        return None


def _write_xarf(
    made: Draft,
    request: DraftRequest,
    journal: EvidenceSource,
    target: Path,
    images: bool,
    force: bool,
) -> None:
    if made.kind.id != "abuse-report":
        raise UsageError("--xarf goes with the abuse report to a host (route isp).")
    details = request.details
    report = build_xarf(
        made.case,
        source_identifier=host_target(details) or "",
        links=details.links,
        reporter_email=details.your_email,
        source=journal,
        include_images=images,
    )
    _write(target, dumps(report).encode("utf-8"), force)
    err.print(f"Wrote the XARF report to {target}.")


def _emit_letter(
    made: Draft,
    output_format: LetterFormat,
    out: Path | None,
    edit: bool,
    force: bool,
    language: str = "en",
) -> None:
    letter = made.letter
    say = _interface_words(language)
    if output_format is LetterFormat.json:
        text = json.dumps(asdict(letter), indent=2, ensure_ascii=False) + "\n"
    else:
        text = letter.text()
    if edit and out is None:
        out = Path(f"letter-{letter.step_id or letter.kind}.md")
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write(out, text.encode("utf-8"), force)
        err.print(say(WROTE_DRAFT) % {"path": out})
    if output_format is LetterFormat.md:
        _print_checklist(made, say, english=language == "en")
        _print_list(say("How to send it"), letter.guide.splitlines())
        checks = letter.notes if language == "en" else _notices_in(made, language)
        _print_list(say("Please check"), checks, style="yellow")
    if edit and out is not None:
        _open_editor(out)


def _print_checklist(made: Draft, say: Callable[[str], str], english: bool = True) -> None:
    """What the letter includes and leaves out, entry by entry, so nothing goes silently.

    In English the core's own reasons are printed; in another language each reason is worded
    from its code, as the web page does (the notes then come with the checks)."""
    lines = [
        f"[{'x' if c.ticked else ' '}] {c.seq:>4} {_kind_word(c, say, english)}: {c.summary} "
        f"({_reason(c, say, english)})"
        for c in made.checklist.candidates
    ]
    _print_list(say(ENTRIES_HEADING), lines)
    if english:
        _print_list("Not offered", made.checklist.notes, style="dim")


def _interface_words(language: str) -> Callable[[str], str]:
    """The terminal's words in the person's language, from the web interface's catalogs."""
    from ally.web.i18n import translations

    return translations(language).gettext


def _kind_word(candidate: Candidate, say: Callable[[str], str], english: bool) -> str:
    if english:
        return candidate.kind_word
    return say(KIND_WORDS.get(candidate.kind, "Note"))


def _reason(candidate: Candidate, say: Callable[[str], str], english: bool) -> str:
    if english or candidate.why not in REASONS:
        return candidate.reason
    place = say(CONTEXT_WORDS.get(candidate.context, "work"))
    return say(REASONS[candidate.why]) % {"place": place}


def _notices_in(made: Draft, language: str) -> list[str]:
    """What to check before sending, in the person's language (the web page's sentences)."""
    from ally.web.i18n import translations

    words = translations(language)
    found = []
    for singular, plural, values in notices(made):
        text = (
            words.ngettext(singular, plural, values["num"]) if plural else words.gettext(singular)
        )
        found.append(text % values if values else text)
    return found


def _open_editor(path: Path) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError(f"Set EDITOR to your text editor, or open {path} yourself.")
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        raise UsageError(f"Could not start the editor {editor!r}; open {path} yourself.") from error


# --- ally report -------------------------------------------------------------------------------


class ReportFormat(StrEnum):
    pdf = "pdf"
    docx = "docx"
    md = "md"
    bundle = "bundle"


class Paper(StrEnum):
    a4 = "A4"
    letter = "letter"


def _report_format(out: Path, chosen: ReportFormat | None) -> ReportFormat:
    if chosen is not None:
        return chosen
    suffix = out.suffix.lower().lstrip(".")
    if not suffix:
        return ReportFormat.bundle
    try:
        return ReportFormat(suffix)
    except ValueError as error:
        raise UsageError("Name the file .pdf, .docx or .md, or give --format.") from error


def report_command(
    out: Path | None = typer.Option(
        None, "--out", help="report.pdf, report.docx, report.md, or a new folder for a bundle."
    ),
    output_format: ReportFormat | None = typer.Option(
        None, "--format", help="pdf, docx, md or bundle (default: from --out)."
    ),
    check: Path | None = typer.Option(
        None, "--check", help="Check an evidence bundle instead of making a report."
    ),
    name: str | None = typer.Option(None, "--name", help="Your name, for the cover."),
    title: str = typer.Option("Evidence report", "--title", help="The report's title."),
    paper: Paper | None = typer.Option(None, "--paper", help="A4 or letter."),
    notes: bool = typer.Option(False, "--notes", help="Include your notes (left out by default)."),
    answers: Path | None = AnswersOpt,
    pack: str | None = PackOpt,
    entry: list[str] = EntryOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    context: list[str] = ContextOpt,
    timezone: str | None = ZoneOpt,
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
    force: bool = ForceOpt,
    code: list[str] = typer.Option(
        [], "--code", help="A journal code you noted earlier: the report says if it still holds."
    ),
    language: str | None = typer.Option(
        None, "--language", help="The report's headings and sentences in this language (es, fr)."
    ),
) -> None:
    """Make the evidence report (PDF, DOCX, Markdown) or a checkable evidence bundle."""
    if check is not None:
        _check_bundle(check)
        return
    if out is None:
        raise UsageError("Say where to write the report with --out (e.g. --out report.pdf).")
    chosen = _report_format(out, output_format)
    loaded = load_pack(_report_pack(answers, pack)) if (answers or pack) else None
    size = paper.value if paper else paper_for(loaded.id if loaded else None)
    selection = _selection(entry, since, until, context, notes)
    with _journal(vault, passphrase_fd, False, required=True) as journal:
        case = build_casefile(
            journal,
            selection,
            zone=_zone(timezone),
            title=title,
            person=name,
            images=chosen is not ReportFormat.md,
            noted_codes=_noted_codes(journal, code),
            language=language,
        )
        if loaded is not None:
            report_jurisdiction(case, loaded.id)
        _say_making(case)
        if chosen is ReportFormat.bundle:
            _make_bundle(case, journal, out, size)
        else:
            _write(out, _render(case, chosen, size), force)
            err.print(f"Wrote the report to {out}.")


def _noted_codes(journal: EvidenceSource, codes: list[str]) -> tuple[tuple[str, bool], ...]:
    """Each code given with --code, and whether the journal's history still holds it."""
    check = getattr(journal, "check_code", None)
    return tuple((text.strip(), bool(check and check(text))) for text in codes)


def _report_pack(answers: Path | None, pack: str | None) -> str:
    if answers is None:
        return pack or "generic"
    pack_id, _, _ = read_answers_document(read_yaml_file(answers, "answers file", UsageError), pack)
    return pack_id


def _say_making(case: CaseFile) -> None:
    err.print(
        f"{len(case.incidents)} incidents, {len(case.messages)} messages, "
        f"{len(case.exhibits)} exhibits. Journal code {case.head_code}.",
        style="dim",
    )


def _render(case: CaseFile, chosen: ReportFormat, paper: str) -> bytes:
    if chosen is ReportFormat.pdf:
        return render_pdf(case, paper)
    if chosen is ReportFormat.docx:
        return render_docx(case, paper)
    return render_markdown(case).encode("utf-8")


def _make_bundle(case: CaseFile, journal: EvidenceSource, out: Path, paper: str) -> None:
    exportable = journal if hasattr(journal, "export") else None
    result = write_bundle(case, journal, out, paper=paper, journal=exportable)  # type: ignore[arg-type]
    err.print(f"Wrote the evidence bundle to {result.path} ({result.exhibits} exhibits).")
    if result.journal:
        err.print(
            "It holds the report, the original files, and an encrypted copy of these entries "
            "with a key that opens only them. Earlier versions of edited entries are included."
        )
    err.print(f"Check it with: ally vault verify {out}   and   ally report --check {out}")


def _check_bundle(path: Path) -> None:
    result = verify_bundle(path)
    for problem in result.problems:
        err.print(str(problem), style="red")
    journal = "the journal chain and " if result.journal_checked else ""
    if result.ok:
        err.print(
            styled(
                ("The bundle is intact:", "green"),
                f" {result.files} files, {journal}{result.copies_checked} exhibit copies "
                f"checked. Journal code {result.head_code}.",
            )
        )
        return
    raise typer.Exit(1)


# --- ally calendar -----------------------------------------------------------------------------


def _sent_dates(values: list[str], plan: Plan) -> dict[str, dt.date]:
    sent: dict[str, dt.date] = {}
    steps = set(plan.step_ids())
    for value in values:
        step_id, _, day = value.partition("=")
        if step_id not in steps:
            raise UsageError(f"--sent: {step_id!r} is not a step in your plan.")
        parsed = _date(day, "--sent STEP=DATE")
        assert parsed is not None
        sent[step_id] = parsed
    return sent


def calendar_command(
    answers: Path = typer.Option(..., "--answers", help="Your answers file."),
    out: Path | None = typer.Option(None, "--out", help="Write the .ics file here."),
    sent: list[str] = typer.Option(
        [], "--sent", help="STEP=DATE: when you took a step, for follow-up reminders (repeat)."
    ),
    discreet: bool = typer.Option(
        False, "--discreet", help="Neutral titles and no details, for a shared calendar."
    ),
    pack: str | None = PackOpt,
    today: str | None = TodayOpt,
    language: str | None = LanguageOpt,
    force: bool = ForceOpt,
) -> None:
    """Deadlines and follow-up reminders from your plan, as an iCalendar (.ics) file."""
    _, plan, _ = _plan(answers, pack, today, language)
    assert plan is not None
    data, summary = build_calendar(plan, sent=_sent_dates(sent, plan), discreet=discreet)
    if out is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        _write(out, data, force)
        err.print(
            f"Wrote {summary.deadlines} deadlines and {summary.follow_ups} reminders to {out}."
        )
    _calendar_notes(summary, discreet)


def _calendar_notes(summary: Any, discreet: bool) -> None:
    _print_list("Time limits that have already passed (check them with an adviser)", summary.passed)
    _print_list("Time limits without a date (Ally needs the start date)", summary.undated)
    if summary.waiting:
        err.print(
            "For follow-up reminders, say when you took each step, e.g. --sent "
            f"{summary.waiting[0]}=2026-11-25 (steps: {', '.join(summary.waiting)})."
        )
    if not discreet:
        err.print(
            "Calendars are often synced or shared. If someone else can see yours, use --discreet.",
            style="yellow",
        )
