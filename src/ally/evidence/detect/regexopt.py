"""Rewrites a rule's regular expression into an equivalent one that Python's engine runs faster.

The rules (``rules.py``) are written for people to read: ``\\b(?:(?:you|u) will regret|watch
your back|...)``. Python's engine tries every alternative of such a pattern at every word
boundary of the message, and an alternative that starts with a group (``(?:you|u) ...``) costs a
jump into it even when its first letter cannot match. The rewrite

* distributes a leading group over its alternatives (``(?:you|u) will`` becomes ``you will`` and
  ``u will``; an optional leading group ``(?:i )?waited`` becomes ``i waited`` and ``waited``),
  so that every alternative starts with a letter, which the engine checks without a jump;
* then merges alternatives that start with the same letters into a trie (``y(?:ou will|a ...)``),
  so that at each position the engine follows one branch per first letter.

Both steps keep the set of strings each group matches, so whether a pattern is found in a text is
unchanged (the rules only ask that; the span of a match may differ, so patterns whose spans
are used, like ``IDIOMS``, are not rewritten). Lookarounds are left exactly as written.
``tests/evidence/test_detect.py`` checks every rule on the labelled messages and on random
texts against the pattern as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_ALTERNATIVES = 400
"""Distribution stops before a group has more alternatives than this (the pattern stays
correct, only less rewritten)."""


@dataclass
class Item:
    """One element of a sequence: a literal character, an escape, a class, ``.``, an anchor or a
    group, with its quantifier (``""`` when it has none)."""

    text: str = ""
    group: str | None = None
    """For groups: how it opens ("(?:", "(?=", "(?<!", "(", ...)."""
    options: list[list[Item]] = field(default_factory=list)
    quantifier: str = ""

    @property
    def literal(self) -> bool:
        """A single character that matches only itself (``a``, ``\\ ``, ``\\.``), unquantified."""
        if self.group is not None or self.quantifier:
            return False
        if len(self.text) == 1:
            return self.text not in ".^$"
        return len(self.text) == 2 and self.text[0] == "\\" and not self.text[1].isalnum()


_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?")
_GROUP_OPEN = re.compile(r"\((?:\?(?::|=|!|<=|<!|P<\w+>))?")


def parse(pattern: str) -> list[list[Item]]:
    """The alternatives of ``pattern``, each a list of items."""
    options, end = _parse(pattern, 0)
    if end != len(pattern):
        raise ValueError(f"unbalanced parenthesis at {end}")
    return options


def _parse(pattern: str, start: int) -> tuple[list[list[Item]], int]:
    options: list[list[Item]] = [[]]
    position = start
    while position < len(pattern):
        char = pattern[position]
        if char == ")":
            return options, position
        if char == "|":
            options.append([])
            position += 1
            continue
        if char == "(":
            opened = _GROUP_OPEN.match(pattern, position)
            assert opened is not None
            inner, end = _parse(pattern, opened.end())
            if end >= len(pattern):
                raise ValueError("unbalanced parenthesis")
            item = Item(group=opened.group(0), options=inner)
            position = end + 1
        elif char == "[":
            end = position + 1
            if end < len(pattern) and pattern[end] == "^":
                end += 1
            if end < len(pattern) and pattern[end] == "]":
                end += 1
            while pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            item = Item(text=pattern[position : end + 1])
            position = end + 1
        elif char == "\\":
            item = Item(text=pattern[position : position + 2])
            position += 2
        else:
            item = Item(text=char)
            position += 1
        quantifier = _QUANTIFIER.match(pattern, position)
        if quantifier is not None and (quantifier.group(0)[0] != "{" or char != "{"):
            item.quantifier = quantifier.group(0)
            position = quantifier.end()
        options[-1].append(item)
    return options, position


def render(options: list[list[Item]]) -> str:
    return "|".join("".join(_render(item) for item in option) for option in options)


def _render(item: Item) -> str:
    if item.group is None:
        return item.text + item.quantifier
    return item.group + render(item.options) + ")" + item.quantifier


def optimise(pattern: str) -> str:
    """An equivalent pattern (same texts found), faster for Python's engine (see the module)."""
    options = parse(pattern)
    return render(_optimise_options(options, after_boundary=False))


def _optimise_options(options: list[list[Item]], after_boundary: bool) -> list[list[Item]]:
    options = [_optimise_sequence(option) for option in options]
    if after_boundary:  # "\b(?:a|\bb)": the inner "\b" is already checked
        options = [
            option[1:] if option and option[0].text == "\\b" else option for option in options
        ]
    options = _distribute(options)
    return _trie(options)


def _optimise_sequence(option: list[Item]) -> list[Item]:
    found = []
    for index, item in enumerate(option):
        if item.group in ("(?:", "(") and item.options:
            after_boundary = (
                index > 0
                and option[index - 1].text == "\\b"
                and item.group == "(?:"
                and item.quantifier in ("", "?")
            )
            item = Item(
                group=item.group,
                options=_optimise_options(item.options, after_boundary),
                quantifier=item.quantifier,
            )
        found.append(item)
    return found


def _distribute(options: list[list[Item]]) -> list[list[Item]]:
    """Leading non-capturing groups spread over their alternatives, while that stays small."""
    done: list[list[Item]] = []
    pending = list(reversed(options))
    while pending:
        option = pending.pop()
        head = option[0] if option else None
        if (
            head is not None
            and head.group == "(?:"
            and head.quantifier in ("", "?")
            and len(done) + len(pending) + len(head.options) < MAX_ALTERNATIVES
        ):
            rest = option[1:]
            spread = [inner + rest for inner in head.options]
            if head.quantifier == "?":
                spread.append(rest)
            pending.extend(reversed(spread))
        else:
            done.append(option)
    return done


def _trie(options: list[list[Item]]) -> list[list[Item]]:
    """Alternatives starting with the same literal character merged (order kept otherwise)."""
    merged: list[list[Item]] = []
    by_first: dict[str, list[list[Item]]] = {}
    for option in options:
        if option and option[0].literal:
            key = option[0].text
            if key not in by_first:
                by_first[key] = []
                merged.append([Item(text=key)])  # placeholder, filled below
            by_first[key].append(option[1:])
        else:
            merged.append(option)
    found = []
    for option in merged:
        if len(option) == 1 and option[0].literal and option[0].text in by_first:
            tails = by_first.pop(option[0].text)
            if len(tails) == 1:
                found.append(option + tails[0])
            else:  # an ended alternative becomes an empty one: "a(?:|b)" is "a" or "ab"
                found.append([*option, Item(group="(?:", options=_trie(tails))])
        else:
            found.append(option)
    return found
