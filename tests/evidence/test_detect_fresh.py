"""New wordings of harassment (issue 23): veiled threats against family, pets and home, knowing a
person's routine, doxxing by plate, workplace or school, sextortion and favours without sexual
words, control, retaliation and identity attacks are flagged with the right category and a reason
a person can read; friendly look-alikes of the same wordings are not. Also checks the fresh
held-out set (``fresh-en.tsv``, ``fresh-es.tsv``): its size, its split and that no training
row repeats one of its messages."""

from __future__ import annotations

import pytest

from ally.evidence.detect import CATEGORIES, Detector

from .conftest import rows

NEW_WORDINGS = [
    # veiled threats: family routine, pets, home, car
    ("Your son gets off the school bus at 3:30 every Monday, right?", "threat", "family's routine"),
    (
        "Your little one's got swimming on Tuesdays at the leisure centre. Cute.",
        "threat",
        "routine",
    ),
    ("Lovely roses in your front garden. They'd burn nicely.", "threat", "home, car or pets"),
    ("Keep ignoring me and we'll see how long your windows stay in one piece.", "threat", "home"),
    ("Wouldn't want that horse of yours getting out onto the road one night.", "threat", "pets"),
    ("Go on, block me. See what's waiting on your doorstep tomorrow.", "threat", "happen to you"),
    ("Tu hija sale del colegio a las dos, ¿verdad?", "threat", "family's routine"),
    # stalking: habits, where and when
    (
        "Every Thursday you go to that yoga class. I could set my watch by you.",
        "stalking",
        "habits",
    ),
    ("You left work at 5:42 and took the long way home. Why?", "stalking", "exact times"),
    (
        "I know you were at the clinic on Tuesday. I was parked across the road.",
        "stalking",
        "where",
    ),
    ("Te cambiaste de casa pero te encontré igual.", "stalking", "follow or watch"),
    # doxxing: addresses, plates, workplaces
    (
        "Here's where the snitch lives: 14 Elm Grove, flat 2. Do what you want with that.",
        "doxxing",
        "go after someone",
    ),
    ("Tag her work account so they see what she's really like.", "doxxing", "go after someone"),
    (
        "Her kids go to St Mary's primary. Parents there should know what she's like.",
        "doxxing",
        "school or nursery",
    ),
    # sextortion and favours without sexual words
    ("I kept everything you sent me. Everything. Be nice to me.", "sexual", "sextortion"),
    ("If you block me, the folder goes to your whole contact list.", "sexual", "sextortion"),
    (
        "You owe me a private video call. Camera on. Otherwise the screenshots go out.",
        "sexual",
        "sextortion",
    ),
    (
        "The promotion's yours if you come away with me for the weekend.",
        "quid_pro_quo",
        "in return",
    ),
    (
        "The job's as good as yours. Just one private meeting to seal it.",
        "quid_pro_quo",
        "in return",
    ),
    # coercive control, isolation, retaliation, identity
    (
        "I've cancelled your gym membership, you were spending too much time there.",
        "coercive_control",
        "money",
    ),
    ("You'll be home by six or there'll be consequences.", "coercive_control", "not allowed"),
    (
        "Take down your review or I'll make sure you never work in this town again.",
        "retaliation",
        "drop a complaint",
    ),
    ("Como me denunciaste, olvídate de tu contrato.", "retaliation", "reporting"),
    ("Your lot shouldn't be allowed near children.", "identity", "who you are"),
    ("Típico de los de tu raza, siempre de víctimas.", "identity", "who you are"),
    ("Todos estarían mejor si tú no existieras.", "self_harm", "kill yourself"),
]


@pytest.mark.parametrize(("text", "category", "reason"), NEW_WORDINGS)
def test_new_wordings_are_flagged_with_the_right_category_and_a_plain_reason(
    detector: Detector, text: str, category: str, reason: str
) -> None:
    found = detector.assess(text)
    assert category in found.categories, (text, found.categories)
    finding = next(f for f in found.findings if f.category == category)
    assert any(reason in r for r in finding.reasons), (text, finding.reasons)
    assert "worded like messages" not in finding.reasons[0], "a rule should name what it saw"


LOOK_ALIKES = [
    "Saw you in town earlier! Love the new haircut.",
    "Your son's school called, he's got a temperature, can you get him?",
    "Your daughter's school called, she forgot her lunch",
    "You're not allowed in the kitchen until the cake is done!",
    "I'll pick up your brother from school at 3",
    "The kids walk home at four now, can you be at the gate?",
    "Enjoy the sunshine while it lasts, rain again tomorrow.",
    "I found you a nice present for your birthday",
    "Drop me a pin when you're at the station and I'll pick you up.",
    "Your taxi is outside, grey Toyota, plate ending 4KD.",
    "Your car got keyed?? That's awful, did you call the insurance?",
    "This exam will kill me.",
    "I'll kill you at chess tonight, prepare yourself.",
    "The neighbour's goat got into our garden and ate the roses.",
    "Avísame cuando llegues a la estación y te recojo.",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_friendly_look_alikes_of_the_new_wordings_are_not_flagged(
    detector: Detector, text: str
) -> None:
    found = detector.assess(text)
    assert not found.flagged, (text, found.reasons())


def test_the_fresh_set_is_large_enough_covers_every_category_and_is_split_in_two() -> None:
    english, spanish = rows("fresh-en.tsv"), rows("fresh-es.tsv")
    assert len(english) >= 150 and len(spanish) >= 50
    for part in (english, spanish):
        assert {row["split"] for row in part} == {"dev", "test"}
        assert len({row["text"] for row in part}) == len(part), "a message is repeated"
    for category in CATEGORIES:
        for split in ("dev", "test"):
            assert any(r["label"] == category and r["split"] == split for r in english), (
                category,
                split,
            )
    benign = {row["label"] for row in english if row["label"].startswith("benign")}
    assert benign == {
        "benign-swearing",
        "benign-idiom",
        "benign-animal",
        "benign-everyday",
        "benign-lookalike",
    }


def test_no_training_row_repeats_a_fresh_message() -> None:
    fresh = {row["text"].casefold() for row in rows("fresh-en.tsv", "fresh-es.tsv")}
    training = {
        row["text"].casefold()
        for row in rows("en.tsv", "es.tsv", "extra-train.tsv")
        if row["split"] == "train"
    }
    assert not fresh & training
