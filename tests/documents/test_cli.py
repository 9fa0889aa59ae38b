"""`ally letter`, `ally report` and `ally calendar` as a person runs them, on a real vault."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from icalendar import Calendar

from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK, fill
from tests.documents.test_abuse import server  # noqa: F401  (the stub RDAP server fixture)
from tests.documents.test_report import pdf_text
from tests.inprocess import run_ally

ANSWERS = """\
pack: gb
today: 2026-11-25
answers:
  in_danger_now: no
  context: [work, online]
  harasser: [coworker]
  threats: yes
  online_where: [website]
  last_incident: 2026-10-01
"""
DETAILS = """\
your_name: Alex Doe
your_email: alex@example.org
harasser: Sam Boss
links: ["https://bad.example.com/post/1"]
"""


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    location = tmp_path / "vault"
    with Vault.create(str(location), PASSPHRASE, work_factor=WEAK) as vault:
        fill(vault)
    (tmp_path / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    (tmp_path / "details.yaml").write_text(DETAILS, encoding="utf-8")
    yield tmp_path


def run(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ALLY_VAULT": str(home / "vault"),
        "ALLY_PASSPHRASE": PASSPHRASE,
        "COLUMNS": "200",
        **(env or {}),
    }
    return run_ally(*args, cwd=home, env=environment)  # in this process: tests/inprocess.py


def vault_cli(
    location: Path,
    *args: str,
    passphrase: str = PASSPHRASE,
    tz: str | None = None,
    columns: str | None = None,
    cwd: Path | None = None,
    stdin: str = "",
) -> subprocess.CompletedProcess[str]:
    """`ally ARGS` on the vault at LOCATION in a bare environment: no TZ or COLUMNS of the
    machine's unless given, so the output does not depend on who runs the tests; run in this
    process (tests/inprocess.py), so it is the sources under test, not an installed copy."""
    env = {
        "ALLY_VAULT": str(location),
        "ALLY_PASSPHRASE": passphrase,
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        **({"TZ": tz} if tz else {}),
        **({"COLUMNS": columns} if columns else {}),
    }
    return run_ally(*args, cwd=cwd, env=env, input=stdin)  # in this process: tests/inprocess.py


def test_letter_to_stdout_keeps_advice_out(home: Path) -> None:
    result = run(
        home, "letter", "employer-hr", "--answers", "answers.yaml", "--details", "details.yaml"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Subject: Formal complaint of harassment from Alex Doe")
    assert "shouted at me" in result.stdout
    assert "posted my home address" not in result.stdout
    assert "How to send it" in result.stderr and "How to send it" not in result.stdout


def test_letter_file_is_never_overwritten(home: Path) -> None:
    target = home / "hr.md"
    target.write_text("my own edits", encoding="utf-8")
    result = run(home, "letter", "employer-hr", "--answers", "answers.yaml", "--out", "hr.md")
    assert result.returncode == 2 and "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "my own edits"
    forced = run(
        home, "letter", "employer-hr", "--answers", "answers.yaml", "--out", "hr.md", "--force"
    )
    assert forced.returncode == 0 and target.read_text(encoding="utf-8").startswith("Subject:")


def test_edit_opens_the_editor(home: Path) -> None:
    editor = home / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Edited by me." >> "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    result = run(
        home, "letter", "cease-and-desist", "--pack", "gb", "--edit", env={"EDITOR": str(editor)}
    )
    assert result.returncode == 0, result.stderr
    text = (home / "letter-cease-and-desist.md").read_text(encoding="utf-8")
    assert "Protection from Harassment Act 1997" in text and text.endswith("Edited by me.\n")


def test_letter_json_and_list(home: Path) -> None:
    listed = run(home, "letter", "--list", "--answers", "answers.yaml")
    assert "employer-hr" in listed.stdout and "cease-and-desist" in listed.stdout
    result = run(
        home,
        "letter",
        "police-report",
        "--answers",
        "answers.yaml",
        "--format",
        "json",
        "--no-journal",
    )
    data = json.loads(result.stdout)
    assert data["kind"] == "police-summary" and data["guide"]


def host_report(
    home: Path, *more: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`ally letter host-abuse-report` with the fixture's answers and details, then MORE."""
    return run(
        home,
        "letter",
        "host-abuse-report",
        "--answers",
        "answers.yaml",
        "--details",
        "details.yaml",
        *more,
        env=env,
    )


