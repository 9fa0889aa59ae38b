"""One shared case: its next steps and deadlines, the shared entries and files, letters
drafted from them, and notes for the person.

Every page here reads shared content, so each one is recorded in the audit log (in
``ally.hosted.sharing``) before anything is decrypted; a case not shared with this advocate
gets the same "no page" answer as a case that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.requests import Request
from starlette.responses import Response

from ally.documents.drafting import DraftRequest, draft
from ally.documents.letters import kind_for
from ally.errors import AllyError
from ally.hosted.accounts import Account
from ally.hosted.sharing import NotSharedError, SharedCase, SharingError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.loader import load_pack
from ally.vault.crypto import Identity
from ally.web.advocate.access import hosted, unlocked_key
from ally.web.advocate.casework import (
    SharedEvidence,
    answers_of,
    dated,
    shared_zone,
    worked_out,
)
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.state import web_state

router = APIRouter()

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{16,64}$")]
LetterNumber = Annotated[int, Path(ge=1, le=999)]
NOT_SHARED = N_("There is no case at this address that is shared with you.")


def _open(
    request: Request, case_id: str, kind: str = "shared-case-read"
) -> tuple[Account, Identity, SharedCase]:
    advocate, identity = unlocked_key(request)
    try:
        shared = hosted(request).sharing.open_case(advocate, identity, case_id, kind=kind)
    except NotSharedError as error:
        raise PageError(404, NOT_SHARED) from error
    return advocate, identity, shared


@router.get("/advocate/cases/{case_id}")
def case_page(request: Request, visit: VisitDep, case_id: CaseId) -> Response:
    _, _, shared = _open(request, case_id)
    return _case(request, visit, shared, 200, None)


def _case(
    request: Request, visit: Visit, shared: SharedCase, status: int, error: str | None
) -> Response:
    worked = worked_out(shared.case, web_state(request).config.today(), visit.language)
    letters = []
    if worked is not None:
        letters = [
            (number, step)
            for number, step in enumerate(worked.plan.steps(), 1)
            if kind_for(step) is not None
        ]
    return render(
        request, visit, "advocate/case.html", status, shared=shared, worked=worked,
        deadlines=dated(worked.view if worked else None), letters=letters, error=error,
        zone=shared_zone(shared),
    )  # fmt: skip


@router.get("/advocate/cases/{case_id}/files/{file_id}")
def shared_file(request: Request, visit: VisitDep, case_id: CaseId, file_id: FileId) -> Response:
    advocate, identity = unlocked_key(request)
    sharing = hosted(request).sharing
    try:
        shared = sharing.open_case(advocate, identity, case_id)
        attachment = shared.files.get(file_id)
        if attachment is None:
            raise NotSharedError()
        data = sharing.read_file(advocate, identity, case_id, file_id)
    except NotSharedError as error:
        raise PageError(404, NOT_SHARED) from error
    return _download(data, attachment.filename or "file")


def _download(data: bytes, name: str) -> Response:
    """Always a download, never shown inline: a file from a harasser could be a web page."""
    plain = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in name)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{plain}"'},
    )


@router.post("/advocate/cases/{case_id}/notes")
def add_note(request: Request, visit: VisitDep, form: FormDep, case_id: CaseId) -> Response:
    advocate, _ = unlocked_key(request)
    try:
        hosted(request).sharing.add_note(advocate, case_id, form.get("note"))
    except NotSharedError as error:
        raise PageError(404, NOT_SHARED) from error
    except SharingError:
        _, _, shared = _open(request, case_id)
        return _case(
            request, visit, shared, 400, N_("Please write a note of 1 to 4000 characters.")
        )
    return see_other(f"/advocate/cases/{case_id}")


@router.get("/advocate/cases/{case_id}/letters/{number}")
def letter_page(
    request: Request, visit: VisitDep, case_id: CaseId, number: LetterNumber
) -> Response:
    advocate, identity, shared = _open(request, case_id, kind="shared-letter-drafted")
    today = web_state(request).config.today()
    worked = worked_out(shared.case, today, visit.language)
    steps = worked.plan.steps() if worked else []
    if worked is None or number > len(steps) or kind_for(steps[number - 1]) is None:
        raise PageError(404, N_("This step of the plan has no letter."))
    step = steps[number - 1]
    pack = load_pack(worked.view.pack, visit.language)
    source = SharedEvidence(hosted(request).sharing, advocate, identity, shared)
    try:
        answers = normalise_answers(pack, answers_of(worked))
        made = draft(
            pack, worked.plan, step.id, source,
            DraftRequest(language=visit.language, zone=shared_zone(shared)),
            answers=answers, today=today,
        )  # fmt: skip
    except AllyError as error:
        raise PageError(422, N_("This letter cannot be drafted from what was shared.")) from error
    return render(
        request, visit, "advocate/letter.html", shared=shared, step=step, letter=made.letter
    )
