"""First drafts of letters and complaints, written from the plan and the journal.

Every plan step that involves writing to someone has a letter kind (by its route: HR, a venue,
a platform, a host's abuse desk, an agency, the police, a court...), plus the cease-and-desist
letter, which belongs to no step. The words live with the knowledge packs, as Jinja templates
in ``packs/<pack>/letters/``, so a jurisdiction whose law differs only adds a file:

* ``letters/steps/<step-id>.md.j2`` — a letter for one step (e.g. Canada's notice of occurrence)
* ``letters/<kind>.md.j2`` — the letter for every step of that kind
* ``letters/<language>/...`` — a translation of a template in the same pack

The nearest pack in the lineage that has a template wins (``us-ca``, then ``us``, then
``generic``), the step's own template before the kind's; a translation is used only when it
was written in that same pack, so a generic Spanish letter never stands in for a US English
one whose law differs.

Templates run in Jinja's sandbox with strict undefined values: a template that names a value
Ally does not have fails loudly rather than printing a gap, and every rendered letter is checked
for anything that looks like an unfilled placeholder. Each template defines the macros ``subject()``
and ``body()`` and may define ``guide()``: advice for the person (how to send it, what to
choose in a form), which is shown to them and never sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ally.documents.casefile import CaseFile, Item
from ally.documents.content import ContentRule, ContentRules
from ally.documents.law import Agency, LawBook, conduct_phrase, find_conduct
from ally.documents.steps import StepTaken, from_items
from ally.errors import AllyError, PackError, UsageError
from ally.knowledge.loader import installed_packs, load_pack
from ally.knowledge.schema import Pack, Route
from ally.model.answers import AnswerValue, ApproxDate
from ally.model.plan import Plan, PlanStep


class LetterError(AllyError):
    """A letter could not be written (a template problem, or something the letter needs)."""


# --- what the person tells Ally for letters ----------------------------------------------------


PER_LETTER = (
    "recipient_organisation",
    "recipient_name",
    "recipient_title",
    "recipient_email",
    "recipient_address",
    "reference",
    "outcome",
    "sent_on",
    "abuse_contact",
    "court",
)
"""Details that belong to one recipient: who it goes to, their reference, the ask, when sent."""


class LetterPart(BaseModel):
    """The details of one letter (under ``letters: <step-id or kind>:`` in the details file):
    its recipient, their reference number, what to ask them for, and when it was sent. Kept
    apart so the host's ticket number is never printed in a letter to the police, nor the
    ask to HR in a letter to a host."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    organisation: str | None = Field(
        default=None,
        description="The organisation this letter is about (the landlord, the venue, the "
        "school), when it is not the one named for every letter (usually the employer).",
    )
    organisation_address: str | None = None
    recipient_organisation: str | None = None
    recipient_name: str | None = None
    recipient_title: str | None = None
    recipient_email: str | None = None
    recipient_address: str | None = None
    reference: str | None = Field(default=None, description="Their number for your case.")
    outcome: str | None = Field(default=None, description="What you ask this recipient for.")
    sent_on: dt.date | None = Field(default=None, description="When you sent it to them.")
    abuse_contact: str | None = None
    court: str | None = None


