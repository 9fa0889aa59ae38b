"""Harassment detection: for every message, a score and short plain reasons per category.

Categories are the ones a person and an advocate recognise (``CATEGORIES``): threats (explicit and
veiled), stalking and monitoring, doxxing, sexual harassment and sextortion, quid pro quo,
coercive control, retaliation for reporting, insults and intimidation, identity-based attacks
and urging self-harm. Scores run from 0 to 1; 0.5 is the flag line for every category.

Two sources feed them, and both are named in the reasons:

* context-aware rules (``rules.py``, ``doxxing.py``) written for Ally in English and Spanish,
  which say in plain words what they found ("threatens your family or children");
* a small linear model (``model.json.gz``, trained by ``train.py`` on Ally's own labelled
  messages only, so it can be shipped under the project's licence), which catches wordings the
  rules miss.

Swearing on its own is not harassment: it is reported as ``strong_language`` and flags nothing.
Everything runs offline on the person's own computer; the rules are compiled once, at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from ally.evidence.detect.concepts import GROUNDS
from ally.evidence.detect.doxxing import HAS_DIGIT, personal_details
from ally.evidence.detect.lexicon import (
    NOT_PROFANE,
    PERSON_PUT_DOWN,
    PROFANE_STEMS,
    PUT_DOWN_WORDS,
    STRONG_PHRASE_WORDS,
    STRONG_PHRASES,
    STRONG_WORDS,
    TOKEN,
    normalise,
)
from ally.evidence.detect.model import (
    CONDITION,
    CONDITION_WORDS,
    MODEL_PATH,
    SECOND_PERSON,
    LinearModel,
    features,
)
from ally.evidence.detect.plans import (
    ARRANGEMENT_WORDS,
    PLAN_WORDS,
    arranged_visit,
    only_presence,
    without_plans,
)
from ally.evidence.detect.rules import (
    DAMPENED_BY_FRIENDLINESS,
    DAMPENED_BY_SERVICE,
    DIGIT_RULES,
    FRIENDLY_MARKERS,
    FRIENDLY_PARTS,
    FRIENDLY_WORDS,
    HASHTAG_RULES,
    IDIOMS,
    RULES,
    RULES_BY_WORD,
    SERVICE_CONTEXT,
    SERVICE_WORDS,
    TRIGGER_WORDS,
)

CATEGORIES = (
    "threat",
    "stalking",
    "doxxing",
    "sexual",
    "quid_pro_quo",
    "coercive_control",
    "retaliation",
    "insult",
    "identity",
    "self_harm",
)
LABELS = {
    "threat": "Threat",
    "stalking": "Stalking or watching you",
    "doxxing": "Sharing personal details (doxxing)",
    "sexual": "Sexual harassment or sextortion",
    "quid_pro_quo": "Favours in exchange for sex or dates",
    "coercive_control": "Controlling behaviour",
    "retaliation": "Punishment for reporting",
    "insult": "Insults or intimidation",
    "identity": "Attack on who you are",
    "self_harm": "Urging self-harm",
}
"""Short names people recognise, shown before each reason ("Threat: threatens your family")."""
FLAG_LINE = 0.5
COMBINE_FROM = 0.35
"""The model's score adds to the rules' from here up (a faint guess does not push a weak rule,
like a weapon merely mentioned, over the flag line)."""
FRIENDLY_FACTOR = 0.45
"""Banter markers (laughter, "love you") scale insult and threat hits by this much."""
IDIOM_WORDS = frozenset(
    [
        "kill",
        "killed",
        "killing",
        "kills",
        "killer",
        "murder",
        "murdered",
        "murdering",
        "die",
        "dying",
        "dead",
        "death",
        "destroy",
        "smash",
        "crush",
        "beat",
        "thrash",
        "slay",
        "break",
        "knock",
        "shoot",
        "shot",
        "stab",
        "fire",
        "blow",
        "face",
        "bury",
        "get",
        "find",
        "matar",
        "mata",
        "matando",
        "mataria",
        "muero",
        "muerta",
        "muerto",
        "destrozar",
        "machacar",
        "mierda",
    ]
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rules found in one message, before scoring."""

    tokens: list[str]
    hits: dict[str, list[tuple[float, str]]]
    strong: bool
    friendly: bool
    conditional: bool
    dampened: frozenset[str]
    addressed: bool
    """The reader is addressed ("you", "your", "tu", "te")."""


class Finding(NamedTuple):
    """One category's score and why (a named tuple: immutable and cheap to make)."""

    category: str
    score: float
    reasons: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_LINE

    def explain(self) -> str:
        return f"{LABELS[self.category]}: " + "; ".join(self.reasons)


