"""A case: what a person has done about each step of their plan, and what came back.

A case is a list of events, never edited in place: answers given (the first and every later
change), a step's status changing, an answer received. The current state is computed from the
events, so re-planning after a change keeps the history of what was already done, and the
events can live in the tamper-evident journal like everything else.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    DONE = "done"
    WAITING = "waiting"
    REFUSED = "refused"
    RESOLVED = "resolved"
    NOT_FOR_ME = "not_for_me"


STATUS_WORDS: dict[StepStatus, str] = {
    StepStatus.NOT_STARTED: "not started",
    StepStatus.DONE: "done",
    StepStatus.WAITING: "waiting for an answer",
    StepStatus.REFUSED: "they refused",
    StepStatus.RESOLVED: "resolved",
    StepStatus.NOT_FOR_ME: "not for me",
}


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    on: dt.date = Field(description="The day it happened (not when it was typed in).")


class AnswersEvent(_Event):
    """The situation as the person described it on that day (first answers or a change)."""

    kind: Literal["answers"] = "answers"
    pack: str
    answers: dict[str, Any]


class StatusEvent(_Event):
    """A step's status changed, with an optional note and the answer received, if any."""

    kind: Literal["status"] = "status"
    step: str
    status: StepStatus
    note: str | None = None
    answer_received: str | None = None
    reference: str | None = Field(
        default=None, description="The reference number given with the answer (a ticket, case)."
    )


class MarkEvent(_Event):
    """A named case event that can start a deadline clock (``event:NAME`` in a pack)."""

    kind: Literal["mark"] = "mark"
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


CaseEvent = AnswersEvent | StatusEvent | MarkEvent


class StepState(BaseModel):
    """Where one step stands now, and how it got there."""

    model_config = ConfigDict(frozen=True)

    step: str
    title: str
    status: StepStatus
    since: dt.date | None = None
    in_current_plan: bool = True
    history: list[StatusEvent] = Field(default_factory=list)


class NextAction(BaseModel):
    """Something to do now, with the reason in plain words."""

    model_config = ConfigDict(frozen=True)

    step: str
    title: str
    reason: str
    escalated_from: str | None = None


class DeadlineWatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    deadline: str
    title: str
    body: str
    step: str
    due: dt.date | None
    days_left: int | None
    warning: Literal["passed", "1", "7", "30"] | None = None
    starts_from: str
    start: dt.date | None = None
    start_basis: Literal["answer", "answer_first_day", "journal", "event", "not_yet"] = "not_yet"
    counted: str = ""
    """What was counted, in words (the same sentence the plan shows)."""


class CaseView(BaseModel):
    """Everything `ally case status` and the case page show."""

    model_config = ConfigDict(frozen=True)

    today: dt.date
    pack: str
    next_actions: list[NextAction]
    waiting: list[StepState]
    steps: list[StepState]
    deadlines: list[DeadlineWatch]
    replanned: list[dt.date] = Field(default_factory=list)
