"""Letters in Spanish, read as their recipients read them (issue 20).

A Spanish-speaking person in California (and one in Alaska, whose pack is generated) gets
the HR complaint, the agency intakes, the letter to the landlord and to a bar, the platform
and host reports and the police summary in Spanish: with the conduct named, the recipient,
the law, the steps taken, and no English sentence in the middle of the Spanish.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ally.documents.drafting import Draft, DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import LetterDetails, LetterPart
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack

TODAY = dt.date(2026, 11, 25)
ENGLISH = ("Subject:", "Dear ", "I am ", "Please ", "Yours sincerely", "What happened", " I ")
"""English sentences; the official names of laws keep their English in brackets."""
DETAILS = LetterDetails(
    your_name="Rosa Díaz",
    your_email="rosa@correo.test",
    your_phone="+1 555 0199",
    your_address="12 Calle Olmo, Fresno",
    organisation="Acme Inc",
    harasser="Sam Reyes",
    harasser_account="@sam_reyes",
    links=["https://bad.test/post/1"],
    letters={
        "housing-complaint": LetterPart(organisation="Oak Lettings"),
        "venue-management": LetterPart(organisation="El Bar Azul"),
    },
)


def at(month: int, day: int) -> dict[str, str]:
    """A 2026 evening (21:00 UTC): when the person's entries happened."""
    return {"start": dt.datetime(2026, month, day, 21, 0, tzinfo=dt.UTC).isoformat()}


def journal() -> MemoryEvidence:
    found = MemoryEvidence()

    found.add(
        "incident",
        {
            "when": at(8, 3),
            "what": "Sam Reyes me tocó la espalda en la oficina.",
            "tags": ["sexual"],
            "contexts": ["work"],
        },
    )
    found.add(
        "incident",
        {
            "when": at(8, 9),
            "what": "Publicó https://bad.test/post/1 sobre mí.",
            "contexts": ["online"],
        },
    )
    found.add(
        "incident",
        {"when": at(8, 11), "what": "El portero me insultó en la entrada.", "contexts": ["venue"]},
    )
    found.add(
        "action",
        {
            "when": at(8, 12),
            "what": "Presenté una queja a Recursos Humanos por correo.",
            "to": "Recursos Humanos",
            "kind": "complained",
            "contexts": ["work"],
        },
    )
    found.add(
        "reply",
        {
            "when": at(8, 20),
            "what": "Dijeron que no era acoso.",
            "by": "Recursos Humanos",
            "outcome": "refused",
            "reference": "HR-88",
            "contexts": ["work"],
        },
    )
    return found


def letter(pack_id: str, target: str, details: LetterDetails = DETAILS) -> Draft:
    pack = load_pack(pack_id, "es")
    raw = {
        "in_danger_now": "no",
        "context": ["work", "housing", "venue", "online"],
        "online_where": ["website", "social"],
        "sexual": "yes",
        "protected_ground": "yes",
        "harasser": ["coworker"],
        "employer_size": 40,
        "stalking": "yes",
        "threats": "yes",
    }
    known = {question.id for question in pack.questions}
    answers = normalise_answers(pack, {k: v for k, v in raw.items() if k in known})
    plan = build_plan(pack, answers, TODAY)
    request = DraftRequest(details=details, language="es", zone=dt.UTC)
    return draft(pack, plan, target, journal(), request, answers=answers, today=TODAY)


def spanish(made: Draft) -> str:
    text = made.letter.text()
    assert made.letter.language == "es" and not made.letter.untranslated
    assert text.startswith("Asunto: ")
    for word in ENGLISH:
        assert word not in text, (made.kind.id, word)
    return text


def test_hr_complaint_names_the_conduct_the_law_and_the_steps_taken() -> None:
    text = spanish(letter("us-ca", "employer-hr"))
    assert text.startswith("Asunto: Queja formal por acoso sexual")
    assert "Acme Inc" in text and "Al departamento de Recursos Humanos" in text
    assert "política contra el acoso o de reclamaciones de Acme Inc" in text
    assert "Ley de Empleo y Vivienda Justos de California" in text and "Título VII" in text
    assert "Recursos Humanos se negó a actuar. Dijeron que no era acoso. Referencia: HR-88." in text
    assert "portero" not in text and "bad.test" not in text, "other places stay out"


