"""Draft a letter for a plan step, change it, and download it: what ``ally letter STEP`` does.

The page asks first for the person's details, then lists the journal entries the letter could
carry (ticked by relevance, changeable), then shows the draft from
``ally.documents.drafting.draft``. Details about the person and the harasser are kept for
every letter; who a letter goes to, its reference and its ask belong to that letter only, so
a host's ticket number never reaches a letter to the police. Everything is kept in the
server-side session (sealed at rest), never in a URL.

The draft is in a text box inside the same form: writing the draft again with new details
keeps the person's own changes (and shows the new draft beside them) instead of throwing
them away, and the download is a form post, so the letter's words never travel in an
address either.

Pages are addressed by the step's number in the plan (as the plan's own anchors are), so an
address never says what the letter is about. The page speaks of forms and buttons, never
of terminal commands or options.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from ally.documents.checklist import Choice
from ally.documents.drafting import Draft, DraftRequest, draft, host_target, offered_standalone
from ally.documents.evidence import EvidenceSource, MemoryEvidence
from ally.documents.letters import (
    PER_LETTER,
    STANDALONE,
    LetterDetails,
    kind_for,
    pack_folders,
    read_details,
)
from ally.documents.platforms import load_platforms
from ally.documents.xarf import NoXarfTypeError, build_xarf, dumps
from ally.errors import UsageError
from ally.knowledge.interview import Interview
from ally.knowledge.schema import Pack
from ally.model.plan import Plan, PlanStep
from ally.web.i18n import N_
from ally.web.letterwords import CONTEXT_WORDS, ENTRIES_GONE, KIND_WORDS, REASONS, notices
from ally.web.pages import (
    FormDep,
    FormFields,
    PageError,
    Visit,
    VisitDep,
    checked_form,
    read_urlencoded,
    render,
    see_other,
)
from ally.web.person.flow import load_interview, pack_in, plan_for
from ally.web.person.tracking import journal_clocks, marked_statuses, tried_from_marks
from ally.web.state import web_state

router = APIRouter()

MAX_LETTER_BYTES = 1024**2
MAX_FIELD = 500
StepNumber = Annotated[int, Path(ge=1, le=999)]
KIND_TITLES = {
    "workplace-complaint": N_("Formal complaint to HR"),
    "supervisor": N_("Written report to a supervisor"),
    "venue": N_("Letter to the venue's management"),
    "school": N_("Complaint to the school, college or university"),
    "housing": N_("Letter to the landlord or housing provider"),
    "platform-report": N_("Report to the platform"),
    "abuse-report": N_("Abuse report to the host or provider"),
    "agency-intake": N_("Intake summary for the agency"),
    "police-summary": N_("Summary for the police"),
    "protection-order": N_("Timeline and statement for a protection order"),
    "cease-and-desist": N_("Cease-and-desist letter"),
}
FIELD_LABELS = {
    "your_name": N_("Your name"),
    "your_email": N_("Your email"),
    "your_phone": N_("Your phone number"),
    "your_address": N_("Your address"),
    "your_role": N_("Your job title or role"),
    "organisation": N_(
        "The organisation this letter is about (employer, landlord, venue or school)"
    ),
    "recipient_name": N_("The name of the person you are writing to"),
    "recipient_title": N_("Their job title"),
    "recipient_email": N_("Their email"),
    "recipient_address": N_("Their address"),
    "harasser": N_("The person harassing you (a name or a description)"),
    "harasser_account": N_("Their username or profile"),
    "links": N_("Links to the content or the profile, one per line"),
    "reference": N_("A case or report number"),
    "outcome": N_("What you would like to happen"),
    "host": N_("The website's domain or IP address"),
    "abuse_contact": N_("The abuse desk's email address"),
    "court": N_("The court"),
}
GROUPS = (
    (
        N_("About you"),
        N_("Kept for all your letters."),
        ("your_name", "your_email", "your_phone", "your_address", "your_role"),
    ),
    (
        N_("About the person harassing you"),
        N_("Kept for all your letters."),
        ("harasser", "harasser_account", "links"),
    ),
    (
        N_("This letter only"),
        N_(
            "Who it goes to, their reference number and what you ask them: kept for this "
            "letter only, so one recipient's details never reach another."
        ),
        (
            "organisation",
            "recipient_name",
            "recipient_title",
            "recipient_email",
            "recipient_address",
            "reference",
            "outcome",
        ),
    ),
)
KIND_LABELS = {
    "agency-intake": {
        "organisation": N_(
            "Who the complaint is against (the employer, landlord, business or school)"
        ),
        "recipient_name": N_("The name of the person at the agency, if you know it"),
    },
    "platform-report": {"organisation": N_("The platform or company")},
    "abuse-report": {"organisation": N_("The hosting company or provider")},
}
KIND_FIELDS = {"abuse-report": ("host", "abuse_contact"), "protection-order": ("court",)}
LONG_FIELDS = ("your_address", "recipient_address", "links", "outcome")
TOO_LONG = N_("Please keep each detail under 500 characters.")
BAD_LIMIT = N_("Please give the form's length limit as a whole number, like 2000.")
BAD_DETAILS = N_("Some of these details could not be used. Please check them.")
XARF_NO_TYPE = N_(
    "No X-ARF file fits this report: X-ARF has no type for harassment, only for content that "
    "posts someone's personal details. Send the letter above: a person at the abuse desk reads "
    "it."
)
XARF_NEEDS = N_(
    "The X-ARF report needs your email address and the link to the content. Add them under "
    "“Your details”, then try again."
)


def finished_plan(request: Request, visit: Visit) -> tuple[Interview | None, Plan | None]:
    """The finished interview and its plan, or (None, None) before the questions are done."""
    interview = load_interview(visit)
    if interview is None or interview.current() is not None:
        return None, None
    state = web_state(request)
    row = visit.session.row
    clocks = journal_clocks(state.vaults, row)
    # The same marks as the plan page, so /letters/N is step N of the plan the person saw.
    tried = tried_from_marks(marked_statuses(state.steps, state.vaults, row))
    return interview, plan_for(interview, state.config.today(), clocks, tried)


def step_letters(plan: Plan) -> list[tuple[int, PlanStep, str]]:
    """Each plan step that involves writing: its number in the plan, the step, its letter kind."""
    found = []
    for number, step in enumerate(plan.steps(), 1):
        kind = kind_for(step)
        if kind is not None:
            found.append((number, step, kind.id))
    return found


def _target(plan: Plan | None, number: int | None, extra: int | None) -> str:
    """The step id (or standalone letter kind) that a page's address stands for."""
    if extra is not None:
        if extra > len(STANDALONE):
            raise PageError(404, N_("There is no letter at this address."))
        return STANDALONE[extra - 1]
    if plan is None:
        raise PageError(404, N_("There is no plan yet. Answer a few questions first."))
    steps = plan.steps()
    if number is None or number > len(steps) or kind_for(steps[number - 1]) is None:
        raise PageError(404, N_("This step of your plan has no letter."))
    return steps[number - 1].id


