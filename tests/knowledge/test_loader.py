"""Packs load, inherit and, when malformed, report every problem by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.errors import PackNotFoundError, PackValidationError
from ally.knowledge.loader import builtin_pack_ids, load_folder, load_pack, validate_folder
from tests.inprocess import run_ally

MINIMAL = """\
id: {id}
name: A test pack
checked: 2026-11-25
sources:
  - id: src
    title: A source
    url: https://example.org/source
    checked: 2026-11-25
questions:
  - id: threats
    text: Has anyone threatened you?
    summary: Threats
    type: yesno
  - id: context
    text: Where does it happen?
    summary: Where
    type: multi
    options:
      - value: work
        label: At work
      - value: online
        label: Online
  - id: last_incident
    text: When did it last happen?
    summary: Last time
    type: date
steps:
  - id: report
    title: Report it
    route: police_non_emergency
    phase: report
    when: threats
    summary: Tell the police what happened.
    sources: [src]
    deadlines: [file]
    escalation:
      - on: refused
        to: lawyer
  - id: lawyer
    title: See a lawyer
    route: lawyer
    phase: support
    summary: A lawyer can advise you.
    sources: [src]
deadlines:
  - id: file
    title: File a complaint
    body: The agency
    starts: last_incident
    length: {{days: 180}}
    sources: [src]
"""


def make_pack(root: Path, pack_id: str = "test", text: str | None = None, **files: str) -> Path:
    folder = root / pack_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(text if text is not None else MINIMAL.format(id=pack_id))
    for name, content in files.items():
        (folder / f"{name}.yaml").write_text(content)
    return folder


def problems_of(folder: Path) -> list[str]:
    pack, problems = validate_folder(folder)
    assert (pack is None) == bool(problems)
    return [str(problem) for problem in problems]


@pytest.mark.parametrize("pack_id", builtin_pack_ids())
def test_every_builtin_pack_is_valid(pack_id: str) -> None:
    pack = load_pack(pack_id)
    assert pack.lineage[0] == pack_id
    assert pack.lineage[-1] == "generic"
    assert pack.questions and pack.steps and pack.sources


def test_minimal_pack_loads(tmp_path: Path) -> None:
    pack = load_folder(make_pack(tmp_path))
    assert [step.id for step in pack.steps] == ["report", "lawyer"]


def _mutated(old: str, new: str) -> str:
    text = MINIMAL.format(id="test")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    phase: report\n",
            "    phase: reprot\n",
            "test/pack.yaml:31: steps.0.phase: Input should be",
        ),
        (
            "    summary: Tell",
            "    sumary: Tell",
            "test/pack.yaml:33: steps.0.sumary: this field is not part",
        ),
        (
            "    when: threats\n",
            "    when: threats and\n",
            "test/pack.yaml:32: steps.report.when: cannot read",
        ),
        (
            "    when: threats\n",
            "    when: danger\n",
            "steps.report.when: the condition names 'danger'",
        ),
        (
            "    when: threats\n",
            "    when: context has school\n",
            "'school' is not an answer to 'context'",
        ),
        (
            "    when: threats\n",
            "    when: threats has yes\n",
            "'has' only works on questions with several",
        ),
        (
            "    sources: [src]\n    deadlines",
            "    sources: [nope]\n    deadlines",
            "no source with id 'nope'",
        ),
        (
            "        to: lawyer",
            "        to: judge",
            "steps.report.escalation.0.to: there is no step with id 'judge'",
        ),
        ("    starts: last_incident", "    starts: threats", "'threats' is not a date question"),
        ("  - id: lawyer\n", "  - id: report\n", "'report' is defined twice"),
        ("id: test\n", "id: other\n", "must match the folder name"),
        ("    length: {days: 180}", "    length: {}", "the deadline has no length"),
        (
            "    summary: Tell the police what happened.\n",
            "    summary: Tell the police what happened.\n    how:\n      - Call them: now\n",
            "test/pack.yaml:35: steps.0.how.0: this should be text",
        ),
        ("      - on: refused\n", "      - on: no_answer\n", "'no_answer' needs after_days"),
    ],
)
def test_problems_are_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    found = problems_of(make_pack(tmp_path, text=_mutated(old, new)))
    assert any(expected in problem for problem in found), found


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    found = problems_of(
        make_pack(tmp_path, text=_mutated("    type: yesno\n", "    type: [yesno\n"))
    )
    assert any("test/pack.yaml:" in problem and "not valid YAML" in problem for problem in found)


def test_problems_in_other_files_name_that_file(tmp_path: Path) -> None:
    extra = "steps:\n  - id: more\n    title: More\n    route: hr\n    phase: nowhere\n"
    found = problems_of(make_pack(tmp_path, more=extra))
    assert any("test/more.yaml:5: steps.0.phase" in p for p in found), found


def test_not_a_mapping_and_not_utf8(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, more="- just\n- a list\n")
    (folder / "bad.yaml").write_bytes(b"\xff\xfe\x00bad")
    found = problems_of(folder)
    assert any("more.yaml:1: the file must be a mapping" in p for p in found), found
    assert any("bad.yaml: this file is not UTF-8" in p for p in found), found


def test_missing_folder_and_missing_pack_yaml(tmp_path: Path) -> None:
    assert any("this is not a folder" in p for p in problems_of(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    assert any("needs a pack.yaml" in p for p in problems_of(tmp_path / "empty"))
    with pytest.raises(PackNotFoundError):
        load_folder(tmp_path / "empty")
    with pytest.raises(PackNotFoundError):
        load_pack("atlantis")


def test_inheritance_replaces_adds_and_drops(tmp_path: Path) -> None:
    make_pack(tmp_path, "base")
    child = """\
