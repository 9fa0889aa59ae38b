"""The harassment detector: every category fires with a plain reason, in English and Spanish;
swearing, idioms, animals and look-alikes do not; the targets hold on the test half of Ally's
labelled set; the model is the one the training code defines and never saw the test half."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ally.evidence
from ally.evidence.detect import CATEGORIES, LABELS, Detector
from ally.evidence.detect import train as training
from ally.evidence.detect.lexicon import TOKEN, normalise
from ally.evidence.detect.model import MODEL_PATH, LinearModel, features
from ally.evidence.detect.regexopt import optimise
from ally.evidence.detect.rules import IDIOMS, RULES
from ally.evidence.errors import EvidenceError

from .conftest import SET, rows, shared_detector

NETWORK = re.compile(
    r"^\s*(?:import|from) (?:urllib|requests|http|socket|httpx|ftplib)\b", re.MULTILINE
)


@pytest.mark.parametrize(
    ("text", "category", "reason"),
    [
        ("I'm going to break your legs when I see you", "threat", "threatens to hurt you"),
        ("It'd be a shame if something happened to your kids", "threat", "your family"),
        ("tell anyone and you're dead", "threat", "hurt or killed"),
        ("I followed you home last night, you didn't even notice", "stalking", "follow or watch"),
        (
            "Your location says you're at the pub. You told me you were home.",
            "stalking",
            "location",
        ),
        ("Everyone call her and tell her she's a liar 07700 900461", "doxxing", "phone number"),
        ("I'm posting your home address in the group tonight", "doxxing", "share your details"),
        ("I have your nudes. Pay me £500 or everyone sees them", "sexual", "sextortion"),
        ("Send me a pic of you in that dress, just for me", "sexual", "photos"),
        ("The contract is yours if you're nice to me after hours", "quid_pro_quo", "in return"),
        ("Give me your phone password. Now.", "coercive_control", "passwords"),
        ("no one would believe you anyway", "coercive_control", "believe you"),
        ("From now on your wages go into my account", "coercive_control", "money"),
        ("Withdraw the complaint or I'll make sure you never work again", "retaliation", "drop"),
        ("You reported me to HR? Big mistake.", "retaliation", "reporting"),
        ("You're a pathetic excuse for a human being", "insult", "puts you down"),
        ("you're a useless waste of space", "insult", "insults you"),
        ("go back to your own country", "identity", "who you are"),
        ("kill yourself, nobody would miss you", "self_harm", "hurt or kill yourself"),
        # Spanish
        ("si me dejas te mato", "threat", "threatens to hurt you"),
        ("te seguí hasta tu casa y ni te diste cuenta", "stalking", "follow or watch"),
        ("tengo las fotos de esa noche, o me pagas o las ve todo el mundo", "sexual", "sexual"),
        ("nadie te va a creer, la loca eres tú", "coercive_control", "believe you"),
        ("retira la denuncia o tu hermana se entera de todo", "retaliation", "drop a complaint"),
        ("vuelve a tu país", "identity", "who you are"),
        ("mátate", "self_harm", "kill yourself"),
    ],
)
def test_each_category_fires_with_a_plain_reason(
    detector: Detector, text: str, category: str, reason: str
) -> None:
    assessment = detector.assess(text)
    finding = next(f for f in assessment.findings if f.category == category)
    assert finding.flagged, (category, assessment.scores)
    assert any(reason in r for r in finding.reasons), finding.reasons
    line = next(line for line in assessment.reasons() if line.startswith(LABELS[category]))
    assert reason in line


@pytest.mark.parametrize(
    "text",
    [
        # swearing among friends and at things
        "fuck, I left my keys at home again",
        "lmao you're such a dumbass, love you tho",
        "this traffic is fucking unbelievable",
        "joder, qué frío",
        # idioms
        "this exam will kill me",
        "you killed it on stage tonight!!",
        "I could murder a pint right now",
        "we're going to destroy them in the final on Saturday",
        "me muero de ganas de verte",
        # animals named as animals
        "walked the dog, fed the cat, now coffee",
        "Our pig at the farm had piglets this morning!",
        "there's a rat in the shed, can you call someone",
        # look-alikes
        "I know where you live, I'm the one who delivers your post 😄 parcel's on the porch",
        "Hi, this is your driver, I'm outside your house now",
        "My address is 14 Elm Grove, come round whenever you like",
        "Report them to HR, what they did is not ok",
        "See you at 10 for lunch?",
    ],
)
def test_everyday_talk_is_not_flagged(detector: Detector, text: str) -> None:
    assessment = detector.assess(text)
    assert not assessment.flagged, (text, assessment.reasons())


def test_an_animal_is_an_insult_only_when_aimed_at_you(detector: Detector) -> None:
    assert "insult" in detector.assess("get out of my sight you pig").categories
    assert not detector.assess("the pig got out of the pen again").flagged


def test_swearing_is_strong_language_not_a_flag(detector: Detector) -> None:
    assessment = detector.assess("holy shit that concert was amazing")
    assert assessment.strong_language and not assessment.flagged
    assert not detector.assess("See you at 10 for lunch?").strong_language


@pytest.mark.parametrize(
    "text",
    [
        "Liberals really are nuts.",
        "he's a total madman and a danger to everyone",
        "these people are mentally ill",
        "Hillary? Who is she to be in any curriculum? She is nothing!",
        "shame on you, you lied to all of us",
        "what a lying narcissist",
        "u never talk to me shut up",
        "Good lord this woman is a dipshit !",
        "Fuuckkkk youuuuu",
        "the furniture got replaced by even shittier couches",
        "#IdiotAlert again on the news tonight",
        "He is a failure in every way possible.",
        "she's a fake and everyone knows it",
    ],
)
def test_contempt_without_swear_words_is_strong_language(detector: Detector, text: str) -> None:
    assert detector.assess(text).strong_language, text


@pytest.mark.parametrize(
    "text",
    [
        "I'm allergic to nuts, can we pick another place",
        "he is nothing like his brother, much calmer",
        "What a shame, the shop closed down",
        "I think the new tax plan is bad for small businesses",
        "we drove through Scunthorpe on the way up",
        "that phrase is an oxymoron",
        "take the scrap metal to the tip",
        "the sofa is made with flame retardant foam",
        "shiitake mushrooms in the soup tonight",
        "he has been a great help this week",
    ],
)
def test_everyday_words_of_contempt_are_not_strong_language(detector: Detector, text: str) -> None:
    assert not detector.assess(text).strong_language, text


def test_gun_policy_talk_is_not_a_weapon_threat(detector: Detector) -> None:
    for text in ("I support stricter gun control laws", "the gun rights debate again"):
        assessment = detector.assess(text)
        assert "mentions a weapon" not in " ".join(assessment.reasons()), text
        assert not assessment.flagged, (text, assessment.reasons())
    found = detector.assess("I've got a gun and I know where you live")
    assert "threat" in found.categories
    assert any("mentions a weapon" in reason for reason in found.reasons())


def test_banter_lowers_a_threat_but_not_sextortion(detector: Detector) -> None:
    joke = detector.assess("Don't tell anyone about the surprise party or I'll kill you 😂")
    assert not joke.flagged
    assert "sexual" in detector.assess("lol send nudes or I post your pics everywhere").categories


def test_every_category_is_scored_and_labelled(detector: Detector) -> None:
    assert tuple(detector.assess("").scores) == CATEGORIES
    assert set(LABELS) == set(CATEGORIES)


def test_reasons_are_short_and_plain() -> None:
    """Reasons are read on a phone by a frightened person: short, lower case, no jargon."""
    for rule in RULES:
        assert len(rule.reason) <= 90 and rule.reason[0].islower(), rule.reason
        assert not re.search(r"regex|pattern|lexicon|model|classif", rule.reason), rule.reason


def test_the_set_has_enough_messages_and_a_clean_split() -> None:
    english, spanish = rows("en.tsv"), rows("es.tsv")
    assert len(english) >= 600 and len(spanish) >= 200
    for language in (english, spanish):
        halves = {
            split: {r["text"] for r in language if r["split"] == split}
            for split in ("train", "test")
        }
        assert halves["train"] and halves["test"] and not halves["train"] & halves["test"]
        for category in CATEGORIES:
            labelled = {r["split"] for r in language if r["label"] == category}
            assert labelled == {"train", "test"}, category
    test_texts = {r["text"] for r in english + spanish if r["split"] == "test"}
    extra = rows("extra-train.tsv")
    assert all(r["split"] == "train" for r in extra) and not test_texts & {r["text"] for r in extra}


def test_training_reads_no_test_message() -> None:
    test_texts = {r["text"] for r in rows("en.tsv", "es.tsv") if r["split"] == "test"}
    trained = training.load(SET, "train")
    assert len(trained) > 600 and not test_texts & {text for text, _ in trained}


def test_targets_hold_on_the_test_half(detector: Detector) -> None:
    """Recall >= 0.9 on harassment without profanity; <= 10% of benign swearing flagged."""
    test = [r for r in rows("en.tsv", "es.tsv") if r["split"] == "test"]
    clean = [r for r in test if not r["label"].startswith("benign") and r["profane"] == "0"]
    swearing = [r for r in test if r["label"] == "benign-swearing"]
    recall = sum(detector.assess(r["text"]).flagged for r in clean) / len(clean)
    false_flags = sum(detector.assess(r["text"]).flagged for r in swearing) / len(swearing)
    assert recall >= 0.9, recall
    assert false_flags <= 0.10, false_flags


def test_rule_triggers_never_hide_a_match(detector: Detector) -> None:
    """Rules are tried only when one of their words is present; that must never lose a match."""
    for row in rows("en.tsv", "es.tsv", "extra-train.tsv", "fresh-en.tsv", "fresh-es.tsv"):
        normalised = normalise(row["text"])
        words = set(TOKEN.findall(normalised))
        words |= {word.split("'", 1)[0] for word in words}
        gated = detector.rule_hits(normalised, words)
        text = IDIOMS.sub(" ", normalised)
        for rule in RULES:
            if rule.pattern.search(text):
                assert (rule.weight, rule.reason) in gated.get(rule.category, []), (
                    row["text"],
                    rule.reason,
                )


def test_scores_are_the_bias_plus_the_weights_of_the_features(detector: Detector) -> None:
    with gzip.open(MODEL_PATH) as handle:
        data = json.loads(handle.read())
    assert data["format"] == 2 and "train half" in data["trained_on"]
    model = LinearModel.load()
    for text in ["you are a stupid idiot", "lovely weather", "I know where your kids go to school"]:
        names = detector.model_features(text)
        expected = [head["bias"] for head in data["heads"]]
        for name in names:
            for index, weight in data["weights"].get(name, []):
                expected[index] += weight
        assert model.raw(names) == pytest.approx(expected, abs=1e-9)


def test_the_model_reads_words_and_concepts() -> None:
    names = features(["your", "little", "girl", "got", "lost"], {}, False, False, False)
    assert {"your", "girl", "your little", "k:YOU", "k:FAMILY", "k:FAMILY&YOU", "x:you"} <= set(
        names
    )


def test_only_insulting_words_are_insult_concepts(detector: Detector) -> None:
    """The words of "piece of shit" are not insults on their own: "of" once made every
    "you are an X of Y" look like an insult to the model."""
    assert "k:INSULT" not in features(["piece", "of", "cake"], {}, False, False, False)
    for text in ("You are an individual of excellent taste.", "Of course you are!!"):
        assert not detector.assess(text).flagged, text
    assert "insult" in detector.assess("you're a piece of shit").categories


def test_a_damaged_model_gives_an_actionable_error(tmp_path: Path) -> None:
    damaged = tmp_path / "model.json.gz"
    damaged.write_bytes(b"not gzip")
    with pytest.raises(
        EvidenceError, match=r"reinstall Ally or run python -m ally\.evidence\.detect\.train"
    ):
        Detector(damaged)


def test_training_without_the_data_says_where_it_is(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="benchmarks/data/harassment"):
        training.main(["--data", str(tmp_path / "missing"), "--out", str(tmp_path / "m.json.gz")])


def test_normalise_undoes_disguises_but_not_times_or_mentions() -> None:
    assert normalise("F*U*C*K  you") == "fuck you"
    assert normalise("Sh1t, b@stard, f.u.c.k") == "shit, bastard, fuck"
    assert normalise("See you at 10am, @user") == "see you at 10am, @user"
    assert normalise("Mátate, COÑO") == "matate, cono"


def test_a_batch_scores_repeated_texts_once(detector: Detector) -> None:
    texts = ["ok", "I will hurt you", "ok", "I will hurt you"]
    batch = list(detector.assess_many(texts))
    assert batch[0] is batch[2] and batch[1] is batch[3]
    assert [a.flagged for a in batch] == [False, True, False, True]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_scores_between_0_and_1_and_flags_have_reasons(text: str) -> None:
    assessment = shared_detector().assess(text)
    assert all(0.0 <= score <= 1.0 for score in assessment.scores.values())
    assert all(finding.reasons for finding in assessment.findings if finding.flagged)


def test_no_network_code_in_evidence() -> None:
    """Nothing is downloaded at run time: no module of the evidence package can reach out."""
    root = Path(ally.evidence.__file__).parent
    modules = sorted(root.rglob("*.py"))
    assert len(modules) >= 20 and root / "detect" / "model.py" in modules
    for module in modules:
        assert not NETWORK.search(module.read_text(encoding="utf-8")), module


def _written_rules() -> list[tuple[str, re.Pattern[str]]]:
    return [(rule.written, rule.pattern) for rule in RULES if rule.written is not None]  # type: ignore[misc]


def test_rules_are_rewritten_without_changing_what_they_find() -> None:
    """``regexopt`` rewrites each rule for speed; on every labelled message (and the same with
    its words shuffled) each rule finds something exactly when the pattern as written does."""
    written = _written_rules()
    assert len(written) >= 50 and any(source != fast.pattern for source, fast in written)
    texts = [
        normalise(row["text"])
        for row in rows("en.tsv", "es.tsv", "extra-train.tsv", "fresh-en.tsv", "fresh-es.tsv")
    ]
    shuffled = [" ".join(sorted(text.split(), key=hash)) for text in texts]
    for source, fast in written:
        plain = re.compile(source)
        for text in texts + shuffled:
            assert bool(plain.search(text)) == bool(fast.search(text)), (source[:60], text)


WORDS = st.sampled_from(
    [
        "you",
        "your",
        "u",
        "ur",
        "i",
        "i'll",
        "im",
        "i'm",
        "will",
        "going",
        "to",
        "gonna",
        "kill",
        "hurt",
        "your",
        "kids",
        "know",
        "where",
        "live",
        "post",
        "address",
        "number",
        "report",
        "police",
        "hr",
        "regret",
        "sorry",
        "pay",
        "if",
        "or",
        "else",
        "not",
        "allowed",
        "friends",
        "send",
        "pics",
        "nudes",
        "photos",
        "everyone",
        "call",
        "her",
        "his",
        "their",
        "school",
        "women",
        "are",
        "all",
        "go",
        "back",
        "the",
        "a",
        "te",
        "voy",
        "a",
        "matar",
        "tu",
        "direccion",
        "nadie",
        "te",
        "va",
        "a",
        "creer",
        ".",
        ",",
        "!",
        "?",
        "07700",
        "900461",
        "3pm",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=14))
def test_rewritten_rules_agree_on_random_wordings(words: list[str]) -> None:
    text = " ".join(words)
    for source, fast in _written_rules():
        assert bool(re.search(source, text)) == bool(fast.search(text)), (source[:60], text)


def test_optimise_keeps_what_a_pattern_matches() -> None:
    pattern = r"\b(?:(?:you|u) will (?:regret|pay)|\bwatch (?:your|ur) back|(?:i )?waited)"
    rewritten = optimise(pattern)
    assert rewritten != pattern and "(?:you|u)" not in rewritten
    for text in ["u will pay", "you will regret", "watch ur back", "i waited", "waited", "youwill"]:
        assert bool(re.search(pattern, text)) == bool(re.search(rewritten, text)), text
    assert optimise(r"a(?<=\ba)b{1,2}[xy]+\.") == r"a(?<=\ba)b{1,2}[xy]+\."


def test_the_fast_model_path_scores_like_the_feature_names(detector: Detector) -> None:
    """``LinearModel.linear`` skips building feature names; it must sum the same weights."""
    model = detector.model
    assert model is not None
    for row in rows("en.tsv")[:300]:
        reading = detector.read(row["text"])
        names = features(
            reading.tokens, reading.hits, reading.strong, reading.friendly, reading.conditional
        )
        you = "x:you" in names
        fast = model.linear(
            reading.tokens, you, reading.strong, reading.friendly, reading.conditional
        )
        assert model.calibrate(fast) == model.scores(names), row["text"]