SHARED = (
    "your_name",
    "your_email",
    "your_phone",
    "your_address",
    "your_role",
    "harasser",
    "harasser_account",
    "links",
    "host",
)
"""Details about the person and the harasser: kept for every letter."""
OWN = tuple(name for name in FIELD_LABELS if name not in SHARED)
"""Details that belong to one letter (its recipient, reference, ask): kept for that letter."""
MAX_KEPT_EDIT = 200_000
EDITS_TOO_LONG = N_(
    "Your changed letter is too long for Ally to keep. Download it first, then write the "
    "draft again."
)


def saved_details(visit: Visit) -> dict[str, Any]:
    saved = visit.session.data.get("letter")
    return dict(saved) if isinstance(saved, dict) else {}


def _saved(visit: Visit, name: str) -> dict[str, Any]:
    """One of the per-letter stores in the session (by the letter's target)."""
    saved = visit.session.data.get(name)
    return dict(saved) if isinstance(saved, dict) else {}


def _own(visit: Visit, target: str) -> dict[str, Any]:
    part = _saved(visit, "letter_parts").get(target)
    return dict(part) if isinstance(part, dict) else {}


def _details(visit: Visit) -> LetterDetails:
    """The shared details, with every letter's own section (so the housing agency's letter
    can name the landlord given in the letter to the landlord)."""
    saved = saved_details(visit)
    values: dict[str, Any] = {
        name: value for name, value in saved.items() if name in FIELD_LABELS and value
    }
    parts = {
        target: {k: v for k, v in part.items() if k in PART_FIELDS and v}
        for target, part in _saved(visit, "letter_parts").items()
        if isinstance(part, dict)
    }
    values["letters"] = {target: part for target, part in parts.items() if part}
    try:
        return read_details(values, "details")
    except UsageError:  # saved by an older Ally: start again rather than fail
        return LetterDetails()


