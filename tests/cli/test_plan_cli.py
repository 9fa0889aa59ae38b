"""`ally plan` from an answers file and as a real interactive interview in a pseudo-terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pexpect
import pytest

from ally.knowledge.schema import pack_json_schema
from ally.knowledge.yamlfile import parse_yaml
from ally.model.plan import plan_json_schema
from tests.inprocess import run_ally

SCHEMAS = Path(__file__).parents[2] / "src" / "ally" / "schemas"
ALLY = [sys.executable, "-m", "ally.cli.main"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`ally ARGS` in this process (tests/inprocess.py); the pty tests below start a real one."""
    return run_ally(*args, input=stdin)


def write_answers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ONLINE = """\
pack: generic
today: 2026-11-25
answers:
  in_danger_now: no
  context: [online]
  online_where: [website]
  threats: yes
"""


def test_published_schemas_are_up_to_date() -> None:
    """The committed schema files are exactly what the models generate (run `make schemas`)."""
    assert json.loads((SCHEMAS / "pack.schema.json").read_text()) == pack_json_schema()
    assert json.loads((SCHEMAS / "plan.schema.json").read_text()) == plan_json_schema()


def test_json_output_matches_the_published_schema(tmp_path: Path) -> None:
    result = run("plan", "--answers", str(write_answers(tmp_path, ONLINE)), "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    jsonschema.validate(plan, json.loads((SCHEMAS / "plan.schema.json").read_text()))
    ids = [step["id"] for phase in plan["phases"] for step in phase["steps"]]
    assert ids.index("platform-report") < ids.index("host-abuse-report") < ids.index("advocacy")
    assert "employer-hr" not in ids
    # Threats online: safety, then evidence that can disappear, then the police (issue 15).
    assert plan["start_here"] == [
        {"step": "safety-plan", "why": "Your safety comes first.", "rule": "safety", "also": []},
        {
            "step": "save-online-evidence",
            "why": "Posts and messages can be deleted at any time: save them before you report anything.",
            "rule": "evidence",
            "also": [],
        },
        {
            "step": "police-report",
            "why": "First, because you told us about: threats or violence.",
            "rule": "primary",
            "also": [],
        },
    ]
    assert [phase["id"] for phase in plan["phases"]] == ["now", "soon", "when_ready"]
    assert plan["deadlines"] == []  # no date given: no deadline to count


@pytest.mark.parametrize(("fmt", "heading"), [("md", "# Your plan"), ("text", "YOUR PLAN")])
def test_text_and_markdown(tmp_path: Path, fmt: str, heading: str) -> None:
    result = run("plan", "--answers", str(write_answers(tmp_path, ONLINE)), "--format", fmt)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    # Wrapped for reading: no line longer than 80 characters except an unbreakable address.
    long = [line for line in text.splitlines() if len(line) > 80 and " " in line.strip()]
    assert long == [] or all(line.lstrip().startswith("#") for line in long), long
    text = " ".join(text.split())
    assert text.startswith(heading)
    start = text.index("Start here" if fmt == "md" else "START HERE")
    first_step = text.index("1. Make a safety plan", start + 40)
    assert start < text.index("Save online evidence before it disappears") < first_step
    assert "Report it to the police" in text
    assert "First, because you told us about: threats or violence." in text
    # No echo of every answer under every step, and sources are footnotes, not ids.
    assert "Why:" not in text and "Sources: rmit-evidence" not in text
    assert "[1] " in text and "rmit-evidence" not in text
    assert text.count("https://findahelpline.com") == 1  # a contact appears once in full
    assert "information, not legal advice" in text


def test_every_pack_yaml_validates_against_the_published_pack_schema() -> None:
    schema = json.loads((SCHEMAS / "pack.schema.json").read_text())
    packs = Path(__file__).parents[2] / "src" / "ally" / "knowledge" / "packs"
    paths = sorted(packs.glob("*/*.yaml"))
    assert len(paths) >= 50 and len({path.parent.name for path in paths}) >= 10
    # What jsonschema.validate does for each file, with the schema checked and compiled once.
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for path in paths:
        # Read as the loader does (YAML 1.2 booleans: `on` and `no` stay text).
        document = json.loads(json.dumps(parse_yaml(path.read_text()), default=str))
        validator.validate(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "pack: generic\nanswers:\n  favourite_colour: blue\n",
            "'favourite_colour' is not a question",
        ),
        ("pack: generic\nanswers:\n  context: [moon]\n", "context: the answer must be one of work"),
        (
            "pack: generic\nanswers:\n  threats: maybe\n",
            "threats: answer yes, no or rather-not-say",
        ),
        (
            "pack: generic\nanswers:\n  last_incident: the week before my birthday\n",
            "last_incident: Ally could not read that date. Try for example 28/11/2026",
        ),
        ("pack: generic\nanswers: [1, 2]\n", "'answers' must be a mapping"),
        ("pack: atlantis\nanswers: {}\n", "no knowledge pack called 'atlantis'"),
        ("answers: {}\n", "must say which pack"),
        ("pack: generic\nanswers:\n  context: [work\n", "flow sequence that starts on line 3"),
        ("- a list\n", "must be a YAML mapping"),
        ("pack: generic\nanswer: {}\n", "unexpected keys: answer"),
    ],
)
def test_bad_answers_file_gets_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    result = run("plan", "--answers", str(write_answers(tmp_path, content)))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_answers_file(tmp_path: Path) -> None:
    result = run("plan", "--answers", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "There is no answers file" in result.stderr


def _spawn(*args: str, cwd: Path) -> pexpect.spawn:
    env = dict(os.environ, COLUMNS="120", TERM="dumb", NO_COLOR="1")
    return pexpect.spawn(
        sys.executable, [*ALLY[1:], *args], cwd=str(cwd), env=env, encoding="utf-8", timeout=120
    )


def test_interactive_interview_in_a_pty(tmp_path: Path) -> None:
    child = _spawn(
        "plan", "--pack", "generic", "--format", "text", "--today", "2026-11-25", cwd=tmp_path
    )
    child.expect("Question 1 of about")
    child.expect("Are you in danger right now")
    child.sendline("2")  # No
    child.expect("Question 2 of about")
    child.expect("Where is the harassment happening")
    child.sendline("9")  # not an option
    child.expect("Please type one of the numbers shown")
    child.sendline("1")  # work
    child.expect(r"Question 3 of about")
    child.sendline("b")  # back to "where"
    child.expect("Where is the harassment happening")
    child.sendline("2")  # online instead
    child.expect(r"Question 3 of about")
    answered = 2
    while True:
        index = child.expect([r"Type .*:", "Thank you. Here is your plan."])
        if index == 1:
            break
        screen = child.before or ""
        child.sendline("s" if "Where online" not in screen else "4")
        answered += 1
        assert answered < 15
    child.expect("YOUR PLAN")
    child.expect("Report it to the app or website")
    child.expect(pexpect.EOF)
    text = child.before or ""
    assert "HR" not in text
    child.close()
    assert child.exitstatus == 0


def test_interview_can_be_saved_and_resumed(tmp_path: Path) -> None:
    saved = tmp_path / "saved.yaml"
    child = _spawn("plan", "--pack", "generic", "--save", str(saved), cwd=tmp_path)
    child.expect("Are you in danger")
    child.sendline("2")
    child.expect("Where is the harassment")
    child.sendline("q")
    child.expect("Your answers are saved")
    child.expect(pexpect.EOF)
    assert "in_danger_now: 'no'" in saved.read_text() or "in_danger_now: no" in saved.read_text()
    child = _spawn("plan", "--resume", str(saved), "--format", "md", cwd=tmp_path)
    child.expect("Where is the harassment")  # not asked about danger again
    child.sendline("3")  # venue
    while child.expect([r"Type .*:", r"# Your plan"]) == 0:
        child.sendline("s")
    child.expect("Tell the venue")
    child.expect(pexpect.EOF)
    assert "context" in saved.read_text()


def test_near_adds_local_help_from_the_directory(tmp_path: Path) -> None:
    answers = write_answers(
        tmp_path,
        "pack: us-ca\ntoday: 2026-11-25\nanswers:\n  in_danger_now: no\n"
        "  context: [private]\n  harasser: [partner]\n  threats: yes\n",
    )
    database = str(tmp_path / "directory.sqlite3")
    result = run(
        "plan",
        "--answers",
        str(answers),
        "--format",
        "json",
        "--near",
        "Oakland, CA",
        "--database",
        database,
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    jsonschema.validate(plan, json.loads((SCHEMAS / "plan.schema.json").read_text()))
    dv = [service["name"] for service in plan["nearby"]["dv-support"]]
    assert "National Domestic Violence Hotline" in dv
    everything = json.dumps(plan["nearby"])
    assert "Refuge" not in everything and "1800RESPECT" not in everything  # other countries' lines
    text = run(
        "plan",
        "--answers",
        str(answers),
        "--format",
        "text",
        "--near",
        "Oakland, CA",
        "--database",
        database,
    )
    assert "Help near you:" in text.stdout
    unknown = run("plan", "--answers", str(answers), "--near", "Xqzzyville", "--database", database)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr


def test_danger_now_comes_first_and_can_stop_there(tmp_path: Path) -> None:
    """Yes to danger: the emergency number and what to do now at once, before any other
    question, with the choice to stop there (issue 20)."""
    child = _spawn("plan", "--pack", "ie", "--format", "text", cwd=tmp_path)
    child.expect("Are you in danger right now")
    child.sendline("1")  # Yes
    index = child.expect(["If you are in danger now", "Where is the harassment"])
    assert index == 0, "another question came before the safety information"
    child.expect("call 999 or 112")
    child.expect("1. Call 999 or 112")
    child.expect("2. Go somewhere safer")
    child.expect("Gardaí, ambulance or fire in an emergency: 999 or 112")
    child.expect("You can stop here: your plan can continue later.")
    child.expect("Press Enter to continue, or type q to stop here:")
    shown = child.before or ""
    assert "Where is the harassment" not in shown
    assert "Women's Aid" not in shown  # which helpline fits is not known yet
    child.sendline("q")
    child.expect("Stopped. When you are safe")
    child.expect(pexpect.EOF)
    assert "YOUR PLAN" not in (child.before or "")
    child.close()
    assert child.exitstatus == 0


def test_danger_now_then_continue_to_the_plan(tmp_path: Path) -> None:
    child = _spawn("plan", "--pack", "gb", "--format", "text", cwd=tmp_path)
    child.expect("Are you in danger right now")
    child.sendline("1")
    child.expect("call 999")
    child.expect("Press Enter")
    child.sendline("")
    child.expect("Question 2 of about")
    child.expect("Where is the harassment")


def test_q_at_any_point_prints_the_safety_information_so_far(tmp_path: Path) -> None:
    child = _spawn("plan", "--pack", "us", "--format", "text", cwd=tmp_path)
    child.expect("Are you in danger right now")
    child.sendline("2")  # No
    child.expect(r"Question 2 of about")
    child.sendline("q")
    child.expect("Before you go, the safety information so far:")
    child.expect("In an emergency, call 911")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_q_at_where_are_you_stops_with_the_general_safety_information(tmp_path: Path) -> None:
    """The very first prompt ("Where are you?") takes q too: no place is known yet, so the
    general emergency advice is shown (issue 20: q at any point)."""
    child = _spawn("plan", "--language", "es", cwd=tmp_path)
    child.expect("¿Dónde está?")
    child.expect("Escriba un número:")
    child.sendline("q")
    child.expect("Antes de irse, la información de seguridad hasta ahora:")
    child.expect("En una emergencia, llame al 112")
    child.expect(pexpect.EOF)
    assert "Escriba uno de los números de arriba" not in (child.before or "")
    child.close()
    assert child.exitstatus == 0


# The interview's own words, in each language, that must not show in the other languages.
ENGLISH_WORDS = ("Question 1 of about", "Type a", "Thank you", "Please type", "Your answer")


@pytest.mark.parametrize(
    ("language", "pack", "expected"),
    [
        (
            "es",
            "ie",
            {
                "progress": "Pregunta 1 de unas",
                "progress3": "Pregunta 3 de unas",
                "danger": "¿Está en peligro ahora mismo",
                "where": "¿Dónde ocurre el acoso",
                "wrong": "Escriba uno de los números que se muestran",
                "thanks": "Gracias. Este es su plan.",
                "title": "SU PLAN (IRLANDA)",
                "step": "Presente una queja formal ante Recursos Humanos",
            },
        ),
        (
            "fr",
            "ca-on",
            {
                "progress": "Question 1 sur environ",
                "progress3": "Question 3 sur environ",
                "danger": "Êtes-vous en danger en ce moment",
                "where": "Où le harcèlement se passe-t-il",
                "wrong": "Tapez un des numéros affichés",
                "thanks": "Merci. Voici votre plan.",
                "title": "VOTRE PLAN (CANADA - ONTARIO)",
                "step": "Déposez une plainte officielle aux ressources humaines",
            },
        ),
    ],
)
def test_a_whole_interview_in_spanish_and_in_french(
    tmp_path: Path, language: str, pack: str, expected: dict[str, str]
) -> None:
    """From the first question to the plan, in the person's language, in a real terminal."""
    child = _spawn(
        "plan",
        "--pack",
        pack,
        "--language",
        language,
        "--format",
        "text",
        "--today",
        "2026-11-25",
        cwd=tmp_path,
    )
    child.expect(expected["progress"])
    child.expect(expected["danger"])
    seen = child.before or ""
    child.sendline("2")  # No
    child.expect(expected["where"])
    child.sendline("9")  # not an option
    child.expect(expected["wrong"])
    child.sendline("1")  # work
    child.expect(expected["progress3"])
    answered = 2
    while True:
        index = child.expect([r"(Escriba|Tapez) [^\n]*: ", expected["thanks"]])
        if index == 1:
            break
        seen += child.before or ""
        child.sendline("s")
        answered += 1
        assert answered < 20
    child.expect_exact(expected["title"])
    child.expect_exact(expected["step"])
    child.expect(pexpect.EOF)
    seen += child.before or ""
    child.close()
    assert child.exitstatus == 0
    assert not [words for words in ENGLISH_WORDS if words in seen], seen[-2000:]
