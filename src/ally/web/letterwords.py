"""The words around a letter draft (why each entry is ticked, what to check), translatable.

Shared by the web letter page and the terminal's ``ally letter``, so a person drafting in Spanish
or French reads the same sentences in both; kept apart from the page's routes so the CLI need not
load the web framework. The strings are marked with ``N_`` here and translated where they are
shown (the catalogs in ``web/translations``).
"""

from __future__ import annotations

from typing import Any

from ally.documents.drafting import Draft
from ally.web.i18n import N_

ENTRIES_HEADING = N_("Entries (change with --entry N / --exclude N)")
"""The terminal's heading over the checklist (its options are the command's own)."""
WROTE_DRAFT = N_("Wrote the draft to %(path)s. Read it and change anything before you send it.")
ENTRIES_GONE = N_(
    "Some entries you chose are no longer in your journal, so the list was ticked again by "
    "relevance. Please check it."
)


REASONS = {
    "evidence": N_("marked as evidence"),
    "step": N_("a step you took"),
    "answer": N_("an answer you received"),
    "incident": N_("an incident"),
    "context": N_("about %(place)s"),
    "no-context": N_("no incident is marked as about %(place)s, so all are ticked"),
    "chosen": N_("you chose it"),
    "left-out": N_("you left it out"),
    "not-chosen": N_("you did not choose it"),
    "service": N_("on this website or platform"),
    "not-service": N_("not on this website or platform"),
    "not-about": N_("not about this"),
    "police": N_("not ticked: it went to the police (tick it if this reader should know)"),
    "not-addressed": N_("not ticked: it was not addressed to this reader (tick it to include it)"),
    "included": N_("included"),
}
"""Why an entry is ticked or not (the codes of ``Candidate.why``), in the person's words."""
CONTEXT_WORDS = {
    "work": N_("work"),
    "housing": N_("your home"),
    "venue": N_("a venue"),
    "school": N_("school"),
    "online": N_("something online"),
}
KIND_WORDS = {
    "incident": N_("Incident"),
    "message": N_("Message"),
    "snapshot": N_("Saved web page"),
    "action": N_("Something you did"),
    "reply": N_("A reply you received"),
    "note": N_("Note"),
}
NEVER_INCLUDES = {
    "incident": N_(
        "This letter never includes incidents (%(num)s in your journal), to keep it to what "
        "its reader needs."
    ),
    "message": N_(
        "This letter never includes messages (%(num)s in your journal), to keep it to what its "
        "reader needs."
    ),
    "snapshot": N_(
        "This letter never includes saved web pages (%(num)s in your journal), to keep it to "
        "what its reader needs."
    ),
    "action": N_(
        "This letter never includes the steps you took (%(num)s in your journal), to keep it "
        "to what its reader needs."
    ),
    "reply": N_(
        "This letter never includes the replies you received (%(num)s in your journal), to "
        "keep it to what its reader needs."
    ),
    "note": N_(
        "This letter never includes your notes (%(num)s in your journal), to keep it to what "
        "its reader needs."
    ),
}
UNREVIEWED = (
    N_(
        "%(num)s imported message is not listed because it is neither flagged nor marked as "
        "evidence. Mark the ones you want as evidence when you review your messages."
    ),
    N_(
        "%(num)s imported messages are not listed because they are neither flagged nor marked "
        "as evidence. Mark the ones you want as evidence when you review your messages."
    ),
)
SERVICE_UNKNOWN = N_(
    "Ally does not know yet which website or platform this report is about, so no entry is "
    "ticked. Give the link to the content under “Your details” and Ally will tick the entries "
    "that mention it."
)
UNTRANSLATED = N_(
    "This letter is not translated into your language yet, so it is written in the language "
    "of your plan's region."
)
GAPS = N_(
    "The draft contains text that looks like a gap to fill in (%(gaps)s). It may come from "
    "your own entries: check it before sending."
)
LINKS_LEFT_OUT = N_(
    "Some of your links are not on %(hosts)s, so this report leaves them out: a host is not "
    "told about another website."
)
FORWARDED = N_(
    "Hosts and providers often forward abuse reports to their customer: the person or company "
    "running the site. Anything you write, and any file you attach, may reach the person "
    "harassing you, with your name and email address. Send only what is needed, and consider "
    "using an email address that does not reveal more about you."
)


def notices(made: Draft) -> list[tuple[str, str | None, dict[str, Any]]]:
    """What the person should check, as translatable messages (singular, plural, values):
    the same things the terminal's notes say, in web words and the person's language."""
    found: list[tuple[str, str | None, dict[str, Any]]] = []
    if ENTRIES_GONE in made.letter.notes:
        found.append((ENTRIES_GONE, None, {}))
    if made.kind.id == "abuse-report":
        found.append((FORWARDED, None, {}))
    if made.letter.untranslated:
        found.append((UNTRANSLATED, None, {}))
    if made.letter.gaps:
        found.append((GAPS, None, {"gaps": ", ".join(made.letter.gaps)}))
    if made.dropped_links:
        found.append((LINKS_LEFT_OUT, None, {"hosts": ", ".join(made.hosts[:3])}))
    listed = made.checklist
    if listed.service_unknown:
        found.append((SERVICE_UNKNOWN, None, {}))
    if listed.unreviewed:
        words = UNREVIEWED[0] if listed.unreviewed == 1 else UNREVIEWED[1]
        found.append((words, None, {"num": listed.unreviewed}))
    for kind, count in listed.refused.items():
        if kind in NEVER_INCLUDES:
            found.append((NEVER_INCLUDES[kind], None, {"num": count}))
    return found