PART_FIELDS = frozenset(PER_LETTER) | {"organisation", "organisation_address"}


def _choice(visit: Visit, target: str) -> Choice:
    ticked = _saved(visit, "letter_entries").get(target)
    if not isinstance(ticked, list):
        return Choice()
    return Choice(include=frozenset(str(entry) for entry in ticked), only=True)


def _draft(request: Request, visit: Visit, target: str) -> tuple[Draft, Pack, bool]:
    """The draft, its pack, and whether the journal was open (so its incidents are in it)."""
    interview, plan = finished_plan(request, visit)
    pack: Pack = interview.pack if interview else pack_in("generic", visit.language)
    own = _own(visit, target)
    asked = DraftRequest(
        details=_details(visit),
        choice=_choice(visit, target),
        platform=own.get("platform") or None,
        max_chars=own.get("max_chars") or None,
        language=visit.language,
    )
    answers = interview.answers if interview else {}
    today = web_state(request).config.today()
    vaults = web_state(request).vaults
    if vaults is None:
        made = draft(pack, plan, target, MemoryEvidence(), asked, answers=answers, today=today)
        return made, pack, False
    with vaults.using(visit.session.row) as vault:
        source: EvidenceSource = vault if vault is not None else MemoryEvidence()
        try:
            made = draft(pack, plan, target, source, asked, answers=answers, today=today)
        except UsageError:  # a chosen entry was forgotten since: tick by relevance again
            _forget(visit, "letter_entries", target)
            web_state(request).sessions.save(visit.session)
            asked.choice = Choice()
            made = draft(pack, plan, target, source, asked, answers=answers, today=today)
            made.letter.notes.insert(0, ENTRIES_GONE)
        return made, pack, vault is not None


def _forget(visit: Visit, store: str, target: str) -> None:
    kept = _saved(visit, store)
    kept.pop(target, None)
    visit.session.data[store] = kept


