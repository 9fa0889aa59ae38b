"""Every letter every pack can produce, in every language the pack is offered in (issue 20).

The walk drafts each letter of each pack (the answer sets of test_letters bring every step
into some plan) in Spanish, and in French for the packs Canada's bilingual services need, with
every detail known and a full journal. A letter fails if it came back in English (the draft
falls back to the pack's language when a template has no translation), or if any sentence of
an English template is left in it. The content tests read the translated letters as their
recipients do: the recipient, the conduct and the law are named in the letter's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest
import yaml

from ally.documents.drafting import Draft, DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import (
    STANDALONE,
    SUBJECT,
    LetterDetails,
    find_placeholders,
    letter_steps,
)
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import BUILTIN_PACKS, load_pack
from tests.documents.conftest import fill
from tests.documents.test_letters import FULL, PACKS, TODAY, answer_sets
from tests.documents.test_spanish_letters import DETAILS as SPANISH_DETAILS
from tests.documents.test_spanish_letters import at
from tests.documents.test_spanish_letters import journal as spanish_journal

FRENCH = ["generic", "ca", "ca-on"]
WALK = [(pack_id, "es") for pack_id in PACKS] + [(pack_id, "fr") for pack_id in FRENCH]
LANGUAGES = ("es", "fr")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@functools.cache
def english_sentences() -> frozenset[str]:
    """The fixed wording of every English template: each run of text between template tags
    with at least four words (shorter runs are names, labels and punctuation)."""
    found: set[str] = set()
    for path in BUILTIN_PACKS.glob("*/letters/**/*.md.j2"):
        if set(path.relative_to(BUILTIN_PACKS).parts) & set(LANGUAGES):
            continue
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        for line in text.splitlines():
            for piece in _TAG.split(line):
                piece = piece.strip(" -:,.()\"'")
                if len(re.findall(r"[A-Za-z]+", piece)) >= 4:
                    found.add(piece)
    return frozenset(found)


def journal() -> MemoryEvidence:
    filled = MemoryEvidence("6-K7Q3-9XRT-M2PA-HW4D")
    fill(filled)
    return filled


def every_letter(pack_id: str, language: str, known: bool = True) -> list[Draft]:
    """Each letter the pack can produce, once, in ``language``: with every detail and a full
    journal, or (``known=False``) with nothing known at all."""
    pack = load_pack(pack_id, language)
    source = journal() if known else MemoryEvidence()
    details = FULL if known else LetterDetails()
    made: dict[str, Draft] = {}
    for raw in answer_sets(load_pack(pack_id)):
        answers = normalise_answers(pack, raw)
        plan = build_plan(pack, answers, TODAY)
        for target in [step.id for step, _ in letter_steps(plan)] + list(STANDALONE):
            if target not in made:
                request = DraftRequest(details=details, language=language, zone=dt.UTC)
                made[target] = draft(
                    pack, plan, target, source, request, answers=answers, today=TODAY
                )
    return list(made.values())


@pytest.mark.parametrize(("pack_id", "language"), WALK, ids=[f"{p}-{lang}" for p, lang in WALK])
def test_no_letter_falls_back_to_english(pack_id: str, language: str) -> None:
    drafts = every_letter(pack_id, language)
    assert len(drafts) >= 10, "the walk found too few letters to be a walk"
    english = english_sentences()
    for made in drafts:
        letter = made.letter
        where = (pack_id, language, made.step.id if made.step else made.kind.id)
        assert letter.language == language and not letter.untranslated, where
        assert f"/letters/{language}/" in letter.template, (where, letter.template)
        colon = " : " if language == "fr" else ": "
        assert letter.text().startswith(SUBJECT[language] + colon), where
        said = letter.text() + letter.guide
        left = sorted(sentence for sentence in english if sentence in said)
        assert not left, (where, left)
        for told in letter.notes:  # what the person is told beside the draft
            assert not ENGLISH_WORDS.findall(told), (where, told)


@pytest.mark.parametrize(("pack_id", "language"), WALK, ids=[f"{p}-{lang}" for p, lang in WALK])
def test_translated_letters_have_no_gap_when_nothing_is_known(pack_id: str, language: str) -> None:
    """With no details and an empty journal a translated template still fills every line:
    no placeholder, no 'None', and still no English (the fallbacks in it are translated too)."""
    english = english_sentences()
    for made in every_letter(pack_id, language, known=False):
        letter = made.letter
        where = (pack_id, language, made.step.id if made.step else made.kind.id)
        said = letter.text() + letter.guide
        assert letter.language == language and not letter.gaps, (where, letter.gaps)
        assert not find_placeholders(said) and not re.findall(r"\bNone\b", said), where
        assert letter.subject and letter.body.strip(), where
        assert not sorted(sentence for sentence in english if sentence in said), where


def test_english_sentences_are_found() -> None:
    """The check above has something to look for (a regex that matched nothing would pass)."""
    english = english_sentences()
    assert "I am writing to tell you to stop harassing me" in english
    assert "Please reply in writing by" in english
    assert len(english) > 150


# --- what the recipient reads ------------------------------------------------------------------

WORK = {
    "in_danger_now": "no",
    "context": ["work"],
    "sexual": "yes",
    "harasser": ["coworker"],
    "federal_employee": "no",
    "federally_regulated": "no",
    "employer_size": 40,
    "in_nyc": "yes",
}
FEDERAL = {**WORK, "federally_regulated": "yes"}
NAMED = SPANISH_DETAILS.model_copy(update={"recipient_name": "Jo Smith"})
ENGLISH_WORDS = re.compile(r"\b(?:I|you|your|the|please|with|this|have|from|would)\b")
"""English words outside the names of laws and organisations (removed before looking)."""


def french_journal() -> MemoryEvidence:
    """The Spanish test's journal, told in French (the person writes in their language)."""
    found = MemoryEvidence()

    found.add(
        "incident",
        {
            "when": at(8, 3),
            "what": "Sam Reyes m'a touché le dos au bureau.",
            "tags": ["sexual"],
            "contexts": ["work"],
        },
    )
    found.add(
        "incident",
        {
            "when": at(8, 9),
            "what": "Il a publié https://bad.test/post/1 sur moi.",
            "contexts": ["online"],
        },
    )
    found.add(
        "action",
        {
            "when": at(8, 12),
            "what": "J'ai porté plainte aux ressources humaines par courriel.",
            "to": "Ressources humaines",
            "kind": "complained",
            "contexts": ["work"],
        },
    )
    found.add(
        "reply",
        {
            "when": at(8, 20),
            "what": "Ils ont dit que ce n'était pas du harcèlement.",
            "by": "Ressources humaines",
            "outcome": "refused",
            "reference": "RH-88",
            "contexts": ["work"],
        },
    )
    return found


