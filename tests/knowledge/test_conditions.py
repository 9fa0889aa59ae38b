"""The condition language: parsing, Kleene three-valued logic, and what is still open."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ally.errors import ConditionSyntaxError
from ally.knowledge.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Const,
    Node,
    Not,
    evaluate,
    open_questions,
    parse,
    reasons,
)
from ally.model.answers import RATHER_NOT_SAY


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("threats", {"threats": "yes"}, True),
        ("threats", {"threats": "no"}, False),
        ("threats", {}, None),
        ("threats", {"threats": RATHER_NOT_SAY}, None),
        ("not threats", {"threats": "no"}, True),
        ("context has work", {"context": ["online", "work"]}, True),
        ("context has work", {"context": ["online"]}, False),
        ("harasser in [partner, family]", {"harasser": ["family"]}, True),
        ("harasser in [partner, family]", {"harasser": ["boss"]}, False),
        ("size >= 15", {"size": 15}, True),
        ("size >= 15", {"size": 14}, False),
        ("size < 15", {"size": RATHER_NOT_SAY}, None),
        ("kind is public", {"kind": "public"}, True),
        ("kind is not public", {"kind": "public"}, False),
        ("kind != public", {"kind": "private"}, True),
        ("kind not in [a, b]", {"kind": "c"}, True),
        # Kleene: a definite answer can decide even when the other side is unknown.
        ("threats and stalking", {"threats": "no"}, False),
        ("threats or stalking", {"threats": "yes"}, True),
        ("threats and stalking", {"threats": "yes"}, None),
        ("threats or stalking", {"threats": "no"}, None),
        (
            "(threats or stalking) and not context has work",
            {"stalking": "yes", "context": ["work"]},
            False,
        ),
        ("true", {}, True),
        ("false or threats", {"threats": "yes"}, True),
    ],
)
def test_evaluate(text: str, answers: dict[str, object], expected: bool | None) -> None:
    assert evaluate(parse(text), answers) is expected


def test_boolean_literal_conditions() -> None:
    assert parse(True) == Const(True)
    assert evaluate(parse(False), {}) is False


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("threats and", "ended"),
        ("context has", "ended"),
        ("(threats", "')'"),
        ("harasser in partner", "'['"),
        ("threats @ 3", "cannot read"),
        ("and threats", "question id"),
        ("threats stalking", "unexpected"),
        ("size >= and", "value"),
    ],
)
def test_syntax_errors_say_where(text: str, fragment: str) -> None:
    with pytest.raises(ConditionSyntaxError) as error:
        parse(text)
    assert fragment in str(error.value)


def test_open_questions_skip_decided_branches() -> None:
    node = parse("context has work and employer_size >= 15")
    assert open_questions(node, {}, frozenset()) == {"context", "employer_size"}
    online = {"context": ["online"]}
    assert open_questions(node, online, frozenset(online)) == set()
    declined = {"context": ["work"], "employer_size": RATHER_NOT_SAY}
    assert open_questions(node, declined, frozenset(declined)) == set()


def test_reasons_name_the_answers_that_decided() -> None:
    node = parse("threats or stalking or intimate_images")
    assert reasons(node, {"threats": "no", "stalking": "yes"}) == ["stalking"]
    node = parse("context has work and (protected_ground or sexual)")
    answers = {"context": ["work"], "protected_ground": "no", "sexual": "yes"}
    assert reasons(node, answers) == ["context", "sexual"]
    assert reasons(node, {"context": ["work"]}) == ["context", "protected_ground", "sexual"]


QUESTIONS = ["a", "b", "c", "d"]
VALUES = st.sampled_from(["yes", "no", RATHER_NOT_SAY])


def _nodes() -> st.SearchStrategy[Node]:
    leaf = st.sampled_from(QUESTIONS).map(lambda q: Compare(q, "is", "yes"))
    return st.recursive(
        leaf | st.booleans().map(Const),
        lambda inner: st.one_of(
            inner.map(Not),
            st.lists(inner, min_size=2, max_size=3).map(lambda items: AllOf(tuple(items))),
            st.lists(inner, min_size=2, max_size=3).map(lambda items: AnyOf(tuple(items))),
        ),
        max_leaves=8,
    )


@given(_nodes(), st.dictionaries(st.sampled_from(QUESTIONS), VALUES), st.sampled_from(QUESTIONS))
def test_forgetting_an_answer_never_flips_a_definite_result(
    node: Node, answers: dict[str, str], forget: str
) -> None:
    """Kleene monotonicity: knowing less can only turn a result into unknown, never flip it."""
    known = evaluate(node, answers)
    less = dict(answers)
    less[forget] = RATHER_NOT_SAY
    after = evaluate(node, less)
    assert after is None or after == known


@given(_nodes(), st.dictionaries(st.sampled_from(QUESTIONS), VALUES))
def test_an_undecided_result_is_decided_by_its_open_questions(
    node: Node, answers: dict[str, str]
) -> None:
    result = evaluate(node, answers)
    opened = open_questions(node, answers, frozenset(answers))
    if result is not None:
        assert opened == set()
    assert opened.isdisjoint(answers)


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("d >= 2024-02-15", "2024-02-15", True),
        ("d >= 2024-02-15", "2024-02-14", False),
        ("d >= 2024-02-15", "2024-03", True),
        ("d >= 2024-02-15", "2024-01", False),
        ("d >= 2024-02-15", "2024-02", None),  # could be either side of the 15th
        ("d >= 2024-02-15", "2024", None),
        ("d < 2024-02-15", "2024-02", None),
        ("d < 2024-02-15", "2023", True),
        ("d > 2024-02-29", "2024-02", False),
        ("d <= 2024-02-29", "2024-02", True),
        ("d >= 2024-02-15", RATHER_NOT_SAY, None),
    ],
)
def test_date_comparisons_respect_approximate_dates(
    text: str, answer: str, expected: bool | None
) -> None:
    from ally.model.answers import ApproxDate

    value = answer if answer == RATHER_NOT_SAY else ApproxDate.parse(answer)
    assert evaluate(parse(text), {"d": value}) is expected


def test_invalid_date_literal() -> None:
    with pytest.raises(ConditionSyntaxError, match="not a real date"):
        parse("d >= 2024-02-30")


CONDITION_PIECES = [*"abc_ -()[],=<>!0123456789.", "and ", "or ", "not ", "in ", "has ", "is "]


@given(st.lists(st.sampled_from(CONDITION_PIECES), max_size=25).map("".join))
def test_the_parser_never_fails_with_anything_but_a_syntax_error(text: str) -> None:
    try:
        node = parse(text)
    except ConditionSyntaxError:
        return
    evaluate(node, {"a": "yes", "b": ["x"], "c": 3})
