"""Building blocks for the generated HSDS models (``hsds_models.py``).

The HSDS 3.0 schemas give every field a JSON type and sometimes a ``format``. These annotated
types check the formats the same way the official JSON Schema validator does (``uuid`` needs
the hyphenated 8-4-4-4-12 form, ``email`` needs an ``@``), plus ``uri`` and ``date-time``,
which that validator only checks when optional packages are installed. Validation is strict:
a number written as text is an error, as the schema says, not something silently converted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
URI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$"


def _date_time(value: str) -> str:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError("must be a date and time like 2024-03-15T10:30:00Z") from error
    return value


def _email(value: str) -> str:
    if "@" not in value:
        raise ValueError("must be an email address")
    return value


Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
Uri = Annotated[str, Field(pattern=URI_PATTERN)]
Email = Annotated[str, AfterValidator(_email)]
DateTime = Annotated[str, AfterValidator(_date_time)]
Number = int | float


class HsdsObject(BaseModel):
    """One HSDS object. Fields outside the standard are kept (HSDS allows profile extensions)."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


@dataclass(frozen=True)
class Child:
    """A nested property: ``prop`` holds one ``kind`` object, or a list of them."""

    prop: str
    kind: str
    many: bool


@dataclass(frozen=True)
class TableSpec:
    """One HSDS object type as the tabular form knows it: its CSV file and columns."""

    kind: str
    model: type[HsdsObject]
    path: str
    order: int
    columns: tuple[str, ...]
    numbers: frozenset[str]
    required: tuple[str, ...]
    tabular_required: tuple[str, ...]
    formats: dict[str, str] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    children: tuple[Child, ...] = ()