class LetterDetails(BaseModel):
    """Facts a letter may use that the plan and journal do not hold. All optional.

    Read from a small YAML file (``--details``); unknown keys are rejected so a typo is
    reported instead of silently leaving a line out. Facts about the person, the organisation
    and the harasser are shared by every letter; what belongs to one recipient goes under
    ``letters:`` (see :class:`LetterPart`). The same fields at the top level are still read,
    for details files written before, and then apply to every letter that may carry them.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    your_name: str | None = None
    your_email: str | None = None
    your_phone: str | None = None
    your_address: str | None = None
    your_role: str | None = Field(default=None, description="Job title, student course, etc.")
    organisation: str | None = Field(
        default=None,
        description="Your employer, or the one organisation your letters are about. Name a "
        "landlord, venue or school in that letter's own section when you also work somewhere.",
    )
    organisation_address: str | None = Field(
        default=None, description="The organisation's address (an agency asks for it)."
    )
    organisation_size: int | None = Field(
        default=None, ge=1, description="About how many people work there (agencies ask)."
    )
    recipient_organisation: str | None = None
    recipient_name: str | None = None
    recipient_title: str | None = None
    recipient_email: str | None = None
    recipient_address: str | None = None
    harasser: str | None = Field(default=None, description="Name or description of the person.")
    harasser_title: str | None = Field(default=None, description="Their job title, if at work.")
    harasser_account: str | None = Field(default=None, description="Their username or profile.")
    links: list[str] = Field(default_factory=list, description="Links to the content or profile.")
    host: str | None = Field(default=None, description="Domain or IP address, for abuse reports.")
    abuse_contact: str | None = Field(default=None, description="The abuse desk's email.")
    platform: str | None = Field(default=None, description="Platform id, e.g. instagram.")
    reference: str | None = Field(default=None, description="A case or report number.")
    outcome: str | None = Field(default=None, description="What you would like to happen.")
    sent_on: dt.date | None = None
    court: str | None = Field(default=None, description="The court, for a protection order.")
    letters: dict[str, LetterPart] = Field(
        default_factory=dict, description="Per letter (by step id or kind): its own details."
    )

    def part(self, *names: str | None) -> LetterPart | None:
        """The first per-letter section found under these names (step id, then kind)."""
        for name in names:
            if name and name in self.letters:
                return self.letters[name]
        return None

    def for_letter(self, *names: str | None) -> LetterDetails:
        """The details one letter uses: its own section over the shared fields."""
        part = self.part(*names)
        update: dict[str, Any] = {"letters": {}}
        if part is not None:
            update |= {key: value for key, value in part.model_dump().items() if value is not None}
        return self.model_copy(update=update)

    def shared_per_letter(self) -> list[str]:
        """Per-recipient fields given at the top level (so every letter would use them)."""
        return [name for name in PER_LETTER if getattr(self, name) is not None]


def read_details(data: object, name: str) -> LetterDetails:
    """Validate a details document; errors name the field, never echo its value."""
    if data is None:
        return LetterDetails()
    try:
        return LetterDetails.model_validate(data)
    except ValidationError as error:
        # `from None`: pydantic's error quotes the person's details.
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "file"
            message = (
                "is not a field Ally knows (check the spelling)"
                if item["type"] == "extra_forbidden"
                else item["msg"]
            )
            problems.append(f"{where}: {message}")
        raise UsageError(f"{name}: " + "; ".join(problems)) from None


# --- letter kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterKind:
    id: str
    title: str
    routes: tuple[Route, ...]
    context: str | None = None
    """The journal context whose incidents this letter is about (work, online...)."""


KINDS: tuple[LetterKind, ...] = (
    LetterKind("workplace-complaint", "Formal complaint to HR", (Route.HR,), "work"),
    LetterKind("supervisor", "Written report to a supervisor", (Route.SUPERVISOR,), "work"),
    LetterKind("venue", "Letter to the venue's management", (Route.VENUE,), "venue"),
    LetterKind(
        "school", "Complaint to the school, college or university", (Route.SCHOOL,), "school"
    ),
    LetterKind(
        "housing", "Letter to the landlord or housing provider", (Route.HOUSING,), "housing"
    ),
    LetterKind("platform-report", "Report to the platform", (Route.PLATFORM,), "online"),
    LetterKind("abuse-report", "Abuse report to the host or provider", (Route.ISP,), "online"),
    LetterKind("agency-intake", "Intake summary for the agency", (Route.AGENCY, Route.REGULATOR)),
    LetterKind(
        "police-summary",
        "Summary for the police",
        (
            Route.POLICE_NON_EMERGENCY,
            Route.POLICE_ADVICE,
            Route.CRIMINAL_CHARGES,
        ),
    ),
    LetterKind(
        "protection-order",
        "Timeline and statement for a protection order",
        (Route.PROTECTION_ORDER,),
    ),
    LetterKind("cease-and-desist", "Cease-and-desist letter", ()),
)
KIND_BY_ID = {kind.id: kind for kind in KINDS}
AGENCY_KIND = KIND_BY_ID["agency-intake"]
KIND_BY_ROUTE = {route: kind for kind in KINDS for route in kind.routes}
STANDALONE = ("cease-and-desist",)
"""Letter kinds that belong to no plan step."""


def kind_for(step: PlanStep) -> LetterKind | None:
    """The letter for a step, or None when the step involves no writing (a helpline, a call)."""
    try:
        return KIND_BY_ROUTE.get(Route(step.route))
    except ValueError:
        return None


def letter_steps(plan: Plan) -> list[tuple[PlanStep, LetterKind]]:
    """The plan's steps that have a letter, in plan order."""
    found = []
    for step in plan.steps():
        kind = kind_for(step)
        if kind is not None:
            found.append((step, kind))
    return found