def one_letter(pack_id: str, language: str, target: str, raw: dict[str, object]) -> str:
    pack = load_pack(pack_id, language)
    known = {question.id for question in pack.questions}
    answers = normalise_answers(pack, {k: v for k, v in raw.items() if k in known})
    plan = build_plan(pack, answers, TODAY)
    request = DraftRequest(details=NAMED, language=language, zone=dt.UTC)
    source = spanish_journal() if language == "es" else french_journal()
    made = draft(pack, plan, target, source, request, answers=answers, today=TODAY)
    assert made.letter.language == language and not made.letter.untranslated
    return made.letter.text()


SPANISH_CASES = [
    # pack, target, answers, the recipient, the conduct, the law (its official name kept)
    (
        "gb",
        "employer-hr",
        WORK,
        "Estimado/a Jo Smith:",
        "Queja formal por acoso sexual (conducta no deseada de naturaleza sexual)",
        "La Equality Act 2010 (Ley de Igualdad de 2010), artículo 26 (acoso): Es acoso ilícito",
    ),
    (
        "gb",
        "agency-complaint",
        WORK,
        "Para: Acas (conciliación previa, early conciliation)",
        "4. Asunto: acoso sexual",
        "La Equality Act 2010 (Ley de Igualdad de 2010), artículo 26 (acoso)",
    ),
    (
        "ie",
        "employer-supervisor",
        WORK,
        "Estimado/a Jo Smith:",
        "sufro acoso sexual en el trabajo por parte de Sam Reyes",
        "Leyes de Igualdad en el Empleo de 1998 a 2015), artículo 14A (acoso y acoso sexual)",
    ),
    (
        "ie",
        "agency-complaint",
        WORK,
        "Para: Workplace Relations Commission (WRC, Comisión de Relaciones Laborales)",
        "queja por acoso sexual contra Acme Inc",
        "Employment Equality Acts 1998 to 2015",
    ),
    (
        "au",
        "employer-hr",
        WORK,
        "Estimado/a Jo Smith:",
        "Presento una queja formal por acoso sexual en el trabajo",
        "La Sex Discrimination Act 1984 (Cth) (Ley de Discriminación por Sexo de 1984), "
        "artículo 28B (acoso sexual en el trabajo)",
    ),
    (
        "ca",
        "employer-hr",
        FEDERAL,
        "Estimado/a Jo Smith:",
        "Presento una queja formal por acoso sexual en el trabajo",
        "Canadian Human Rights Act / Loi canadienne sur les droits de la personne",
    ),
    (
        "ca",
        "federal-notice",
        FEDERAL,
        "Estimado/a Jo Smith:",
        "Parte responsable (la persona que lo causó): Sam Reyes",
        "Canada Labour Code (Code canadien du travail)",
    ),
    (
        "ca-on",
        "agency-complaint",
        WORK,
        "Para: Human Rights Tribunal of Ontario / Tribunal des droits de la personne de l'Ontario",
        "queja por acoso sexual contra Acme Inc",
        "Ontario Human Rights Code / Code des droits de la personne",
    ),
    (
        "us-ny",
        "nys-dhr-complaint",
        WORK,
        "Para: New York State Division of Human Rights",
        "queja por acoso sexual contra Acme Inc",
        "Ley de Derechos Humanos del Estado de Nueva York (New York State Human Rights Law), "
        "Executive Law, artículo 15, § 296",
    ),
    (
        "us-ny",
        "employer-hr",
        WORK,
        "Estimado/a Jo Smith:",
        "Presento una queja formal por acoso sexual en el trabajo",
        "La Ley de Derechos Humanos del Estado de Nueva York (New York State Human Rights Law)"
        ", Executive Law, artículo 15, § 296: Prohíbe el acoso",
    ),
    (
        "us-tx",
        "twc-complaint",
        WORK,
        "Para: Texas Workforce Commission, Civil Rights Division",
        "queja por acoso sexual contra Acme Inc",
        "capítulo 21 del Código del Trabajo de Texas (Chapter 21 of the Texas Labor Code), "
        "subcapítulo C-1 (acoso sexual)",
    ),
]


