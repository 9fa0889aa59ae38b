"""Is a jurisdiction's pack really about that place? (issue 15, item 4)

A country pack inherits every generic step it does not replace. Two things then leak into its
plans: generic wording ("In many countries employers…") where the pack could say what holds
there, and sources about another country (an Australian university page cited in a US plan).
``ally packs validate`` reports both, located where the item was written, so the author knows
which step to replace. Generic wording fails validation; a foreign source is a warning (it
needs research to replace, and Ally never invents a source). Loading a pack fails on neither:
a plugin pack that extends ``generic`` still loads.

Every step, notice and deadline in a merged pack can reach one of its plans (a step is shown
unless its condition is definitely false), so checking the merged items covers every answer
combination, including those the pack's scenario tests cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from ally.errors import PackProblem

if TYPE_CHECKING:
    from ally.knowledge.schema import Contact, Pack

GENERIC_WORDING = re.compile(
    r"\b(?:in (?:many|most|some) (?:countries|places)|many countries have|your country's)\b",
    re.IGNORECASE,
)
"""Phrases that only make sense when Ally does not know the place."""

# Top-level domains that name a country. Two-letter domains are countries unless they are
# sold worldwide as vanity names; the US government and universities use their own.
_TLD_PLACE = {"uk": "gb", "gov": "us", "mil": "us", "edu": "us", "us": "us"}
_VANITY_TLDS = frozenset({"io", "co", "me", "tv", "ly", "fm", "ai", "gg", "to", "cc", "ws"})
_EU_MEMBERS = frozenset(
    [
        "at",
        "be",
        "bg",
        "hr",
        "cy",
        "cz",
        "dk",
        "ee",
        "fi",
        "fr",
        "de",
        "gr",
        "hu",
        "ie",
        "it",
        "lv",
        "lt",
        "lu",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "si",
        "es",
        "se",
    ]
)


class _Origin(Protocol):
    file: str

    def line(self, *loc: int | str) -> int | None: ...


def source_place(url: str) -> str | None:
    """The country a source is about, from its address; None for international addresses."""
    host = (urlsplit(url).hostname or "").lower()
    tld = host.rsplit(".", 1)[-1]
    if tld in _TLD_PLACE:
        return _TLD_PLACE[tld]
    if len(tld) == 2 and tld not in _VANITY_TLDS:
        return tld
    return None


def pack_place(pack: Pack) -> str | None:
    """The country a pack is for (``us`` for ``us-ca``); None for the generic pack."""
    if len(pack.lineage) < 2:
        return None
    country = pack.lineage[-2]
    return country.split("-", 1)[0]


def _foreign(place: str | None, home: str) -> bool:
    if place is None or place == home:
        return False
    return not (place == "eu" and home in _EU_MEMBERS)


def _texts(pack: Pack) -> Iterator[tuple[str, str, tuple[int | str, ...], str]]:
    """(kind, id, field location, text) for every text a plan can show."""
    for step in pack.steps:
        yield "steps", step.id, ("title",), step.title
        yield "steps", step.id, ("summary",), step.summary
        if step.who:
            yield "steps", step.id, ("who",), step.who
        for index, line in enumerate(step.how):
            yield "steps", step.id, ("how", index), line
        for index, line in enumerate(step.bring):
            yield "steps", step.id, ("bring", index), line
        for index, edge in enumerate(step.escalation):
            if edge.says:
                yield "steps", step.id, ("escalation", index, "says"), edge.says
    for notice in pack.notices:
        yield "notices", notice.id, ("title",), notice.title
        yield "notices", notice.id, ("text",), notice.text
    for deadline in pack.deadlines:
        yield "deadlines", deadline.id, ("title",), deadline.title
        if deadline.note:
            yield "deadlines", deadline.id, ("note",), deadline.note
    for contact in _used_contacts(pack):
        if contact.notes:
            yield "contacts", contact.id, ("notes",), contact.notes


def _used_contacts(pack: Pack) -> list[Contact]:
    used = {contact_id for step in pack.steps for contact_id in step.contacts}
    return [contact for contact in pack.contacts if contact.id in used]


def _citations(pack: Pack) -> Iterator[tuple[str, str, list[str]]]:
    for step in pack.steps:
        yield "steps", step.id, step.sources
    for notice in pack.notices:
        yield "notices", notice.id, notice.sources
    for deadline in pack.deadlines:
        yield "deadlines", deadline.id, deadline.sources
    for contact in _used_contacts(pack):
        yield "contacts", contact.id, contact.sources


class _Reporter:
    def __init__(self, pack: Pack, origins: Mapping[tuple[str, str], _Origin]) -> None:
        self.pack = pack
        self.origins = origins
        self.found: list[PackProblem] = []

    def __call__(self, kind: str, item_id: str, loc: tuple[int | str, ...], message: str) -> None:
        origin = self.origins.get((kind, item_id))
        file = origin.file if origin else f"{self.pack.id}/pack.yaml"
        line = origin.line(*loc) if origin else None
        field = ".".join([kind, item_id, *(str(part) for part in loc)])
        self.found.append(PackProblem(file, line, field, message))


def check_tailoring(pack: Pack, origins: Mapping[tuple[str, str], _Origin]) -> list[PackProblem]:
    """Generic wording left in a jurisdiction's plans (problems); none for the generic pack."""
    home = pack_place(pack)
    report = _Reporter(pack, origins)
    if home is None:
        return []
    for kind, item_id, loc, text in _texts(pack):
        found = GENERIC_WORDING.search(text)
        if found:
            report(
                kind,
                item_id,
                loc,
                f"generic wording ({found.group(0)!r}) in a {pack.id} plan: say what holds in "
                f"{home.upper()}, in a {kind[:-1]} with the same id in the {pack.id} pack "
                "or the country pack it extends",
            )
    return report.found


def foreign_sources(pack: Pack, origins: Mapping[tuple[str, str], _Origin]) -> list[PackProblem]:
    """Sources about another country cited in a jurisdiction's plans.

    Reported as warnings, not failures: replacing one needs a researched source about the
    pack's own place, and Ally never invents one to make a check pass. A source marked
    ``general`` (guidance that holds anywhere, titled as such) is not reported."""
    home = pack_place(pack)
    report = _Reporter(pack, origins)
    if home is None:
        return []
    # General guidance (how to keep a log) is not about a place; its title says where from.
    places = {source.id: source_place(source.url) for source in pack.sources if not source.general}
    for kind, item_id, cited in _citations(pack):
        for index, source_id in enumerate(cited):
            place = places.get(source_id)
            if _foreign(place, home):
                report(
                    kind,
                    item_id,
                    ("sources", index),
                    f"the source {source_id!r} is about {str(place).upper()}, not "
                    f"{home.upper()}: cite a source about {home.upper()} or an international one",
                )
    return report.found
