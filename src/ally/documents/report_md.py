"""The evidence report as Markdown: readable as plain text, and easy to paste or convert.

The person's words are escaped so that a stray ``*`` or ``<`` in an entry is shown as written
rather than changing the layout (or injecting HTML when the Markdown is rendered). Inside an
evidence bundle the exhibits are linked to their files; on its own the report names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ally.documents import report_text
from ally.documents.casefile import CaseFile, Exhibit, Facts, code_finding, facts
from ally.documents.report_text import heading, label, step_line
from ally.documents.steps import of_case_file

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)

ExhibitLink = Callable[[Exhibit], str]


def escape(text: str) -> str:
    """Markdown-escape the person's text so it shows exactly as written."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _one_line(text: str) -> str:
    return escape(" ".join(text.split()))


def _fact(case: CaseFile, key: str, value: str) -> str:
    """A labelled fact as a list item: ``- **Where:** Office`` (``- **Où :** …`` in French)."""
    return f"- **{label(case, key)}{case.words.colon}** {value}"


def _paragraphs(text: str, quote: bool = False) -> list[str]:
    out = []
    for para in text.split("\n\n"):
        line = _one_line(para)
        out.append(f"> {line}" if quote else line)
        out.append(">" if quote else "")
    if quote and out:
        out[-1] = ""
    return out


def render_markdown(case: CaseFile, link: ExhibitLink | None = None) -> str:
    """The whole report as Markdown; ``link`` gives each exhibit's path in a bundle."""
    summary = facts(case)
    lines: list[str] = []
    lines += _cover(case, summary)
    lines += _summary(case, summary)
    lines += _exhibit_index(case)
    lines += _timeline(case)
    lines += _steps(case)
    lines += _incidents(case, link)
    lines += _messages(case, link)
    lines += _notes(case, link)
    lines += _declaration(case)
    lines += _appendix(case, summary)
    return "\n".join(lines).rstrip() + "\n"


def _cover(case: CaseFile, summary: Facts) -> list[str]:
    lines = [f"# {_one_line(case.title)}", ""]
    person = report_text.journal_of(case)
    if person:
        lines += [_one_line(person), ""]
    lines.append(_fact(case, "prepared", case.moment(case.generated_at)))
    if case.jurisdiction:
        lines.append(_fact(case, "jurisdiction", _one_line(case.jurisdiction)))
    lines.append(_fact(case, "covers", report_text.covers(case, summary)))
    if summary.first:
        lines.append(_fact(case, "period", report_text.period(case, summary)))
    lines.append(_fact(case, "exhibits", report_text.exhibits_fact(case, summary)))
    lines.append(_fact(case, "head_code", f"`{case.head_code}`"))
    about, not_advice = case.words(report_text.ABOUT), case.words(report_text.NOT_ADVICE)
    return [*lines, "", about, "", f"*{not_advice}*", ""]


def _summary(case: CaseFile, summary: Facts) -> list[str]:
    lines = [f"## {heading(case, 'summary')}", "", report_text.summary_intro(case, summary), ""]
    if summary.people:
        people = "; ".join(f"{_one_line(name)} ({n})" for name, n in summary.people)
        lines += [f"**{heading(case, 'people')}{case.words.colon}** " + people, ""]
    if summary.places:
        places = "; ".join(f"{_one_line(name)} ({n})" for name, n in summary.places)
        lines += [f"**{heading(case, 'places')}{case.words.colon}** " + places, ""]
    included = _one_line(report_text.included(summary, case.words))
    return [*lines, f"**{heading(case, 'included')}{case.words.colon}** " + included, ""]


def _exhibit_index(case: CaseFile) -> list[str]:
    """Every exhibit up front, so a clerk or judge can find each one; fingerprints are in
    the integrity appendix."""
    if not case.exhibits:
        return []
    owner = {exhibit.attachment_id: item.label for item in case.items for exhibit in item.exhibits}
    columns = " | ".join(label(case, key) for key in ("exhibit", "file", "with", "recorded"))
    lines = [
        f"## {heading(case, 'exhibit_index')}",
        "",
        f"| {columns} |",
        "| --- | --- | --- | --- |",
    ]
    for exhibit in case.exhibits:
        lines.append(
            f"| {exhibit.label} | {_one_line(exhibit.filename)} | {owner[exhibit.attachment_id]} "
            f"| {case.moment(exhibit.recorded_at)} |"
        )
    return [*lines, ""]


def _declaration(case: CaseFile) -> list[str]:
    block = report_text.declaration_lines(case)
    if not block:
        return []
    title, *rest = block
    # Each line its own paragraph: the legal wording, a note about it and each line to sign
    # must not run together when the Markdown is shown.
    lines = [f"## {_one_line(title)}", ""]
    for line in rest:
        lines += [_one_line(line), ""] if line else []
    return lines


def _steps(case: CaseFile) -> list[str]:
    steps = of_case_file(case)
    if not steps:
        return []
    lines = [f"## {heading(case, 'steps')}", "", report_text.steps_intro(case), ""]
    columns = " | ".join(label(case, key) for key in ("when", "entry", "what", "reference"))
    lines += [f"| {columns} |", "| --- | --- | --- | --- |"]
    for step in steps:
        lines.append(
            f"| {_one_line(step.when)} | {step.label or label(case, 'case')} "
            f"| {_one_line(step_line(case, step))} | {_one_line(step.reference)} |"
        )
    return [*lines, ""]