id: child
name: Child pack
extends: base
checked: 2026-11-26
steps:
  - id: lawyer
    title: See a solicitor
    route: lawyer
    phase: support
    summary: A solicitor can advise you.
    sources: [src]
  - id: helpline
    title: Call the helpline
    route: helpline
    phase: support
    summary: Someone to talk to.
    sources: [src]
drop:
  deadlines: []
"""
    folder = make_pack(tmp_path, "child", text=child)
    pack = load_folder(folder)
    assert pack.lineage == ["child", "base"]
    assert [s.id for s in pack.steps] == ["report", "lawyer", "helpline"]
    assert pack.step("lawyer").title == "See a solicitor"
    assert str(pack.checked) == "2026-11-26"


def test_drop_unknown_and_missing_parent(tmp_path: Path) -> None:
    make_pack(tmp_path, "base")
    child = "id: child\nname: Child\nextends: base\ndrop:\n  steps: [nothing]\n"
    assert any(
        "no 'nothing' to drop" in p for p in problems_of(make_pack(tmp_path, "child", text=child))
    )
    orphan = "id: orphan\nname: Orphan\nextends: missing\nchecked: 2026-11-25\n"
    assert any(
        "no pack called 'missing'" in p
        for p in problems_of(make_pack(tmp_path, "orphan", text=orphan))
    )


def test_extends_in_a_circle(tmp_path: Path) -> None:
    make_pack(tmp_path, "a", text="id: a\nname: Pack A\nextends: b\nchecked: 2026-11-25\n")
    make_pack(tmp_path, "b", text="id: b\nname: Pack B\nextends: a\nchecked: 2026-11-25\n")
    assert any("circle" in p for p in problems_of(tmp_path / "a"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_corruption_of_a_pack_is_reported_never_crashes(
    tmp_path: Path, data: st.DataObject
) -> None:
    text = MINIMAL.format(id="fuzz").encode()
    position = data.draw(st.integers(0, len(text) - 1))
    kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    if kind == "flip":
        text = text[:position] + bytes([data.draw(st.integers(0, 255))]) + text[position + 1 :]
    elif kind == "cut":
        text = text[:position]
    else:
        text = text[:position] + data.draw(st.binary(min_size=1, max_size=8)) + text[position:]
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_bytes(text)
    try:
        load_folder(folder)
    except PackValidationError as error:
        assert error.problems
        assert all(problem.file for problem in error.problems)


def test_cli_validate_reports_problems_without_traceback(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, text=_mutated("    phase: report\n", "    phase: reprot\n"))
    result = run_ally("packs", "validate", str(folder))  # in this process
    assert result.returncode == 1
    assert "pack.yaml:31: steps.0.phase" in result.stderr
    assert "Traceback" not in result.stderr
    ok = run_ally("packs", "validate", str(make_pack(tmp_path, "good")))
    assert ok.returncode == 0, ok.stderr
    assert "good: OK" in ok.stdout
