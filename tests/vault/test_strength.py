"""The one rule for a chosen passphrase, and its explanations in every interface language."""

from __future__ import annotations

from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from ally.vault import generate_passphrase
from ally.vault.strength import EXPLANATIONS, MIN_LENGTH, Weakness, weakness
from ally.web.i18n import CATALOGS


def test_the_rule_in_examples() -> None:
    assert weakness("") is Weakness.empty
    assert weakness("   ") is Weakness.empty
    assert weakness("hunter2") is Weakness.short
    assert weakness("abababababababab") is Weakness.repetitive
    assert weakness("0115 496 0000 12") is Weakness.digits
    assert weakness("correct horse battery") is None


@given(st.integers(min_value=0, max_value=100))
def test_generated_passphrases_always_pass(_: int) -> None:
    assert weakness(generate_passphrase()) is None


@given(st.text(max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_the_minimum_is_refused(text: str) -> None:
    assert weakness(text) is not None


def test_every_explanation_is_translated_for_the_web() -> None:
    with (CATALOGS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    for explanation in EXPLANATIONS.values():
        message = catalog.get(explanation)
        assert message is not None and message.string and not message.fuzzy, explanation