def _timeline(case: CaseFile) -> list[str]:
    lines = [f"## {heading(case, 'timeline')}", ""]
    if not case.items:
        return [*lines, report_text.no_entries(case), ""]
    columns = " | ".join(label(case, key) for key in ("when", "entry", "what", "exhibits"))
    lines += [f"| {columns} |", "| --- | --- | --- | --- |"]
    for item in case.items:
        exhibits = ", ".join(exhibit.label for exhibit in item.exhibits)
        lines.append(
            f"| {_one_line(item.when)} | {item.label} | {_one_line(item.headline)} | {exhibits} |"
        )
    return [*lines, ""]


def _exhibit(exhibit: Exhibit, case: CaseFile, link: ExhibitLink | None) -> list[str]:
    name = escape(exhibit.filename)
    caption = f"**{exhibit.label}** · " + _one_line(report_text.exhibit_caption(case, exhibit))
    lines = []
    if link is not None:
        path = link(exhibit).replace(" ", "%20")
        if exhibit.display is not None:
            lines += [f"![{exhibit.label}: {name}]({path})", ""]
        caption += f" · [{label(case, 'original_file')}]({path})"
    return [*lines, caption + "  ", f"`SHA-256 {exhibit.sha256}`", ""]


def _incidents(case: CaseFile, link: ExhibitLink | None) -> list[str]:
    if not case.incidents:
        return []
    lines = [f"## {heading(case, 'incidents')}", ""]
    for item in case.incidents:
        incident = item.incident
        assert incident is not None
        lines += [f"### {item.label} · {_one_line(item.when)}", ""]
        if incident.where:
            lines.append(_fact(case, "where", _one_line(incident.where)))
        if incident.who:
            lines.append(_fact(case, "who", _one_line("; ".join(incident.who))))
        if incident.witnesses:
            witnesses = _one_line("; ".join(incident.witnesses))
            lines.append(_fact(case, "witnesses", witnesses))
        recorded = report_text.recorded(case, item)
        lines += [_fact(case, "recorded", recorded), ""]
        lines += [f"**{heading(case, 'what')}**", "", *_paragraphs(incident.what)]
        if incident.impact:
            lines += [f"**{heading(case, 'impact')}**", "", *_paragraphs(incident.impact)]
        for exhibit in item.exhibits:
            lines += _exhibit(exhibit, case, link)
    return lines


def _messages(case: CaseFile, link: ExhibitLink | None) -> list[str]:
    if not case.messages:
        return []
    lines = [f"## {heading(case, 'messages')}", ""]
    for item in case.messages:
        message = item.message
        assert message is not None
        title = report_text.message_heading(case, item, clean=_one_line)
        lines += [f"### {title}", "", *_paragraphs(message.text, quote=True)]
        where = report_text.message_source(case, item, clean=_one_line)
        lines += [where, ""]
        if message.source_sha256:
            lines += [f"{label(case, 'export_file')} `SHA-256 {message.source_sha256}`", ""]
        for exhibit in item.exhibits:
            lines += _exhibit(exhibit, case, link)
    return lines


def _notes(case: CaseFile, link: ExhibitLink | None) -> list[str]:
    items = case.notes + case.others
    if not items:
        return []
    lines = [f"## {heading(case, 'notes')}", ""]
    for item in items:
        lines += [f"### {item.label} · {_one_line(item.when)}", ""]
        lines += _paragraphs(item.note.text if item.note else item.headline)
        colon = case.words.colon
        lines += [f"- **{name}{colon}** {_one_line(value)}" for name, value in item.details]
        if item.details:
            lines.append("")
        if item.quote:
            lines += [f"**{heading(case, 'page_text')}**", "", *_paragraphs(item.quote, quote=True)]
        for exhibit in item.exhibits:
            lines += _exhibit(exhibit, case, link)
    return lines


def _appendix(case: CaseFile, summary: Facts) -> list[str]:
    words = case.words
    lines = [f"## {heading(case, 'appendix')}", "", words(report_text.INTEGRITY), ""]
    if summary.images:
        lines += [words(report_text.REDUCED), ""]
    lines += [f"**{heading(case, 'head_code')}{case.words.colon}** `{case.head_code}`", ""]
    if case.noted_codes:
        lines += [f"**{heading(case, 'noted')}**", ""]
        lines += [
            f"- `{code}`{words.colon} {code_finding(found, words)}"
            for code, found in case.noted_codes
        ]
        lines.append("")
    lines += [f"**{heading(case, 'exhibits')}**", ""]
    for exhibit in case.exhibits:
        line = report_text.appendix_line(case, exhibit, clean=escape)
        line = line.replace(exhibit.label, f"**{exhibit.label}**", 1)
        lines.append(f"- {line}  \n  `SHA-256 {exhibit.sha256}`")
    if not case.exhibits:
        lines.append(report_text.no_exhibits(case))
    lines += ["", f"**{heading(case, 'verify')}**", ""]
    steps = report_text.VERIFY_STEPS
    lines += [f"{number}. {words(step)}" for number, step in enumerate(steps, 1)]
    return [*lines, ""]
