"""The knowledge-pack format, as pydantic models.

These models are the single definition of a pack: the loader validates against them and the
published JSON Schema (``ally packs schema``) is generated from them, so the two can never
drift apart. Unknown keys are rejected so that a misspelt field is reported, not ignored.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Condition = Annotated[
    str | bool,
    Field(
        description=(
            "When this applies, e.g. `context has work and not employer_acted`. "
            "Operators: is, is not, in, not in, has, =, !=, <, <=, >, >=; and, or, not, "
            "parentheses; true and false. See docs/packs.md."
        )
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(StrEnum):
    """Phases in the order a plan shows them."""

    SAFETY = "safety"
    REPORT = "report"
    ESCALATE = "escalate"
    SUPPORT = "support"
    EVIDENCE = "evidence"


class Urgency(StrEnum):
    NOW = "now"
    SOON = "soon"
    WHEN_READY = "when_ready"


class Route(StrEnum):
    """The kind of help a step reaches. Letters, the directory and the case key off this."""

    VENUE = "venue"
    HR = "hr"
    SUPERVISOR = "supervisor"
    EMPLOYER_DUTY = "employer_duty"
    AGENCY = "agency"
    SCHOOL = "school"
    HOUSING = "housing"
    PLATFORM = "platform"
    ISP = "isp"
    REGULATOR = "regulator"
    LIMITED_RECOURSE = "limited_recourse"
    POLICE_EMERGENCY = "police_emergency"
    POLICE_NON_EMERGENCY = "police_non_emergency"
    POLICE_ADVICE = "police_advice"
    PROTECTION_ORDER = "protection_order"
    CRIMINAL_CHARGES = "criminal_charges"
    SAFETY_PLANNING = "safety_planning"
    ADVOCACY = "advocacy"
    SHELTER = "shelter"
    COUNSELLING = "counselling"
    HELPLINE = "helpline"
    LAWYER = "lawyer"
    LEGAL_AID = "legal_aid"
    EVIDENCE = "evidence"


class QuestionType(StrEnum):
    ONE = "one"
    MULTI = "multi"
    YESNO = "yesno"
    DATE = "date"
    NUMBER = "number"
    TRIED = "tried"
    """Whom the person has already told and what came of it: options are ``tried`` keys."""


class TriedOutcome(StrEnum):
    """What came of a step the person already took (the ``tried`` answer, case statuses)."""

    WAITING = "waiting"
    REFUSED = "refused"
    NO_ANSWER = "no-answer"
    DONE = "done"
    RESOLVED = "resolved"


# A step's ``tried`` key when the pack does not give one (``Step.tried_as``): the key a person
# would use for "I already told them". Routes not listed have no key unless the step gives one.
DEFAULT_TRIED_KEYS: dict[str, str] = {
    "supervisor": "supervisor",
    "hr": "hr",
    "venue": "venue",
    "school": "school",
    "housing": "landlord",
    "platform": "platform",
    "isp": "host",
    "police_non_emergency": "police",
    "police_advice": "police",
    "agency": "agency",
}


class Source(Strict):
    """Where a fact comes from. Every step, deadline and contact cites at least one."""

    id: Id
    title: str = Field(min_length=3)
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    checked: dt.date = Field(description="The day someone last confirmed the fact at this URL.")
    official: bool = Field(
        default=True,
        description="True when the URL is the official or service-owned page.",
    )
    general: bool = Field(
        default=False,
        description=(
            "General guidance on how to do something anywhere (keep a log, take a screenshot), "
            "from a page about another place: cited in any pack without being reported as a "
            "foreign source. Its title must say so, and where it is from, because the plan "
            "shows the title. Prefer a source about the pack's own place when there is one."
        ),
    )


class Option(Strict):
    value: Id
    label: str = Field(min_length=1)
    help: str | None = None
    pack: Id | None = Field(
        default=None,
        description="Choosing this answer continues the interview in that pack (e.g. a state).",
    )
    sets: Id | None = Field(
        default=None,
        description=(
            "The yes/no question this choice answers: ticking it answers yes, leaving it "
            "unticked answers no, and skipping the whole question skips that one too. That "
            "question is then never asked on its own (one checklist instead of several "
            "yes/no questions)."
        ),
    )


class Question(Strict):
    id: Id
    text: str = Field(min_length=3, description="The question, in plain, kind words.")
    summary: str = Field(
        min_length=2,
        description="A short label used when explaining why a step applies, e.g. 'Where it happens'.",
    )
    type: QuestionType
    options: list[Option] = Field(default_factory=list)
    help: str | None = Field(default=None, description="Why we ask, or how to answer.")
    ask_if: Condition = Field(default=True, description="Ask only when this holds (or may hold).")
    ask_first: bool = Field(
        default=False,
        description="Ask before any other question (immediate safety). Use sparingly.",
    )


class Contact(Strict):
    id: Id
    name: str = Field(min_length=2)
    phone: str | None = None
    text: str | None = Field(default=None, description="A number that takes text messages.")
    web: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    email: str | None = None
    hours: str | None = None
    languages: list[str] = Field(default_factory=list)
    emergency: bool = False
    notes: str | None = None
    sources: list[Id] = Field(min_length=1)


class Escalation(Strict):
    """An edge to the next step: taken when the person is refused, or hears nothing in time."""

    on: Literal["refused", "no_answer"]
    after_days: int | None = Field(default=None, ge=1, le=3650)
    to: Id
    says: str | None = Field(
        default=None, description="What the person can do next, in a sentence."
    )


class Length(Strict):
    days: int = Field(default=0, ge=0)
    weeks: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    years: int = Field(default=0, ge=0)
    minus_days: int = Field(
        default=0, ge=0, description="Days taken off the end, as in 'three months less one day'."
    )


class Deadline(Strict):
    id: Id
    title: str = Field(min_length=3)
    body: str = Field(min_length=2, description="Who the deadline is with (court, agency…).")
    starts: str = Field(
        description=(
            "What starts the clock: the id of a date question (the earliest possible date is "
            "used when the person gave only a month or year) or `event:NAME` for a case event."
        )
    )
    length: Length
    counting: Literal["calendar_days"] = "calendar_days"
    weekend_rolls_forward: bool = Field(
        default=False,
        description="A deadline falling on a Saturday or Sunday moves to the next Monday.",
    )
    when: Condition = True
    asks_start: bool = Field(
        default=True,
        description=(
            "False when the limit is so long (years) that its start date is not worth a "
            "question of its own: the date is still counted when the person gives it for "
            "another reason, and the plan says how the limit is counted either way."
        ),
    )
    note: str | None = None
    sources: list[Id] = Field(min_length=1)


class Primary(Strict):
    """When a step becomes a primary step: moved up to ``urgency`` and placed after safety."""

    when: Condition
    urgency: Urgency = Urgency.NOW


class Step(Strict):
    id: Id
    title: str = Field(min_length=3)
    route: Route
    phase: Phase
    urgency: Urgency = Urgency.SOON
    when: Condition = True
    summary: str = Field(min_length=10, description="What this step is and why it helps.")
    who: str | None = Field(default=None, description="Who to contact, in words.")
    how: list[str] = Field(default_factory=list)
    bring: list[str] = Field(default_factory=list)
    contacts: list[Id] = Field(default_factory=list)
    contacts_when: dict[Id, Condition] = Field(
        default_factory=dict,
        description=(
            "Conditions on some of `contacts`: such a contact is given only when its condition "
            "holds or is not known, so a domestic-abuse line goes to a person harassed by a "
            "partner or family member, not to a worker threatened by a customer. Contacts keep "
            "the order of `contacts`: list the one that fits each situation best first."
        ),
    )
    deadlines: list[Id] = Field(default_factory=list)
    escalation: list[Escalation] = Field(default_factory=list)
    order: int = Field(default=100, description="Lower comes first within a phase and urgency.")
    tried_as: Id | Literal[False] | None = Field(
        default=None,
        description=(
            "The key of the `tried` answer that says this step was already taken (hr, "
            "supervisor, venue, platform, host, police, agency…). Without it the key comes from "
            "the route (see docs/packs.md); `false` means the step cannot be marked as tried."
        ),
    )
    addressed_to: list[Id] = Field(
        default_factory=list,
        description=(
            "Answers to the `harasser` question this step would be addressed to (boss, "
            "landlord, owner, teacher). When the answers say that is who it is, the step is "
            "left out and `instead` takes its place."
        ),
    )
    instead: Id | None = Field(
        default=None,
        description="The step above this one, which takes its place when it is left out.",
    )
    primary: Primary | None = Field(
        default=None,
        description="When this step is a primary one (e.g. protection orders when there are threats).",
    )
    perishable: bool = Field(
        default=False,
        description=(
            "It keeps evidence that can disappear (posts, messages, camera footage): it comes "
            "right after safety and may be a start-here action."
        ),
    )
    sources: list[Id] = Field(min_length=1)

    def tried_key(self) -> str | None:
        """The ``tried`` answer key that marks this step as already taken, if any."""
        if self.tried_as is False:
            return None
        return self.tried_as or DEFAULT_TRIED_KEYS.get(self.route.value)


class Notice(Strict):
    """A plain statement shown when its condition is definitely true (e.g. limited recourse)."""

    id: Id
    title: str = Field(min_length=3)
    text: str = Field(min_length=10)
    when: Condition
    still_possible: list[Id] = Field(default_factory=list)
    safety: bool = Field(
        default=False,
        description="A safety rule: shown above everything else, before the start-here actions.",
    )
    first: list[Id] = Field(
        default_factory=list,
        description="Steps this rule puts first: 'Do this now', and in start-here before any other.",
    )
    warn: list[Id] = Field(
        default_factory=list,
        description="Steps that carry this notice's title as a warning above their instructions.",
    )
    sources: list[Id] = Field(min_length=1)


StartRule = Literal["safety", "deadline", "evidence", "escalation", "primary"]
DEFAULT_START_RULES: list[StartRule] = ["safety", "deadline", "evidence", "escalation", "primary"]


class StartHere(Strict):
    """How a pack chooses the start-here actions at the top of every plan."""

    rules: list[StartRule] = Field(
        default_factory=lambda: list(DEFAULT_START_RULES),
        description="Which kinds of step may start the plan, in order of precedence.",
    )
    within_days: int = Field(
        default=30, ge=1, le=365, description="A deadline this close is a start-here action."
    )
    most: int = Field(default=3, ge=1, le=3, description="How many actions at most.")


class Drop(Strict):
    """Items a pack removes from the pack it extends."""

    questions: list[Id] = Field(default_factory=list)
    steps: list[Id] = Field(default_factory=list)
    contacts: list[Id] = Field(default_factory=list)
    deadlines: list[Id] = Field(default_factory=list)
    notices: list[Id] = Field(default_factory=list)


class PackFile(Strict):
    """One YAML file of a pack folder. A folder's files together make one pack.

    Only ``pack.yaml`` carries the metadata (id, name, checked…); the other files may hold any
    of the lists. An item whose id matches one in the extended pack replaces it whole.
    """

    id: Id | None = None
    name: str | None = Field(default=None, min_length=2)
    extends: Id | None = None
    language: str | None = None
    checked: dt.date | None = Field(
        default=None, description="The day the pack's facts were last checked."
    )
    summary: str | None = None
    emergency_number: str | None = None
    date_order: Literal["dmy", "mdy"] | None = Field(
        default=None,
        description=(
            "How people there write dates with numbers: dmy (28/11/2026, the default) or "
            "mdy (11/28/2026, the US). Inherited from the pack this one extends."
        ),
    )
    start_here: StartHere | None = Field(
        default=None, description="How the start-here actions are chosen (defaults apply)."
    )
    questions: list[Question] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    drop: Drop = Field(default_factory=Drop)


class Pack(Strict):
    """A jurisdiction's knowledge, after its files are merged and its parents applied."""

    id: Id
    name: str = Field(min_length=2)
    language: str = "en"
    checked: dt.date
    summary: str | None = None
    emergency_number: str | None = None
    date_order: Literal["dmy", "mdy"] = "dmy"
    start_here: StartHere = Field(default_factory=StartHere)
    questions: list[Question] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    lineage: list[Id] = Field(
        default_factory=list,
        description="This pack's id and those it extends, nearest first.",
    )
    untranslated: list[str] = Field(
        default_factory=list,
        description="Items ('steps.police-report', …) shown in the pack's original language "
        "because no translation into `language` was written for them.",
    )

    def question(self, question_id: str) -> Question:
        return self._index("questions")[question_id]  # type: ignore[return-value]

    def step(self, step_id: str) -> Step:
        return self._index("steps")[step_id]  # type: ignore[return-value]

    def contact(self, contact_id: str) -> Contact:
        return self._index("contacts")[contact_id]  # type: ignore[return-value]

    def deadline(self, deadline_id: str) -> Deadline:
        return self._index("deadlines")[deadline_id]  # type: ignore[return-value]

    def source(self, source_id: str) -> Source:
        return self._index("sources")[source_id]  # type: ignore[return-value]

    def answered_by(self) -> dict[str, tuple[str, str]]:
        """{yes/no question: (the several-choice question, the choice) that answers it}."""
        cache: dict[str, dict[str, tuple[str, str]]] = self.__dict__.setdefault("_indexes", {})
        if "answered_by" not in cache:
            cache["answered_by"] = {
                option.sets: (question.id, option.value)
                for question in self.questions
                for option in question.options
                if option.sets is not None
            }
        return cache["answered_by"]

    def _index(self, kind: str) -> dict[str, BaseModel]:
        cache: dict[str, dict[str, BaseModel]] = self.__dict__.setdefault("_indexes", {})
        if kind not in cache:
            cache[kind] = {item.id: item for item in getattr(self, kind)}
        return cache[kind]


def pack_json_schema() -> dict[str, object]:
    """The JSON Schema of one pack file as authors write it (before merging)."""
    schema = PackFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ally.invalid/schemas/pack.schema.json"
    schema["title"] = "Ally knowledge pack"
    return schema