_SCORE = itemgetter(1)
"""A finding's score (read in C)."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The detector's view of one message."""

    findings: tuple[Finding, ...]
    strong_language: bool = False
    """Swearing or insulting words somewhere in the message (not a flag by itself)."""
    flagged: bool = field(init=False, compare=False)
    """Some category is flagged (worked out once: an import asks for every message)."""

    def __post_init__(self) -> None:
        flagged = max(map(_SCORE, self.findings), default=0.0) >= FLAG_LINE
        object.__setattr__(self, "flagged", flagged)

    @property
    def scores(self) -> dict[str, float]:
        return {finding.category: finding.score for finding in self.findings}

    @property
    def categories(self) -> tuple[str, ...]:
        """Flagged categories, strongest first."""
        flagged = sorted((f for f in self.findings if f.flagged), key=lambda f: -f.score)
        return tuple(finding.category for finding in flagged)

    @property
    def top(self) -> Finding:
        return max(self.findings, key=lambda finding: finding.score)

    def reasons(self) -> list[str]:
        """Readable reasons for each flagged category, strongest first."""
        flagged = sorted((f for f in self.findings if f.flagged), key=lambda f: -f.score)
        return [finding.explain() for finding in flagged]


NOTHING = {category: Finding(category, 0.0, ()) for category in CATEGORIES}
NOTHING_FOUND = tuple(NOTHING.values())
NOTHING_ASSESSED = Assessment(NOTHING_FOUND, False)
NOTHING_STRONG = Assessment(NOTHING_FOUND, True)
"""The assessments of messages in which nothing was found (shared: assessments are immutable)."""
INDEX = {category: index for index, category in enumerate(CATEGORIES)}
NO_DAMPING: frozenset[str] = frozenset()
PRESENCE_CATEGORIES = ("threat", "stalking")
"""Categories whose turning-up rules an arranged visit lowers (``plans.arranged_visit``)."""


