"""Conditions on answers, evaluated with three-valued (Kleene) logic.

A condition is a short expression a pack author writes, such as
``context has work and not employer_acted``. Each comparison is *true*, *false* or *unknown*
(``None``): unknown when the question was not asked or the person said "I'd rather not say".
``and``/``or``/``not`` follow Kleene's rules, so an unknown answer can never make a step
disappear that might apply, and a definite answer elsewhere can still decide the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ally.errors import ConditionSyntaxError
from ally.model.answers import NOT_APPLICABLE, ApproxDate, is_unknown

Tri = bool | None
Answers = Mapping[str, Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>>=|<=|!=|=|<|>)|(?P<punct>[()\[\],])"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_-]*))"
)
_KEYWORDS = {"and", "or", "not", "is", "in", "has", "true", "false"}


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Compare:
    """``question op value``; a bare ``question`` means ``question is yes``."""

    question: str
    op: str
    value: str | int | float | dt.date | tuple[str, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


Node = Const | Compare | Not | AllOf | AnyOf


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(self._tokenize(text))
        self.pos = 0

    def _tokenize(self, text: str) -> Iterator[tuple[str, str, int]]:
        index = 0
        while index < len(text):
            if text[index:].strip() == "":
                return
            match = _TOKEN.match(text, index)
            if not match:
                snippet = text[index:].strip()[:20]
                raise ConditionSyntaxError(f"cannot read {snippet!r} at character {index + 1}")
            kind = match.lastgroup or ""
            yield kind, match.group(kind), match.start(kind)
            index = match.end()

    def fail(self, message: str) -> ConditionSyntaxError:
        where = self.tokens[self.pos][2] + 1 if self.pos < len(self.tokens) else len(self.text)
        return ConditionSyntaxError(f"{message} at character {where}")

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None, describe: str | None = None) -> tuple[str, str]:
        """The next token; ``expected`` must match exactly, ``describe`` only names it."""
        wanted = describe or (repr(expected) if expected else "more")
        if self.pos >= len(self.tokens):
            raise self.fail(f"expected {wanted} but the condition ended")
        kind, value, _ = self.tokens[self.pos]
        if expected is not None and value != expected:
            raise self.fail(f"expected {wanted} but found {value!r}")
        self.pos += 1
        return kind, value

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionSyntaxError("the condition is empty")
        node = self.expr()
        if self.pos != len(self.tokens):
            raise self.fail(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Node:
        items = [self.conjunction()]
        while self.peek() == "or":
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def conjunction(self) -> Node:
        items = [self.unary()]
        while self.peek() == "and":
            self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def unary(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token == "(":
            self.take()
            node = self.expr()
            self.take(")")
            return node
        if token in ("true", "false"):
            self.take()
            return Const(token == "true")
        kind, name = self.take(describe="a question id")
        if kind != "word" or name in _KEYWORDS:
            raise self.fail_at_previous(f"expected a question id, found {name!r}")
        return self.comparison(name)

    def fail_at_previous(self, message: str) -> ConditionSyntaxError:
        self.pos -= 1
        return self.fail(message)

    def comparison(self, name: str) -> Node:
        token = self.peek()
        if token == "is":
            self.take()
            if self.peek() == "not":
                self.take()
                return Not(Compare(name, "is", self.scalar()))
            return Compare(name, "is", self.scalar())
        if token == "not" and self._next_is("in"):
            self.take()
            self.take("in")
            return Not(Compare(name, "in", self.word_list()))
        if token == "in":
            self.take()
            return Compare(name, "in", self.word_list())
        if token == "has":
            self.take()
            return Compare(name, "has", self.scalar_word())
        if token in ("=", "!=", "<", "<=", ">", ">="):
            self.take()
            value = self.scalar()
            if token == "=":
                return Compare(name, "is", value)
            if token == "!=":
                return Not(Compare(name, "is", value))
            return Compare(name, token, value)
        return Compare(name, "is", "yes")

    def _next_is(self, word: str) -> bool:
        return self.pos + 1 < len(self.tokens) and self.tokens[self.pos + 1][1] == word

    def scalar(self) -> str | int | float | dt.date:
        kind, value = self.take(describe="a value")
        if kind == "date":
            try:
                return dt.date.fromisoformat(value)
            except ValueError as error:
                raise self.fail_at_previous(f"{value!r} is not a real date") from error
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind != "word" or value in _KEYWORDS:
            raise self.fail_at_previous(f"expected a value, found {value!r}")
        return value

    def scalar_word(self) -> str:
        value = self.scalar()
        if not isinstance(value, str):
            raise self.fail_at_previous("expected an option name, found a number or date")
        return value

    def word_list(self) -> tuple[str, ...]:
        self.take("[")
        words = [self.scalar_word()]
        while self.peek() == ",":
            self.take()
            words.append(self.scalar_word())
        self.take("]")
        return tuple(words)


@lru_cache(maxsize=4096)
def parse(text: str | bool) -> Node:
    """Parse a condition; raise ConditionSyntaxError with the character position if malformed."""
    if isinstance(text, bool):
        return Const(text)
    return _Parser(text).parse()


def comparisons(node: Node) -> Iterator[Compare]:
    """Every comparison in a condition, for cross-checking against the pack's questions."""
    if isinstance(node, Compare):
        yield node
    elif isinstance(node, Not):
        yield from comparisons(node.item)
    elif isinstance(node, AllOf | AnyOf):
        for item in node.items:
            yield from comparisons(item)


