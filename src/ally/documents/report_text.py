"""The fixed sentences of the evidence report, shared by the PDF, DOCX and Markdown versions.

Kept in one place so the three formats can never say different things about what the report
is or how to check it, and worded in the person's language through the case file's
``words`` (``report_i18n``): English strings here are the catalog's message ids.
"""

from __future__ import annotations

from collections.abc import Callable

from ally.documents.casefile import CaseFile, Exhibit, Facts, Item, human_size
from ally.documents.report_i18n import N_, Words
from ally.documents.steps import StepTaken

ABOUT = N_(
    "This report was made with Ally from a journal the person keeps in an encrypted, "
    "tamper-evident vault. It shows what they recorded and when they recorded it. Each entry "
    "is given as written; Ally has not checked what it says."
)

INTEGRITY = N_(
    "Every entry in the journal is linked to the one before it by a chain of SHA-256 hashes, "
    "so an entry that is changed, removed or put in a different order afterwards is detected. "
    "An edit is saved as a new version and the original is kept. Every exhibit below is listed "
    "with the SHA-256 fingerprint of the original file, so anyone can check that a copy they "
    "receive is exactly the file in the journal."
)

REDUCED = N_(
    "Images in this report are reduced copies made for reading, without their embedded "
    "metadata. The fingerprints are those of the original files, which are kept unchanged."
)

VERIFY_STEPS = (
    N_("Get the original file (from the evidence bundle, or from the person)."),
    N_(
        "Compute its SHA-256 fingerprint: on Linux `sha256sum FILE`, on macOS "
        "`shasum -a 256 FILE`, on Windows `certutil -hashfile FILE SHA256` (or "
        "`Get-FileHash FILE -Algorithm SHA256` in PowerShell)."
    ),
    N_(
        "Compare it with the fingerprint listed here for that exhibit. One changed byte gives a "
        "completely different fingerprint."
    ),
    N_(
        "To check the journal itself, run `ally vault verify` on the vault or on an exported "
        "bundle: it checks every link of the chain and every stored file, and names the first "
        "problem."
    ),
    N_(
        "The head code identifies the journal as it stood when this report was made. If the "
        "person sent this code to someone earlier (for example by email to themselves or a "
        "lawyer), the journal has existed unchanged, up to that entry, since then."
    ),
)

NOT_ADVICE = N_("Ally gives information, not legal advice.")

HEADINGS = {
    "summary": N_("Summary"),
    "people": N_("People named in incidents"),
    "places": N_("Places"),
    "included": N_("What is and is not included"),
    "exhibit_index": N_("Exhibit index"),
    "timeline": N_("Timeline"),
    "steps": N_("Steps taken"),
    "incidents": N_("Incidents"),
    "messages": N_("Messages"),
    "notes": N_("Notes and other entries"),
    "appendix": N_("Integrity appendix"),
    "head_code": N_("Journal head code"),
    "noted": N_("Journal codes noted earlier"),
    "exhibits": N_("Exhibits"),
    "verify": N_("How to verify"),
    "what": N_("What happened"),
    "impact": N_("How it affected them"),
    "page_text": N_("Page text"),
}
"""Every heading of the report, by the key each format uses."""

LABELS = {
    "prepared": N_("Prepared"),
    "jurisdiction": N_("Jurisdiction"),
    "covers": N_("Covers"),
    "period": N_("Period"),
    "exhibits": N_("Exhibits"),
    "head_code": N_("Head code"),
    "where": N_("Where"),
    "who": N_("Who"),
    "witnesses": N_("Witnesses"),
    "recorded": N_("Recorded"),
    "exhibit": N_("Exhibit"),
    "file": N_("File"),
    "with": N_("With"),
    "when": N_("When"),
    "entry": N_("Entry"),
    "what": N_("What"),
    "reference": N_("Reference"),
    "case": N_("Case"),
    "export_file": N_("Export file"),
    "original_file": N_("original file"),
    "page": N_("Page"),
    "of": N_("of"),
}
"""Labels of facts and table columns."""


def heading(case: CaseFile, key: str) -> str:
    return case.words(HEADINGS[key])


def label(case: CaseFile, key: str) -> str:
    return case.words(LABELS[key])


def counted(words: Words, summary: Facts) -> tuple[str, str, str]:
    """'12 incidents', '3 messages', '4 exhibits' in the report's language."""
    return (
        words.ngettext("%(num)s incident", "%(num)s incidents", summary.incidents),
        words.ngettext("%(num)s message", "%(num)s messages", summary.messages),
        words.ngettext("%(num)s exhibit", "%(num)s exhibits", summary.exhibits),
    )


def journal_of(case: CaseFile) -> str | None:
    return case.words("Journal of %(person)s", person=case.person) if case.person else None