FRENCH_CASES = [
    (
        "generic",
        "employer-hr",
        WORK,
        "Bonjour Jo Smith,",
        "Objet : Plainte officielle pour harcèlement sexuel (Rosa Díaz)",
        "politique contre le harcèlement ou de traitement des plaintes de l'organisation Acme Inc",
    ),
    (
        "generic",
        "employer-supervisor",
        WORK,
        "Bonjour Jo Smith,",
        "des faits de harcèlement sexuel que je subis au travail de la part de Sam Reyes",
        "Ressources humaines a refusé d'agir. Ils ont dit que ce n'était pas du harcèlement. "
        "Référence : RH-88.",
    ),
    (
        "ca",
        "federal-notice",
        FEDERAL,
        "Bonjour Jo Smith,",
        "Partie intimée (la personne responsable) : Sam Reyes",
        "en vertu du Code canadien du travail et du Règlement sur la prévention du harcèlement "
        "et de la violence dans le lieu de travail",
    ),
    (
        "ca",
        "employer-hr",
        FEDERAL,
        "Bonjour Jo Smith,",
        "Je dépose une plainte officielle pour harcèlement sexuel au travail",
        "La Loi canadienne sur les droits de la personne, article 14 (harcèlement) et article "
        "14.1 (représailles) : Le harcèlement fondé sur un motif de distinction illicite",
    ),
    (
        "ca",
        "chrc-complaint",
        FEDERAL,
        "Destinataire : Commission canadienne des droits de la personne",
        "4. Objet : harcèlement sexuel",
        "- La Loi canadienne sur les droits de la personne, article 14",
    ),
    (
        "ca-on",
        "employer-hr",
        WORK,
        "Bonjour Jo Smith,",
        "Je dépose une plainte officielle pour harcèlement sexuel au travail",
        "Le Code des droits de la personne de l'Ontario, paragraphe 5 (2) et article 7",
    ),
    (
        "ca-on",
        "agency-complaint",
        WORK,
        "Destinataire : Tribunal des droits de la personne de l'Ontario",
        "Plainte pour harcèlement sexuel contre Acme Inc",
        "- Le Code des droits de la personne de l'Ontario, paragraphe 5 (2)",
    ),
]


SUBJECT_LINE = {"es": "Asunto: ", "fr": "Objet : "}
OFFICIAL_ENGLISH = ("Equality Act", "Employment Equality Acts", "Sex Discrimination Act", "Acas")
"""Official English names a Spanish letter keeps (besides those it gives in brackets)."""
LETTER_CASES = [("es", *case) for case in SPANISH_CASES] + [("fr", *case) for case in FRENCH_CASES]


def english_words(text: str, language: str) -> list[str]:
    """English words in a translated letter; a Spanish letter gives the official English names
    of laws and bodies in brackets or as they are, and those are not counted."""
    if language == "es":
        text = re.sub(r"\([^)]*\)", " ", text)
        for name in OFFICIAL_ENGLISH:
            text = text.replace(name, " ")
    return ENGLISH_WORDS.findall(text)


