"""A pack's letter files are read once per change, and a broken one is a PackError that names
the file (and the field), never a YAML or pydantic traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ally.documents.content import ContentRules
from ally.documents.law import LawBook
from ally.errors import PackError

CONDUCT = "conduct:\n  sexual:\n    words: {words}\n    basis: sex\n"


def _law_file(folder: Path, words: str, stamp_ns: int) -> Path:
    path = folder / "law.yaml"
    path.write_text(CONDUCT.format(words=words), encoding="utf-8")
    os.utime(path, ns=(stamp_ns, stamp_ns))
    return path


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    _law_file(tmp_path, "sexual harassment", 1_000_000_000)
    assert LawBook([tmp_path]).conduct["sexual"].words == "sexual harassment"
    _law_file(tmp_path, "harassment of a sexual nature", 2_000_000_000)
    assert LawBook([tmp_path]).conduct["sexual"].words == "harassment of a sexual nature"


def test_a_translation_is_read_in_the_letters_language(tmp_path: Path) -> None:
    _law_file(tmp_path, "sexual harassment", 1_000_000_000)
    (tmp_path / "es").mkdir()
    _law_file(tmp_path / "es", "acoso sexual", 1_000_000_000)
    assert LawBook([tmp_path], "es").conduct["sexual"].words == "acoso sexual"
    assert LawBook([tmp_path]).conduct["sexual"].words == "sexual harassment"


def test_a_file_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "law.yaml").write_text("conduct: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"law\.yaml could not be read"):
        LawBook([tmp_path])


def test_a_wrong_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text("kinds:\n  stop:\n    entires: []\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"content\.yaml: .*kinds\.stop\.entires: Extra inputs"):
        ContentRules([tmp_path])
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "law.yaml").write_text("laws:\n  x:\n    nombre: y\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"es/law\.yaml: laws\.x\.nombre: Extra inputs"):
        LawBook([tmp_path], "es")
