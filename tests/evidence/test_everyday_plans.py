"""False alarms and misses an acceptance audit found (issue 23 item 1): friends arranging to
meet are not stalked or threatened, while knowing where the reader parked, where their mother
lives (Spanish) or their car's number plate is flagged, with a reason a person can read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.vault import Vault

from .conftest import shared_detector

PLANS = [
    "see you soon x",
    "see you soon xx",
    "see you there",
    "see you there!",
    "see you at the party",
    "see you at work tomorrow",
    "see you at the station",
    "msg 7 see you at the station",
    "I'll see you at home",
    "ok see you at the station then, bring the kids",
    "See you on Monday",
    "nos vemos mañana en la estación",
    "no sé dónde vive tu madre, pregúntale a tu padre",
    "My car is KX19 ABC, the blue one",
    "Your Uber is outside. Plate AB12 CDE, silver Prius",
    "I'll be at your place at 6",
    # An arranged visit: the turning-up rules are lowered, nothing else.
    "I'm coming over after work",
    "I'll come to yours after the gym",
    "I'm parked outside, come down when ready",
    "I'm outside your office, come down for coffee",
    "I'll meet you outside your work at 5",
    "voy a tu casa después del trabajo",
    "I'm following you on instagram now",
]


@pytest.mark.parametrize("text", PLANS)
def test_plans_and_own_details_are_not_flagged(text: str) -> None:
    assessment = shared_detector().assess(text)
    assert not assessment.flagged, assessment.reasons()


HARASSMENT = [
    ("I know where you parked", "stalking", "knows where you were and when"),
    ("I know which train you take", "stalking", "knows where you were and when"),
    ("I saw you at the station at 8", "stalking", "knows where you were and when"),
    ("Sé dónde vive tu madre", "threat", "knows where your family lives"),
    ("Ya sé dónde vives", "doxxing", "says they have your home address or details"),
    ("Tengo tu matrícula", "doxxing", "says they have your home address or details"),
    ("I have your plate", "doxxing", "says they have your home address or details"),
    ("Your car is the blue Golf KX19 ABC, right?", "doxxing", "knows your car's number plate"),
    ("Plate 7ABC123. I'll remember it", "doxxing", "knows your car's number plate"),
    # A plan does not hide what surrounds it.
    ("See you soon. Very soon. You won't like it.", "threat", None),
    ("See you on Monday. Come alone.", "threat", None),
    ("Your gym check-in says 6:30. I'll see you there.", "stalking", None),
    # An arranged visit with pressure is turning up uninvited.
    ("I'm coming over after work whether you like it or not", "threat", "threatens to come to you"),
    ("I'm coming over tonight and you'd better be ready", "threat", "threatens to come to you"),
    ("I'm outside your house again. Come down when you're ready", "stalking", None),
    ("I'm coming over after work and I'll break your legs", "threat", "threatens to hurt you"),
    ("I'm outside", "stalking", "says they follow or watch you"),
    ("I followed you home", "stalking", "says they follow or watch you"),
]


@pytest.mark.parametrize(("text", "category", "reason"), HARASSMENT)
def test_knowing_where_someone_is_or_their_car_is_flagged(
    text: str, category: str, reason: str | None
) -> None:
    assessment = shared_detector().assess(text)
    assert category in assessment.categories, assessment.scores
    (finding,) = [f for f in assessment.findings if f.category == category]
    assert finding.reasons and (reason is None or reason in finding.reasons), finding


def test_a_long_chat_of_the_same_plan_flags_nothing(tmp_path: Path) -> None:
    """The audit's chat: thousands of "msg N see you at the station" lines came out all flagged
    (here with the places that were still flagged before the fix). One real threat among them
    is the only flag."""
    places = ("at the station", "at the party", "there")
    lines = [
        f"1/15/20, 9:{n % 60:02d} PM - Sam: msg {n} see you {places[n % 3]}" for n in range(3000)
    ]
    lines.insert(1500, "1/15/20, 9:30 PM - Sam: I know where you parked. See you soon.")
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vault = Vault.create(str(tmp_path / "vault"), "plans test passphrase", work_factor=10)
    try:
        result = import_file(
            vault, chat, ImportOptions(timezone=dt.UTC), detector=shared_detector(), parallel=False
        )
    finally:
        vault.close()
    assert (result.read, result.flagged) == (3001, 1)