class Detector:
    """Scores messages. Load once (the model is read from the package), then call ``assess``
    for one message or ``assess_many`` for a batch (repeated texts are scored once)."""

    def __init__(self, model_path: Path | None = MODEL_PATH) -> None:
        self.model_path = model_path
        """Where the model was read from (a helper process of an import reads it again)."""
        self.model = LinearModel.load(model_path) if model_path is not None else None

    def rule_hits(
        self, normalised: str, words: set[str], digits: bool = True
    ) -> dict[str, list[tuple[float, str]]]:
        """Every rule that matched, as (weight, reason) per category (``digits``: False when the
        original text has no digit, so neither has the normalised one)."""
        candidates: set[int] = set().union(
            *map(RULES_BY_WORD.__getitem__, TRIGGER_WORDS.intersection(words))
        )  # in C: usually none or a few rules
        if "#" in normalised:
            candidates.update(HASHTAG_RULES)
        if digits and HAS_DIGIT.search(normalised):
            candidates.update(DIGIT_RULES)
        hits: dict[str, list[tuple[float, str]]] = {}
        if not candidates:
            return hits
        text = IDIOMS.sub(" ", normalised) if not IDIOM_WORDS.isdisjoint(words) else normalised
        for index in candidates:  # the order does not matter: a finding sorts its hits
            rule = RULES[index]
            if rule.pattern.search(text):
                found = hits.get(rule.category)
                if found is None:
                    hits[rule.category] = [(rule.weight, rule.reason)]
                else:
                    found.append((rule.weight, rule.reason))
        return hits

    def read(self, text: str) -> Reading:
        """Everything the rules see in ``text``: words, rule hits and context marks."""
        return Reading(*self._read(text))

    def _read(
        self, text: str
    ) -> tuple[
        list[str], dict[str, list[tuple[float, str]]], bool, bool, bool, frozenset[str], bool
    ]:
        """``read`` as a plain tuple (cheaper to make: ``assess`` runs this for every message)."""
        normalised = normalise(text)
        tokens = TOKEN.findall(normalised)
        words = set(tokens)
        if "'" in normalised:  # "manager's", "parents'": the word itself triggers rules too
            words.update(token.split("'", 1)[0] for token in tokens if "'" in token)
        digits = HAS_DIGIT.search(text) is not None
        hits = self.rule_hits(normalised, words, digits)
        if digits or "@" in text:
            details = personal_details(text)
            if details:
                hits.setdefault("doxxing", []).extend(details)
        strong = (
            not STRONG_WORDS.isdisjoint(words)
            or (
                not PUT_DOWN_WORDS.isdisjoint(words)
                and PERSON_PUT_DOWN.search(normalised) is not None
            )
            or (
                not STRONG_PHRASE_WORDS.isdisjoint(words)
                and STRONG_PHRASES.search(normalised) is not None
            )
            or (
                PROFANE_STEMS.search(normalised) is not None
                and PROFANE_STEMS.search(NOT_PROFANE.sub(" ", normalised)) is not None
            )
        )
        addressed = not SECOND_PERSON.isdisjoint(words)
        if not (hits or strong or addressed):  # most everyday messages stop here
            return tokens, hits, strong, False, False, NO_DAMPING, addressed
        if "'" in normalised:  # "x'lol": a pattern's "\blol\b" finds the word after the "'"
            words.update(token.partition("'")[2] for token in tokens if "'" in token)
        # Each context pattern runs only when a word it needs is there (most messages have none).
        friendly = (
            not FRIENDLY_WORDS.isdisjoint(words)
            or not normalised.isascii()
            or any(part in normalised for part in FRIENDLY_PARTS)
        ) and FRIENDLY_MARKERS.search(normalised) is not None
        dampened = DAMPENED_BY_FRIENDLINESS if friendly else NO_DAMPING
        if hits and not SERVICE_WORDS.isdisjoint(words) and SERVICE_CONTEXT.search(normalised):
            dampened = dampened | DAMPENED_BY_SERVICE
        if not ARRANGEMENT_WORDS.isdisjoint(words) and arranged_visit(normalised):
            # A friend arranging a visit ("I'm coming over after work"): turning-up rules only.
            dampened = dampened | frozenset(
                category
                for category in PRESENCE_CATEGORIES
                if only_presence(hits.get(category, ()))
            )
        conditional = (
            not CONDITION_WORDS.isdisjoint(words) and CONDITION.search(normalised) is not None
        )
        return tokens, hits, strong, friendly, conditional, dampened, addressed

    def model_features(self, text: str) -> list[str]:
        """The learned model's features for ``text`` (``train.py`` uses this very function)."""
        reading = self.read(text)
        return features(
            reading.tokens, reading.hits, reading.strong, reading.friendly, reading.conditional
        )

    def assess(self, text: str) -> Assessment:
        tokens, hits, strong, friendly, conditional, dampened, addressed = self._read(text)
        learned: dict[str, float] = {}
        if self.model is not None and (hits or strong or addressed):
            learned = self.model.calibrate(
                self.model.linear(
                    tokens, not SECOND_PERSON.isdisjoint(tokens), strong, friendly, conditional
                )
            )
            for category, score in learned.items():
                if (
                    score >= FLAG_LINE
                    and category in GROUNDS
                    and GROUNDS[category].isdisjoint(tokens)
                ):
                    # The model alone may flag a category only when the message has a word of
                    # what that category is about (a group for an identity attack, harm for a
                    # threat).
                    learned[category] = FLAG_LINE - 0.05
            if (
                not PLAN_WORDS.isdisjoint(tokens)
                and max(learned.values(), default=0.0) >= COMBINE_FROM
            ):
                self._discount_plans(text, hits, learned, strong, friendly, conditional)
        if not hits and not learned:
            return NOTHING_STRONG if strong else NOTHING_ASSESSED
        findings = list(NOTHING_FOUND)
        for category in hits.keys() | learned.keys():
            found = hits.get(category)
            guess = learned.get(category)
            if found is None and guess is not None and guess < FLAG_LINE and not dampened:
                # Only the model's score under the flag line: no reasons to rank.
                findings[INDEX[category]] = Finding(category, guess, ())
            else:
                findings[INDEX[category]] = self._finding(
                    category, found or (), guess or 0.0, category in dampened
                )
        return Assessment(tuple(findings), strong)

    def _discount_plans(
        self,
        text: str,
        hits: dict[str, list[tuple[float, str]]],
        learned: dict[str, float],
        strong: bool,
        friendly: bool,
        conditional: bool,
    ) -> None:
        """A plan to meet ("see you at the station") is no evidence: for each category no rule
        found, keep the model's score of the message without its plans if that is lower."""
        assert self.model is not None
        rest = without_plans(normalise(text))
        if rest is None:
            return
        tokens = TOKEN.findall(rest)
        again: dict[str, float] = {}
        if tokens:
            again = self.model.calibrate(
                self.model.linear(
                    tokens, not SECOND_PERSON.isdisjoint(tokens), strong, friendly, conditional
                )
            )
        for category, score in learned.items():
            if category not in hits:
                learned[category] = min(score, again.get(category, 0.0))

    def assess_many(self, texts: Iterable[str]) -> Iterator[Assessment]:
        """Assess a batch; identical texts (``ok``, ``lol``, a repeated threat) are scored once."""
        seen: dict[str, Assessment] = {}
        for text in texts:
            found = seen.get(text)
            if found is None:
                found = self.assess(text)
                if len(seen) < 100_000:
                    seen[text] = found
            yield found

    @staticmethod
    def _finding(
        category: str, hits: Iterable[tuple[float, str]], learned: float, dampened: bool
    ) -> Finding:
        ranked = sorted(hits, reverse=True)
        miss = 1.0
        for weight, _ in ranked:
            miss *= 1.0 - weight
        score = 1.0 - miss
        if dampened:
            score *= FRIENDLY_FACTOR
            learned *= FRIENDLY_FACTOR
        reasons = [reason for _, reason in ranked]
        if learned >= FLAG_LINE and score < FLAG_LINE:
            reasons.append("worded like messages of this kind that Ally learned from")
        if learned >= COMBINE_FROM or not ranked:
            score = 1.0 - (1.0 - score) * (1.0 - learned)
        return Finding(category, round(score, 3), tuple(dict.fromkeys(reasons)))
