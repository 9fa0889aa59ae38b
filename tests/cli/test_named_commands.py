"""Every `ally …` command that the README, the docs or Ally's own messages name must exist.

A person who is told "run `ally case start`" and gets "No such command" loses trust at the
worst moment. This test collects the commands named in README.md, docs/, the other top-level
Markdown files, Ally's Python strings and its templates and packs, resolves each against the
real command tree (sub-commands and options), and runs its ``--help``.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from ally.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
CODE_SPAN = re.compile(r"`(ally [^`\n]+)`")
HTML_CODE = re.compile(r"<code>(ally [^<\n]+)</code>")
STRING_START = re.compile(r"^(?:Run:?\s+|run\s+)?(ally [a-z][^\n]*)$")


@dataclass(frozen=True)
class Mention:
    """A command as written somewhere, and where."""

    text: str
    where: str


def _markdown_mentions(path: Path) -> Iterator[Mention]:
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.relative_to(ROOT)}:{number}"
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            command = line.strip().removeprefix("$ ").removeprefix(".venv/bin/")
            command = command.split(" #")[0].strip()
            if command.startswith("ally "):
                yield Mention(command, where)
            continue
        for found in CODE_SPAN.findall(line):
            yield Mention(found, where)


def _python_mentions(path: Path) -> Iterator[Mention]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for found in CODE_SPAN.findall(node.value):
                yield Mention(found, where)
            started = STRING_START.match(node.value.strip())
            if started and "`" not in started.group(1):
                yield Mention(started.group(1), where)


def _template_mentions(path: Path) -> Iterator[Mention]:
    text = path.read_text(encoding="utf-8")
    where = str(path.relative_to(ROOT))
    for found in CODE_SPAN.findall(text) + HTML_CODE.findall(text):
        yield Mention(found, where)


def all_mentions() -> list[Mention]:
    """Every command named to a person or a developer, from the repository as shipped."""
    found: list[Mention] = []
    markdown = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    markdown += [p for p in sorted(ROOT.glob("*.md")) if p.name != "README.md"]
    for path in markdown:
        found += _markdown_mentions(path)
    for path in sorted((ROOT / "src" / "ally").rglob("*.py")):
        found += _python_mentions(path)
    for suffix in ("*.html", "*.yaml", "*.po"):
        for path in sorted((ROOT / "src" / "ally").rglob(suffix)):
            found += _template_mentions(path)
    return found


def _tokens(text: str) -> list[str]:
    cleaned = text.replace("…", " ").replace("...", " ").strip().rstrip(".,;:")
    try:
        return shlex.split(cleaned)[1:]
    except ValueError:
        return cleaned.split()[1:]


def _is_word(token: str) -> bool:
    """A lower-case word where a sub-command could stand (not a placeholder, path or option)."""
    return bool(re.fullmatch(r"[a-z][a-z-]*", token))


def _is_group(command: Any) -> bool:
    """Typer ships its own copy of click, so groups are recognised by their sub-commands."""
    return isinstance(getattr(command, "commands", None), dict)


@cache
def _root() -> Any:
    """The click command tree of `ally`, built once (building it for each of the hundreds of
    mentions took most of this file's time, at collection and in the tests)."""
    return typer.main.get_command(app)


def resolve(text: str) -> tuple[list[str], list[str]]:
    """The command path a mention names, and the problems found with it (empty when fine)."""
    command: Any = _root()
    path: list[str] = []
    problems: list[str] = []
    tokens = _tokens(text)
    for token in tokens:
        if _is_group(command) and token in command.commands:
            command = command.commands[token]
            path.append(token)
            continue
        if _is_group(command) and _is_word(token) and "|" not in token:
            problems.append(f"no command `ally {' '.join([*path, token])}`")
        break
    options = {name for param in command.params for name in param.opts + param.secondary_opts}
    options.add("--help")
    for token in tokens:
        if token.startswith("--"):
            option = token.split("=", 1)[0]
            if option not in options:
                problems.append(f"`ally {' '.join(path)}` has no option {option}")
    return path, problems


MENTIONS = all_mentions()


def test_the_commands_are_collected() -> None:
    """The collector finds the README's commands, so an empty scan cannot pass silently."""
    texts = {mention.text.split()[1] for mention in MENTIONS}
    assert len(MENTIONS) > 100
    assert {"plan", "vault", "case", "evidence", "letter", "serve", "directory"} <= texts


def test_every_named_command_exists() -> None:
    problems = []
    for mention in MENTIONS:
        problems += [
            f"{mention.where}: {p} (in {mention.text!r})" for p in resolve(mention.text)[1]
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    sorted({tuple(resolve(mention.text)[0]) for mention in MENTIONS}),
    ids=lambda path: " ".join(path) or "ally",
)
def test_every_named_command_shows_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ally case begin", "no command `ally case begin`"),
        ("ally vault verify --nonsense", "has no option --nonsense"),
    ],
)
def test_a_wrong_command_is_caught(text: str, problem: str) -> None:
    assert any(problem in found for found in resolve(text)[1])
