"""What to offer when nothing with an address is near the person: the national line and 2-1-1.

Taken from the knowledge pack of the place's country (never typed here), so the numbers are
the ones the pack cites. A country without such contacts gets the worldwide helpline finder.
"""

from __future__ import annotations

from ally.errors import PackNotFoundError
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Contact

# The country's pack and the contacts that help anyone there, whatever they need.
NATIONAL_LINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "US": ("us", ("dv-hotline", "us-211")),
}
WORLDWIDE = ("generic", ("findahelpline",))


def areas_for_pack(pack_id: str) -> tuple[str, ...]:
    """The service areas a person using this pack is in: us-ca → US-CA, US and worldwide."""
    if pack_id == "generic":
        return ()
    country = pack_id.split("-")[0].upper()
    codes = [pack_id.upper()] if "-" in pack_id else []
    return (*codes, country, "*")


def national_lines(country: str | None) -> list[Contact]:
    """The national line(s) and 2-1-1 for a country (the worldwide finder elsewhere)."""
    pack_id, contact_ids = NATIONAL_LINES.get(country or "", WORLDWIDE)
    try:
        pack = load_pack(pack_id)
    except PackNotFoundError:
        return []
    known = {contact.id: contact for contact in pack.contacts}
    return [known[contact_id] for contact_id in contact_ids if contact_id in known]
