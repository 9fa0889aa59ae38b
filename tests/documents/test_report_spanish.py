"""The evidence report in Spanish, read as its reader reads it: the PDF with pdftotext, the
DOCX with python-docx, the Markdown as text, and the report downloaded from the web pages.

Every heading and fixed sentence is in Spanish and no English heading is left; the person's
own words stay as written; the declaration is in Spanish where the jurisdiction's wording
allows it (Ally's generic statement, the Australian pointer to the official form) and stays in
its legal English with a Spanish note where the law asks for its own words (a US declaration
under penalty of perjury, the statement of truth of England and Wales, an Irish statutory
declaration).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest
import yaml
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import ally.documents
from ally.documents.casefile import CaseFile, build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.law import LawBook
from ally.documents.letters import pack_folders
from ally.documents.report_docx import render_docx
from ally.documents.report_i18n import CATALOGS, DOMAIN, Words
from ally.documents.report_md import render_markdown
from ally.documents.report_pdf import render_pdf
from ally.documents.report_text import HEADINGS
from ally.knowledge.loader import load_pack
from tests.documents.test_cli import home, run  # noqa: F401  (the CLI's vault fixture)
from tests.documents.test_report_court import (  # noqa: F401  (person: the web fixture)
    GB_WORDS,
    US_WORDS,
    one_incident_at_work,
    pdf_layout,
    pdf_words,
    person,
)
from tests.web.conftest import Browser

DOCUMENTS = Path(ally.documents.__file__).parent
SOURCES = ("casefile.py", "report_text.py", "report_typst.py", "report_md.py", "report_docx.py")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SPANISH_HEADINGS = [
    "Resumen",
    "Índice de pruebas",
    "Cronología",
    "Pasos dados",
    "Incidentes",
    "Mensajes",
    "Anexo de integridad",
    "Cómo comprobarlo",
    "Qué pasó",
]
ENGLISH_HEADINGS = sorted({*HEADINGS.values(), "Evidence report", "Statement of truth"})
WHAT = "He shouted at me in the team meeting."


def catalog(language: str = "es"):  # type: ignore[no-untyped-def]
    with (CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def marked() -> set[str | tuple[str, ...]]:
    keywords = {"N_": None, "words": None, "ngettext": (1, 2)}
    found = set()
    for name in SOURCES:
        for _, message, _, _ in extract_from_file("python", DOCUMENTS / name, keywords=keywords):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def assert_every_report_string_translated(translated) -> None:  # type: ignore[no-untyped-def]
    """Every word the report marks for translation has a translation in TRANSLATED (a
    catalogue), not fuzzy, with every plural form and no placeholder the English lacks."""
    found = marked()
    assert len(found) > 100, "the extractor must find the report's words"
    for message_id in found:
        key = message_id if isinstance(message_id, str) else message_id[0]
        message = translated.get(key)
        assert message is not None and message.string, f"untranslated: {message_id!r}"
        assert not message.fuzzy, message_id
        wanted = set(_PLACEHOLDER.findall(key))
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            assert text, f"a plural form is missing: {message_id!r}"
            assert set(_PLACEHOLDER.findall(text)) <= wanted | {"num"}, message_id


def test_every_report_string_has_a_spanish_translation() -> None:
    assert_every_report_string_translated(catalog())


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_packs_declaration_has_words_in_each_report_language(language: str) -> None:
    """Each declaration's title translated; its wording translated where allowed, or at least
    explained (the wording then stays in the original)."""
    translated = catalog(language)
    files = sorted((DOCUMENTS.parent / "knowledge" / "packs").glob("*/letters/law.yaml"))
    seen = 0
    for path in files:
        declaration = (yaml.safe_load(path.read_text("utf-8")) or {}).get("declaration")
        if not declaration:
            continue
        seen += 1
        title = translated.get(declaration["title"], context="declaration")
        assert title is not None and title.string, path
        for key in ("text", "witness"):
            if declaration.get(key):
                found = [
                    translated.get(declaration[key], context=c)
                    for c in ("declaration", "declaration meaning")
                ]
                assert any(m is not None and m.string for m in found), f"{path}: {key}"
    assert seen >= 6


def report_case(journal: MemoryEvidence, language: str) -> CaseFile:
    """The journal with HR's refusal (a case status and a reply) added, as a report in
    LANGUAGE signed by Alex Doe: what the report tests of each language read."""
    journal.add(
        "case", {"kind": "status", "on": "2026-03-20", "step": "employer-hr", "status": "refused"}
    )
    journal.add(
        "reply",
        {
            "when": {"start": "2026-03-21T10:00:00+00:00"},
            "what": "HR said it was banter.",
            "by": "HR manager",
            "outcome": "refused",
        },
    )
    return build_casefile(journal, zone=dt.UTC, now=NOW, person="Alex Doe", language=language)


def spanish_case(journal: MemoryEvidence, pack_id: str | None = "generic") -> CaseFile:
    case = report_case(journal, "es")
    if pack_id is not None:
        case.declaration = LawBook(pack_folders(load_pack(pack_id).lineage)).declaration
    return case


def heading_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_markdown_in_spanish_has_no_english_heading(journal: MemoryEvidence) -> None:
    text = render_markdown(spanish_case(journal))
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
    bold = re.findall(r"^\*\*([^*]+?):?\*\*", text, re.MULTILINE)
    assert headings[0] == "Informe de pruebas"
    for english in ENGLISH_HEADINGS:
        assert english not in headings and english not in bold, english
    for spanish in ("Resumen", "Índice de pruebas", "Cronología", "Pasos dados", "Incidentes"):
        assert spanish in headings
    assert "- **Dónde:** Office, 3rd floor" in text
    assert "He shouted at me in the team meeting." in text, "the person's words as written"
    assert "HR manager se negó a actuar: HR said it was banter." in text
    assert "| Cuándo | Entrada | Qué | Pruebas |" in text
    assert "Incidente 1" in text and "Incident 1" not in text
    # Ally's own statement translates fully: no English wording left to sign.
    assert "Confirmo que los hechos de este informe son verdaderos" in text
    assert "I confirm that" not in text
    assert "Firma: ..." in text and "Nombre: Alex Doe" in text and "Fecha:" in text


def test_pdf_in_spanish_has_no_english_heading(journal: MemoryEvidence, tmp_path: Path) -> None:
    data = render_pdf(spanish_case(journal))
    lines = heading_lines(pdf_layout(data, tmp_path))
    words = pdf_words(data, tmp_path)
    for english in ENGLISH_HEADINGS:
        assert english not in lines, english
    for spanish in SPANISH_HEADINGS:
        assert spanish in lines, spanish
    assert re.search(r"Página 1 de \d+", words) and "Page 1 of" not in words
    for label in ("Dónde", "Quién", "Testigos", "Registrado"):
        assert label in words
    assert WHAT in words
    assert "Confirmo que los hechos de este informe son verdaderos" in words


def test_docx_in_spanish_has_no_english_heading(journal: MemoryEvidence) -> None:
    document = docx.Document(io.BytesIO(render_docx(spanish_case(journal))))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    for english in ENGLISH_HEADINGS:
        assert english not in headings, english
    for spanish in SPANISH_HEADINGS:
        assert spanish in headings, spanish
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Página ") and " de " in footer
    header_row = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header_row == ["Prueba", "Archivo", "Con", "Registrado", "Página"]


@pytest.mark.parametrize(
    ("pack_id", "title", "wording", "meaning"),
    [
        ("us", "Declaración bajo pena de perjurio", US_WORDS, "Declaro bajo pena de perjurio"),
        ("gb", "Declaración de veracidad", GB_WORDS, "Creo que los hechos expuestos"),
        ("ie", "Declaración jurada", "I do solemnly and sincerely declare", "Declaro solemne"),
    ],
)
def test_legal_wording_stays_in_english_with_a_spanish_note(
    journal: MemoryEvidence, pack_id: str, title: str, wording: str, meaning: str
) -> None:
    """Where the law asks for its own words, the person signs those words, and is told in
    Spanish what they mean and why they are in English."""
    text = " ".join(render_markdown(spanish_case(journal, pack_id)).split())
    assert f"## {title}" in text
    assert wording in text, "the legal wording itself is kept"
    assert "Esta declaración se deja en inglés" in text and meaning in text
    assert "Firma: ..." in text and "Signature:" not in text and "Name:" not in text


def test_australia_points_to_the_form_in_spanish(journal: MemoryEvidence) -> None:
    text = " ".join(render_markdown(spanish_case(journal, "au")).split())
    assert "## Declaración jurada" in text
    assert "Adjunte este informe a ese formulario en lugar de firmar aquí." in text
    assert "Attach this report" not in text and "Firma:" not in text


def test_english_is_unchanged_without_a_language(journal: MemoryEvidence) -> None:
    case = build_casefile(journal, zone=dt.UTC, now=NOW, person="Alex Doe")
    assert case.words == Words("en")
    text = render_markdown(case)
    assert text.startswith("# Evidence report") and "## Summary" in text and "Resumen" not in text


def test_the_web_report_follows_the_persons_language(
    person: Browser,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    one_incident_at_work(person, "gb", "He blocked the door and shouted at me.")
    person.submit("/language", {"lang": "es", "next": "/documents"})
    page = person.open("/documents")
    assert "declaración de veracidad" in page.text
    assert "los títulos del informe están en inglés" not in page.text
    form = {"paper": "A4", "title": "", "name": "Ana Gómez", "since": "", "until": ""}
    markdown = person.post("/documents/report", {**form, "format": "md"}).text
    assert markdown.startswith("# Informe de pruebas")
    assert "## Resumen" in markdown and "## Summary" not in markdown
    assert "Nombre: Ana Gómez" in markdown
    assert GB_WORDS in " ".join(markdown.split()), "the statement of truth stays in English"
    pdf = person.post("/documents/report", {**form, "format": "pdf"})
    lines = heading_lines(pdf_layout(pdf.content, tmp_path))
    assert "Resumen" in lines and "Summary" not in lines


def cli_report(home: Path, out: str, language: str) -> str:  # noqa: F811 - the fixture
    """`ally report --out OUT --language LANGUAGE` with the CLI fixture's answers (England):
    the report's Markdown."""
    result = run(home, "report", "--out", out, "--answers", "answers.yaml", "--language", language)
    assert result.returncode == 0, result.stderr
    return (home / out).read_text(encoding="utf-8")


def test_the_cli_report_in_spanish(home: Path) -> None:  # noqa: F811 - the fixture
    """`ally report --language es`: the same Spanish report from the command line."""
    text = cli_report(home, "informe.md", "es")
    assert text.startswith("# Informe de pruebas")
    assert "## Resumen" in text and "## Summary" not in text
    assert "## Declaración de veracidad" in text
    assert GB_WORDS in " ".join(text.split()) and "Esta declaración se deja en inglés" in text
