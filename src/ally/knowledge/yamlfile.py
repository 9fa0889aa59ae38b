"""YAML reading that remembers line numbers and never guesses booleans.

PyYAML follows YAML 1.1, where ``no``, ``yes``, ``on`` and ``off`` become booleans. In packs and
answers files those are answer values, so only ``true`` and ``false`` are booleans here (as in
YAML 1.2). Every mapping and list remembers the line of each key and item, so a problem can be
reported as ``file:line``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode


class LineDict(dict[Any, Any]):
    """A mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A list that knows the line of each of its items (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlSyntaxError(Exception):
    """Raised with the 1-based line of the problem."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(text: str) -> Any:
    """Parse one YAML document, raising YamlSyntaxError with a line number on failure."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        # `from None`: PyYAML's message quotes the line, which may be a person's answer.
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = f"this is not valid YAML: {error.problem or error.context}"
        if error.context and error.context_mark and error.problem:
            message += f" ({error.context} that starts on line {error.context_mark.line + 1})"
        raise YamlSyntaxError(line, message) from None
    except yaml.YAMLError as error:
        # `from None`: PyYAML's message quotes the line, which may be a person's answer.
        raise YamlSyntaxError(None, f"this is not valid YAML: {error}") from None


def read_yaml(path: Path) -> Any:
    """Read a YAML file; undecodable bytes are reported like syntax errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlSyntaxError(None, "this file is not UTF-8 text") from error
    return parse_yaml(text)


def line_of(root: Any, loc: Sequence[int | str]) -> int | None:
    """The line of the deepest part of ``loc`` that exists in ``root``."""
    line = getattr(root, "line", None) or None
    node = root
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
