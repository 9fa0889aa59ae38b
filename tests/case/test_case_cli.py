"""`ally case` against a real vault on disk, through the real command line (its entry point,
run in this process by tests/inprocess.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.inprocess import run_ally

PASSPHRASE = "correct horse battery staple twelve"


def ally(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`ally ARGS` in ``cwd``; journals it makes are locked with scrypt's least work (every
    command unlocks the journal; its strength is tested in tests/vault)."""
    env = dict(os.environ, ALLY_PASSPHRASE=PASSPHRASE, COLUMNS="200")
    return run_ally(*args, env=env, cwd=cwd, weak_journals=True)


def start_case(tmp_path: Path, answers_text: str) -> tuple[str, Path]:
    """A new vault whose case is started on 2026-04-21 from these answers (YAML): the set-up
    the tests of `ally case update` share. Returns the vault and the answers file."""
    vault = str(tmp_path / "vault")
    assert ally("vault", "init", "--vault", vault, cwd=tmp_path).returncode == 0
    answers = tmp_path / "answers.yaml"
    answers.write_text(answers_text)
    started = ally(
        "case", "situation", str(answers), "--on", "2026-04-21", "--vault", vault, cwd=tmp_path
    )
    assert started.returncode == 0, started.stderr
    return vault, answers


def hr_refused(vault: str, tmp_path: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """`ally case update employer-hr --status refused --on 2026-05-03 MORE...`."""
    return ally(
        "case",
        "update",
        "employer-hr",
        "--status",
        "refused",
        "--on",
        "2026-05-03",
        *more,
        "--vault",
        vault,
        cwd=tmp_path,
    )


def test_refusal_then_status_then_replan(tmp_path: Path) -> None:
    vault, answers = start_case(
        tmp_path,
        "pack: us\nanswers:\n  in_danger_now: no\n  context: [work]\n  sexual: yes\n"
        "  threats: no\n  stalking: no\n  harasser: [boss]\n"
        "  employer_size: 40\n  federal_employee: no\n  last_incident: 2026-04-20\n",
    )
    refused = hr_refused(vault, tmp_path, "--note", "HR said it was banter")
    assert refused.returncode == 0, refused.stderr
    status = ally("case", "status", "--today", "2026-05-04", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    first_row = status.stdout.split("agency-complaint", 1)[1]
    assert "refused on 3 May 2026" in first_row
    assert "2026-10-19" in status.stdout  # 20 April + 180 days
    assert "HR said it was banter" not in status.stdout  # notes are not shown in the summary

    near = ally("case", "status", "--today", "2026-10-13", "--vault", vault, cwd=tmp_path)
    assert "6 days left" in near.stdout

    answers.write_text(
        "pack: us\nanswers:\n  in_danger_now: yes\n  context: [online]\n  threats: yes\n"
    )
    assert (
        ally(
            "case", "situation", str(answers), "--on", "2026-06-01", "--vault", vault, cwd=tmp_path
        ).returncode
        == 0
    )
    replanned = ally("case", "status", "--today", "2026-06-01", "--vault", vault, cwd=tmp_path)
    assert "Earlier steps" in replanned.stdout and "they refused" in replanned.stdout
    verify = ally("vault", "verify", "--vault", vault, cwd=tmp_path)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_bad_input_changes_nothing(tmp_path: Path) -> None:
    vault = str(tmp_path / "vault")
    ally("vault", "init", "--vault", vault, cwd=tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: us\nanswers:\n  context: [moon]\n")
    result = ally("case", "situation", str(bad), "--vault", vault, cwd=tmp_path)
    assert (
        result.returncode == 1 and "context" in result.stderr and "Traceback" not in result.stderr
    )
    status = ally("case", "status", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 1 and "no situation yet" in status.stderr
    unknown = ally("case", "update", "nope", "--status", "done", "--vault", vault, cwd=tmp_path)
    assert unknown.returncode == 1


def test_case_start_as_the_readme_says(tmp_path: Path) -> None:
    """`ally case start FILE` starts the case; a second start changes nothing and says what to run."""
    vault = str(tmp_path / "vault")
    assert ally("vault", "init", "--vault", vault, cwd=tmp_path).returncode == 0
    before = ally("case", "status", "--vault", vault, cwd=tmp_path)
    assert before.returncode != 0
    assert "ally case start answers.yaml" in before.stderr + before.stdout
    answers = tmp_path / "answers.yaml"
    answers.write_text("pack: us\nanswers:\n  in_danger_now: no\n  context: [online]\n")
    started = ally("case", "start", str(answers), "--vault", vault, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert "Your case is started." in started.stdout
    again = ally("case", "start", str(answers), "--vault", vault, cwd=tmp_path)
    assert again.returncode != 0
    assert "already started" in again.stderr and "ally case situation" in again.stderr
    events = ally("vault", "list", "--kind", "case", "--vault", vault, cwd=tmp_path)
    assert events.returncode == 0, events.stderr
    status = ally("case", "status", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 0, status.stderr


def test_letter_list_is_the_same_as_the_option(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "pack: us\nanswers:\n  in_danger_now: no\n  context: [work]\n  sexual: yes\n"
        "  harasser: [coworker]\n  employer_size: 40\n  last_incident: 2026-04-20\n"
    )
    as_word = ally("letter", "list", "--answers", str(answers), cwd=tmp_path)
    as_option = ally("letter", "--list", "--answers", str(answers), cwd=tmp_path)
    assert as_word.returncode == 0, as_word.stderr
    assert as_word.stdout == as_option.stdout
    assert "employer-hr" in as_word.stdout
    assert "passphrase" not in (as_word.stdout + as_word.stderr).lower()
