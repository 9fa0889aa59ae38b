"""The journal: create it, unlock it with its passphrase, see the timeline, lock it again."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.model.journal import SETTINGS_KIND, computer_zone, journal_zone, journal_zone_name
from ally.vault import Vault, VaultExistsError, WrongPassphraseError, generate_passphrase
from ally.vault.keyslots import (
    NoRecoveryCodeError,
    RecoveryRequiredError,
    WrongRecoveryCodeError,
)
from ally.vault.strength import EXPLANATIONS, weakness
from ally.vault.throttle import UnlockBusyError, UnlockRefusedError
from ally.web.i18n import N_
from ally.web.pages import FormDep, FormFields, PageError, Visit, VisitDep, render, see_other
from ally.web.person.places import PLACE_LABELS
from ally.web.state import web_state
from ally.web.vaults import VaultKeeper

router = APIRouter()

RETURN_TO = (
    "/case",
    "/share",
    "/privacy",
    "/evidence/import",
    "/evidence/review",
    "/evidence/search",
    "/documents",
)
"""Pages that send the person here to open the journal, and get them back afterwards."""
LETTER_PAGE = re.compile(r"/letters/(?:extra/)?[1-9][0-9]{0,2}")
JOB_PAGE = re.compile(r"/jobs/[0-9a-f]{16}")
"""A hosted import's or report's page (``jobs.py``), paused while the journal was locked."""


def return_to(candidate: str) -> str:
    """Where to go once the journal is open: one of ``RETURN_TO`` or a letter, else the timeline."""
    if candidate in RETURN_TO or LETTER_PAGE.fullmatch(candidate) or JOB_PAGE.fullmatch(candidate):
        return candidate
    return "/journal"


def keeper(request: Request) -> VaultKeeper:
    vaults = web_state(request).vaults
    if vaults is None:
        raise PageError(404, N_("The journal is not available on this Ally."))
    return vaults


def session_row(request: Request, visit: Visit) -> str:
    """The session's row, created if needed: an unlocked journal belongs to a saved session."""
    if visit.session.row is None:
        web_state(request).sessions.save(visit.session)
    assert visit.session.row is not None
    return visit.session.row


def lock_after(request: Request, visit: Visit) -> float:
    return visit.session.lock_seconds(web_state(request).config)


def _suggestion() -> str | None:
    try:
        return generate_passphrase()
    except RuntimeError:  # the word list is missing: the person makes up their own
        return None


@router.get("/journal")
def journal(request: Request, visit: VisitDep, next: str = "") -> Response:
    vaults = keeper(request)
    with vaults.using(visit.session.row) as vault:
        if vault is not None:
            entries = vault.timeline()
            unfinished = len(web_state(request).drafts.drafts(vault))
            return render(
                request,
                visit,
                "journal/timeline.html",
                entries=entries,
                unfinished=unfinished,
                place_labels=PLACE_LABELS,
                zone=zone_of(vault),
                zone_set=journal_zone_name(vault.entries(kind=SETTINGS_KIND)) is not None,
                zone_name=str(zone_of(vault)),
            )
    after = return_to(next)
    if not vaults.exists(visit.session.row):
        return render(
            request,
            visit,
            "journal/create.html",
            suggestion=_suggestion(),
            error=None,
            next=after,
        )
    return render(request, visit, "journal/unlock.html", error=None, next=after)


BAD_ZONE = N_(
    "Ally does not know that time zone. Use a name like America/Los_Angeles or Europe/London, "
    "or leave it empty."
)


def zone_of(vault: Vault) -> dt.tzinfo:
    """The journal's time zone: the one typed times were read in and every page shows."""
    return journal_zone(vault.entries(kind=SETTINGS_KIND))


def viewer_zone(request: Request, visit: Visit) -> zoneinfo.ZoneInfo | None:
    """The zone the person chose for their journal, when it is open now and keeps one: for
    pages outside the journal that show times (account activity, sessions). None otherwise:
    those pages then show UTC, which ally.js turns into the browser's own zone."""
    vaults = web_state(request).vaults
    if vaults is None or visit.session.row is None:
        return None
    with vaults.using(visit.session.row) as vault:
        name = journal_zone_name(vault.entries(kind=SETTINGS_KIND)) if vault else None
    return zoneinfo.ZoneInfo(name) if name and known_zone(name) else None


def new_passphrase_problem(form: FormFields) -> str | None:
    """Why the new passphrase in ``form`` (typed twice: ``passphrase``, ``confirm``) cannot be
    used, as a message to show; None when it can."""
    problem = weakness(form.get("passphrase"))
    if problem is not None:
        return EXPLANATIONS[problem]
    if form.get("passphrase") != form.get("confirm"):
        return N_("The two passphrases are not the same. Please type them again.")
    return None


