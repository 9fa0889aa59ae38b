"""The coverage floor fails the build when a package slides below it, and says which."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "coverage_floor.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coverage_floor", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up while being made
    spec.loader.exec_module(module)
    return module


def summary(statements: int, covered: int, branches: int, covered_branches: int) -> dict[str, Any]:
    return {
        "summary": {
            "num_statements": statements,
            "covered_lines": covered,
            "num_branches": branches,
            "covered_branches": covered_branches,
        }
    }


def report(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"meta": {"branch_coverage": True}, "files": files}


GOOD = {
    "src/ally/vault/vault.py": summary(80, 78, 20, 18),  # 96/100
    "src/ally/vault/crypto.py": summary(50, 45, 10, 9),  # 54/60
    "src/ally/case/tracker.py": summary(90, 81, 10, 9),  # 90/100
    "src/ally/web/app.py": summary(100, 10, 10, 0),  # no floor: reported only
    "src/ally/errors.py": summary(10, 10, 0, 0),
    "tests/vault/test_x.py": summary(10, 0, 0, 0),  # not Ally's code
    # A fresh clone a test ran Ally from (tests/test_self_contained.py): another copy.
    "/tmp/pytest-of-me/clone/ally/src/ally/vault/vault.py": summary(500, 5, 100, 0),
}


def run(tmp_path: Path, data: dict[str, Any], floors: dict[str, float]) -> tuple[int, str, str]:
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(data))
    code = (
        "import sys, runpy; module = runpy.run_path(sys.argv[1]); "
        f"module['FLOORS'].clear(); module['FLOORS'].update({floors!r}); "
        "sys.exit(module['main'](['x', sys.argv[2]]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_packages_are_tallied_with_branches() -> None:
    floor = load()
    packages = floor.tally(report(GOOD))
    assert sorted(packages) == ["(top)", "case", "vault", "web"]
    assert round(packages["vault"].percent, 2) == 93.75  # (78+18+45+9) / (80+20+50+10)
    assert round(packages["vault"].branch_percent, 2) == 90.0
    assert packages["case"].percent == 90.0
    assert packages["web"].percent == 9.090909090909092


def test_a_package_at_its_floor_passes_and_the_rest_is_reported(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, report(GOOD), {"vault": 90.0, "case": 90.0})
    assert (code, err) == (0, "")
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert rows["case"].split()[-2:] == ["90.0%", "90%"]
    assert rows["web"].split()[-2:] == ["9.1%", "-"]


def test_a_package_below_its_floor_fails_the_build(tmp_path: Path) -> None:
    worse = {**GOOD, "src/ally/case/tracker.py": summary(90, 80, 10, 9)}  # 89/100
    code, _, err = run(tmp_path, report(worse), {"vault": 90.0, "case": 90.0})
    assert code == 1
    assert "case: 89.0% is below its floor of 90%" in err
    assert "vault" not in err


def test_an_unmeasured_package_or_a_run_without_branches_fails(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, report(GOOD), {"knowledge": 90.0})
    assert code == 1 and "knowledge: not measured" in err
    code, _, err = run(tmp_path, {"meta": {"branch_coverage": False}, "files": GOOD}, {})
    assert code == 1 and "no branch data" in err
    missing = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_the_floors_are_the_issues() -> None:
    floor = load()
    assert dict.fromkeys(FLOOR_PACKAGES, 90.0) == floor.FLOORS


FLOOR_PACKAGES = ("knowledge", "vault", "evidence", "documents", "case")
