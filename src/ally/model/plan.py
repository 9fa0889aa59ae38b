"""A plan: what a person can do, in order, with the reasons and sources for each step.

This is the output contract of the engine. ``ally plan --format json`` prints it, and its JSON
Schema is published (``ally plan-schema``) so other tools can rely on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Out):
    """One answer that made a step apply (or that is missing, for a step that may apply)."""

    question: str
    summary: str
    answer: str
    known: bool


class PlanContact(_Out):
    id: str
    name: str
    phone: str | None = None
    text: str | None = None
    web: str | None = None
    email: str | None = None
    hours: str | None = None
    languages: list[str] = Field(default_factory=list)
    emergency: bool = False
    notes: str | None = None
    sources: list[str]


class PlanDeadline(_Out):
    id: str
    title: str
    body: str
    starts_from: str = Field(description="What starts the clock, in words.")
    start: dt.date | None = Field(description="The (earliest possible) start date, if known.")
    due: dt.date | None = Field(description="The last day, if the start date is known.")
    days_left: int | None = None
    approximate_start: bool = False
    start_basis: Literal["answer", "answer_first_day", "journal", "event", "not_yet"] = Field(
        default="not_yet",
        description=(
            "What started the clock: the date given, the first day of the month or year given, "
            "a later incident in the journal, a case event, or nothing known yet."
        ),
    )
    counted: str = Field(default="", description="What was counted, in words, beside the date.")
    how_counted: str
    note: str | None = None
    certainty: Literal["applies", "may_apply"]
    sources: list[str]


class PlanEscalation(_Out):
    on: Literal["refused", "no_answer"]
    after_days: int | None = None
    to: str
    to_title: str
    says: str | None = None


class PlanTried(_Out):
    """A step the person already took: shown as done, with what came of it."""

    key: str = Field(description="The `tried` answer key (hr, supervisor, police…).")
    outcome: Literal["waiting", "refused", "no-answer", "done", "resolved"]
    on: str | None = Field(default=None, description="When, as given (a day, month or year).")


class PlanStep(_Out):
    id: str
    title: str
    route: str
    phase: str = Field(description="The kind of step: safety, report, escalate, support, evidence.")
    urgency: Literal["now", "soon", "when_ready"] = Field(
        description="How soon, after priority rules (deadlines, escalations, safety) moved it."
    )
    certainty: Literal["applies", "may_apply"]
    summary: str
    who: str | None = None
    how: list[str] = Field(default_factory=list)
    bring: list[str] = Field(default_factory=list)
    why: list[Reason] = Field(default_factory=list)
    contacts: list[PlanContact] = Field(default_factory=list)
    deadlines: list[PlanDeadline] = Field(default_factory=list)
    escalation: list[PlanEscalation] = Field(default_factory=list)
    sources: list[str]
    tried: PlanTried | None = Field(
        default=None, description="Already taken: what came of it. Not a thing to do."
    )
    because: str | None = Field(
        default=None,
        description="One short line, only where it explains why this step is here or this early.",
    )
    escalated_from: str | None = Field(
        default=None, description="The tried step whose refusal or silence made this one due."
    )
    instead_of: str | None = Field(
        default=None, description="The step this one replaces (it would go to the harasser)."
    )
    warnings: list[str] = Field(
        default_factory=list, description="Safety warnings to read before the instructions."
    )


class PlanPhase(_Out):
    """A section of the plan: ``now``, ``soon``, ``when_ready``, then ``done`` (already taken)."""

    id: str
    title: str
    steps: list[PlanStep]


class StartHere(_Out):
    """One of the (at most three) actions for this week, at the top of the plan."""

    step: str
    why: str
    rule: Literal["safety", "deadline", "evidence", "escalation", "primary"]
    also: list[str] = Field(
        default_factory=list,
        description=(
            "Other steps whose deadlines are as close, when there are more than the places: "
            "they share this action (their dates are in the why and the deadlines box)."
        ),
    )


class DeadlineEntry(_Out):
    """One line of the deadlines box: every deadline of the steps still to take."""

    deadline: str
    step: str
    title: str
    body: str
    due: dt.date | None
    days_left: int | None = None
    certainty: Literal["applies", "may_apply"]


class PlanNotice(_Out):
    id: str
    title: str
    text: str
    still_possible: list[str] = Field(default_factory=list)
    safety: bool = False
    sources: list[str]


class PlanSource(_Out):
    id: str
    title: str
    url: str
    checked: dt.date
    official: bool


class NearbyService(_Out):
    """A service from the resource directory that can help with a step, near the person."""

    name: str
    organization: str | None = None
    scope: Literal["local", "region", "country", "world"]
    distance_km: float | None = None
    phones: list[str] = Field(default_factory=list)
    url: str | None = None
    email: str | None = None
    address: str | None = None
    open_now: bool | None = None


class Plan(_Out):
    schema_version: Literal[1] = 1
    pack: str
    pack_name: str
    language: str = "en"
    lineage: list[str]
    facts_checked: dt.date
    today: dt.date
    emergency_number: str | None = None
    start_here: list[StartHere] = Field(
        default_factory=list, description="At most three actions for this week, most urgent first."
    )
    deadlines: list[DeadlineEntry] = Field(
        default_factory=list, description="Every deadline of the steps to take, soonest first."
    )
    phases: list[PlanPhase]
    notices: list[PlanNotice] = Field(default_factory=list)
    answers: list[Reason] = Field(default_factory=list)
    sources: list[PlanSource] = Field(default_factory=list)
    nearby: dict[str, list[NearbyService]] = Field(
        default_factory=dict,
        description="Step id → directory services near the place the person gave, if any.",
    )
    disclaimer: str
    untranslated: bool = Field(
        default=False,
        description="Part of the plan's text has no translation into `language` yet and is "
        "shown in the pack's original language (the plan says so).",
    )

    def steps(self) -> list[PlanStep]:
        return [step for phase in self.phases for step in phase.steps]

    def to_do(self) -> list[PlanStep]:
        """The steps still to take, in the order to take them (tried ones left out)."""
        return [step for step in self.steps() if step.tried is None]

    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps()]


def plan_json_schema() -> dict[str, object]:
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ally.invalid/schemas/plan.schema.json"
    schema["title"] = "Ally plan"
    return schema