def known_zone(name: str) -> bool:
    """Whether ``name`` is a time zone name Ally can use (e.g. America/Los_Angeles)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def typed_zone(text: str) -> str:
    """The zone name someone typed, as Ally keeps it: on a phone people type
    "america/los angeles" (the keyboard adds capitals or spaces where it likes), which is
    America/Los_Angeles. Unchanged (and then refused) when it names no zone."""
    text = text.strip()
    if known_zone(text):
        return text
    folded = "/".join(part.strip().replace(" ", "_") for part in text.split("/")).casefold()
    return _zones_by_folded_name().get(folded, text)


@router.post("/journal/create")
def create(request: Request, visit: VisitDep, form: FormDep) -> Response:
    vaults = keeper(request)
    passphrase = form.get("passphrase")
    error = new_passphrase_problem(form)
    zone_name = typed_zone(form.get("timezone"))
    if error is None and zone_name and not known_zone(zone_name):
        error = BAD_ZONE
    after = return_to(form.get("next"))
    if error:
        return render(
            request,
            visit,
            "journal/create.html",
            422,
            suggestion=_suggestion(),
            error=error,
            next=after,
        )
    try:
        row = session_row(request, visit)
        code = vaults.create(row, passphrase, lock_after(request, visit))
        if zone_name:
            with vaults.using(row) as vault:
                if vault is not None:
                    vault.add_entry(SETTINGS_KIND, {"timezone": zone_name})
    except VaultExistsError:
        return see_other("/journal")
    except UnlockRefusedError:
        busy = N_("Ally is busy checking other passphrases. Nothing was saved. Please try again.")
        return render(
            request,
            visit,
            "journal/create.html",
            503,
            suggestion=_suggestion(),
            error=busy,
            next=after,
        )
    # Shown once, in this response only (never stored), before going on: like the CLI.
    return render(
        request, visit, "person/recovery_code.html", code=code, new_journal=True, next=after
    )


@router.get("/journal/timezone")
def timezone_page(request: Request, visit: VisitDep) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal?next=/journal/timezone")
        stored = journal_zone_name(vault.entries(kind=SETTINGS_KIND))
    return _zone_page(request, visit, 200, stored, None)


@router.post("/journal/timezone")
def change_timezone(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Keep a new zone for the journal. Typed times are stored as instants, so this changes
    how they are shown and how times typed from now on are read, never when things happened."""
    name = typed_zone(form.get("timezone"))
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal?next=/journal/timezone")
        stored = journal_zone_name(vault.entries(kind=SETTINGS_KIND))
        if not name or not known_zone(name):
            return _zone_page(request, visit, 422, stored, BAD_ZONE)
        if name != stored:
            vault.add_entry(SETTINGS_KIND, {"timezone": name})
    return see_other("/journal")


def _zone_page(
    request: Request, visit: Visit, status: int, stored: str | None, error: str | None
) -> Response:
    return render(
        request, visit, "journal/timezone.html", status, zone_value=stored,
        fallback=str(computer_zone()), error=error,
    )  # fmt: skip


@router.post("/journal/unlock")
def unlock(request: Request, visit: VisitDep, form: FormDep) -> Response:
    vaults = keeper(request)
    after = return_to(form.get("next"))
    try:
        vaults.unlock(
            session_row(request, visit),
            form.get("passphrase"),
            lock_after(request, visit),
            client_of(request),
        )
    except WrongPassphraseError:
        error = N_("That passphrase did not open the journal. Check it and try again.")
        return render(request, visit, "journal/unlock.html", 400, error=error, next=after)
    except RecoveryRequiredError:
        return _recover_page(request, visit, 403, LOCKED_OUT, after)
    except UnlockRefusedError as refused:
        return _refused(request, visit, refused, after)
    for hook in getattr(request.app.state, "after_unlock", ()):
        hook(request, visit)  # hosted: jobs that waited for this journal go on (jobs.py)
    return see_other(after)


LOCKED_OUT = N_(
    "There were too many wrong passphrases in a row, so this journal now opens only with its "
    "recovery code. Type the code and choose a new passphrase."
)


def _recover_page(
    request: Request, visit: Visit, status: int, error: str | None, after: str
) -> Response:
    return render(request, visit, "journal/recover.html", status, error=error, next=after, wait=0)


@router.get("/journal/recover")
def recover_form(request: Request, visit: VisitDep, next: str = "") -> Response:
    keeper(request)
    return _recover_page(request, visit, 200, None, return_to(next))


@router.post("/journal/recover")
def recover(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """The recovery code opens the journal and a new passphrase replaces the old one."""
    vaults = keeper(request)
    after = return_to(form.get("next"))
    passphrase = form.get("passphrase")
    error = new_passphrase_problem(form)
    if error:
        return _recover_page(request, visit, 422, error, after)
    try:
        vaults.recover(
            session_row(request, visit),
            form.get("code"),
            passphrase,
            lock_after(request, visit),
            client_of(request),
        )
    except WrongRecoveryCodeError:
        error = N_("That recovery code did not open the journal. Check it and try again.")
        return _recover_page(request, visit, 400, error, after)
    except NoRecoveryCodeError:
        error = N_("This journal has no recovery code. Open it with its passphrase.")
        return _recover_page(request, visit, 400, error, after)
    except UnlockRefusedError as refused:
        response = _recover_page(
            request, visit, 429, N_("Too many tries. Nothing was tried."), after
        )
        response.headers["retry-after"] = str(refused.retry_after)
        return response
    return see_other(after)


def client_of(request: Request) -> str:
    """Who is knocking, for back-off: the address the connection came from."""
    return request.client.host if request.client else "unknown"


def _refused(request: Request, visit: Visit, refused: UnlockRefusedError, after: str) -> Response:
    """Nothing was tried: say how long to wait (429 after failures, 503 when busy)."""
    busy = isinstance(refused, UnlockBusyError)
    error = (
        N_("Ally is busy checking other passphrases. Nothing was tried.")
        if busy
        else N_("Too many wrong passphrases in a row. Nothing was tried.")
    )
    response = render(
        request,
        visit,
        "journal/unlock.html",
        503 if busy else 429,
        error=error,
        wait=refused.retry_after,
        next=after,
    )
    response.headers["retry-after"] = str(refused.retry_after)
    return response


@router.post("/journal/lock")
def lock(request: Request, visit: VisitDep, form: FormDep) -> Response:
    keeper(request).lock(visit.session.row)
    return see_other("/journal")
