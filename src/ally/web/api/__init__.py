"""The JSON API under /api: stateless, cookie-free, described by /api/openapi.json.

It drives the same engine as the pages and the CLI: a pack's questions, and a plan for a set
of answers. It keeps nothing: answers sent here are not stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ally import __version__
from ally.errors import AllyError, PackNotFoundError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.interview import Interview
from ally.knowledge.loader import builtin_pack_ids, load_pack, pack_languages
from ally.model.plan import Plan
from ally.web.i18n import LANGUAGES

PackId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Language = Annotated[str | None, Query(pattern=r"^[a-z]{2}$", description="e.g. en or es")]


class Problem(BaseModel):
    """What went wrong, in words a person can act on."""

    detail: str


class ApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be read as JSON"},
    404: {"model": Problem, "description": "No such pack"},
    422: {"model": Problem, "description": "The request does not fit (the detail says why)"},
}


class Health(BaseModel):
    status: str
    version: str


class PackSummary(BaseModel):
    id: str
    name: str
    summary: str | None
    languages: list[str]


class OptionOut(BaseModel):
    value: str
    label: str
    help: str | None = None


class QuestionOut(BaseModel):
    id: str
    text: str
    summary: str
    type: str
    options: list[OptionOut]
    help: str | None = None


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64, examples=["us"])
    answers: dict[str, Any] = Field(
        default_factory=dict,
        max_length=200,
        description="Question id → answer, as in an answers file; 'rather-not-say' is always allowed.",
    )
    today: dt.date | None = Field(
        default=None, description="Count deadlines to this date (default: today)."
    )
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


router = APIRouter(prefix="/api", tags=["api"])


def _pack(pack_id: str, language: str | None) -> Any:
    if pack_id not in builtin_pack_ids():
        raise ApiError(404, f"There is no pack called {pack_id!r}. GET /api/packs lists them.")
    try:
        return load_pack(pack_id, language if language in LANGUAGES else None)
    except PackNotFoundError as error:
        raise ApiError(404, str(error)) from error


@router.get("/health")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/packs")
def packs() -> list[PackSummary]:
    """The built-in knowledge packs (jurisdictions)."""
    result = []
    for pack_id in builtin_pack_ids():
        pack = load_pack(pack_id)
        result.append(
            PackSummary(
                id=pack.id, name=pack.name, summary=pack.summary, languages=pack_languages(pack_id)
            )
        )
    return result


@router.get("/packs/{pack_id}/questions", responses=ERRORS)
def questions(pack_id: PackId, language: Language = None) -> list[QuestionOut]:
    """Every question the pack may ask; the interview asks only those that matter."""
    pack = _pack(pack_id, language)
    return [
        QuestionOut(
            id=q.id,
            text=q.text,
            summary=q.summary,
            type=q.type.value,
            options=[OptionOut(value=o.value, label=o.label, help=o.help) for o in q.options],
            help=q.help,
        )
        for q in pack.questions
    ]


@router.post("/plan", responses=ERRORS)
def plan(body: Annotated[PlanRequest, Body()]) -> Plan:
    """The plan for a set of answers: the same engine as `ally plan --answers`."""
    pack = _pack(body.pack, body.language)
    try:
        today = body.today or dt.date.today()
        interview = Interview(pack, normalise_answers(pack, body.answers, today=today))
        return interview.plan(today)
    except AllyError as error:
        raise ApiError(422, str(error)) from error
    except (OverflowError, ValueError) as error:
        raise ApiError(422, "A date is too far away to count deadlines from.") from error
