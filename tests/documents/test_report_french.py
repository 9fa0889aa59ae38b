"""The evidence report in French, read as its reader reads it: the PDF with pdftotext, the
DOCX with python-docx, the Markdown as text, the report downloaded from the web pages and the
one written by `ally report --language fr`.

Every heading and label is in French and no English one is left; the person's own words stay
as written. Canada's packs have no declaration of their own, so a Canadian report ends with
Ally's generic statement, fully in French. Where the law asks for its own words (a US
declaration under penalty of perjury, the statement of truth of England and Wales, an Irish
statutory declaration) the wording stays in English with a French note saying why and what it
means, as in Spanish.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest

from ally.documents.casefile import CaseFile, build_casefile, human_size
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import report_jurisdiction
from ally.documents.report_docx import render_docx
from ally.documents.report_i18n import REPORT_LANGUAGES, Words, report_language
from ally.documents.report_md import render_markdown
from ally.documents.report_pdf import render_pdf
from ally.documents.report_text import HEADINGS, LABELS
from ally.evidence.snapshot import capture_snapshot
from ally.vault import Vault
from ally.web.i18n import LANGUAGES
from tests.documents.test_cli import home  # noqa: F401  (the CLI's vault fixture)
from tests.documents.test_report_court import (  # noqa: F401  (person: the web fixture)
    GB_WORDS,
    US_WORDS,
    one_incident_at_work,
    pdf_layout,
    pdf_words,
    person,
)
from tests.documents.test_report_spanish import (
    assert_every_report_string_translated,
    catalog,
    cli_report,
    heading_lines,
    report_case,
)
from tests.evidence.test_snapshot import SNAP, URL, vault  # noqa: F401  (a new vault)
from tests.web.conftest import Browser

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
FRENCH_HEADINGS = [
    "Résumé",
    "Liste des pièces",
    "Chronologie",
    "Démarches effectuées",
    "Incidents",
    "Messages",
    "Annexe d'intégrité",
    "Comment vérifier",
    "Ce qui s'est passé",
]
FRENCH_LABELS = ["Date du rapport", "Contenu", "Période", "Pièces", "Code du journal"]
FRENCH_LABELS += ["Où", "Qui", "Témoins", "Enregistré"]
WHAT = "He shouted at me in the team meeting."
STATEMENT = (
    "Je confirme que les faits exposés dans ce rapport sont vrais, au mieux de ma connaissance "
    "et de ma conviction."
)
KEPT = "Cette déclaration est laissée en anglais"


def english_left() -> list[str]:
    """Every English heading and label whose French is a different word (``Incidents`` and
    ``Messages`` are the same in both languages, so finding them proves nothing)."""
    french = Words("fr")
    every = {*HEADINGS.values(), *LABELS.values(), "Evidence report"}
    return sorted(text for text in every if french(text) != text and len(text) > 2)


def flat(text: str) -> str:
    """Spaces collapsed, the no-break space French sets before a colon included."""
    return " ".join(text.split())


def test_every_report_string_has_a_french_translation() -> None:
    french = catalog("fr")
    assert french.num_plurals == 2 and french.plural_expr == "(n > 1)"
    assert_every_report_string_translated(french)


def test_french_counts_zero_and_one_as_singular() -> None:
    words = Words("fr")
    assert words.ngettext("%(num)s exhibit", "%(num)s exhibits", 0) == "0 pièce"
    assert words.ngettext("%(num)s exhibit", "%(num)s exhibits", 1) == "1 pièce"
    assert words.ngettext("%(num)s exhibit", "%(num)s exhibits", 2) == "2 pièces"


@pytest.mark.parametrize(
    ("language", "sizes"),
    [
        ("en", ["0 bytes", "1 byte", "1023 bytes", "1.5 KB", "2.0 MB", "3.0 GB"]),
        ("es", ["0 bytes", "1 byte", "1023 bytes", "1,5 KB", "2,0 MB", "3,0 GB"]),
        ("fr", ["0 octet", "1 octet", "1023 octets", "1,5 Ko", "2,0 Mo", "3,0 Go"]),
    ],
)
def test_file_sizes_in_the_reports_language(language: str, sizes: list[str]) -> None:
    words = Words(language)
    found = [flat(human_size(n, words)) for n in (0, 1, 1023, 1536, 2 * 1024**2, 3 * 1024**3)]
    assert found == sizes


def test_every_interface_language_has_the_report_in_it() -> None:
    """The documents page no longer warns that the report's headings are English: that holds
    only while each language the web offers has the report's words too."""
    assert "fr" in REPORT_LANGUAGES
    for language in LANGUAGES:
        assert report_language(language) == language
    assert report_language("fr-CA") == "fr"


