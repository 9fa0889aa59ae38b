"""Letters for every plan step in every jurisdiction: complete, in the right language, golden.

Every letter of every pack is rendered with nothing known (no details, empty journal) and with
everything known, and none may contain an unfilled placeholder. The golden files hold every
letter of each pack with fixed inputs; when a pack or template changes on purpose, regenerate
them with ``ALLY_UPDATE_GOLDEN=1 .venv/bin/pytest tests/documents/test_letters.py`` and review
the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ally.documents.drafting import DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import (
    KIND_BY_ROUTE,
    STANDALONE,
    LetterDetails,
    LetterError,
    find_placeholders,
    fit,
    letter_steps,
    pack_folders,
    read_details,
)
from ally.documents.platforms import load_platforms
from ally.errors import UsageError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import BUILTIN_PACKS, builtin_pack_ids, load_pack
from ally.knowledge.schema import Pack, QuestionType, Route
from ally.knowledge.statetables import load_tables
from ally.model.plan import Plan
from tests.documents.conftest import fill

TODAY = dt.date(2026, 11, 25)
GOLDEN = Path(__file__).parent / "golden"
# The generated state packs share the us letters; two of them stand for the rest.
GENERATED = {f"us-{rows.state.id}" for rows in load_tables().states if not rows.state.hand_written}
PACKS = [pack_id for pack_id in builtin_pack_ids() if pack_id not in GENERATED] + ["us-ak", "us-ia"]
FULL = LetterDetails(
    your_name="Alex Doe",
    your_email="alex@example.org",
    your_phone="+1 555 0100",
    your_address="1 Example Street\nExampletown",
    your_role="Data analyst",
    organisation="Example Ltd",
    recipient_name="Jo Smith",
    recipient_title="HR Manager",
    harasser="Sam Boss",
    harasser_account="@sam_example",
    links=["https://bad.example.com/post/1", "https://bad.example.com/post/2"],
    platform="reddit",
    reference="CR-12345",
    outcome="I want the messages to stop and the posts removed",
    court="Example County Court",
)


def answer_sets(pack: Pack) -> list[dict[str, object]]:
    """Answers that, together, bring every step of the pack into some plan."""
    yes: dict[str, object] = {}
    no: dict[str, object] = {}
    ones = []
    for question in pack.questions:
        if question.type is QuestionType.YESNO:
            yes[question.id], no[question.id] = "yes", "no"
        elif question.type is QuestionType.MULTI:
            # Every choice but those that would leave out a step addressed to the harasser
            # (a boss, owner or landlord who does it is not written to).
            addressed = {value for step in pack.steps for value in step.addressed_to}
            chosen = [o.value for o in question.options if o.value not in addressed]
            yes[question.id] = no[question.id] = chosen
        elif question.type is QuestionType.ONE:
            yes[question.id] = no[question.id] = question.options[0].value
            ones.append(question)
        elif question.type is QuestionType.DATE:
            yes[question.id] = no[question.id] = "2026-10-01"
        elif question.type is QuestionType.NUMBER:
            yes[question.id] = no[question.id] = 20
    yes["in_danger_now"] = no["in_danger_now"] = "no"
    # The golden "yes" person is an adult: a child's intimate images change what every letter
    # may list (tests/documents/test_child_images_letters.py), so that is its own variant.
    if "under_18" in yes:
        yes["under_18"] = "no"
    variants = [yes, no]
    for question in pack.questions:
        if question.type is QuestionType.YESNO and question.id != "in_danger_now":
            variants.append({**yes, question.id: "yes" if question.id == "under_18" else "no"})
    for question in ones:
        for option in question.options[1:]:
            variants += [{**yes, question.id: option.value}, {**no, question.id: option.value}]
    return variants


def plans(pack_id: str) -> list[tuple[Plan, dict[str, object]]]:
    pack = load_pack(pack_id)
    found = []
    for raw in answer_sets(pack):
        answers = normalise_answers(pack, raw)
        found.append((build_plan(pack, answers, TODAY), answers))
    return found


def letter_routes() -> set[str]:
    return {route.value for route in KIND_BY_ROUTE}


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_letter_step_is_reachable(pack_id: str) -> None:
    """The answer sets above cover every step that has a letter, so the next test sees all."""
    pack = load_pack(pack_id)
    wanted = {step.id for step in pack.steps if step.route.value in letter_routes()}
    seen = {step.id for plan, _ in plans(pack_id) for step, _ in letter_steps(plan)}
    assert wanted <= seen, f"not reached by any answer set: {sorted(wanted - seen)}"


@pytest.mark.parametrize("pack_id", PACKS)
def test_no_letter_has_a_gap(pack_id: str) -> None:
    pack = load_pack(pack_id)
    done: set[str] = set()
    full = MemoryEvidence("6-K7Q3-9XRT-M2PA-HW4D")
    fill(full)
    for plan, answers in plans(pack_id):
        targets = [step.id for step, _ in letter_steps(plan)] + list(STANDALONE)
        for target in targets:
            if target in done:
                continue
            done.add(target)
            for details, journal in ((LetterDetails(), MemoryEvidence()), (FULL, full)):
                made = draft(
                    pack,
                    plan,
                    target,
                    journal,
                    DraftRequest(details=details),
                    answers=answers,
                    today=TODAY,
                )
                text = made.letter.text() + made.letter.guide
                assert not find_placeholders(text), (target, find_placeholders(text))
                assert "None" not in re.findall(r"\bNone\b", made.letter.text())
                assert made.letter.subject and made.letter.body.strip()
                if details is FULL:
                    known = ("Alex Doe", "Sam Boss", "@sam_example", FULL.links[0])
                    assert any(value in made.letter.text() for value in known), target


def render_pack(pack_id: str) -> str:
    """Every letter of a pack with fixed inputs, as one document for the golden file."""
    pack = load_pack(pack_id)
    plan, answers = plans(pack_id)[0]
    journal = MemoryEvidence("6-K7Q3-9XRT-M2PA-HW4D")
    fill(journal)
    parts = []
    targets = [step.id for step, _ in letter_steps(plan)] + list(STANDALONE)
    for target in targets:
        request = DraftRequest(details=FULL, zone=dt.UTC)
        made = draft(pack, plan, target, journal, request, answers=answers, today=TODAY)
        template = made.letter.template.split("/packs/", 1)[1]
        ticks = "".join(
            f"- [{'x' if c.ticked else ' '}] {c.seq} {c.kind}: {c.reason}\n"
            for c in made.checklist.candidates
        )
        parts.append(
            f"<!-- {target} · {made.kind.id} · {template} -->\n{made.letter.text()}\n"
            f"<!-- guide -->\n{made.letter.guide}\n<!-- included -->\n{ticks}<!-- notes -->\n"
            + "".join(f"- {note}\n" for note in [*made.checklist.notes, *made.letter.notes])
        )
    return "\n".join(parts)


@pytest.mark.parametrize("pack_id", PACKS)
def test_golden_letters(pack_id: str) -> None:
    path = GOLDEN / f"{pack_id}.md"
    text = render_pack(pack_id)
    if os.environ.get("ALLY_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), "no golden file yet: run with ALLY_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), (
        f"The letters of {pack_id} changed. If that is intended, run "
        "ALLY_UPDATE_GOLDEN=1 .venv/bin/pytest tests/documents/test_letters.py and review the diff."
    )


def test_jurisdiction_templates_win() -> None:
    chosen = {}
    for pack_id in ("gb", "ie", "us-ca", "ca", "generic"):
        for plan, answers in plans(pack_id)[:1]:
            made = draft(
                load_pack(pack_id),
                plan,
                "cease-and-desist",
                MemoryEvidence(),
                DraftRequest(),
                answers=answers,
            )
            chosen[pack_id] = made.letter.template.split("/packs/", 1)[1]
    assert chosen["gb"] == "gb/letters/cease-and-desist.md.j2"
    assert chosen["ie"] == "ie/letters/cease-and-desist.md.j2"
    assert chosen["us-ca"] == "generic/letters/cease-and-desist.md.j2"
    text = draft(
        load_pack("gb"), plans("gb")[0][0], "cease-and-desist", MemoryEvidence(), DraftRequest()
    ).letter.body
    assert "Protection from Harassment Act 1997" in text


def test_spanish_letters_and_fallback(tmp_path: Path) -> None:
    """A template with no Spanish yet gives the whole letter in English, never a mix, and
    says so in Spanish (tests/documents/test_letters_languages.py walks every letter)."""
    pack = load_pack("generic", "es")
    answers = normalise_answers(
        pack, {"context": ["work"], "harasser": ["coworker"], "in_danger_now": "no"}
    )
    plan = build_plan(pack, answers, TODAY)
    hr = draft(
        pack, plan, "employer-hr", MemoryEvidence(), DraftRequest(language="es"), answers=answers
    )
    assert hr.letter.text().startswith("Asunto: Queja formal por acoso")
    assert not hr.letter.notes
    own = tmp_path / "xx" / "letters"
    own.mkdir(parents=True)
    english = (BUILTIN_PACKS / "generic" / "letters" / "supervisor.md.j2").read_text("utf-8")
    (own / "supervisor.md.j2").write_text(english, encoding="utf-8")
    other = draft(
        pack,
        plan,
        "employer-supervisor",
        MemoryEvidence(),
        DraftRequest(language="es"),
        answers=answers,
        folders=[own, *pack_folders(["generic"])],
    )
    assert other.letter.text().startswith("Subject:")
    assert "Esto es lo que" not in other.letter.text(), "never two languages in one letter"
    assert other.letter.untranslated == "es"
    assert "Esta carta todavía no está traducida al español, así que está en inglés." in (
        other.letter.notes
    )


def test_incidents_follow_the_letters_context() -> None:
    journal = MemoryEvidence()
    fill(journal)
    pack = load_pack("generic")
    plan, answers = plans("generic")[0]
    hr = draft(pack, plan, "employer-hr", journal, DraftRequest(), answers=answers)
    assert "posted my home address" not in hr.letter.body, "online incidents stay out of HR"
    assert "shouted at me" in hr.letter.body
    left = [c for c in hr.checklist.candidates if not c.ticked]
    assert [c.summary for c in left] == [
        "He posted my home address <script>alert(1)</script> online."
    ]
    assert left[0].reason == "not about this"


def test_templates_do_not_glue_lines() -> None:
    """A content line ending in a block tag loses its newline (trim_blocks); use ``+%}``."""
    bad = []
    templates = sorted(BUILTIN_PACKS.glob("*/letters/**/*.j2"))
    assert len(templates) >= 15  # the generic pack alone has more
    for path in templates:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            ends_in_block = stripped.endswith("%}") and not stripped.endswith("+%}")
            pure_tag = re.fullmatch(r"\{%.*?%\}", stripped) is not None
            macro_line = stripped.startswith("{% macro") and stripped.endswith("{% endmacro %}")
            if ends_in_block and not pure_tag and not macro_line and not stripped.startswith("{#"):
                bad.append(f"{path.relative_to(BUILTIN_PACKS)}:{number}")
    assert not bad, bad


def test_platform_facts_are_sourced() -> None:
    platforms = load_platforms(pack_folders(["generic"]))
    assert {"facebook", "x", "discord", "reddit", "other"} <= set(platforms)
    for platform in platforms.values():
        assert platform.limit is None, "no source states a form limit; add one only with a source"
        if platform.id != "other":
            assert platform.sources and platform.how


@pytest.mark.parametrize("platform", sorted(load_platforms(pack_folders(["generic"]))))
def test_platform_report_fits_the_limit(platform: str) -> None:
    journal = MemoryEvidence()
    fill(journal)
    pack = load_pack("generic")
    plan, answers = plans("generic")[0]
    request = DraftRequest(details=FULL, platform=platform, max_chars=200)
    made = draft(pack, plan, "platform-report", journal, request, answers=answers)
    description = made.letter.body.split("\n\n")[0]
    assert len(description) <= 200
    assert "200 characters" in made.letter.guide
    unknown = draft(
        pack,
        plan,
        "platform-report",
        journal,
        DraftRequest(details=FULL, platform=platform),
        answers=answers,
    )
    assert "does not know the length limit" in unknown.letter.guide


def test_unknown_platform_and_step() -> None:
    pack = load_pack("generic")
    plan, _answers = plans("generic")[0]
    with pytest.raises(LetterError, match="Known platforms"):
        draft(pack, plan, "platform-report", MemoryEvidence(), DraftRequest(platform="myspace"))
    with pytest.raises(LetterError, match="Letters you can write"):
        draft(pack, plan, "no-such-step", MemoryEvidence(), DraftRequest())
    with pytest.raises(LetterError, match="does not involve writing"):
        draft(pack, plan, "counselling", MemoryEvidence(), DraftRequest())
    with pytest.raises(LetterError, match="answers file"):
        draft(pack, None, "employer-hr", MemoryEvidence(), DraftRequest())


def test_details_typos_are_reported_without_values() -> None:
    with pytest.raises(UsageError) as caught:
        read_details({"your_nmae": "Secret Name"}, "details.yaml")
    assert "your_nmae" in str(caught.value) and "Secret Name" not in str(caught.value)


def test_sandbox_blocks_unsafe_templates(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "cease-and-desist.md.j2").write_text(
        "{% macro subject() %}x{% endmacro %}{% macro body() %}{{ me.__class__.__mro__ }}{% endmacro %}",
        encoding="utf-8",
    )
    pack = load_pack("generic")
    folders = [folder, *pack_folders(pack.lineage)]
    with pytest.raises(LetterError):
        draft(pack, None, "cease-and-desist", MemoryEvidence(), DraftRequest(), folders=folders)
    (folder / "cease-and-desist.md.j2").write_text(
        "{% macro subject() %}x{% endmacro %}{% macro body() %}{{ nothing_here }}{% endmacro %}",
        encoding="utf-8",
    )
    with pytest.raises(LetterError, match="has a problem"):
        draft(pack, None, "cease-and-desist", MemoryEvidence(), DraftRequest(), folders=folders)


@given(st.text(max_size=400), st.integers(min_value=2, max_value=300))
def test_fit_never_exceeds_the_limit(text: str, limit: int) -> None:
    out = fit(text, limit)
    assert len(out) <= limit
    if len(" ".join(text.split())) <= limit:
        assert out == " ".join(text.split())


def test_every_route_with_writing_has_a_letter() -> None:
    writing = {
        Route.HR,
        Route.SUPERVISOR,
        Route.VENUE,
        Route.SCHOOL,
        Route.HOUSING,
        Route.PLATFORM,
        Route.ISP,
        Route.AGENCY,
        Route.REGULATOR,
        Route.POLICE_NON_EMERGENCY,
        Route.POLICE_ADVICE,
        Route.PROTECTION_ORDER,
        Route.CRIMINAL_CHARGES,
    }
    assert writing <= set(KIND_BY_ROUTE)


def test_every_kind_says_what_it_may_contain() -> None:
    from ally.documents.content import ContentRules
    from ally.documents.letters import KINDS

    for pack_id in PACKS:
        rules = ContentRules(pack_folders(load_pack(pack_id).lineage))
        for kind in KINDS:
            rule = rules.rule(kind.id)
            if kind.id in ("abuse-report", "platform-report"):
                assert rule.audience == "service" and rule.pick == "service"
                assert "address" not in rule.sender and "phone" not in rule.sender
        assert rules.rule("abuse-report", "upstream-abuse-report").audience == "service"


def test_a_rule_that_would_leak_to_a_host_is_refused(tmp_path: Path) -> None:
    from ally.documents.content import ContentRules
    from ally.errors import PackError

    (tmp_path / "content.yaml").write_text(
        "kinds:\n  abuse-report:\n    audience: service\n    entries: [incident]\n"
        "    pick: service\n    fields: [when, what, where]\n    sender: [email, address]\n"
        "    details: [links]\n    why: test\n"
        "    sources: [{url: 'https://example.org', says: x}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="cannot include: address, where"):
        ContentRules([tmp_path])
