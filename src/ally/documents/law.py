"""What a letter names: the conduct, the law the recipient acts under, and the agency.

A complaint that only says "harassment" does not put an employer on legal notice, and an
agency's intake asks for the basis, the law and the other agency the charge is shared with.
So each pack says, in ``letters/law.yaml`` beside its templates:

* ``conduct``: the words for each kind of conduct Ally can recognise (sexual harassment,
  harassment related to a protected characteristic, retaliation after a complaint) and the
  basis an intake form asks for;
* ``laws``: each law a letter may cite, the conduct it covers, the letters (kinds or step ids)
  it belongs in, and an optional condition on the answers (Title VII needs 15 employees);
* ``agencies``: for an agency's intake step, the agency's own name, the laws it enforces and
  the agency a charge is dual-filed with.

A nearer pack replaces an item with the same id (a law, a conduct, an agency) and adds its
own, as for steps. Which conduct applies is read from the answers and the journal: the answers
``sexual`` and ``protected_ground``, the tags of the incidents the letter carries, the
detector's categories of the messages marked as evidence, and, for retaliation, a complaint
the person made (an ``action`` entry) followed by something tagged or flagged as retaliation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ally.documents.packfiles import read_pack_file
from ally.knowledge.conditions import evaluate, parse
from ally.model.journal import Action, Entry

FILE = "law.yaml"
ConductId = Literal["sexual", "protected_ground", "retaliation"]
CONDUCT_ORDER: tuple[ConductId, ...] = ("sexual", "protected_ground", "retaliation")
FLAG_LINE = 0.5
"""The detector's score from which a message counts as flagged (as in evidence.detect)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conduct(_Strict):
    words: str = Field(min_length=3, description="As the letter names it: 'sexual harassment'.")
    basis: str = Field(min_length=2, description="As an intake form asks: 'sex'.")


class Law(_Strict):
    name: str = Field(min_length=3)
    cite: str = Field(default="", description="Sections, as a lawyer would cite them.")
    covers: tuple[ConductId, ...]
    letters: tuple[str, ...] = Field(description="Letter kinds or step ids that cite it.")
    when: str | None = Field(default=None, description="A condition on the answers.")
    says: str = Field(default="", description="One sentence on what it requires.")
    source: str = Field(pattern=r"^https?://")


Context = Literal["work", "housing", "venue", "school", "online"]


class Agency(_Strict):
    """An agency's intake step: whom it names, the laws it enforces, and what the complaint is
    about. A state agency takes housing and public-place complaints as well as work ones, so
    the same letter must name the landlord or the business there, never the employer."""

    name: str = Field(
        default="", description="Empty: the step's own contact names it (state packs)."
    )
    laws: tuple[str, ...] = ()
    dual_with: str | None = Field(default=None, description="The agency it shares charges with.")
    dual_says: str = ""
    respondent: str = Field(default="employer", description="Who the complaint is against.")
    context: Context | None = Field(
        default=None,
        description="The journal context the complaint is about (its incidents are ticked, "
        "and the organisation named for that context is the respondent).",
    )
    source: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _facts_are_sourced(self) -> Agency:
        """A name, a law or a dual filing is a fact about the agency and needs its source;
        the respondent and the context only restate the step's own condition (``context has
        housing``), whose sources the step already cites."""
        if (self.name or self.laws or self.dual_with) and not self.source:
            raise ValueError("an agency's name, laws or dual filing need a source")
        return self


class Declaration(_Strict):
    """The statement of truth or declaration the person signs at the end of a report."""

    title: str = Field(min_length=3)
    text: str = Field(min_length=10)
    place: bool = Field(default=False, description="Ask for the place of signing.")
    witness: str = Field(default="", description="Who must witness it, if anyone.")
    sign_here: bool = Field(default=True, description="False: it is made on an official form.")
    source: str | None = Field(default=None, pattern=r"^https?://")


class _LawFile(_Strict):
    declaration: Declaration | None = None
    conduct: dict[ConductId, Conduct] = Field(default_factory=dict)
    laws: dict[str, Law] = Field(default_factory=dict)
    agencies: dict[str, Agency] = Field(default_factory=dict)
    policy: str = Field(default="", description="How to name the employer's own policy.")


class _LawWords(_Strict):
    """A translation's words for one law: its name as the letter says it, what it does, and
    its citation with the section headings in the letter's language ("section 26
    (harassment)" would be an English phrase in a Spanish letter)."""

    name: str = ""
    cite: str = ""
    says: str = ""


class _AgencyWords(_Strict):
    name: str = ""
    dual_with: str = ""
    dual_says: str = ""
    respondent: str = ""


class _Translation(_Strict):
    """``letters/<language>/law.yaml``: the same ids, in the letter's language. Only words:
    which law applies, its source and its conditions stay in the pack's own file."""

    conduct: dict[ConductId, Conduct] = Field(default_factory=dict)
    laws: dict[str, _LawWords] = Field(default_factory=dict)
    agencies: dict[str, _AgencyWords] = Field(default_factory=dict)
    policy: str = ""


