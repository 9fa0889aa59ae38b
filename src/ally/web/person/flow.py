"""The interview a session holds: the same ``Interview`` object the terminal drives.

The session keeps the answers document (``Interview.to_document``) plus the order they were
given, so "back" works the same after a restart or on another day.
"""

from __future__ import annotations

import datetime as dt

from ally.errors import AllyError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.deadlines import NO_FACTS, ClockFacts
from ally.knowledge.engine import build_plan
from ally.knowledge.interview import Interview, starting_pack_ids
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Pack
from ally.model.answers import TriedAnswer
from ally.model.plan import Plan
from ally.web.i18n import N_
from ally.web.pagecache import PageCache
from ally.web.pages import PageError, Visit
from ally.web.sessions import WebSession

FALLBACK_PACK = "generic"


def pack_in(pack_id: str, language: str) -> Pack:
    """The pack in the interface language where it is translated, English otherwise."""
    return load_pack(pack_id, language)


def pack_choices(language: str) -> list[Pack]:
    """The places to start from; a US state is asked inside the ``us`` pack."""
    return [pack_in(pack_id, language) for pack_id in starting_pack_ids()]


def load_interview(visit: Visit) -> Interview | None:
    """The session's interview, or None before a pack was chosen."""
    data = visit.session.data
    pack_id = data.get("pack")
    if not isinstance(pack_id, str):
        return None
    try:
        pack = pack_in(pack_id, visit.language)
        answers = normalise_answers(pack, data.get("answers") or {})
        interview = Interview(pack, answers, today=dt.date.today())
    except AllyError as error:
        # Ally was updated and the saved answers no longer fit the pack: start the questions again.
        forget_interview(visit.session)
        raise PageError(
            409, N_("Ally was updated and your earlier answers no longer fit. Please start again.")
        ) from error
    interview.restore({key: data.get(key) for key in ("history", "cursor", "chosen")})
    return interview


def finished(pages: PageCache, visit: Visit, interview: Interview) -> bool:
    """Whether the interview is over (``current()`` is None), remembered for this session.

    Finding the next question runs the engine over every step's conditions: about 0.3 ms, most
    of a plan reload once the page itself comes from the cache (benchmarks/web.py). Yet with no
    question being revisited it depends only on the pack and the answers, so the fact "over" is
    kept in a ``PageCache`` (``WebState.finished``) under the session's row, keyed by a digest
    of exactly those: a changed answer asks the engine again, another session never matches,
    and the fact goes when the session locks, quick-exits or is deleted, with its pages.
    """
    row = visit.session.row
    if row is None or interview.cursor is not None:
        return interview.current() is None
    inputs = ["finished", interview.pack.id, interview.pack.language, interview.to_document()]
    key = pages.key(row, inputs)
    if pages.get(row, key) is not None:
        return True
    if interview.current() is not None:
        return False
    pages.put(row, key, b"")
    return True


def keep_interview(session: WebSession, interview: Interview) -> None:
    document = interview.to_document()
    session.data["pack"] = document["pack"]
    session.data["answers"] = document["answers"]
    session.data.update(interview.position())


def start_interview(session: WebSession, pack_id: str) -> None:
    """Choose a pack. Answers are kept only if it is the same pack as before."""
    if session.data.get("pack") != pack_id:
        session.data.update(pack=pack_id, answers={}, history=[], cursor=None, chosen={})


def forget_interview(session: WebSession) -> None:
    for key in ("pack", "answers", "history", "cursor", "chosen"):
        session.data.pop(key, None)


def plan_for(
    interview: Interview,
    today: dt.date,
    clocks: ClockFacts = NO_FACTS,
    tried: TriedAnswer | None = None,
) -> Plan:
    """The plan, or a friendly error if a date is so far off the calendar cannot count it.

    ``clocks`` (``tracking.journal_clocks``) start deadlines from the journal and the case, as
    the case page does, so every page gives the same last day. ``tried`` are the steps the
    person marked on the plan page (``step:ID`` entries), shown as done like the answer's."""
    try:
        return build_plan(interview.pack, interview.answers, today, clocks=clocks, tried=tried)
    except (OverflowError, ValueError) as error:
        raise PageError(
            422, N_("One of the dates you gave is too far away to count deadlines from.")
        ) from error
