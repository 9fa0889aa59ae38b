"""Pack translations: text only, applied to the items their pack wrote, validated like packs."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from ally.documents.plan import render
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import BUILTIN_PACKS, load_folder, validate_folder

from .test_loader import make_pack

ES = """\
language: es
name: Un paquete de prueba
questions:
  threats:
    text: ¿Alguien le ha amenazado?
    summary: Amenazas
  context:
    options:
      work: En el trabajo
steps:
  report:
    title: Denúncielo
    summary: Cuente a la policía lo que pasó.
  lawyer:
    title: Hable con un abogado
deadlines:
  file:
    title: Presentar una queja
    body: la agencia
"""

CHILD = """\
id: child
name: Child pack
extends: test
checked: 2026-11-25
steps:
  - id: lawyer
    title: See a solicitor
    route: lawyer
    phase: support
    summary: A solicitor can advise you.
    sources: [src]
"""


def _with_spanish(tmp_path: Path) -> Path:
    folder = make_pack(tmp_path)
    (folder / "i18n").mkdir(exist_ok=True)
    (folder / "i18n" / "es.yaml").write_text(ES, encoding="utf-8")
    return folder


def test_spanish_text_and_engine_words(tmp_path: Path) -> None:
    pack = load_folder(_with_spanish(tmp_path), "es")
    assert pack.language == "es" and pack.name == "Un paquete de prueba"
    assert pack.question("context").options[0].label == "En el trabajo"
    assert pack.question("context").options[1].label == "Online"  # untranslated: falls back
    answers = {"threats": "yes", "last_incident": "2026-05"}
    from ally.knowledge.answers import normalise_answers

    plan = build_plan(pack, normalise_answers(pack, answers), dt.date(2026, 11, 25))
    assert plan.phases[0].title == "Pronto"  # "Soon": sections are by urgency
    step = plan.steps()[0]
    assert step.title == "Denúncielo"
    assert step.why[0].answer == "Sí"
    assert step.deadlines[0].how_counted.startswith("180 días")
    text = render(plan, markdown=False)
    assert "PLAZOS" in text and "Este plan da información" in text  # the deadlines box
    assert "Por qué:" not in text  # the answers are not echoed under every step
    assert load_folder(_with_spanish(tmp_path), None).step("report").title == "Report it"


def test_parent_translation_does_not_apply_to_a_replaced_item(tmp_path: Path) -> None:
    _with_spanish(tmp_path)
    child = make_pack(tmp_path, "child", text=CHILD)
    pack = load_folder(child, "es")
    assert pack.step("lawyer").title == "See a solicitor"
    assert pack.step("report").title == "Denúncielo"


def test_bad_translations_are_reported(tmp_path: Path) -> None:
    folder = _with_spanish(tmp_path)
    bad = ES.replace("steps:\n", "steps:\n  ghost:\n    title: Fantasma\n")
    bad += "contacts:\n  nobody:\n    name: Nadie\n"
    bad = bad.replace(
        "  lawyer:\n    title: Hable con un abogado\n", "  lawyer:\n    how: [uno, dos]\n"
    )
    (folder / "i18n" / "es.yaml").write_text(bad, encoding="utf-8")
    (folder / "i18n" / "fr.yaml").write_text("language: de\nsteps:\n  report:\n    titel: X\n")
    _, problems = validate_folder(folder)
    found = [str(problem) for problem in problems]
    assert any("es.yaml: steps.ghost: the pack has no such item" in p for p in found), found
    assert any("es.yaml: contacts.nobody: the pack has no such item" in p for p in found), found
    assert any("steps.lawyer.how: has 2 entries but the step has 0" in p for p in found), found
    assert any("fr.yaml:4: steps.report.titel: this field is not part" in p for p in found), found


def test_a_translated_phone_keeps_its_numbers(tmp_path: Path) -> None:
    """Ireland's "999 or 112" is said "999 o 112" in Spanish; a changed number is refused."""
    folder = tmp_path / "ie"
    shutil.copytree(BUILTIN_PACKS / "ie", folder)
    spanish = folder / "i18n" / "es.yaml"
    said = spanish.read_text(encoding="utf-8")
    assert 'phone: "999 o 112"' in said
    assert not validate_folder(folder)[1]
    spanish.write_text(said.replace('"999 o 112"', '"999 o 113"'), encoding="utf-8")
    found = [str(problem) for problem in validate_folder(folder)[1]]
    assert any("contacts.garda-emergency.phone: a translated phone must keep" in p for p in found)
