"""Abuse detection: a score and a readable reason per category, for every message.

Categories: insult/toxicity, threat, sexual harassment, identity attack, doxxing and
incitement to self-harm. Scores run from 0 to 1 and 0.5 is the flag line for every category.
Two sources feed them, and both are named in the reasons:

* a small linear model shipped in the package (``model.json.gz``, trained by ``train.py``)
  for toxicity and identity attacks;
* hand-written rules (``lexicon.py``, ``doxxing.py``) for every category, which also explain
  what was found in words a person can check.

Everything runs offline on the person's own computer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ally.evidence.detect import doxxing
from ally.evidence.detect.features import features, prepare
from ally.evidence.detect.lexicon import GROUP_MENTION, RULES
from ally.evidence.detect.model import MODEL_PATH, LinearModel

CATEGORIES = ("insult", "threat", "sexual", "identity", "doxxing", "self_harm")
LABELS = {
    "insult": "Insult or toxic language",
    "threat": "Threat",
    "sexual": "Sexual harassment",
    "identity": "Attack on identity (race, religion, gender, sexuality, disability …)",
    "doxxing": "Personal details (doxxing)",
    "self_harm": "Urging self-harm",
}
FLAG_LINE = 0.5
MIN_COVERAGE = 0.5
"""Below this share of known words, the learned model alone cannot flag a message."""
_MODEL_REASONS = {
    "insult": "the wording is like messages people judged offensive",
    "identity": "the wording is like messages people judged hateful toward a group",
}
_MODEL_HEAD = {"insult": "toxicity", "identity": "identity"}


@dataclass(frozen=True)
class Finding:
    """One category's score and why."""

    category: str
    score: float
    reasons: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_LINE

    def explain(self) -> str:
        return f"{LABELS[self.category]}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class Assessment:
    """The detector's view of one message."""

    findings: tuple[Finding, ...]

    @property
    def scores(self) -> dict[str, float]:
        return {finding.category: finding.score for finding in self.findings}

    @property
    def flagged(self) -> bool:
        return any(finding.flagged for finding in self.findings)

    @property
    def top(self) -> Finding:
        return max(self.findings, key=lambda finding: finding.score)

    def reasons(self) -> list[str]:
        """Readable reasons for each flagged category, strongest first."""
        flagged = sorted((f for f in self.findings if f.flagged), key=lambda f: -f.score)
        return [finding.explain() for finding in flagged]


class Detector:
    """Scores messages. Load once (the model is read from the package), then call ``assess``."""

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        self.model = LinearModel.load(model_path)

    def assess(self, text: str) -> Assessment:
        prepared = prepare(text)
        counts = features(prepared)
        model_scores = self.model.scores(counts)
        rule_hits: dict[str, list[tuple[float, str]]] = {category: [] for category in CATEGORIES}
        for index, rule in enumerate(RULES):
            if f"r:{rule.category}:{index}" in counts:
                rule_hits[rule.category].append((rule.weight, rule.reason))
        if self._coverage(counts) < MIN_COVERAGE:
            # Mostly words the model never saw (another language, lorem ipsum): its guess is
            # not trusted to flag on its own; the rules still apply.
            model_scores = {head: min(score, 0.45) for head, score in model_scores.items()}
        if "identity" in model_scores and not GROUP_MENTION.search(prepared):
            # The hate model also reacts to violence in general; without a group named, it is
            # kept under the flag line so threats are reported as threats, not as identity attacks.
            model_scores["identity"] = min(model_scores["identity"], 0.45)
        findings = [
            self._finding(c, rule_hits[c], model_scores) for c in CATEGORIES if c != "doxxing"
        ]
        dox = doxxing.find(text, prepared)
        findings.insert(4, Finding("doxxing", round(dox.score, 3), dox.reasons))
        return Assessment(tuple(findings))

    def _coverage(self, counts: Counter[str]) -> float:
        """Share of the message's words that the model's vocabulary knows."""
        words = [name for name in counts if name.startswith("w:") and name[2:3].isalnum()]
        if not words:
            return 1.0
        return sum(1 for name in words if name in self.model.idf) / len(words)

    def assess_many(self, texts: Iterable[str]) -> Iterator[Assessment]:
        for text in texts:
            yield self.assess(text)

    def _finding(
        self, category: str, hits: list[tuple[float, str]], model_scores: dict[str, float]
    ) -> Finding:
        reasons = [reason for _, reason in sorted(hits, reverse=True)]
        miss = 1.0
        for weight, _ in hits:
            miss *= 1.0 - weight
        score = 1.0 - miss
        head = _MODEL_HEAD.get(category)
        if head is not None and head in model_scores:
            learned = model_scores[head]
            if learned >= FLAG_LINE or (learned > score and learned >= 0.35):
                reasons.append(_MODEL_REASONS[category])
            score = max(score, learned)
        return Finding(category, round(score, 3), tuple(dict.fromkeys(reasons)))