def test_abuse_report_with_lookup_and_xarf(home: Path, server: str) -> None:  # noqa: F811
    result = host_report(home, "--lookup", "--rdap", server + "/rdap/", "--xarf", "report.json")
    assert result.returncode == 0, result.stderr
    assert "abuse@registrar.test" in result.stderr
    assert "forward" in result.stderr, "the plain warning about forwarding is shown"
    # Nothing on bad.example.com is marked as posting personal details: no X-ARF type fits.
    assert "No X-ARF file was written" in result.stderr
    assert not (home / "report.json").exists()
    assert "XARF v4 format is attached" not in result.stdout
    with Vault.open(str(home / "vault"), PASSPHRASE) as vault:
        vault.add_entry(
            "incident",
            {
                "when": {"start": "2026-03-20T10:00:00+00:00"},
                "what": "https://bad.example.com/post/1 lists my phone number.",
                "tags": ["doxxing"],
            },
        )
    again = host_report(home, "--xarf", "report.json")
    assert again.returncode == 0, again.stderr
    assert "XARF v4 format is attached" in again.stdout
    report = json.loads((home / "report.json").read_text(encoding="utf-8"))
    assert report["source_identifier"] == "bad.example.com"
    assert (report["category"], report["type"]) == ("content", "exposed_data")


