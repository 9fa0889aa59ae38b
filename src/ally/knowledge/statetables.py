"""The US state tables: one YAML file per topic, one row per state, a source per fact.

A legal-aid reviewer reads and corrects these tables, not 51 pack folders: ``ally packs
generate`` turns them into the ``us-xx`` packs (``statepacks.py``). The models below are the
tables' format; a misspelt field, a missing source or an unknown state is reported with its
file and line, like a pack problem, so a correction can never be silently ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ally.errors import PackProblem, PackValidationError
from ally.knowledge.yamlfile import LineDict, YamlSyntaxError, line_of, read_yaml

TABLES = Path(__file__).parent / "states"
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]
StateId = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Row):
    """Where one fact was read. ``official: false`` when only a secondary page said it."""

    url: Url
    title: str = Field(min_length=3)
    official: bool = True


Checkable = Literal["name", "short", "web", "phone", "hours", "court", "cite"]


class Unverified(Row):
    """Facts in a row that no source page confirms (a web address or a number recalled from
    memory, say). The row keeps its source for the rest; the pack shows these facts with
    "check this" and a test lists every such row and fails if their number grows."""

    fields: list[Checkable] = Field(min_length=1)
    note: str = Field(min_length=10, description="What is unconfirmed and what was looked at.")


class Fact(Row):
    """A table row that may carry facts no source confirms (``unverified``)."""

    unverified: Unverified | None = None

    @property
    def verified(self) -> bool:
        return self.unverified is None

    @model_validator(mode="after")
    def _unverified_fields_are_given(self) -> Fact:
        for name in self.unverified.fields if self.unverified else []:
            if name not in type(self).model_fields or getattr(self, name) in (None, ""):
                raise ValueError(f"unverified.fields names {name!r}, which this row does not give")
        return self


class State(Row):
    id: StateId
    name: str = Field(min_length=4)
    postal: str = Field(pattern=r"^[A-Z]{2}$")
    checked: dt.date = Field(description="The day this state's rows were last checked.")
    hand_written: list[Literal["employment", "housing", "orders", "support"]] = Field(
        default_factory=list,
        description="Topics the pack folder already covers by hand (us-ca, us-ny, us-tx).",
    )


class Agency(Fact):
    name: str = Field(min_length=4)
    short: str | None = None
    web: Url | None = None
    phone: str | None = None
    source: Source


class Length(Row):
    days: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    years: int = Field(default=0, ge=0)
    note: str | None = None
    source: Source


class Count(Row):
    count: int = Field(ge=1)
    sexual_harassment_count: int | None = Field(
        default=None, ge=1, description="A smaller threshold for sexual harassment claims."
    )
    note: str | None = None
    source: Source


class Flag(Row):
    value: bool
    note: str | None = None
    source: Source


class Employment(Row):
    """The fair-employment agency (FEPA): whether one exists sets the EEOC's 180 or 300 days."""

    fepa: Flag | None = Field(
        default=None,
        description="A state agency takes private-sector harassment charges (empty: not confirmed).",
    )
    agency: Agency | None = None
    deadline: Length | None = None
    employer_min: Count | None = Field(
        default=None, description="Smallest employer the state's harassment law covers."
    )
    dual_filing: Flag | None = None

    @property
    def has_fepa(self) -> bool | None:
        return None if self.fepa is None else self.fepa.value


class Route(Row):
    """A housing or public-accommodation complaint route, when it is a state agency."""

    agency: Agency | None = Field(default=None, description="Empty: the employment agency.")
    deadline: Length | None = None


class Housing(Row):
    housing: Route | None = None
    public_accommodation: Route | None = None


Covers = Literal["domestic_violence", "stalking", "harassment", "sexual_assault"]


class Order(Fact):
    name: str = Field(min_length=4)
    covers: list[Covers] = Field(min_length=1)
    court: str | None = None
    relationship_required: bool | None = None
    source: Source


class Statute(Fact):
    cite: str = Field(min_length=3)
    name: str = Field(min_length=3)
    source: Source


class Orders(Row):
    orders: list[Order] = Field(default_factory=list)
    harassment_law: Statute | None = None
    stalking_law: Statute | None = None


class Organization(Fact):
    name: str = Field(min_length=4)
    web: Url | None = None
    phone: str | None = None
    hours: str | None = None
    source: Source


class Support(Row):
    dv_coalition: Organization | None = None
    sa_coalition: Organization | None = None
    hotline: Organization | None = Field(
        default=None, description="A statewide domestic violence or sexual assault hotline."
    )
    legal_aid: Organization | None = Field(
        default=None, description="The statewide legal-aid finder (website)."
    )