# --- finding templates along the pack lineage -------------------------------------------------


def report_jurisdiction(case: CaseFile, pack_id: str) -> None:
    """What a report takes from the person's pack, in the report's language where the pack
    is translated: the jurisdiction's name on the cover, the statement of truth or
    declaration to sign (issue 17 item 5), and the titles of the steps the case tracker
    records ("Make a formal complaint to HR: they refused to act")."""
    pack = load_pack(pack_id, case.language)
    case.jurisdiction = pack.name
    case.declaration = LawBook(pack_folders(pack.lineage)).declaration
    case.step_titles = {step.id: step.title for step in pack.steps}


def pack_folders(lineage: Iterable[str], base: Path | None = None) -> list[Path]:
    """The ``letters`` folders of a lineage, nearest pack first (missing ones skipped).

    Packs are found where they are installed (built in or from a plugin package), unless
    ``base`` names one folder holding them all.
    """
    folders = [base / pack_id if base else _installed(pack_id) for pack_id in lineage]
    return [folder / "letters" for folder in folders if folder is not None and folder.is_dir()]


def _installed(pack_id: str) -> Path | None:
    found = installed_packs().get(pack_id)
    return found.item if found else None


class LineageLoader(jinja2.BaseLoader):
    """Loads a template from the nearest pack that has it, in the language asked for if that
    same pack has a translation (see the module docstring)."""

    def __init__(self, folders: list[Path], language: str) -> None:
        self.folders = folders
        self.language = language

    def find(self, name: str) -> Path | None:
        if ".." in Path(name).parts or Path(name).is_absolute():
            return None
        for folder in self.folders:
            if (folder / name).is_file():
                translated = folder / self.language / name
                return translated if translated.is_file() else folder / name
        return None

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.find(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        text = path.read_text(encoding="utf-8")
        mtime = path.stat().st_mtime
        return text, str(path), lambda: path.stat().st_mtime == mtime


def _no_none(value: object) -> object:
    """Printing None would put 'None' in a letter; it is a template bug, so stop."""
    if value is None:
        raise LetterError(
            "A letter template printed a missing value. Use `{% if ... %}` around optional "
            "details (see packs/generic/letters/README.md)."
        )
    return value


class _MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by name and source checksum: every letter
    builds its own environment (the lineage and language differ), and compiling the same
    template again for each draft was most of a draft's time."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key + bucket.checksum)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key + bucket.checksum] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecode()


def environment(folders: list[Path], language: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        bytecode_cache=_BYTECODE,
        loader=LineageLoader(folders, language),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_no_none,
    )
    env.filters["fit"] = fit
    env.filters["sentence"] = sentence
    env.filters["oneline"] = lambda text: " ".join(str(text).split())
    env.globals["plural"] = _plural
    return env


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def sentence(text: str) -> str:
    """One line ending in a full stop (unless it already ends in punctuation)."""
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?…\"'”’)" else text + "."


def fit(text: str, limit: int | None) -> str:
    """Shorten to at most ``limit`` characters, at a sentence or word boundary, ending in '…'."""
    text = " ".join(text.split())
    if limit is None or len(text) <= limit:
        return text
    if limit < 2:
        return text[:limit]
    cut = text[: limit - 1]
    for stop in (". ", "; ", ", ", " "):
        position = cut.rfind(stop)
        if position >= limit // 2:
            cut = cut[: position + (1 if stop != " " else 0)]
            break
    return cut.rstrip() + "…"


# --- the context a template sees ----------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A rendered draft: what is sent (subject, body), and what is only for the person."""

    kind: str
    title: str
    step_id: str | None
    subject: str
    body: str
    guide: str
    notes: list[str] = field(default_factory=list)
    template: str = ""
    language: str = "en"
    untranslated: str = ""
    """The language asked for, when this letter is not translated into it (see ``notes``)."""
    gaps: list[str] = field(default_factory=list)
    """Text that looks like a gap to fill in (see ``notes``)."""

    def text(self) -> str:
        """The letter as one Markdown document: subject line, then the body."""
        label = SUBJECT.get(self.language, SUBJECT["en"])
        colon = " : " if self.language == "fr" else ": "  # French sets a space before a colon
        return f"{label}{colon}{self.subject}\n\n{self.body.strip()}\n"


SUBJECT = {"en": "Subject", "es": "Asunto", "fr": "Objet"}


def _text(value: str | None) -> str:
    return value or ""


def _person(details: LetterDetails, rule: ContentRule) -> dict[str, str]:
    """The sender's own details, only those the letter kind may carry."""
    given = {
        "name": details.your_name,
        "email": details.your_email,
        "phone": details.your_phone,
        "address": details.your_address,
        "role": details.your_role,
    }
    return {key: _text(value) if key in rule.sender else "" for key, value in given.items()}


def _allowed(details: LetterDetails, rule: ContentRule) -> LetterDetails:
    """The details with everything this letter kind may not use emptied."""
    keep = set(rule.details) | {f"your_{name}" for name in rule.sender}
    empty: dict[str, Any] = {"links": [], "letters": {}}
    cleared: dict[str, Any] = {
        name: empty.get(name)
        for name in LetterDetails.model_fields
        if name not in keep or name == "letters"
    }
    return details.model_copy(update=cleared)


def _recipient(
    details: LetterDetails, step: PlanStep | None, agency: Agency | None
) -> dict[str, str]:
    """Who the letter goes to. An agency's intake goes to the agency (named by the pack, else
    the step's contact), never to the employer the complaint is about."""
    contact = step.contacts[0] if step and step.contacts else None
    if agency is not None or (step is not None and kind_for(step) is AGENCY_KIND):
        organisation = (agency.name if agency else "") or (contact.name if contact else "")
    else:
        organisation = _text(details.organisation) or (contact.name if contact else "")
    return {
        "name": _text(details.recipient_name),
        "title": _text(details.recipient_title),
        "organisation": _text(details.recipient_organisation) or organisation,
        "email": _text(details.recipient_email) or _text(contact.email if contact else None),
        "address": _text(details.recipient_address),
        "web": _text(contact.web if contact else None),
    }


def _respondent(
    details: LetterDetails, answers: Mapping[str, AnswerValue], agency: Agency | None
) -> dict[str, Any]:
    """The organisation the complaint is about, as an agency's intake asks for it. The number
    of employees is asked only of an employer: a landlord's or a bar's complaint never carries
    the person's employer's size."""
    employer = agency is None or agency.respondent == "employer"
    size = details.organisation_size if employer else None
    answered = answers.get("employer_size") if employer else None
    if size is None and isinstance(answered, int | float) and not isinstance(answered, bool):
        size = int(answered)
    return {
        "name": _text(details.organisation),
        "address": _text(details.organisation_address),
        "size": size if size is not None else "",
        "person": _text(details.harasser),
        "person_title": _text(details.harasser_title),
    }


AND = {"en": "and", "es": "y", "fr": "et"}


def _naming(
    data: LetterInput, step: PlanStep | None, kind_id: str, book: LawBook, language: str = "en"
) -> dict[str, Any]:
    """The conduct, the law and the agency the letter names (see :mod:`ally.documents.law`)."""
    entries = [item.entry for item in data.case.items]
    found = find_conduct(data.answers, entries)
    agency = book.agencies.get(step.id) if step is not None else None
    names = [kind_id] + ([step.id] if step else [])
    laws = book.laws_for(names, found.conduct, data.answers, agency.laws if agency else ())
    conduct = [
        {"id": c, "words": book.conduct[c].words, "basis": book.conduct[c].basis}
        for c in found.conduct
        if c in book.conduct
    ]
    return {
        "conduct": conduct,
        "conduct_words": conduct_phrase([c["words"] for c in conduct], AND.get(language, "and")),
        "bases": [c["basis"] for c in conduct],
        "laws": [{"name": law.name, "cite": law.cite, "says": law.says} for law in laws],
        "agency": {
            "name": agency.name if agency else "",
            "dual_with": _text(agency.dual_with if agency else None),
            "dual_says": agency.dual_says if agency else "",
            "respondent": agency.respondent if agency else "",
            "context": _text(agency.context if agency else None),
        },
        "complaints": [
            {
                "when": data.case.moment(c.when) if c.when else "",
                "what": " ".join(c.what.split()),
                "to": c.to,
            }
            for c in found.complaints
        ],
        "policy": book.policy,
    }


def _incident_view(item: Item, rule: ContentRule) -> dict[str, Any]:
    incident = item.incident
    assert incident is not None
    view = {
        "label": item.label,
        "when": item.when,
        "what": " ".join(incident.what.split()),
        "where": _text(incident.where),
        "who": "; ".join(incident.who),
        "witnesses": "; ".join(incident.witnesses),
        "impact": " ".join((incident.impact or "").split()),
        "exhibits": [_exhibit_view(exhibit) for exhibit in item.exhibits],
    }
    return _only_fields(view, rule)


def _only_fields(view: dict[str, Any], rule: ContentRule) -> dict[str, Any]:
    """Blank every part of an entry the rule does not list (the label always stays)."""
    for name in ("when", "what", "where", "who", "witnesses", "impact"):
        if name in view and name not in rule.fields:
            view[name] = ""
    if "exhibits" not in rule.fields:
        view["exhibits"] = []
    return view


def _message_view(item: Item, rule: ContentRule) -> dict[str, Any]:
    message = item.message
    assert message is not None
    view = {
        "label": item.label,
        "when": item.when,
        "sender": message.sender,
        "text": " ".join(message.text.split()),
        "platform": message.platform,
        "provenance": _text(message.provenance),
        "exhibits": [_exhibit_view(exhibit) for exhibit in item.exhibits],
    }
    return _only_fields(view, rule)


def _taken_view(step: StepTaken) -> dict[str, Any]:
    """One of the person's steps, a reply, or a case status, as a template sees it."""
    return {
        "kind": step.source,
        "label": step.label,
        "when": step.when,
        "what": step.text,
        "did": step.outcome,
        "to": step.who,
        "reference": step.reference,
        "step": step.step,
        "code": step.code,
        "title": step.title,
        "said": step.said,
    }


def _exhibit_view(exhibit: Any) -> dict[str, str]:
    return {"label": exhibit.label, "filename": exhibit.filename, "sha256": exhibit.sha256}


def _answer_text(value: AnswerValue) -> str | list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, ApproxDate):
        return str(value)
    return str(value)