def test_lookup_is_never_done_unless_asked(home: Path) -> None:
    result = host_report(
        home, env={"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    )
    assert result.returncode == 0
    assert "try abuse@example.com first" in result.stderr


def report_text(path: Path) -> str:
    """What a reader of the report sees, read back from the file itself."""
    if path.suffix == ".pdf":
        return " ".join(pdf_text(path).split())
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return " ".join(" ".join([*(p.text for p in document.paragraphs), *cells]).split())
    return " ".join(path.read_text(encoding="utf-8").split())


def test_report_formats_and_bundle(home: Path) -> None:
    for name in ("r.pdf", "r.docx", "r.md"):
        result = run(
            home, "report", "--out", name, "--name", "Alex Doe", "--answers", "answers.yaml"
        )
        assert result.returncode == 0, result.stderr
        text = report_text(home / name)
        assert "Alex Doe" in text, name
        assert "He shouted at me in the team meeting." in text, name
        assert "Office, 3rd floor" in text and "Ana Lee" in text, name
        assert "screenshot.png" in text and "street.jpg" in text, name
        assert "You will regret" in text and "WhatsApp" in text, name
        assert "talk to my sister" not in text, f"{name}: a private note is not evidence"
    bundle = run(home, "report", "--out", "evidence")
    assert bundle.returncode == 0, bundle.stderr
    assert run(home, "vault", "verify", "evidence").returncode == 0
    checked = run(home, "report", "--check", "evidence")
    assert checked.returncode == 0 and "intact" in checked.stderr
    (home / "evidence" / "report.md").write_text("tampered", encoding="utf-8")
    assert run(home, "report", "--check", "evidence").returncode == 1


@pytest.mark.parametrize(
    ("language", "hr", "cease", "english"),
    [
        ("es", "Queja formal a Recursos Humanos", "Carta de cese y desistimiento", "Formal"),
        ("fr", "Plainte officielle aux ressources humaines", "Mise en demeure de cesser", "Formal"),
    ],
)
def test_letter_list_names_the_letters_in_the_persons_language(
    home: Path, language: str, hr: str, cease: str, english: str
) -> None:
    """`ally letter list --language es|fr` names each letter as the web page does (issue 20)."""
    answers = ANSWERS.replace("pack: gb", "pack: ca-on") if language == "fr" else ANSWERS
    (home / "answers.yaml").write_text(answers, encoding="utf-8")
    listed = run(home, "letter", "list", "--answers", "answers.yaml", "--language", language)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line.split(None, 1)[1] for line in listed.stdout.splitlines()}
    assert lines["employer-hr"] == hr and lines["cease-and-desist"] == cease, lines
    assert english not in listed.stdout and "letter" not in listed.stdout.lower(), listed.stdout


def test_report_errors_change_nothing(home: Path) -> None:
    assert "--out" in run(home, "report").stderr
    bad = run(home, "report", "--out", "report.txt")
    assert bad.returncode == 2 and not (home / "report.txt").exists()
    wrong = run(home, "report", "--out", "r.pdf", env={"ALLY_PASSPHRASE": "wrong passphrase!"})
    assert wrong.returncode != 0 and not (home / "r.pdf").exists()
    assert "Traceback" not in wrong.stderr
    missing = run(home, "report", "--out", "r.pdf", env={"ALLY_VAULT": str(home / "nothing")})
    assert missing.returncode == 1 and "no vault" in missing.stderr.lower()
    assert not (home / "r.pdf").exists()


def test_calendar(home: Path) -> None:
    result = run(
        home,
        "calendar",
        "--answers",
        "answers.yaml",
        "--sent",
        "employer-hr=2026-11-20",
        "--out",
        "plan.ics",
    )
    assert result.returncode == 0, result.stderr
    calendar = Calendar.from_ical((home / "plan.ics").read_bytes())
    assert len(list(calendar.walk("VEVENT"))) >= 2
    assert "--discreet" in result.stderr
    bad = run(home, "calendar", "--answers", "answers.yaml", "--sent", "nope=2026-11-20")
    assert bad.returncode == 2 and "not a step" in bad.stderr


def test_letter_checklist_and_entry_exclude(home: Path) -> None:
    """The terminal lists every entry the letter could carry, ticked or not; --entry and
    --exclude change it, and the letter follows."""
    first = run(home, "letter", "employer-hr", "--answers", "answers.yaml")
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    shout = next(line for line in lines if "shouted at me" in line)
    post = next(line for line in lines if "posted my home address" in line)
    assert "[x]" in shout and "[ ]" in post and "not about this" in post
    assert "shouted at me" in first.stdout and "posted my home address" not in first.stdout
    number = {
        name: line.split("]")[1].split()[0] for name, line in (("shout", shout), ("post", post))
    }
    changed = run(
        home,
        "letter",
        "employer-hr",
        "--answers",
        "answers.yaml",
        "--exclude",
        number["shout"],
        "--entry",
        number["post"],
    )
    assert changed.returncode == 0, changed.stderr
    assert "shouted at me" not in changed.stdout and "posted my home address" in changed.stdout
    assert "you left it out" in changed.stderr and "you chose it" in changed.stderr
    assert "--entry" not in changed.stdout, "the letter never carries the terminal's advice"


@pytest.mark.parametrize(
    ("language", "words", "reason"),
    [
        ("es", ("Entradas (cámbielas", "Cómo enviarla", "Incidente"), "no trata de esto"),
        ("fr", ("Entrées (à modifier", "Comment l'envoyer", "Incident"), "ne concerne pas ceci"),
    ],
)
def test_the_words_around_a_draft_follow_the_language(
    home: Path, language: str, words: tuple[str, ...], reason: str
) -> None:
    """A person drafting in Spanish or French reads the checklist, its reasons and the sending
    advice in that language in the terminal too, with the same sentences as the web page."""
    result = run(home, "letter", "employer-hr", "--answers", "answers.yaml", "--language", language)
    assert result.returncode == 0, result.stderr
    for expected in words:
        assert expected in result.stderr, (expected, result.stderr)
    post = next(line for line in result.stderr.splitlines() if "posted my home address" in line)
    assert "[ ]" in post and reason in post
    for english in ("How to send it", "Please check", "Entries (change", "not about this"):
        assert english not in result.stderr, english