def _compare(node: Compare, answer: Any) -> Tri:
    if is_unknown(answer):
        return None
    if answer == NOT_APPLICABLE:
        return False
    op, value = node.op, node.value
    if op == "has":
        return value in answer if isinstance(answer, list | dict) else answer == value
    if op == "in":
        if isinstance(answer, list):
            return any(item in value for item in answer)  # type: ignore[operator]
        return answer in value  # type: ignore[operator]
    if op == "is":
        if isinstance(answer, list):
            return value in answer
        return bool(answer == value)
    if isinstance(value, dt.date):
        return _compare_date(op, answer, value)
    number = _as_number(answer)
    if number is None or not isinstance(value, int | float):
        return None
    return {"<": number < value, "<=": number <= value, ">": number > value, ">=": number >= value}[
        op
    ]


def _compare_date(op: str, answer: Any, value: dt.date) -> Tri:
    """A date known only to the month or year is compared by its whole range.

    ``last_incident >= 2024-02-15`` is true if even the earliest possible day is on or after
    15 February 2024, false if even the latest is before it, and unknown otherwise.
    """
    if not isinstance(answer, ApproxDate):
        return None
    low, high = answer.earliest, answer.latest
    if op in (">=", ">"):
        if low > value or (op == ">=" and low == value):
            return True
        return False if high < value or (op == ">" and high == value) else None
    if high < value or (op == "<=" and high == value):
        return True
    return False if low > value or (op == "<" and low == value) else None


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, bool | ApproxDate):
        return None
    if isinstance(answer, int | float):
        return float(answer)
    return None


def evaluate(node: Node, answers: Answers) -> Tri:
    """Kleene three-valued evaluation: True, False or None for unknown."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Compare):
        return _compare(node, answers.get(node.question))
    if isinstance(node, Not):
        inner = evaluate(node.item, answers)
        return None if inner is None else not inner
    results = [evaluate(item, answers) for item in node.items]
    if isinstance(node, AllOf):
        if False in results:
            return False
        return None if None in results else True
    if True in results:
        return True
    return None if None in results else False


def open_questions(node: Node, answers: Answers, asked: set[str] | frozenset[str]) -> set[str]:
    """Questions not yet asked whose answer could still change this undecided condition.

    Branches already decided by other answers are skipped, which is what keeps the interview
    short: once someone says the harassment is only online, nothing under ``context has work``
    is ever asked.
    """
    if evaluate(node, answers) is not None:
        return set()
    if isinstance(node, Compare):
        return set() if node.question in asked else {node.question}
    if isinstance(node, Not):
        return open_questions(node.item, answers, asked)
    if isinstance(node, Const):
        return set()
    found: set[str] = set()
    for item in node.items:
        found |= open_questions(item, answers, asked)
    return found


def reasons(node: Node, answers: Answers) -> list[str]:
    """The questions whose answers made the condition come out as it did, in order of mention.

    For a condition that is true these are the answers that made it true; for one that is
    unknown, the answers still missing plus those already pointing towards it.
    """
    want = evaluate(node, answers)
    found: list[str] = []
    _explain(node, answers, want, found)
    return list(dict.fromkeys(found))


def _explain(node: Node, answers: Answers, want: Tri, found: list[str]) -> None:
    if isinstance(node, Const):
        return
    if isinstance(node, Compare):
        found.append(node.question)
        return
    if isinstance(node, Not):
        _explain(node.item, answers, None if want is None else not want, found)
        return
    results = [(item, evaluate(item, answers)) for item in node.items]
    deciding = (isinstance(node, AllOf) and want is False) or (
        isinstance(node, AnyOf) and want is True
    )
    if deciding:
        first = next(item for item, result in results if result is want)
        _explain(first, answers, want, found)
        return
    supporting_true = want is None and isinstance(node, AllOf)
    for item, result in results:
        if result is want or result is None or (supporting_true and result is True):
            _explain(item, answers, result, found)


def matched_options(node: Node, answers: Answers) -> dict[str, list[str]]:
    """For multiple-choice answers, the chosen options that true comparisons matched.

    "Why: where it happens: at work" reads better than listing every place the person chose
    when only one of them makes the step apply.
    """
    matched: dict[str, list[str]] = {}
    for compare in comparisons(node):
        answer = answers.get(compare.question)
        if not isinstance(answer, list) or _compare(compare, answer) is not True:
            continue
        wanted = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        hits = [item for item in answer if item in wanted]
        matched.setdefault(compare.question, [])
        matched[compare.question] += [hit for hit in hits if hit not in matched[compare.question]]
    return matched