@pytest.mark.parametrize(
    ("language", "pack_id", "target", "answers", "recipient", "conduct", "law"),
    LETTER_CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in LETTER_CASES],
)
def test_translated_letter_names_recipient_conduct_and_law(
    language: str,
    pack_id: str,
    target: str,
    answers: dict[str, object],
    recipient: str,
    conduct: str,
    law: str,
) -> None:
    text = one_letter(pack_id, language, target, answers)
    assert text.startswith(SUBJECT_LINE[language])
    assert recipient in text and conduct in text and law in text, text
    if not target.endswith("complaint"):  # an agency's intake may carry every incident
        assert "bad.test" not in text, "the online incident stays out of a letter about work"
    assert not english_words(text, language), (pack_id, target, english_words(text, language))


# --- the law's words ---------------------------------------------------------------------------

LAW_FILES = sorted(BUILTIN_PACKS.glob("*/letters/law.yaml"))


def _law_languages(pack_id: str) -> list[str]:
    return ["es", "fr"] if pack_id in FRENCH else ["es"]


@pytest.mark.parametrize("path", LAW_FILES, ids=[p.parent.parent.name for p in LAW_FILES])
def test_every_law_file_is_translated_whole(path: Path) -> None:
    """A law sentence with no translation would be left out of the letter silently (and its
    name printed in English), so every item a pack's law.yaml has needs its words in every
    language the pack's letters are offered in."""
    english = yaml.safe_load(path.read_text(encoding="utf-8"))
    pack_id = path.parent.parent.name
    for language in _law_languages(pack_id):
        translated = path.parent / language / "law.yaml"
        assert translated.is_file(), f"{pack_id} has no {language}/law.yaml"
        words = yaml.safe_load(translated.read_text(encoding="utf-8"))
        where = f"{pack_id}/{language}"
        assert set(english.get("conduct", {})) <= set(words.get("conduct", {})), where
        for law_id, law in english.get("laws", {}).items():
            said = words.get("laws", {}).get(law_id, {})
            assert said.get("name"), (where, law_id, "name")
            assert bool(said.get("says")) == bool(law.get("says")), (where, law_id, "says")
            if re.search(r"\([a-z]", law.get("cite", "")) or " and " in law.get("cite", ""):
                assert said.get("cite"), (where, law_id, "cite has English words")
        for agency_id, agency in english.get("agencies", {}).items():
            told = words.get("agencies", {}).get(agency_id, {})
            for field in ("dual_says", "dual_with"):
                if agency.get(field):
                    assert told.get(field), (where, agency_id, field)
            if agency.get("respondent", "employer") != "employer":
                assert told.get("respondent"), (where, agency_id, "respondent")
        if english.get("policy"):
            assert words.get("policy"), (where, "policy")


# --- English left on purpose is announced ------------------------------------------------------

ON_PURPOSE = [
    # pack, language, target, what the guide says about the English left in or needed
    (
        "generic",
        "es",
        "platform-report",
        "las instrucciones de la plataforma que siguen están en inglés",
    ),
    (
        "generic",
        "fr",
        "platform-report",
        "les instructions de la plateforme ci-dessous sont en anglais",
    ),
    (
        "ca",
        "fr",
        "intimate-image-removal",
        "les instructions de la plateforme ci-dessous sont en anglais",
    ),
    ("gb", "es", "protection-order", "presente la declaración en inglés"),
    ("ie", "es", "protection-order", "la solicitud se hace en inglés"),
    ("us-ca", "es", "civil-harassment-order", "El formulario se presenta en inglés"),
    ("ca", "es", "federal-notice", "envíe la versión en inglés o en francés"),
]


@pytest.mark.parametrize(
    ("pack_id", "language", "target", "said"),
    ON_PURPOSE,
    ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in ON_PURPOSE],
)
def test_english_left_on_purpose_is_said_in_the_persons_language(
    pack_id: str, language: str, target: str, said: str
) -> None:
    """A platform's own reporting steps are quoted in English, and a court form is filed in
    the court's language: the person is told, in their language, in the draft's guide."""
    found = {
        (made.step.id if made.step else made.kind.id): made
        for made in every_letter(pack_id, language)
    }
    made = found[target]
    assert made.letter.language == language
    assert said in made.letter.guide, made.letter.guide


@pytest.mark.parametrize(
    ("language", "said"), [("es", "indicado por usted"), ("fr", "indiqué par vous")]
)
def test_the_abuse_contact_you_gave_is_named_in_your_language(language: str, said: str) -> None:
    pack = load_pack("generic", language)
    answers = normalise_answers(pack, {"in_danger_now": "no", "context": ["online"]})
    plan = build_plan(pack, answers, TODAY)
    details = FULL.model_copy(update={"abuse_contact": "abuse@host.example"})
    request = DraftRequest(details=details, language=language, zone=dt.UTC)
    made = draft(pack, plan, "host-abuse-report", journal(), request, answers=answers, today=TODAY)
    assert f"abuse@host.example ({said})" in made.letter.guide
    assert "given by you" not in made.letter.guide
