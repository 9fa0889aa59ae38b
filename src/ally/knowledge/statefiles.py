"""Render the generated state packs as YAML, write them, and check they are up to date.

The one place that turns ``statepacks`` documents into files: the same text is written by
``ally packs generate`` and compared by ``ally packs generate --check`` and the tests, so a hand
edit of a generated file, or a table change without regenerating, is always caught.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ally.knowledge.loader import BUILTIN_PACKS
from ally.knowledge.statepacks import HEADER, generated_files
from ally.knowledge.statetables import TABLES, load_tables


class _Dumper(yaml.SafeDumper):
    """Block style, long lines kept whole, and lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render(document: dict[str, Any]) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


def expected_files(tables_folder: Path = TABLES) -> dict[str, str]:
    """Path under the packs folder → the text the generator writes there."""
    tables = load_tables(tables_folder)
    return {path: render(document) for path, document in generated_files(tables).items()}


def stale_files(packs: Path = BUILTIN_PACKS, tables_folder: Path = TABLES) -> list[str]:
    """Generated files that are missing or differ from what the tables generate."""
    stale = []
    for path, text in expected_files(tables_folder).items():
        target = packs / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_generated(packs: Path = BUILTIN_PACKS, tables_folder: Path = TABLES) -> list[str]:
    """Write every generated file (creating state folders); returns the paths written."""
    written = []
    for path, text in expected_files(tables_folder).items():
        target = packs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(path)
    return written