class LawBook:
    """The conduct words, laws and agencies of a pack lineage (nearest pack wins per id).

    With a ``language`` other than the packs' own, each pack's ``<language>/law.yaml`` gives
    the words; a law or agency sentence without a translation is left out rather than
    printed in English inside a Spanish letter (a law's name, a proper name, stays)."""

    def __init__(self, folders: Iterable[Path], language: str | None = None) -> None:
        self.conduct: dict[ConductId, Conduct] = {}
        self.laws: dict[str, Law] = {}
        self.agencies: dict[str, Agency] = {}
        self.policy = ""
        self.declaration: Declaration | None = None
        words = _Translation()
        for folder in reversed(list(folders)):
            path = folder / FILE
            if path.is_file():
                parsed = read_pack_file(path, _LawFile)
                self.conduct.update(parsed.conduct)
                self.laws.update(parsed.laws)
                self.agencies.update(parsed.agencies)
                self.policy = parsed.policy or self.policy
                self.declaration = parsed.declaration or self.declaration
            translated = folder / language / FILE if language else None
            if translated is not None and translated.is_file():
                found = read_pack_file(translated, _Translation)
                words = _Translation(
                    conduct={**words.conduct, **found.conduct},
                    laws={**words.laws, **found.laws},
                    agencies={**words.agencies, **found.agencies},
                    policy=found.policy or words.policy,
                )
        if language:
            self._translate(words)

    def _translate(self, words: _Translation) -> None:
        self.conduct = {key: words.conduct.get(key, c) for key, c in self.conduct.items()}
        self.policy = words.policy or self.policy
        for key, law in self.laws.items():
            said = words.laws.get(key, _LawWords())
            name = said.name or law.name.removeprefix("the ")
            cite = said.cite or law.cite
            self.laws[key] = law.model_copy(update={"name": name, "says": said.says, "cite": cite})
        for key, agency in self.agencies.items():
            told = words.agencies.get(key, _AgencyWords())
            update = {
                "dual_says": told.dual_says,
                "dual_with": told.dual_with or agency.dual_with,
                "name": told.name or agency.name,
            }
            if agency.respondent != "employer":
                update["respondent"] = told.respondent or agency.respondent
            self.agencies[key] = agency.model_copy(update=update)

    def laws_for(
        self,
        names: Iterable[str],
        conduct: Iterable[str],
        answers: Mapping[str, Any],
        only: Iterable[str] = (),
    ) -> list[Law]:
        """The laws a letter cites: those listed for its kind or step (or, for an agency, the
        ones it enforces), covering conduct found, whose condition is not definitely false."""
        wanted, found = set(names), set(conduct)
        chosen = set(only)
        laws = []
        for law_id, law in self.laws.items():
            if chosen and law_id not in chosen:
                continue
            if not chosen and not wanted & set(law.letters):
                continue
            if found and not found & set(law.covers):
                continue
            if law.when is not None and evaluate(parse(law.when), answers) is False:
                continue
            laws.append(law)
        return laws


# --- which conduct the answers and the journal show ------------------------------------------


@dataclass(frozen=True)
class Complaint:
    """A protected activity: the person reported, complained or filed, on a date."""

    when: dt.datetime | None
    what: str
    to: str


@dataclass(frozen=True)
class Found:
    """The conduct a letter names, with what shows it (for the person, not the letter)."""

    conduct: tuple[str, ...]
    complaints: tuple[Complaint, ...]
    reasons: dict[str, str]


def _yes(answers: Mapping[str, Any], question: str) -> bool:
    return str(answers.get(question, "")).lower() in ("yes", "true")


def _tags(entry: Entry) -> set[str]:
    payload = entry.payload or {}
    return {str(tag).lower() for tag in payload.get("tags") or []}


def _flagged(entry: Entry, category: str) -> bool:
    detection = (entry.payload or {}).get("detection") or {}
    scores = detection.get("scores") or {}
    try:
        return float(scores.get(category, 0.0)) >= FLAG_LINE
    except (TypeError, ValueError):
        return False


def complaints(entries: Iterable[Entry]) -> list[Complaint]:
    """The person's complaints (reported, complained, filed), in date order."""
    found = []
    for entry in entries:
        if entry.kind != "action" or entry.payload is None or entry.forgotten:
            continue
        try:
            action: Action = entry.action()
        except ValueError:
            continue
        if action.is_complaint:
            found.append(Complaint(action.when.start, action.what, action.to or ""))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda c: c.when or far)


def find_conduct(answers: Mapping[str, Any], entries: Iterable[Entry]) -> Found:
    """Which conduct to name, from the answers and the entries the letter carries."""
    entries = list(entries)
    reasons: dict[str, str] = {}
    if _yes(answers, "sexual"):
        reasons["sexual"] = "your answer that it is sexual"
    if _yes(answers, "protected_ground"):
        reasons["protected_ground"] = "your answer that it is because of who you are"
    for entry in entries:
        tags = _tags(entry)
        if ("sexual" in tags or _flagged(entry, "sexual")) and "sexual" not in reasons:
            reasons["sexual"] = "an entry tagged or flagged as sexual"
        if (
            "identity" in tags or _flagged(entry, "identity")
        ) and "protected_ground" not in reasons:
            reasons["protected_ground"] = "an entry about who you are"
    made = complaints(entries)
    retaliation = _yes(answers, "retaliation") or any(
        "retaliation" in _tags(entry) or _flagged(entry, "retaliation") for entry in entries
    )
    if retaliation:
        reasons["retaliation"] = "an entry tagged or flagged as punishment for reporting" + (
            " after your complaint" if made else ""
        )
    conduct = tuple(c for c in CONDUCT_ORDER if c in reasons)
    return Found(conduct, tuple(made), reasons)


def conduct_phrase(words: list[str], joiner: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]