def test_agency_intake_goes_to_the_agency_with_the_law_and_dual_filing() -> None:
    text = spanish(letter("us-ca", "crd-complaint"))
    assert "Para: California Civil Rights Department (CRD)" in text
    assert "queja por acoso sexual" in text and "contra Acme Inc" in text
    assert "8. La ley" in text and "(California Fair Employment and Housing Act, FEHA)" in text
    assert "se presenta a la vez ante la EEOC" in text
    assert "Número de empleados: unos 40" in text


def test_state_housing_intake_in_spanish_names_the_landlord_not_the_employer() -> None:
    text = spanish(letter("us-ak", "state-housing-complaint"))
    assert "Para: Alaska State Commission for Human Rights" in text
    assert "Organización: Oak Lettings" in text, "the landlord named in the landlord's letter"
    assert "Acme" not in text and "Número de empleados" not in text
    unnamed = DETAILS.model_copy(update={"letters": {}})
    text = spanish(letter("us-ak", "state-housing-complaint", unnamed))
    assert "Organización: el casero o quien gestiona la vivienda; daré su nombre" in text
    assert "Acme" not in text
    named = letter("us-ak", "hud-fair-housing-complaint").letter.text()
    assert "Ley de Vivienda Justa (Fair Housing Act)" in named


def test_landlord_and_venue_letters() -> None:
    housing = spanish(letter("us-ca", "housing-complaint"))
    assert housing.startswith("Asunto: Acoso en mi vivienda")
    assert "Oak Lettings" in housing and "Acme" not in housing
    venue = spanish(letter("us-ca", "venue-management"))
    assert "Asunto: Acoso en El Bar Azul" in venue
    assert "El portero me insultó en la entrada." in venue
    assert "grabaciones de las cámaras" in venue and "oficina" not in venue


@pytest.mark.parametrize("target", ["platform-report", "host-abuse-report"])
def test_service_reports_in_spanish_carry_only_the_content(target: str) -> None:
    made = letter("us-ca", target)
    text = spanish(made)
    assert "https://bad.test/post/1" in text
    for private in ("Calle Olmo", "555 0199", "Acme", "oficina", "portero", "HR-88"):
        assert private not in text, (target, private)
    if target == "platform-report":
        assert text.startswith("Asunto: Denuncia de acoso por parte de @sam_reyes")
        assert "Les pido que retiren el contenido" in text
    else:
        assert text.startswith("Asunto: Informe de abuso: acoso en bad.test")
        assert "política de uso aceptable" in text
        assert "reenviar los informes de abuso" in made.letter.guide


def test_police_summary_in_spanish() -> None:
    text = spanish(letter("us-ca", "police-report"))
    assert text.startswith("Asunto: Resumen para la policía: acoso y hostigamiento persistente")
    assert "Quiero denunciar" in text and "por parte de Sam Reyes" in text
    assert "He recibido amenazas." in text
    assert "número de referencia" in text


def test_guides_in_spanish_name_no_terminal_command() -> None:
    for target in ("employer-hr", "crd-complaint", "host-abuse-report", "police-report"):
        guide = letter("us-ca", target).letter.guide
        assert "--" not in guide and "ally " not in guide, target


def test_case_statuses_read_in_spanish() -> None:
    """A step marked on the case tracker reads in Spanish too, with the person's own words."""
    from ally.documents.casefile import build_casefile
    from ally.documents.letters import KIND_BY_ID, LetterInput, render_letter
    from ally.documents.steps import StepTaken

    refused = StepTaken(
        moment=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        when="2026-08-01",
        source="case",
        text="Make a formal complaint: they refused to act",
        who="",
        outcome="",
        reference="",
        step="employer-hr",
        code="refused",
        title="Presentar una queja formal",
        said="Dijeron que no era acoso",
    )
    case = build_casefile(MemoryEvidence(), None, zone=dt.UTC, images=False)
    data = LetterInput(
        pack=load_pack("us", "es"), plan=None, case=case, language="es", steps=[refused]
    )
    text = render_letter(data, KIND_BY_ID["workplace-complaint"]).text()
    assert (
        "- 2026-08-01: Presentar una queja formal: se negaron a actuar. Dijeron que no era acoso."
        in text
    )
    assert "they refused" not in text and "Make a formal" not in text