def _step_view(step: PlanStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "title": step.title,
        "route": step.route,
        "summary": step.summary,
        "who": _text(step.who),
        "how": list(step.how),
        "bring": list(step.bring),
        "contacts": [
            {
                "name": c.name,
                "phone": _text(c.phone),
                "email": _text(c.email),
                "web": _text(c.web),
            }
            for c in step.contacts
        ],
        "deadlines": [
            {
                "title": d.title,
                "body": d.body,
                "due": d.due.isoformat() if d.due else "",
                "days_left": d.days_left if d.days_left is not None else "",
                "starts_from": d.starts_from,
                "how_counted": d.how_counted,
                "certain": d.certainty == "applies",
            }
            for d in step.deadlines
        ],
        "escalation": [
            {"on": e.on, "after_days": e.after_days or "", "to_title": e.to_title}
            for e in step.escalation
        ],
    }


@dataclass
class LetterInput:
    """Everything a letter is made from."""

    pack: Pack
    plan: Plan | None
    case: CaseFile
    details: LetterDetails = field(default_factory=LetterDetails)
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)
    """Kind-specific values (the platform's facts, the abuse contact...)."""
    rule: ContentRule | None = None
    """What the letter may contain; by default the pack lineage's rule for its kind."""
    law: LawBook | None = None
    """The conduct words, laws and agencies; by default the pack lineage's."""
    steps: list[StepTaken] | None = None
    """Steps taken to show (the letter's entries and its steps' case statuses); by default
    the action and reply entries the letter carries."""


