"""`make run` and `make test` set up a bare machine: system packages first, then .venv, then the job."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system-deps"


@pytest.fixture
def path_without_age() -> Iterator[Path]:
    """A PATH folder with every command of this machine except `age` and `sudo`, readable by
    an ordinary user (pytest's own temporary folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="ally-path-"))
    folder.chmod(0o755)
    for bindir in (Path("/usr/bin"), Path("/bin")):
        for command in bindir.iterdir():
            target = folder / command.name
            if command.name not in {"age", "sudo", "system-deps"} and not os.path.lexists(target):
                target.symlink_to(command)
    yield folder
    shutil.rmtree(folder)


def as_ordinary_user(command: str, path: Path) -> subprocess.CompletedProcess[str]:
    shell = ["bash", "-c", command]
    if os.geteuid() == 0:
        runuser = shutil.which("runuser", path="/usr/sbin:/sbin")
        assert runuser, "running as root, the test needs runuser (util-linux) to drop privileges"
        shell = [runuser, "-u", "nobody", "--", *shell]
    return subprocess.run(
        shell, env={"PATH": str(path), "HOME": "/tmp"}, capture_output=True, text=True, timeout=60
    )


def script_for(folder: Path) -> Path:
    """A copy the ordinary user can read (the checkout may sit in a folder private to root)."""
    copy = folder / "system-deps"
    shutil.copyfile(SCRIPT, copy)
    copy.chmod(0o755)
    return copy


def test_without_root_or_sudo_it_stops_with_the_one_line_to_run(path_without_age: Path) -> None:
    done = as_ordinary_user(f"bash {script_for(path_without_age)} test", path_without_age)
    assert done.returncode == 1
    lines = [line.strip() for line in done.stderr.splitlines() if "apt-get install" in line]
    assert lines == ["sudo apt-get update && sudo apt-get install -y --no-install-recommends age"]


def test_nothing_missing_means_nothing_to_do(path_without_age: Path) -> None:
    """`make run` does not need `age`: with the runtime libraries present it installs nothing."""
    done = as_ordinary_user(f"bash {script_for(path_without_age)} run", path_without_age)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_make_installs_system_packages_before_python_and_tests() -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    order = [
        next(i for i, line in enumerate(plan) if marker in line)
        for marker in ("scripts/system-deps test", "pip --quiet", "pytest -n")
    ]
    assert order == sorted(order), plan
    run = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "scripts/system-deps run" in run and "[dev]" not in run and "ally serve" in run
