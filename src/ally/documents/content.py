"""What each letter may carry: entry kinds, fields, the sender's own details, the extra details.

A letter is read by its recipient, and some recipients pass it on: hosts and platforms often
forward a report to the site's operator or the account holder, who may be the person doing the
harm. So every letter kind declares, in pack data (``letters/content.yaml``), exactly what it
may contain, and the drafting code removes everything else before a template sees it. A
template cannot leak what it is never given.

The declaration lives with the templates so a lawyer or advocate can review it beside the
words; a nearer pack replaces a kind's (or a step's) rule whole, as for steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ally.documents.packfiles import read_pack_file
from ally.errors import PackError

FILE = "content.yaml"

EntryKind = Literal["incident", "message", "action", "reply", "snapshot", "note"]
Field_ = Literal["when", "what", "where", "who", "witnesses", "impact", "exhibits", "links"]
SenderField = Literal["name", "email", "phone", "address", "role"]
DetailField = Literal[
    "organisation",
    "organisation_address",
    "organisation_size",
    "recipient_organisation",
    "harasser_title",
    "sent_on",
    "recipient_name",
    "recipient_title",
    "recipient_email",
    "recipient_address",
    "harasser",
    "harasser_account",
    "links",
    "host",
    "abuse_contact",
    "platform",
    "reference",
    "outcome",
    "court",
]
Audience = Literal["organisation", "service", "authority", "court", "person"]
Pick = Literal["context", "service", "all", "none"]
SENDER_FIELDS: tuple[SenderField, ...] = ("name", "email", "phone", "address", "role")


class RuleSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")
    says: str


class ContentRule(BaseModel):
    """What one letter kind (or one step's letter) may contain, and why.

    ``pick`` says which entries are ticked before the person chooses: ``context`` (incidents
    of the letter's context, with messages marked as evidence and the person's own actions and
    replies), ``service`` (only entries whose links are on the service reported), ``all`` or
    ``none``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    audience: Audience
    entries: tuple[EntryKind, ...]
    pick: Pick
    fields: tuple[Field_, ...]
    sender: tuple[SenderField, ...]
    details: tuple[DetailField, ...]
    why: str = Field(min_length=1)
    sources: tuple[RuleSource, ...] = ()

    @model_validator(mode="after")
    def _service_is_minimal(self) -> ContentRule:
        """A report that may be forwarded to the site's operator never carries the sender's
        address or phone, or the places and people of other incidents."""
        if self.audience == "service":
            leaks = {str(name) for name in self.sender} & {"address", "phone", "role"}
            leaks |= set(self.fields) & {"where", "who", "witnesses", "impact"}
            leaks |= set(self.details) & {
                "organisation",
                "organisation_address",
                "organisation_size",
                "harasser_title",
                "recipient_address",
                "court",
            }
            if leaks:
                raise ValueError(
                    "a report to a host or platform may be forwarded to the person harassing "
                    f"them, so it cannot include: {', '.join(sorted(leaks))}"
                )
            if not self.sources:
                raise ValueError("a rule for a host or platform needs a source")
        return self

    def allows(self, kind: str) -> bool:
        return kind in self.entries


class _ContentFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, ContentRule] = Field(default_factory=dict)
    steps: dict[str, ContentRule] = Field(default_factory=dict)
    addressees: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    police: tuple[str, ...] = ()


class ContentRules:
    """The rules of a pack lineage: a step's own rule before its kind's, nearest pack first."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.kinds: dict[str, ContentRule] = {}
        self.steps: dict[str, ContentRule] = {}
        self.addressees: dict[str, frozenset[str]] = {}
        """Per context, words naming whom a step of that context goes to (HR, the employer)."""
        self.police: frozenset[str] = frozenset()
        """Words that show a step went to the police (a crime reference)."""
        for folder in reversed(list(folders)):
            path = folder / FILE
            if path.is_file():
                parsed = read_pack_file(path, _ContentFile)
                self.kinds.update(parsed.kinds)
                self.steps.update(parsed.steps)
                for context, words in parsed.addressees.items():
                    known = self.addressees.get(context, frozenset())
                    self.addressees[context] = known | {w.lower() for w in words}
                self.police |= {word.lower() for word in parsed.police}

    def rule(self, kind: str, step: str | None = None) -> ContentRule:
        if step is not None and step in self.steps:
            return self.steps[step]
        if kind not in self.kinds:
            raise PackError(
                f"No pack says what a {kind!r} letter may contain (letters/{FILE}); Ally will "
                "not write a letter without that."
            )
        return self.kinds[kind]