def covers(case: CaseFile, summary: Facts) -> str:
    """The cover's 'Covers' line: how many of each kind of entry."""
    words = case.words
    incidents, messages, _ = counted(words, summary)
    text = f"{incidents}, {messages}"
    if summary.notes:
        text += ", " + words.ngettext("%(num)s note", "%(num)s notes", summary.notes)
    if summary.others:
        text += ", " + words.ngettext(
            "%(num)s other entry", "%(num)s other entries", summary.others
        )
    return text


def period(case: CaseFile, summary: Facts) -> str:
    return case.words("%(start)s to %(end)s", start=summary.first, end=summary.last)


def exhibits_fact(case: CaseFile, summary: Facts) -> str:
    """The cover's 'Exhibits' line."""
    files = case.words.ngettext("%(num)s file", "%(num)s files", summary.exhibits)
    return case.words(
        "%(files)s (%(size)s), %(images)s shown as images",
        files=files,
        size=human_size(summary.exhibit_bytes, case.words),
        images=summary.images,
    )


def summary_intro(case: CaseFile, summary: Facts) -> str:
    """The summary's first sentence."""
    words = case.words
    incidents, messages, exhibits = counted(words, summary)
    if summary.first:
        return words(
            "This report covers %(incidents)s and %(messages)s, from %(start)s to %(end)s, "
            "with %(exhibits)s. Times are shown with their offset from UTC.",
            incidents=incidents,
            messages=messages,
            start=summary.first,
            end=summary.last,
            exhibits=exhibits,
        )
    return words(
        "This report covers %(incidents)s and %(messages)s, with %(exhibits)s. Times are shown "
        "with their offset from UTC.",
        incidents=incidents,
        messages=messages,
        exhibits=exhibits,
    )


def steps_intro(case: CaseFile) -> str:
    return case.words("What I did about it, and what came back, in date order.")


def no_entries(case: CaseFile) -> str:
    return case.words("No entries were selected.")


def no_exhibits(case: CaseFile) -> str:
    return case.words("There are no exhibits.")


def recorded(case: CaseFile, item: Item) -> str:
    """When an entry was written down, its journal number, and whether it was edited."""
    words = case.words
    text = words(
        "%(moment)s, journal entry %(seq)s",
        moment=case.moment(item.entry.recorded_at),
        seq=item.entry.seq,
    )
    if item.edited:
        text += " " + words(
            "(version %(version)s; earlier versions kept)", version=item.entry.version
        )
    return text


def exhibit_caption(case: CaseFile, exhibit: Exhibit) -> str:
    """An exhibit's caption after its label: file, type, size, when recorded, and whether
    the picture is reduced or not shown."""
    words = case.words
    caption = (
        f"{exhibit.filename} · {exhibit.media_type} · {human_size(exhibit.size, words)} · "
        + words("recorded %(moment)s", moment=case.moment(exhibit.recorded_at))
    )
    display = exhibit.display
    if display is not None and display.reduced:
        caption += " · " + words(
            "shown reduced from %(width)s × %(height)s pixels",
            width=display.original_width,
            height=display.original_height,
        )
    return caption


def not_shown(case: CaseFile) -> str:
    return case.words("(not shown here; the original is in the evidence bundle)")


def message_heading(case: CaseFile, item: Item, clean: Callable[[str], str] = str) -> str:
    assert item.message is not None
    sender = clean(item.message.sender)
    return f"{item.label} · {clean(item.when)} · " + case.words("from %(sender)s", sender=sender)


def appendix_line(case: CaseFile, exhibit: Exhibit, clean: Callable[[str], str] = str) -> str:
    """An exhibit in the integrity appendix, before its fingerprint."""
    size = case.words.ngettext("%(num)s byte", "%(num)s bytes", exhibit.size)
    return f"{exhibit.label} · {clean(exhibit.filename)} · {size} · {exhibit.media_type}"


REPLY_WORDS = {
    "acknowledged": N_("%(who)s acknowledged it: %(what)s"),
    "acted": N_("%(who)s said they acted: %(what)s"),
    "refused": N_("%(who)s refused to act: %(what)s"),
    "asked": N_("%(who)s asked for more information: %(what)s"),
    "closed": N_("%(who)s closed it: %(what)s"),
    "other": N_("%(who)s answered: %(what)s"),
}
STATUS_WORDS = {
    "done": N_("%(title)s: I did this"),
    "waiting": N_("%(title)s: sent; waiting for an answer"),
    "refused": N_("%(title)s: they refused to act"),
    "resolved": N_("%(title)s: resolved"),
}


def step_line(case: CaseFile, step: StepTaken) -> str:
    """A step taken as one line in the report's language: who answered and how, what was
    done, to whom. The person's own words (what, who, the answer) stay as written."""
    words = case.words
    if step.source == "reply":
        who = step.who or words("They")
        return words(REPLY_WORDS.get(step.code, REPLY_WORDS["other"]), who=who, what=step.text)
    if step.source == "action":
        if step.who:
            return words("%(what)s (to %(who)s)", what=step.text, who=step.who)
        return step.text
    if step.source == "case" and step.code in STATUS_WORDS and step.title:
        text = words(STATUS_WORDS[step.code], title=step.title)
        if step.said:
            text += ". " + words("The answer: %(said)s", said=step.said)
        return text
    return step.text


