"""The evidence report as HTML: the source of the PDF, and a page the web app can show.

Everything the person wrote is escaped by Jinja's autoescaping; images are referenced as
``exhibit:E-n`` and resolved by the caller (the PDF renderer serves them from memory, the web
app from the vault), so the HTML itself never points at the network or the file system.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ally.documents import report_text
from ally.documents.casefile import CaseFile, code_finding, facts, human_size, plural
from ally.documents.steps import StepTaken, of_case_file

TEMPLATES = Path(__file__).parent / "templates"
PAPER_LETTER_PACKS = ("us", "ca")
"""Jurisdictions (and their sub-packs) that print on US Letter rather than A4."""


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def paper_for(pack_id: str | None) -> str:
    """A4 everywhere except where Letter is the norm (by the pack's country)."""
    if pack_id and pack_id.split("-")[0] in PAPER_LETTER_PACKS:
        return "letter"
    return "A4"


def markup_code(text: str) -> Markup:
    """`command` in the fixed sentences becomes <code>command</code>; everything else escaped."""
    parts = re.split(r"`([^`]+)`", text)
    out = Markup("")
    for index, part in enumerate(parts):
        out += Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
    return out


def _css(paper: str, footer: str) -> str:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    safe_footer = re.sub(r'["\\\n\r]', " ", footer)
    return css.replace("{{ paper }}", paper).replace("{{ footer }}", safe_footer)


def step_line(step: StepTaken) -> str:
    """A step taken as one line: who answered and how, what was done, to whom."""
    text = step.text
    if step.source == "reply":
        text = f"{step.who or 'They'} {step.outcome}: {text}"
    elif step.source == "action" and step.who:
        text += f" (to {step.who})"
    return text


def render_html(case: CaseFile, paper: str = "A4") -> str:
    """The whole report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        case=case,
        facts=facts(case),
        steps=of_case_file(case),
        text=report_text,
        css=Markup(_css(paper, case.title)),
        size=human_size,
        n=plural,
        markup_code=markup_code,
        code_finding=code_finding,
    )
