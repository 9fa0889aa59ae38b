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
SECRECY = re.compile(
    r"\b(?:alone|on your own|by yourself|(?:don't|dont|do not) (?:tell|bring)|tell no ?one|"
    r"(?:nobody|no one|noone) (?:needs to|has to|will) know|sol[oa]|no se lo (?:digas|cuentes))\b"
)
"""A plan plus secrecy ("See you on Monday. Come alone.") is a meeting someone is lured to: the
plan is kept and the model's score stands."""
PLAN_WORDS = frozenset(["see", "meet", "catch", "vemos"])
"""A word of every wording of ``PLAN``: a message without one skips it."""


def without_plans(normalised: str) -> str | None:
    """``normalised`` with its plans to meet taken out, or None when it has none."""
    if SECRECY.search(normalised):
        return None
    stripped, count = PLAN.subn(" ", normalised)
    return stripped if count else None