DEFAULT_REPLY_DAYS = 14


def reply_days(step: PlanStep | None) -> int:
    """How long to give for an answer: the plan's 'no answer after' days, else two weeks."""
    for edge in step.escalation if step else []:
        if edge.on == "no_answer" and edge.after_days:
            return edge.after_days
    return DEFAULT_REPLY_DAYS


def _shows_a_child(answers: Mapping[str, Any]) -> bool:
    """Intimate images of someone under 18: no letter names, counts or fingerprints a file.

    The plan tells the child or parent never to copy, keep or send such images on; a letter
    that lists them as evidence would tell the reader the opposite (the police collect them).
    """
    return str(answers.get("intimate_images")) == "yes" and str(answers.get("under_18")) == "yes"


def _without_files(rule: ContentRule) -> ContentRule:
    return rule.model_copy(update={"fields": tuple(f for f in rule.fields if f != "exhibits")})


def context(
    data: LetterInput,
    step: PlanStep | None,
    rule: ContentRule,
    kind_id: str = "",
    book: LawBook | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """What a template sees: only what the letter kind's content rule allows."""
    if _shows_a_child(data.answers):
        rule = _without_files(rule)
    case = data.case
    span = case.incident_span()
    details = _allowed(data.details, rule)
    book = book or data.law or LawBook([])
    naming = _naming(data, step, kind_id, book, language)
    agency = book.agencies.get(step.id) if step is not None else None
    incidents = [_incident_view(item, rule) for item in case.incidents if rule.allows("incident")]
    messages = [_message_view(item, rule) for item in case.messages if rule.allows("message")]
    allowed = [
        item
        for item in case.items
        if (item.action is not None and rule.allows("action"))
        or (item.reply is not None and rule.allows("reply"))
    ]
    taken = data.steps if data.steps is not None else from_items(allowed)
    steps_taken = [_taken_view(step) for step in taken if step.source == "case" or step.label]
    exhibits = [
        _exhibit_view(exhibit)
        for item in [*case.incidents, *case.messages]
        for exhibit in item.exhibits
        if "exhibits" in rule.fields
    ]
    return {
        "me": _person(details, rule),
        "to": _recipient(details, step, agency),
        "about": {
            "name": _text(details.harasser),
            "account": _text(details.harasser_account),
            "title": _text(details.harasser_title),
        },
        "respondent": _respondent(details, data.answers, agency),
        **naming,
        "step": _step_view(step) if step else None,
        "pack": {"id": data.pack.id, "name": data.pack.name},
        "today": data.today.isoformat(),
        "incidents": incidents,
        "messages": messages,
        "steps_taken": steps_taken,
        "count": len(incidents),
        "first": case.moment(span[0]) if span else "",
        "last": case.moment(span[1]) if span else "",
        "exhibits": exhibits,
        "head_code": case.head_code,
        "links": list(details.links),
        "reference": _text(details.reference),
        "outcome": _text(details.outcome),
        "sent_on": details.sent_on.isoformat() if details.sent_on else "",
        "court": _text(details.court),
        "answers": {key: _answer_text(value) for key, value in data.answers.items()},
        "reply_days": reply_days(step),
        "reply_by": (data.today + dt.timedelta(days=reply_days(step))).isoformat(),
        **data.extra,
    }


# --- rendering -------------------------------------------------------------------------------


def render_letter(
    data: LetterInput,
    kind: LetterKind,
    step: PlanStep | None = None,
    folders: list[Path] | None = None,
) -> Letter:
    """Render one letter and check it has no gaps."""
    folders = folders if folders is not None else pack_folders(data.pack.lineage)
    names = ([f"steps/{step.id}.md.j2"] if step else []) + [f"{kind.id}.md.j2"]
    language, notes = _language(folders, names, data)
    env = environment(folders, language)
    loader = env.loader
    assert isinstance(loader, LineageLoader)
    if step is not None:
        loader.folders = [f for f in folders if _step_template_fits(f, step.id, data.pack)]
        chosen = _choose(loader, names[:1])
        loader.folders = folders
        chosen = chosen or _choose(loader, names[1:])
    else:
        chosen = _choose(loader, names)
    if chosen is None:
        raise LetterError(
            f"No letter template for {kind.id!r} in packs {', '.join(data.pack.lineage)}."
        )
    rule = data.rule or ContentRules(folders).rule(kind.id, step.id if step else None)
    base = _base_language(data.pack)
    book = LawBook(folders, language) if language != base else (data.law or LawBook(folders))
    try:
        values = context(data, step, rule, kind.id, book, language)
        module = env.get_template(chosen).make_module(values)
        blocks = {name: _part(module, chosen, name) for name in ("subject", "body", "guide")}
    except jinja2.TemplateError as error:
        where = f" (line {error.lineno})" if isinstance(error, jinja2.TemplateSyntaxError) else ""
        raise LetterError(f"The letter template {chosen}{where} has a problem: {error}") from error
    letter = Letter(
        kind=kind.id,
        title=kind.title,
        step_id=step.id if step else None,
        subject=" ".join(blocks["subject"].split()),
        body=_tidy(blocks["body"]),
        guide=_tidy(blocks["guide"]),
        template=str(loader.find(chosen)),
        notes=notes,
        language=language,
        untranslated=data.language if notes else "",
    )
    gaps = find_placeholders(letter.text())
    letter.gaps.extend(sorted(set(gaps))[:5])
    if gaps:
        shown = ", ".join(sorted(set(gaps))[:5])
        english = (
            f"The draft contains text that looks like a gap to fill in ({shown}). It may come "
            "from your own entries; check it before sending."
        )
        letter.notes.append(note(data.language, "gaps", english, gaps=shown))
    return letter


def _language(folders: list[Path], names: list[str], data: LetterInput) -> tuple[str, list[str]]:
    """The language asked for if the chosen template is translated; otherwise the pack's own,
    for the whole letter, so a draft never mixes two languages."""
    base = _base_language(data.pack)
    if data.language == base:
        return data.language, []
    name = _choose(LineageLoader(folders, data.language), names)
    for folder in folders:
        if name and (folder / name).is_file():
            if (folder / data.language / name).is_file():
                return data.language, []
            break
    return base, [untranslated_note(data.language, base)]


UNTRANSLATED = {
    "es": "Esta carta todavía no está traducida al español, así que está en {base}.",
    "fr": "Cette lettre n'est pas encore traduite en français : elle est donc en {base}.",
}
LANGUAGE_NAMES = {
    "es": {"en": "inglés", "fr": "francés", "es": "español"},
    "fr": {"en": "anglais", "es": "espagnol", "fr": "français"},
}


NOTES: dict[str, dict[str, str]] = {
    "es": {
        "gaps": "El borrador contiene texto que parece un hueco por rellenar ({gaps}). Puede "
        "venir de sus propias entradas; revíselo antes de enviarlo.",
        "links_one": "{count} de sus enlaces no está en {hosts}, así que este informe lo deja "
        "fuera.",
        "links_many": "{count} de sus enlaces no están en {hosts}, así que este informe los "
        "deja fuera.",
        "shared": "Sus datos indican {fields} para todas las cartas. Para que esta carta tenga "
        "los suyos, póngalos bajo `letters: {name}:` en su archivo de datos.",
        "forward": "Los proveedores de alojamiento suelen reenviar los informes de abuso a su "
        "cliente, la persona o empresa que gestiona el sitio. Todo lo que escriba, y cualquier "
        "archivo que adjunte, puede llegar a la persona que le acosa, con su nombre y su correo "
        "electrónico. Envíe solo lo necesario, y piense en usar un correo que no revele más "
        "sobre usted.",
    },
    "fr": {
        "gaps": "Le brouillon contient du texte qui ressemble à un blanc à remplir ({gaps}). Il "
        "peut venir de vos propres entrées ; vérifiez-le avant de l'envoyer.",
        "links_one": "{count} de vos liens n'est pas sur {hosts} : ce signalement le laisse "
        "de côté.",
        "links_many": "{count} de vos liens ne sont pas sur {hosts} : ce signalement les laisse "
        "de côté.",
        "shared": "Vos renseignements donnent {fields} pour toutes les lettres. Pour que cette "
        "lettre ait les siens, placez-les sous `letters: {name}:` dans votre fichier de "
        "renseignements.",
        "forward": "Les hébergeurs et les fournisseurs transmettent souvent les signalements "
        "d'abus à leur client, la personne ou l'entreprise qui gère le site. Tout ce que vous "
        "écrivez, et tout fichier joint, peut parvenir à la personne qui vous harcèle, avec "
        "votre nom et votre adresse courriel. N'envoyez que le nécessaire, et pensez à utiliser "
        "une adresse courriel qui n'en révèle pas davantage sur vous.",
    },
}
"""What the person is told beside a draft, in the language they asked for (English stays in
the code that writes the English note)."""


def note(language: str, key: str, english: str, **values: object) -> str:
    """A note to the person in their language, or the English one when there is none."""
    words = NOTES.get(language, {}).get(key)
    return words.format(**values) if words else english


def untranslated_note(asked: str, base: str) -> str:
    """Said in the language the person asked for (they may not read the letter's own): the
    whole draft is in the pack's language because this template has no translation yet."""
    if asked in UNTRANSLATED:
        return UNTRANSLATED[asked].format(base=LANGUAGE_NAMES[asked].get(base, base))
    return f"This letter is not translated into '{asked}' yet, so it is in '{base}'."


def _base_language(pack: Pack) -> str:
    """The language the pack (and so its templates) is written in, before any translation."""
    try:
        return load_pack(pack.id).language
    except PackError:
        return pack.language


def _step_template_fits(folder: Path, step_id: str, pack: Pack) -> bool:
    """A step's own template in an ancestor pack fits only while a nearer pack that replaced
    the step kept its route: Australia's intimate-image step goes to a regulator, not to a
    platform, so the generic platform wording must not be used for it."""
    owner = folder.parent.name
    if owner == pack.id or not (folder / "steps" / f"{step_id}.md.j2").is_file():
        return True
    try:
        here, there = load_pack(pack.id), load_pack(owner)
    except PackError:
        return True
    if step_id not in {s.id for s in there.steps}:
        return False
    return there.step(step_id).route == here.step(step_id).route


def _choose(loader: LineageLoader, names: list[str]) -> str | None:
    """The first name found, nearest pack first: the step's own template wins over the kind's
    only within the same pack or a nearer one."""
    for folder in loader.folders:
        for name in names:
            if (folder / name).is_file():
                return name
    return None


def _part(module: Any, name: str, part: str) -> str:
    """Call one of the template's macros: subject(), body() and, if it has one, guide()."""
    macro = getattr(module, part, None)
    if macro is None:
        if part == "guide":
            return ""
        raise LetterError(f"The letter template {name} has no {part}() macro.")
    return str(macro())


def _tidy(text: str) -> str:
    """At most one blank line in a row; no trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n" if out else ""


PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|%\}|\{#|#\}"  # template syntax left behind
    r"|\[[A-Z][A-Z _/-]{2,}\]"  # [YOUR NAME]
    r"|(?i:\[(?:your|their|insert|name|date|address)\b[^\]]*\])"  # [your name]
    r"|(?i:<(?:your|their|insert|name|date)\b[^>]*>)"  # <your name>
    r"|_{4,}"  # ____ blanks to fill in
    r"|\b(?:TODO|TBD|XXX+|FIXME)\b|(?i:lorem ipsum)"
)


def find_placeholders(text: str) -> list[str]:
    """Everything in ``text`` that looks like a gap left to fill in."""
    return [match.group(0) for match in PLACEHOLDER.finditer(text)]
