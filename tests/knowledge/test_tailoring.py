"""A jurisdiction's pack says what holds there: `ally packs validate` fails on generic wording
left in its plans and warns about sources from another country (issue 15, item 4)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ally.knowledge.loader import (
    builtin_pack_ids,
    load_pack,
    pack_folder,
    source_warnings,
    validate_folder,
)
from ally.knowledge.tailoring import pack_place, source_place

PACKS = Path(__file__).resolve().parents[2] / "src" / "ally" / "knowledge" / "packs"


@pytest.mark.parametrize("pack_id", ["generic", "us", "us-ca", "us-ny", "us-tx", "us-oh", "gb"])
def test_built_in_packs_leak_no_generic_wording(pack_id: str) -> None:
    pack, problems = validate_folder(pack_folder(pack_id))
    assert pack is not None, [str(problem) for problem in problems]


def test_every_hand_written_pack_validates() -> None:
    for pack_id in ("ie", "ca", "ca-on", "au"):
        pack, problems = validate_folder(PACKS / pack_id)
        assert pack is not None, [str(problem) for problem in problems]


def _copy_pack(tmp_path: Path, pack_id: str) -> Path:
    """A copy of a built-in pack, extending the built-in generic pack by its folder."""
    folder = tmp_path / pack_id
    shutil.copytree(PACKS / pack_id, folder)
    shutil.copytree(PACKS / "generic", tmp_path / "generic")
    return folder


def test_an_inherited_generic_sentence_fails_with_its_place(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path, "ie")
    steps = folder / "steps.yaml"
    text = steps.read_text()
    # Ireland's own employer-duty step is removed: the generic one, "In many countries…", leaks.
    start = text.index("  - id: employer-duty\n")
    end = text.index("  - id: ", start + 10)
    steps.write_text(text[:start] + text[end:])
    pack, problems = validate_folder(folder)
    assert pack is None
    found = [str(problem) for problem in problems]
    assert any(
        "steps.employer-duty.summary" in line
        and "'In many countries'" in line
        and "generic/steps.yaml" in line
        for line in found
    ), found


def test_a_foreign_source_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path, "ie")
    steps = folder / "steps.yaml"
    text = steps.read_text()
    steps.write_text(
        text.replace("sources: [ie-nfoap-s10]", "sources: [ie-nfoap-s10, rmit-evidence]")
    )
    pack, problems = validate_folder(folder)
    assert pack is not None, [str(problem) for problem in problems]
    warnings = [str(warning) for warning in source_warnings(folder)]
    assert any(
        "notices.limited-recourse.sources.1" in line and "about AU, not IE" in line
        for line in warnings
    ), warnings
    result = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", "packs", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "rmit-evidence" in result.stderr


def test_generic_wording_in_the_generic_pack_is_fine() -> None:
    pack, problems = validate_folder(PACKS / "generic")
    assert pack is not None and not problems
    assert source_warnings(PACKS / "generic") == []


def test_places_of_sources_and_packs() -> None:
    assert source_place("https://umi.rmit.edu.au/resources/collecting-evidence") == "au"
    assert source_place("https://www.eeoc.gov/state-and-local-programs") == "us"
    assert source_place("https://www.cps.gov.uk/legal-guidance") == "gb"
    assert source_place("https://takeitdown.ncmec.org/faq/") is None
    assert source_place("https://stat.ripe.net/") is None
    assert pack_place(load_pack("us-ca")) == "us"
    assert pack_place(load_pack("ca-on")) == "ca"
    assert pack_place(load_pack("generic")) is None


def test_no_us_step_cites_an_australian_source() -> None:
    """The named leak of issue 15: an Australian university page cited in US plans."""
    for pack_id in [p for p in builtin_pack_ids() if p in {"us", "us-ca", "us-ny", "us-tx"}]:
        warnings = [str(w) for w in source_warnings(pack_folder(pack_id))]
        own = [w for w in warnings if "rmit-evidence" in w and "/generic/" not in w]
        assert not own, own