def french_case(journal: MemoryEvidence, pack_id: str | None = "ca") -> CaseFile:
    case = report_case(journal, "fr")
    if pack_id is not None:
        report_jurisdiction(case, pack_id)
    return case


def test_markdown_in_french_has_no_english_heading_or_label(journal: MemoryEvidence) -> None:
    text = render_markdown(french_case(journal))
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
    bold = [flat(b) for b in re.findall(r"\*\*([^*]+?)\s*:?\*\*", text)]
    assert headings[0] == "Rapport de preuves"
    for english in english_left():
        assert english not in headings and english not in bold, english
    for french in ("Résumé", "Liste des pièces", "Chronologie", "Démarches effectuées"):
        assert french in headings
    for label in FRENCH_LABELS:
        assert label in bold, label
    words = flat(text)
    assert "Journal tenu par Alex Doe" in words
    assert "- **Droit applicable :** Canada (fédéral)" in words
    assert "- **Pièces :** 3 fichiers (33,7 Ko) ; reproduits en image : 2" in words
    assert "screenshot.png · image/png · 1,9 Ko · enregistré le" in words and " KB" not in text
    assert "- **Où :** Office, 3rd floor" in words
    assert WHAT in text, "the person's words as written"
    assert "HR manager a refusé d'agir : HR said it was banter." in words
    # The case tracker's step is named by the pack's French title, not its id.
    assert "Déposez une plainte officielle aux ressources humaines : refus d'agir" in words
    assert "Employer hr" not in text
    assert "| Quand | Entrée | Quoi | Pièces |" in text
    assert "Réponse 1" in text and "Reply 1" not in text
    assert "Incident 1" in text
    # Canada's packs use Ally's own statement, which translates fully: nothing English to sign.
    assert "## Déclaration" in text and STATEMENT in words
    assert "I confirm that" not in text and KEPT not in words
    assert "Signature : ..." in words and "Nom : Alex Doe" in words and "Date :" in words
    assert "Signature:" not in words and "Name:" not in words


def test_pdf_in_french_has_no_english_heading_or_label(
    journal: MemoryEvidence, tmp_path: Path
) -> None:
    data = render_pdf(french_case(journal))
    lines = heading_lines(pdf_layout(data, tmp_path))
    words = pdf_words(data, tmp_path)
    for english in english_left():
        assert english not in lines, english
        assert not any(line.startswith(english + " ") for line in lines), english
    for french in FRENCH_HEADINGS:
        assert french in lines, french
    assert re.search(r"Page 1 sur \d+", words) and "Page 1 of" not in words
    for label in FRENCH_LABELS:
        assert label in words, label
    assert WHAT in words
    assert "Journal tenu par Alex Doe" in words
    assert STATEMENT in words and "Nom : Alex Doe" in words


def test_docx_in_french_has_no_english_heading_or_label(journal: MemoryEvidence) -> None:
    document = docx.Document(io.BytesIO(render_docx(french_case(journal))))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    bold = [
        flat(run.text).rstrip(" :")
        for p in document.paragraphs
        for run in p.runs
        if run.bold and run.text.strip()
    ]
    for english in english_left():
        assert english not in headings and english not in bold, english
    for french in FRENCH_HEADINGS:
        assert french in headings, french
    for label in ("Où", "Qui", "Témoins", "Enregistré"):
        assert label in bold, label
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Page ") and " sur " in footer
    header_row = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header_row == ["Pièce", "Fichier", "Avec", "Enregistré", "Page"]
    body = flat("\n".join(p.text for p in document.paragraphs))
    assert WHAT in body and STATEMENT in body
    # Word checks the spelling in French, not in the blank document's US English.
    proofing = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert proofing == ["fr-FR"] and document.core_properties.language == "fr-FR"


@pytest.mark.parametrize(("language", "proofing"), [("en", "en-US"), ("es", "es-ES")])
def test_docx_spelling_language_follows_the_report(
    journal: MemoryEvidence, language: str, proofing: str
) -> None:
    case = build_casefile(journal, zone=dt.UTC, now=NOW, language=language)
    document = docx.Document(io.BytesIO(render_docx(case)))
    found = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert found == [proofing]


@pytest.mark.parametrize(
    ("pack_id", "title", "wording", "meaning"),
    [
        ("us", "Déclaration sous peine de parjure", US_WORDS, "Je déclare sous peine de parjure"),
        ("gb", "Déclaration de véracité", GB_WORDS, "Je crois que les faits exposés"),
        ("ie", "Déclaration solennelle", "I do solemnly and sincerely declare", "Je déclare"),
    ],
)
def test_legal_wording_stays_in_english_with_a_french_note(
    journal: MemoryEvidence, pack_id: str, title: str, wording: str, meaning: str
) -> None:
    """Where the law asks for its own words, the person signs those words, and is told in
    French what they mean and why they are in English."""
    text = flat(render_markdown(french_case(journal, pack_id)))
    assert f"## {title}" in text
    assert wording in text, "the legal wording itself is kept"
    assert f"{KEPT}, dans les termes exacts" in text
    assert f"En français, elle dit : « {meaning}" in text
    assert "Signature : ..." in text and "Signature:" not in text and "Name:" not in text


