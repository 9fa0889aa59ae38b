"""The fixed sentences of the evidence report, shared by the PDF, DOCX and Markdown versions.

Kept in one place so the three formats can never say different things about what the report
is or how to check it.
"""

from __future__ import annotations

from collections.abc import Callable

from ally.documents.casefile import CaseFile, Facts, Item, plural

ABOUT = (
    "This report was made with Ally from a journal the person keeps in an encrypted, "
    "tamper-evident vault. It shows what they recorded and when they recorded it. Each entry "
    "is given as written; Ally has not checked what it says."
)

INTEGRITY = (
    "Every entry in the journal is linked to the one before it by a chain of SHA-256 hashes, "
    "so an entry that is changed, removed or put in a different order afterwards is detected. "
    "An edit is saved as a new version and the original is kept. Every exhibit below is listed "
    "with the SHA-256 fingerprint of the original file, so anyone can check that a copy they "
    "receive is exactly the file in the journal."
)

REDUCED = (
    "Images in this report are reduced copies made for reading, without their embedded "
    "metadata. The fingerprints are those of the original files, which are kept unchanged."
)

VERIFY_STEPS = (
    "Get the original file (from the evidence bundle, or from the person).",
    "Compute its SHA-256 fingerprint: on Linux `sha256sum FILE`, on macOS `shasum -a 256 FILE`, "
    "on Windows `certutil -hashfile FILE SHA256` (or `Get-FileHash FILE -Algorithm SHA256` in "
    "PowerShell).",
    "Compare it with the fingerprint listed here for that exhibit. One changed byte gives a "
    "completely different fingerprint.",
    "To check the journal itself, run `ally vault verify` on the vault or on an exported bundle: "
    "it checks every link of the chain and every stored file, and names the first problem.",
    "The head code identifies the journal as it stood when this report was made. If the person "
    "sent this code to someone earlier (for example by email to themselves or a lawyer), the "
    "journal has existed unchanged, up to that entry, since then.",
)

FORGOTTEN = (
    "{entries} deleted by the person (for example for their safety). The "
    "content is gone, but the journal still records that each one existed, and when."
)

NOT_ADVICE = "Ally gives information, not legal advice."


def included(summary: Facts) -> str:
    """What the report leaves out and why, in words; the same sentence in every format."""
    parts = []
    if summary.selection:
        parts.append(f"The person chose entries {', '.join(summary.selection)}.")
    if summary.left_out:
        parts.append(
            plural(summary.left_out, "other journal entry is", "other journal entries are")
            + " not part of this report."
        )
    else:
        parts.append("Every journal entry is included.")
    if summary.edited:
        parts.append(
            plural(summary.edited, "entry was", "entries were")
            + " edited after they were first recorded; the latest version is shown, and every "
            "earlier version is kept in the journal."
        )
    if summary.forgotten:
        entries = plural(summary.forgotten, "journal entry was", "journal entries were")
        parts.append(FORGOTTEN.format(entries=entries))
    if summary.forgotten_files:
        parts.append(
            plural(summary.forgotten_files, "attached file was", "attached files were")
            + " deleted in the same way."
        )
    return " ".join(parts)


SIGN_LINE = "Signature: ...................................................."


def declaration_lines(case: CaseFile) -> list[str]:
    """The statement of truth or declaration, in the jurisdiction's own words, left for the
    person to sign (title first; empty strings separate paragraphs). Empty when the report
    was made without a jurisdiction."""
    declaration = case.declaration
    if declaration is None:
        return []
    lines = [declaration.title, declaration.text, ""]
    if not declaration.sign_here:
        return lines
    lines += [SIGN_LINE, f"Name: {case.person}" if case.person else "Name:", "Date:"]
    if declaration.place:
        lines.append("Place (city and state or country):")
    if declaration.witness:
        lines += ["", declaration.witness, "Witness signature, name, qualification and date:"]
    return lines


def message_source(case: CaseFile, item: Item, clean: Callable[[str], str] = str) -> str:
    """Where an imported message came from, worded the same in every report format.

    ``clean`` makes the sender's own words (conversation name, export file) safe for the
    format: Markdown escapes them; Typst takes them as data and needs nothing.
    """
    message = item.message
    assert message is not None
    where = clean(message.platform)
    if message.conversation:
        where += f", conversation “{clean(message.conversation)}”"
    if message.edited:
        where += ", edited by the sender"
    if message.deleted:
        where += ", deleted by the sender"
    where += "."
    if message.provenance:
        where += f" Read from {clean(message.provenance)}."
    return (
        where + f" Journal entry {item.entry.seq}, recorded {case.moment(item.entry.recorded_at)}."
    )