TOPICS: dict[str, type[Row]] = {
    "employment": Employment,
    "housing": Housing,
    "orders": Orders,
    "support": Support,
}


@dataclass(frozen=True)
class StateRows:
    """Everything the tables say about one state."""

    state: State
    employment: Employment
    housing: Housing
    orders: Orders
    support: Support

    @property
    def pack_id(self) -> str:
        return f"us-{self.state.id}"

    @property
    def answer(self) -> str:
        """The state question's answer value: the name as a word ("new-york"), never a code
        that could read as a condition keyword (Indiana's "in", Oregon's "or")."""
        return self.state.name.lower().replace(" ", "-")


@dataclass(frozen=True)
class Tables:
    states: list[StateRows]
    fepa_rule: Source

    def state(self, state_id: str) -> StateRows:
        for rows in self.states:
            if rows.state.id == state_id:
                return rows
        raise KeyError(state_id)

    def fepa_states(self) -> list[str]:
        """States confirmed to have a fair-employment agency: the EEOC gives 300 days there."""
        return [rows.state.id for rows in self.states if rows.employment.has_fepa is True]

    def no_fepa_states(self) -> list[str]:
        """States confirmed to have none: the EEOC gives 180 days there."""
        return [rows.state.id for rows in self.states if rows.employment.has_fepa is False]

    def unconfirmed_states(self) -> list[str]:
        return [rows.state.id for rows in self.states if rows.employment.has_fepa is None]


def _read(path: Path, problems: list[PackProblem]) -> LineDict | None:
    if not path.is_file():
        problems.append(PackProblem(str(path), None, "", "this table is missing"))
        return None
    try:
        raw = read_yaml(path)
    except YamlSyntaxError as error:
        problems.append(PackProblem(str(path), error.line, "", error.message))
        return None
    if not isinstance(raw, LineDict):
        problems.append(PackProblem(str(path), None, "", "the table must be a mapping"))
        return None
    return raw


def _problems(
    path: Path, raw: LineDict, error: ValidationError, prefix: list[int | str]
) -> list[PackProblem]:
    found = []
    for item in error.errors():
        loc = [*prefix, *(part for part in item["loc"] if isinstance(part, int | str))]
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "this field is not part of the table format (check the spelling)"
        field = ".".join(str(part) for part in loc)
        found.append(PackProblem(str(path), line_of(raw, loc), field, message))
    return found


def load_tables(folder: Path = TABLES) -> Tables:
    """Read and check every table; PackValidationError lists all problems at once."""
    problems: list[PackProblem] = []
    states_path = folder / "states.yaml"
    raw_states = _read(states_path, problems)
    states: list[State] = []
    if raw_states is not None:
        for index, item in enumerate(raw_states.get("states") or []):
            try:
                states.append(State.model_validate(dict(item)))
            except ValidationError as error:
                problems += _problems(states_path, raw_states, error, ["states", index])
    ids = [state.id for state in states]
    topics: dict[str, dict[str, Row]] = {}
    for topic, model in TOPICS.items():
        path = folder / f"{topic}.yaml"
        raw = _read(path, problems)
        topics[topic] = {}
        if raw is None:
            continue
        for state_id, value in raw.items():
            if state_id not in ids:
                line = line_of(raw, [state_id])
                problems.append(PackProblem(str(path), line, str(state_id), "no such state"))
                continue
            try:
                topics[topic][state_id] = model.model_validate(dict(value or {}))
            except ValidationError as error:
                problems += _problems(path, raw, error, [state_id])
    fepa_rule = None
    if raw_states is not None:
        try:
            fepa_rule = Source.model_validate(dict(raw_states.get("fepa_rule") or {}))
        except ValidationError as error:
            problems += _problems(states_path, raw_states, error, ["fepa_rule"])
    if problems or fepa_rule is None:
        raise PackValidationError(problems)
    rows = [
        StateRows(
            state,
            employment=topics["employment"].get(state.id) or Employment(),  # type: ignore[arg-type]
            housing=topics["housing"].get(state.id) or Housing(),  # type: ignore[arg-type]
            orders=topics["orders"].get(state.id) or Orders(),  # type: ignore[arg-type]
            support=topics["support"].get(state.id) or Support(),  # type: ignore[arg-type]
        )
        for state in states
    ]
    return Tables(sorted(rows, key=lambda item: item.state.id), fepa_rule)