def test_australia_points_to_the_form_in_french(journal: MemoryEvidence) -> None:
    text = flat(render_markdown(french_case(journal, "au")))
    assert "## Déclaration solennelle" in text
    assert "Joignez ce rapport à ce formulaire au lieu de signer ici." in text
    assert "Attach this report" not in text and "Signature :" not in text


SNAPSHOT_ENGLISH = ("Address", "Address from", "Captured", "Page title", "Saved page")
SNAPSHOT_ENGLISH += ("Screenshot", "Page text", "Resources in the file")


@pytest.mark.parametrize(
    ("language", "labels", "page", "captured"),
    [
        ("fr", ("Adresse", "Adresse tirée de", "Titre de la page"), "Page web", "Capture"),
        (
            "es",
            ("Dirección", "Dirección tomada de", "Título de la página"),
            "Página web",
            "Captura",
        ),
    ],
)
def test_a_saved_web_page_is_described_in_the_reports_language(
    vault: Vault,  # noqa: F811 - the fixture
    tmp_path: Path,
    language: str,
    labels: tuple[str, ...],
    page: str,
    captured: str,
) -> None:
    """A web page kept as evidence: its facts (address, capture time, files) are labelled in
    the report's language; the address, title and where each fact was read from stay as
    recorded."""
    capture_snapshot(vault, SNAP / "forum-post-singlefile.html", SNAP / "screenshot.png")
    case = build_casefile(vault, zone=dt.UTC, now=NOW, language=language)
    text = flat(render_markdown(case))
    bold = [flat(b).rstrip(" :") for b in re.findall(r"\*\*([^*]+?)\*\*", text)]
    for english in SNAPSHOT_ENGLISH:
        assert english not in bold, english
    for label in labels:
        assert label in bold, label
    colon = " :" if language == "fr" else ":"
    assert f"**{labels[0]}{colon}** {URL}" in text
    assert f"**{captured}{colon}** 2026-12-03 21:47" in text
    assert "SingleFile's “saved date” comment" in text, "where it was read from, as recorded"
    assert f"| {page}{colon} " in text and "Web page:" not in text
    words = pdf_words(render_pdf(case), tmp_path)
    assert f"{page}{colon}" in words and labels[1] in words and "Address from" not in words


def test_the_web_report_in_french(person: Browser, tmp_path: Path) -> None:  # noqa: F811
    """A French-speaking person in Canada: the documents page offers the report without the
    old 'headings in English' warning, and every format downloads in French."""
    one_incident_at_work(person, "ca", "Il a bloqué la porte et m'a crié dessus.")
    person.submit("/language", {"lang": "fr", "next": "/documents"})
    page = person.open("/documents")
    start = page.text.index('id="report-heading"')
    report = page.text[start : page.text.index("</section>", start)]
    assert "Rapport de preuves" in report and "Télécharger le rapport" in report
    assert "déclaration de véracité" in report, "named as the report names it"
    assert "Les titres du rapport sont en anglais" not in page.text
    assert "anglais" not in report, "nothing in the report section says it is in English"
    form = {"paper": "letter", "title": "", "name": "Léa Tremblay", "since": "", "until": ""}
    markdown = person.post("/documents/report", {**form, "format": "md"}).text
    assert markdown.startswith("# Rapport de preuves")
    assert "## Résumé" in markdown and "## Summary" not in markdown
    assert "Il a bloqué la porte et m'a crié dessus." in markdown
    assert STATEMENT in flat(markdown) and "Nom : Léa Tremblay" in flat(markdown)
    assert "**Droit applicable :** Canada (fédéral)" in flat(markdown)
    pdf = person.post("/documents/report", {**form, "format": "pdf"})
    lines = heading_lines(pdf_layout(pdf.content, tmp_path))
    assert "Résumé" in lines and "Summary" not in lines
    document = docx.Document(
        io.BytesIO(person.post("/documents/report", {**form, "format": "docx"}).content)
    )
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Chronologie" in headings and "Timeline" not in headings


def test_the_cli_report_in_french(home: Path) -> None:  # noqa: F811 - the fixture
    """`ally report --language fr`: a French report from the command line; the answers are
    for England, so the statement of truth stays English with its French note."""
    text = cli_report(home, "rapport.md", "fr")
    assert text.startswith("# Rapport de preuves")
    assert "## Résumé" in text and "## Summary" not in text
    assert "## Déclaration de véracité" in text
    assert GB_WORDS in flat(text) and KEPT in flat(text)