def fingerprint(text: str) -> str:
    """The draft as shown, to tell later whether the person changed it in the text box."""
    return hashlib.sha256(_normal(text).encode("utf-8")).hexdigest()


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def _page(
    request: Request,
    visit: Visit,
    key: str,
    target: str,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    made, pack, journal_open = _draft(request, visit, target)
    is_platform = made.kind.id == "platform-report"
    shown = values if values is not None else {**saved_details(visit), **_own(visit, target)}
    kept = _saved(visit, "letter_edits").get(target)
    return render(
        request,
        visit,
        "documents/letter.html",
        status,
        key=key,
        letter=made.letter,
        made=made,
        notices=notices(made),
        reasons=REASONS,
        contexts=CONTEXT_WORDS,
        kind_words=KIND_WORDS,
        step=made.step,
        kind_title=KIND_TITLES.get(made.kind.id, made.kind.title),
        journal_open=journal_open,
        has_vaults=web_state(request).vaults is not None,
        groups=GROUPS,
        extra_fields=KIND_FIELDS.get(made.kind.id, ()),
        labels={**FIELD_LABELS, **KIND_LABELS.get(made.kind.id, {})},
        long_fields=LONG_FIELDS,
        values=shown,
        first_visit="letter" not in visit.session.data,
        kept=kept if isinstance(kept, str) else None,
        drafted=fingerprint(made.letter.text()),
        platforms=load_platforms(pack_folders(pack.lineage)) if is_platform else {},
        error=error,
        pack_language=pack.language,
        xarf=made.kind.id == "abuse-report",
    )


@router.get("/letters/{number}")
def step_letter(request: Request, visit: VisitDep, number: StepNumber) -> Response:
    _, plan = finished_plan(request, visit)
    return _page(request, visit, str(number), _target(plan, number, None))


NOT_TO_MANAGER = N_(
    "Ally does not write a cease-and-desist letter to your own manager. At work, the formal "
    "complaint to HR (or to a more senior manager) in your plan takes its place."
)


def _extra_target(request: Request, visit: Visit, number: int) -> str:
    """A standalone letter, unless these answers rule it out (none to one's own manager)."""
    target = _target(None, None, number)
    interview = load_interview(visit)
    if interview is not None and target not in offered_standalone(interview.answers):
        raise PageError(409, NOT_TO_MANAGER)
    return target


@router.get("/letters/extra/{number}")
def extra_letter(request: Request, visit: VisitDep, number: StepNumber) -> Response:
    return _page(request, visit, f"extra/{number}", _extra_target(request, visit, number))


def _read_details(form: FormFields) -> dict[str, Any] | str:
    """The details the form gives (empty ones left out), or why they cannot be kept."""
    values: dict[str, Any] = {}
    for name in (*FIELD_LABELS, "platform", "max_chars"):
        value = form.get(name).strip()
        if len(value) > MAX_FIELD:
            return TOO_LONG
        if value:
            values[name] = value
    if "links" in values:
        values["links"] = [line.strip() for line in values["links"].splitlines() if line.strip()]
    if "max_chars" in values:
        limit = values["max_chars"]
        if not (limit.isdigit() and 20 <= int(limit) <= 100_000):
            return BAD_LIMIT
        values["max_chars"] = int(limit)
    try:
        read_details({k: v for k, v in values.items() if k in FIELD_LABELS}, "details")
    except UsageError:
        return BAD_DETAILS
    return values


def _keep_edits(visit: Visit, target: str, form: FormFields) -> str | None:
    """Keep the text box's words when the person changed Ally's draft (None), or say why
    they cannot be kept. Unchanged drafts are not kept: the new draft replaces them."""
    text = form.get("text")
    if not text.strip() or fingerprint(text) == form.get("drafted"):
        return None
    if len(text) > MAX_KEPT_EDIT:
        return EDITS_TOO_LONG
    edits = _saved(visit, "letter_edits")
    edits[target] = _normal(text) + "\n"
    visit.session.data["letter_edits"] = edits
    return None


def _save(request: Request, visit: Visit, key: str, target: str, form: FormFields) -> Response:
    values = _read_details(form)
    if isinstance(values, str):
        shown = {name: form.get(name) for name in (*FIELD_LABELS, "platform", "max_chars")}
        return _page(request, visit, key, target, 422, values, shown)
    problem = _keep_edits(visit, target, form)
    if problem is not None:
        return _page(request, visit, key, target, 422, problem)
    on_form = set(form.fields)
    shared = {k: v for k, v in saved_details(visit).items() if k in SHARED and k not in on_form}
    shared |= {name: value for name, value in values.items() if name in SHARED}
    visit.session.data["letter"] = shared
    parts = _saved(visit, "letter_parts")
    parts[target] = {name: value for name, value in values.items() if name not in SHARED}
    visit.session.data["letter_parts"] = parts
    if form.get("entries_shown"):
        chosen = _saved(visit, "letter_entries")
        chosen[target] = [entry for entry in form.getlist("entry") if entry][:5000]
        visit.session.data["letter_entries"] = chosen
    web_state(request).sessions.save(visit.session)
    return see_other(f"/letters/{key}#draft")


def _discard(request: Request, visit: Visit, key: str) -> Response:
    """Drop the person's kept changes, so the page shows Ally's new draft."""
    _forget(visit, "letter_edits", _key_target(request, visit, key))
    web_state(request).sessions.save(visit.session)
    return see_other(f"/letters/{key}#draft")


def _key_target(request: Request, visit: Visit, key: str) -> str:
    if key.startswith("extra/"):
        return _extra_target(request, visit, int(key.removeprefix("extra/")))
    _, plan = finished_plan(request, visit)
    return _target(plan, int(key), None)


async def _letter_form(request: Request) -> FormFields:
    return await read_urlencoded(request, MAX_LETTER_BYTES)


def _checked_letter_form(
    visit: VisitDep, fields: Annotated[FormFields, Depends(_letter_form)]
) -> FormFields:
    return checked_form(visit, fields)


LetterFormDep = Annotated[FormFields, Depends(_checked_letter_form)]


@router.post("/letters/{number}/details")
def save_step_details(
    request: Request, visit: VisitDep, form: LetterFormDep, number: StepNumber
) -> Response:
    """Keep the person's details (in the session), and their changes, then draft again."""
    _, plan = finished_plan(request, visit)
    return _save(request, visit, str(number), _target(plan, number, None), form)


@router.post("/letters/extra/{number}/details")
def save_extra_details(
    request: Request, visit: VisitDep, form: LetterFormDep, number: StepNumber
) -> Response:
    return _save(request, visit, f"extra/{number}", _extra_target(request, visit, number), form)


@router.post("/letters/{number}/discard")
def discard_step_edits(
    request: Request, visit: VisitDep, form: LetterFormDep, number: StepNumber
) -> Response:
    return _discard(request, visit, str(number))


@router.post("/letters/extra/{number}/discard")
def discard_extra_edits(
    request: Request, visit: VisitDep, form: LetterFormDep, number: StepNumber
) -> Response:
    return _discard(request, visit, f"extra/{number}")


@router.post("/letters/download")
def download(visit: VisitDep, form: LetterFormDep) -> Response:
    """The letter exactly as the person left it in the text box, as a file to keep."""
    text = form.get("text").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PageError(400, N_("The letter is empty. Go back and write or keep the draft."))
    markdown = form.get("format") == "md"
    return Response(
        text if text.endswith("\n") else text + "\n",
        media_type="text/markdown; charset=utf-8" if markdown else "text/plain; charset=utf-8",
        headers={
            "content-disposition": "attachment; filename="
            + ('"ally-letter.md"' if markdown else '"ally-letter.txt"')
        },
    )


def _xarf(request: Request, visit: Visit, key: str, target: str) -> Response:
    """The abuse report as X-ARF v4 JSON, which abuse desks process automatically."""
    made, _, _ = _draft(request, visit, target)
    if made.kind.id != "abuse-report":
        raise PageError(404, N_("There is no letter at this address."))
    details = _details(visit)
    try:
        report = build_xarf(
            made.case,
            source_identifier=host_target(details) or "",
            links=details.links,
            reporter_email=details.your_email,
        )
    except NoXarfTypeError:
        return _page(request, visit, key, target, 422, XARF_NO_TYPE)
    except UsageError:
        return _page(request, visit, key, target, 422, XARF_NEEDS)
    return Response(
        dumps(report),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="ally-abuse-report.xarf.json"'},
    )


@router.post("/letters/{number}/xarf")
def step_xarf(request: Request, visit: VisitDep, form: FormDep, number: StepNumber) -> Response:
    _, plan = finished_plan(request, visit)
    return _xarf(request, visit, str(number), _target(plan, number, None))
