"""What every person-facing page shares: the visit (session and language), forms and rendering.

Handlers are plain functions of a ``Visit``; they raise ``Redirect`` or ``PageError`` instead
of building error responses themselves, so every error page looks and behaves the same.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from ally.documents.casefile import entry_when, format_moment
from ally.documents.report_i18n import Words, report_language
from ally.model.answers import MIN_YEAR
from ally.web import sealing
from ally.web.i18n import LANGUAGES, N_, negotiate, translations
from ally.web.sessions import COOKIE, LEFT_COOKIE, WebSession
from ally.web.settings import CAMOUFLAGE_NAMES
from ally.web.state import web_state

MAX_FORM_BYTES = 64 * 1024


NEUTRAL_PATHS = frozenset(
    {"/locked", "/resume", "/continue", "/start-again", "/exit", "/still-here", "/language"}
)
"""Pages a browser that left may still see: the neutral page and the ways to carry on."""


@dataclass
class Visit:
    """The person's session and interface language for one request."""

    session: WebSession
    language: str
    cookies: dict[str, str | None] = field(default_factory=dict)
    """Other cookies to set with the response (None deletes one): see security.py."""

    @property
    def i18n(self) -> gettext.NullTranslations:
        return translations(self.language)

    def _(self, message: str) -> str:
        return self.i18n.gettext(message)


class Redirect(Exception):  # noqa: N818 - control flow, not a failure
    """Send the browser elsewhere with 303 See Other (never carrying answers in the URL)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class PageError(Exception):
    """Show the friendly error page with this (translatable) message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def get_visit(request: Request) -> Visit:
    """Open the session named by the cookie (or start one) and pick the interface language."""
    state = web_state(request)
    request.state.made = (state.storage.writes, state.config.today())  # see fastpages
    session = state.sessions.open(request.cookies.get(COOKIE))
    visit = Visit(session, language_for(session, request))
    request.state.visit = visit
    if state.gate is not None:  # hosted mode: who is signed in decides the visit
        state.gate(request, visit)
        session = visit.session
    if session.locked_now:
        visit.cookies[LEFT_COOKIE] = "1"
        if request.url.path != "/locked":
            raise Redirect("/locked")
    elif (
        request.cookies.get(LEFT_COOKIE)
        and session.row is None
        and request.url.path not in NEUTRAL_PATHS
    ):
        raise Redirect("/locked")
    return visit


def language_for(session: WebSession, request: Request) -> str:
    chosen = session.data.get("lang")
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


class FormFields:
    """A submitted url-encoded form. Only the first value of a field counts, unless asked."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def getlist(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


async def read_form(request: Request) -> FormFields:
    """The url-encoded body, at most 64 KiB, kept in memory only.

    Multipart bodies are refused here: the framework would spool them to a temporary file,
    and uploads must go straight into the vault's encryption instead.
    """
    return await read_urlencoded(request, MAX_FORM_BYTES)


async def read_urlencoded(request: Request, limit: int) -> FormFields:
    """``read_form`` with another size limit, for the few forms that carry a whole document."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise PageError(415, N_("This form was sent in a way Ally does not accept."))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PageError(413, N_("This form is too large."))
    try:
        text = body.decode("utf-8")
        return FormFields(parse_qs(text, keep_blank_values=True, max_num_fields=500))
    except (UnicodeDecodeError, ValueError) as error:
        raise PageError(400, N_("This form could not be read.")) from error


def checked_form(
    visit: Annotated[Visit, Depends(get_visit)],
    fields: Annotated[FormFields, Depends(read_form)],
) -> FormFields:
    """The form, once its CSRF token matches this session's (else a friendly 403)."""
    if visit.session.locked_now:
        raise Redirect("/locked")
    if not sealing.same_token(fields.get("csrf"), visit.session.csrf):
        raise PageError(
            403,
            N_(
                "This page was open for too long, or cookies are turned off. Go back, reload "
                "the page and try again. Ally needs cookies to remember your answers."
            ),
        )
    return fields


VisitDep = Annotated[Visit, Depends(get_visit)]
FormDep = Annotated[FormFields, Depends(checked_form)]


def render(
    request: Request, visit: Visit, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    state = web_state(request)
    camouflage = state.settings.camouflage()
    values = {
        "brand": visit._(CAMOUFLAGE_NAMES[camouflage]) if camouflage else "Ally",
        "camouflage": camouflage,
        "neutral": False,
        "fdate": lambda day: format_date(day, "long", locale=visit.language),
        "fwhen": lambda entry, zone: entry_when(
            entry, zone, Words(report_language(visit.language))
        ),
        "fsize": lambda size: _size(size, visit.language),
        "fmoment": lambda moment, zone=None: format_moment(moment, zone or dt.UTC),
        "i18n": visit.i18n,
        "lang": visit.language,
        "languages": LANGUAGES,
        "csrf": visit.session.csrf,
        "path": request.url.path,
        "lock_seconds": visit.session.lock_seconds(state.config),
        "has_answers": bool(visit.session.data.get("pack")),
        "has_journal": state.vaults is not None,
        "max_upload": state.config.max_upload_bytes,
        "account": getattr(request.state, "account", None),
        **context,
    }
    html = state.templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def _size(size: int, language: str) -> str:
    """A file size as people say it: 512 bytes, 34 KB, 2.5 MB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(round(size / scale, 1), locale=language)} {unit}"
    return f"{size} B"


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def local_path(candidate: str, default: str = "/") -> str:
    """``candidate`` if it is a path on this site (never another site), else ``default``."""
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and len(candidate) < 200
    ):
        return candidate
    return default


def optional_date(text: str, bad: str) -> dt.date | str | None:
    """A form's optional date: None when empty, the ``bad`` message when it is not a real date."""
    text = text.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return bad
    return day if day.year >= MIN_YEAR else bad
