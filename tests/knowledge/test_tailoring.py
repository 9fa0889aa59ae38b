"""A jurisdiction's pack says what holds there: `ally packs validate` fails on generic wording
left in its plans and warns about sources from another country (issue 15, item 4)."""

from __future__ import annotations

import shutil
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
from tests.inprocess import run_ally

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
        text.replace("sources: [ie-nfoap-s10]", "sources: [ie-nfoap-s10, esafety-evidence-first]")
    )
    pack, problems = validate_folder(folder)
    assert pack is not None, [str(problem) for problem in problems]
    warnings = [str(warning) for warning in source_warnings(folder)]
    assert any(
        "notices.limited-recourse.sources.1" in line and "about AU, not IE" in line
        for line in warnings
    ), warnings
    result = run_ally("packs", "validate", str(folder))  # in this process: tests/inprocess.py
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "esafety-evidence-first" in result.stderr


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


def test_no_built_in_pack_cites_a_foreign_source_as_if_it_were_local() -> None:
    """566 warnings before (Australian and New Zealand evidence pages in every other pack)."""
    for pack_id in builtin_pack_ids():
        warnings = [str(w) for w in source_warnings(pack_folder(pack_id))]
        assert not warnings, (pack_id, warnings)


def test_general_guidance_from_elsewhere_says_so_where_the_plan_shows_it() -> None:
    for pack_id in ("generic", "us", "gb", "ie", "ca", "ca-on", "us-oh"):
        for language in ("en", "es", "fr"):
            if language != "en" and pack_id in ("us-oh",):
                continue
            pack = load_pack(pack_id, language)
            home = pack_place(pack)
            for source in pack.sources:
                place = source_place(source.url)
                if source.general:
                    assert place is not None and place != home, source.id
                    words = {"en": "General guidance, from", "es": "Orientación general, de"}
                    expected = words.get(language, "Conseils généraux, d")
                    assert source.title.startswith(expected), (pack_id, language, source.title)


def test_england_keeps_its_evidence_steps_on_uk_sources() -> None:
    """Where the reference facts have a UK source for the same fact, gb cites it, not RMIT."""
    pack = load_pack("gb")
    for step_id in ("keep-evidence", "save-online-evidence"):
        cited = pack.step(step_id).sources
        assert "rmit-evidence" not in cited
        assert "uk-police-what-to-bring" in cited
    assert "uk-stalking-helpline-police" in pack.step("keep-evidence").sources
    assert "uk-rph" in pack.step("save-online-evidence").sources
    assert load_pack("gb", "es").step("keep-evidence").title == "Lleve un diario de lo que pasa"


def test_the_platform_step_cites_an_international_page_for_saving_first() -> None:
    for pack_id in ("generic", "us", "us-oh", "ca", "ca-on"):  # gb, ie and au have their own
        cited = load_pack(pack_id).step("platform-report").sources
        assert "esafety-evidence-first" not in cited and "meta-screenshot" in cited
    assert "esafety-evidence-first" in load_pack("au").step("platform-report").sources