def included(summary: Facts, words: Words | None = None) -> str:
    """What the report leaves out and why, in words; the same sentence in every format."""
    words = words or Words()
    parts = []
    if summary.selection:
        parts.append(words("The person chose entries %(how)s.", how=", ".join(summary.selection)))
    if summary.left_out:
        parts.append(
            words.ngettext(
                "%(num)s other journal entry is not part of this report.",
                "%(num)s other journal entries are not part of this report.",
                summary.left_out,
            )
        )
    else:
        parts.append(words("Every journal entry is included."))
    if summary.edited:
        parts.append(
            words.ngettext(
                "%(num)s entry was edited after they were first recorded; the latest version "
                "is shown, and every earlier version is kept in the journal.",
                "%(num)s entries were edited after they were first recorded; the latest "
                "version is shown, and every earlier version is kept in the journal.",
                summary.edited,
            )
        )
    if summary.forgotten:
        parts.append(
            words.ngettext(
                "%(num)s journal entry was deleted by the person (for example for their "
                "safety). The content is gone, but the journal still records that each one "
                "existed, and when.",
                "%(num)s journal entries were deleted by the person (for example for their "
                "safety). The content is gone, but the journal still records that each one "
                "existed, and when.",
                summary.forgotten,
            )
        )
    if summary.forgotten_files:
        parts.append(
            words.ngettext(
                "%(num)s attached file was deleted in the same way.",
                "%(num)s attached files were deleted in the same way.",
                summary.forgotten_files,
            )
        )
    return " ".join(parts)


SIGN_LINE = N_("Signature: ....................................................")

KEPT_IN_ORIGINAL = N_(
    "This declaration is left in English, in the exact words the law of this jurisdiction "
    "asks for, because its courts work in English. In your language it says: “%(meaning)s” "
    "Sign it "
    "only if you understand it and it is true; a lawyer, an advocate or the court can explain "
    "it."
)


def declaration_lines(case: CaseFile) -> list[str]:
    """The statement of truth or declaration, in the jurisdiction's own words, left for the
    person to sign (title first; empty strings separate paragraphs). Empty when the report
    was made without a jurisdiction.

    In another language than the pack's, the wording is translated only where the catalog
    has it under ``declaration`` (the jurisdiction's wording allows it, or it is Ally's own
    sentence). Where the law asks for its own words (a US declaration, an English statement
    of truth, an Irish statutory declaration) the catalog has only what it means, under
    ``declaration meaning``: the original stays, with a note that says so in the person's
    language. The title and the signature lines are always translated."""
    declaration = case.declaration
    if declaration is None:
        return []
    words = case.words
    title = words.pgettext("declaration", declaration.title)
    lines = [title, *_legal(words, declaration.text), ""]
    if not declaration.sign_here:
        return lines
    name = words("Name: %(person)s", person=case.person) if case.person else words("Name:")
    lines += [words(SIGN_LINE), name, words("Date:")]
    if declaration.place:
        lines.append(words("Place (city and state or country):"))
    if declaration.witness:
        lines += [
            "",
            *_legal(words, declaration.witness),
            words("Witness signature, name, qualification and date:"),
        ]
    return lines


def _legal(words: Words, text: str) -> list[str]:
    """Legal wording in the report's language where allowed, else the original and a note."""
    if words.language == "en":
        return [text]
    translated = words.pgettext("declaration", text)
    if translated != text:
        return [translated]
    meaning = words.pgettext("declaration meaning", text)
    if meaning != text:
        return [text, words(KEPT_IN_ORIGINAL, meaning=meaning)]
    return [text, words("This wording is not translated yet, so it is left as the law gives it.")]


def message_source(case: CaseFile, item: Item, clean: Callable[[str], str] = str) -> str:
    """Where an imported message came from, worded the same in every report format.

    ``clean`` makes the sender's own words (conversation name, export file) safe for the
    format: Markdown escapes them; Typst takes them as data and needs nothing.
    """
    words = case.words
    message = item.message
    assert message is not None
    where = clean(message.platform)
    if message.conversation:
        where += ", " + words("conversation “%(name)s”", name=clean(message.conversation))
    if message.edited:
        where += ", " + words("edited by the sender")
    if message.deleted:
        where += ", " + words("deleted by the sender")
    where += "."
    if message.provenance:
        where += " " + words("Read from %(source)s.", source=clean(message.provenance))
    return (
        where
        + " "
        + words(
            "Journal entry %(seq)s, recorded %(moment)s.",
            seq=item.entry.seq,
            moment=case.moment(item.entry.recorded_at),
        )
    )
