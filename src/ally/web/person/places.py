"""Where an incident happened: the short list the journal form offers, in the values letters use."""

from __future__ import annotations

from ally.web.i18n import N_
from ally.web.pages import Visit

PLACES: tuple[tuple[str, str], ...] = (
    ("work", N_("At work, or connected to my job")),
    ("online", N_("Online (messages, social media, email, games)")),
    ("venue", N_("In a shop, bar, club, gym or other place open to the public")),
    ("school", N_("At school, college or university")),
    ("housing", N_("Where I live (a landlord, housing provider or neighbour)")),
    ("private", N_("In my private life (a partner, ex, relative or someone I know)")),
    ("public", N_("Out in public (the street, public transport)")),
)
"""Where an incident happened, with the values the interview's "context" question and the
letters use (the HR letter includes what happened "about work"): the form offers only these."""
PLACE_LABELS = dict(PLACES)
BAD_PLACE = N_(
    "Ally does not know that place. Choose where it happened from the list, or leave it empty. "
    "Nothing was saved."
)


def place_from(fields: dict[str, str]) -> list[str] | str:
    """The entry's contexts from the form's one choice, or why it cannot be saved: only a
    listed place is stored, so a letter never meets a context it does not know."""
    place = fields.get("context", "").strip()
    if not place:
        return []
    return [place] if place in PLACE_LABELS else BAD_PLACE


def interview_place(visit: Visit) -> str:
    """The place to pre-select: the one the person named in the interview, if only one."""
    answers = visit.session.data.get("answers")
    places = answers.get("context") if isinstance(answers, dict) else None
    if isinstance(places, list) and len(places) == 1 and places[0] in PLACE_LABELS:
        return str(places[0])
    return ""
