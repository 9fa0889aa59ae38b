"""Plain plans to meet ("see you there", "see you at the station", "nos vemos mañana").

The learned model saw "see you" in threats ("See you soon. Very soon.") and in stalking ("I'll
see you there" after naming the reader's gym time), so on its own it scored friends arranging to
meet as threats or stalking: a chat of "see you at the party" lines came out all flagged. A
plan to meet is not evidence of anything, so when a category has no rule hit, the model's score
for it is taken on the message *without* the plan ("See you soon x" -> "x": nothing; "See you
soon. Very soon. You won't like it." -> "very soon. you won't like it.": still a threat).

What counts as a plan is narrow: "see / meet / catch you" followed by a time or a place that is
not the reader's own ("at the station", "at work tomorrow", "there", "soon"), ending the clause.
"See you at your work", "see you again", "see you alone" and "I can see you" are not plans and
are left to the rules and the model. Runs only on normalised text with a word of ``PLAN_WORDS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ally.evidence.detect.regexopt import optimise


def fast(pattern: str) -> re.Pattern[str]:
    """``pattern`` in the equivalent form Python's engine runs faster (see ``regexopt``)."""
    return re.compile(optimise(pattern))


_NOT_A_PLACE = (
    r"(?!(?:your|ur|yours|alone|again|naked|through|from|without|when|if|hell|court|grave|"
    r"the (?:ground|grave|hospital|morgue))\b)"
)
_WORD = rf"{_NOT_A_PLACE}[\w'-]+"
PLAN = re.compile(
    r"\b(?:(?:i'll|ill|i will|we'll|we will|i'm gonna|im gonna|gonna) )?"
    r"(?<!can )(?<!could )(?<!i )(?:see|meet|catch) (?:you|u|ya|y'all|you all|you guys|you both) ?"
    r"(?:(?:there|soon|later|then|tomorrow|tonight|today|in a (?:bit|sec|min|minute|while|few)|"
    rf"next {_WORD}|on {_WORD}(?: {_WORD})?|at {_WORD}(?: {_WORD}){{0,3}}|in {_WORD}(?: {_WORD}){{0,2}}"
    r")(?: |$|(?=[.,!?;:)])))*(?=\s*(?:[.,!?;:)]|x+\b|$))"
    r"|\bnos vemos(?: (?:alli|alla|ahi|luego|pronto|manana|hoy|esta (?:noche|tarde)|"
    r"(?:en|a|el|la|las) [\w'-]+(?: [\w'-]+){0,3}?)(?=[ .,!?;:)]|$))*(?=\s*(?:[.,!?;:)]|x+\b|$))"
)
"""A plan to meet, to the end of its clause (times and places only, none of them the reader's)."""
SOCIAL_FOLLOW = fast(
    r"\b(?:(?:i'm|im|i am|i've|ive|i have|just|i) )?(?:follow|following|followed) (?:you|u)(?: back)? "
    r"(?:on|in) (?:instagram|insta|ig|twitter|x|tiktok|facebook|fb|linkedin|twitch|youtube|"
    r"bluesky|threads|mastodon|spotify|pinterest|snapchat)\b(?: now| too| as well)?"
)
"""Following someone's account ("I'm following you on instagram now"): a social follow, which
the model otherwise read as stalking. Strava and location apps are not in the list."""
SECRECY = re.compile(
    r"\b(?:alone|on your own|by yourself|(?:don't|dont|do not) (?:tell|bring)|tell no ?one|"
    r"(?:nobody|no one|noone) (?:needs to|has to|will) know|sol[oa]|no se lo (?:digas|cuentes))\b"
)
"""A plan plus secrecy ("See you on Monday. Come alone.") is a meeting someone is lured to: the
plan is kept and the model's score stands."""
PLAN_WORDS = frozenset(["see", "meet", "catch", "vemos", "follow", "following", "followed"])
"""A word of every wording of ``PLAN`` and ``SOCIAL_FOLLOW``: a message without one skips them."""


def without_plans(normalised: str) -> str | None:
    """``normalised`` with its plans to meet taken out, or None when it has none."""
    if SECRECY.search(normalised):
        return None
    stripped, count = PLAN.subn(" ", normalised)
    if "follow" in stripped:
        stripped, follows = SOCIAL_FOLLOW.subn(" ", stripped)
        count += follows
    return stripped if count else None


ARRANGEMENT = fast(
    r"\b(?:after (?:work|school|the gym|gym|class|practice|training|my shift|lunch|dinner)|"
    r"for (?:dinner|lunch|tea|coffee|a coffee|drinks|a drink|breakfast|brunch|a cuppa|the party|"
    r"movie night|game night|the match|the game)|come down|(?:when|whenever) (?:you're|youre|ur|"
    r"you are|u r) ready|no rush|running late|on my way|omw|shall i bring|want anything|"
    r"need anything|bring (?:wine|snacks|food|dessert|pudding)|with the kids|"
    r"(?:i'll|ill|i will|we'll|can|let's|lets|shall we) meet (?:you|u)\b|"
    r"despues del trabajo|para (?:cenar|comer|tomar algo|un cafe)|baja cuando)"
)
"""A visit arranged with a purpose or a courtesy: "I'm coming over after work", "I'll come to
yours for dinner", "I'm parked outside, come down when you're ready"."""
PRESSURE = fast(
    r"\b(?:you'd better|youd better|better be|or else|whether you|like it or not|can't hide|"
    r"cant hide|(?:don't|dont|do not) (?:ignore|bother|lock|make me|even think|try)|"
    r"open (?:the|this|your) door|as long as it takes|again|every (?:day|night|morning|time)|"
    r"no matter what|won't (?:go|leave)|wont (?:go|leave)|know you're|know youre|i can see|"
    r"watching|alone|regret|last chance|can't stop|cant stop|told (?:you|u) not|blocked|"
    r"not welcome|restraining|whatever you say|you can't|you cant|te guste o no|quieras o no)"
)
"""Pressure that turns a visit into turning up uninvited ("I'm coming over after work whether
you like it or not")."""
ARRANGEMENT_WORDS = frozenset(
    [
        "work",
        "school",
        "gym",
        "class",
        "practice",
        "training",
        "shift",
        "lunch",
        "dinner",
        "tea",
        "coffee",
        "drinks",
        "drink",
        "breakfast",
        "brunch",
        "cuppa",
        "party",
        "night",
        "match",
        "game",
        "down",
        "ready",
        "rush",
        "late",
        "way",
        "omw",
        "bring",
        "anything",
        "kids",
        "meet",
        "trabajo",
        "cenar",
        "comer",
        "tomar",
        "cafe",
        "baja",
    ]
)
"""A word of every wording of ``ARRANGEMENT``: a message without one skips it."""
PRESENCE_REASONS = frozenset(
    [
        "threatens to come to you",
        "says they follow or watch you",
        "mentions exact times or places of your day",
    ]
)
"""Rule reasons about someone turning up; only these are lowered for an arranged visit (a real
threat or a watched phone in the same message keeps its full weight). A category the model alone
scored is lowered too ("voy a tu casa después del trabajo")."""


def arranged_visit(normalised: str) -> bool:
    """The message arranges a visit or a meeting, with no pressure in it."""
    return ARRANGEMENT.search(normalised) is not None and PRESSURE.search(normalised) is None


def only_presence(hits: Iterable[tuple[float, str]]) -> bool:
    """Every rule hit of a category is about turning up (see ``PRESENCE_REASONS``)."""
    return all(reason in PRESENCE_REASONS for _, reason in hits)
