"""Translations of a pack's text, kept beside the pack as ``i18n/<language>.yaml``.

A translation file only carries text, keyed by item id; structure (conditions, routes,
deadlines) stays in the pack, so a translator cannot change what the plan says, only how it
says it. A translation applies to an item only when it was written for the pack that defined
that item: if ``us`` replaces a generic step, the generic Spanish text for that step no longer
fits and is not used. Anything untranslated falls back to the pack's own language.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ally.errors import PackProblem
from ally.knowledge.schema import Pack


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionText(_Text):
    text: str | None = None
    summary: str | None = None
    help: str | None = None
    options: dict[str, str] = Field(default_factory=dict, description="option value → label")


class StepText(_Text):
    title: str | None = None
    summary: str | None = None
    who: str | None = None
    how: list[str] | None = None
    bring: list[str] | None = None
    says: list[str | None] | None = Field(
        default=None,
        description="One entry per escalation edge, in order (null keeps the original).",
    )


class ContactText(_Text):
    name: str | None = None
    phone: str | None = Field(
        default=None,
        description="The number as said in this language, e.g. '999 o 112' (never new digits).",
    )
    text: str | None = Field(default=None, description="How to text them, e.g. 'START al 88788'.")
    hours: str | None = None
    notes: str | None = None


class DeadlineText(_Text):
    title: str | None = None
    body: str | None = None
    note: str | None = None


class NoticeText(_Text):
    title: str | None = None
    text: str | None = None


class SourceText(_Text):
    title: str | None = None


class Translation(_Text):
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    name: str | None = None
    summary: str | None = None
    emergency_number: str | None = None
    questions: dict[str, QuestionText] = Field(default_factory=dict)
    steps: dict[str, StepText] = Field(default_factory=dict)
    contacts: dict[str, ContactText] = Field(default_factory=dict)
    deadlines: dict[str, DeadlineText] = Field(default_factory=dict)
    notices: dict[str, NoticeText] = Field(default_factory=dict)
    sources: dict[str, SourceText] = Field(default_factory=dict)


KINDS = ("questions", "steps", "contacts", "deadlines", "notices", "sources")


def check_translation(
    pack: Pack,
    translation: Translation,
    defined_in: dict[tuple[str, str], str],
    pack_id: str,
    file: str,
) -> list[PackProblem]:
    """Problems: ids the pack does not define, and lists whose length does not match."""
    problems = []
    for kind in KINDS:
        for item_id, text in getattr(translation, kind).items():
            owner = defined_in.get((kind, item_id))
            if owner is None:
                problems.append(
                    PackProblem(file, None, f"{kind}.{item_id}", "the pack has no such item")
                )
            elif owner == pack_id and _kept(pack, kind, item_id):
                problems.extend(_shape_problems(pack, kind, item_id, text, file))
    return problems


def _kept(pack: Pack, kind: str, item_id: str) -> bool:
    """False for an item a pack further down dropped (a state pack drops the state question)."""
    return any(item.id == item_id for item in getattr(pack, kind, []))


def _shape_problems(pack: Pack, kind: str, item_id: str, text: Any, file: str) -> list[PackProblem]:
    problems = []
    if kind == "steps":
        step = pack.step(item_id)
        for field, original in (
            ("how", step.how),
            ("bring", step.bring),
            ("says", step.escalation),
        ):
            value = getattr(text, field)
            if value is not None and len(value) != len(original):
                message = f"has {len(value)} entries but the step has {len(original)}"
                problems.append(PackProblem(file, None, f"steps.{item_id}.{field}", message))
    if kind == "contacts" and not _same_numbers(text.phone, pack.contact(item_id).phone):
        message = "a translated phone must keep the same numbers, only the words change"
        problems.append(PackProblem(file, None, f"contacts.{item_id}.phone", message))
    if kind == "questions":
        known = {option.value for option in pack.question(item_id).options}
        for value in set(text.options) - known:
            problems.append(
                PackProblem(file, None, f"questions.{item_id}.options.{value}", "no such option")
            )
    return problems


def _same_numbers(translated: str | None, original: str | None) -> bool:
    """A translation may word a phone ("999 o 112") but never change whom it calls."""
    if translated is None:
        return True
    return [ch for ch in translated if ch.isdigit()] == [
        ch for ch in original or "" if ch.isdigit()
    ]


def apply(
    pack: Pack, layers: list[tuple[str, Translation]], defined_in: dict[tuple[str, str], str]
) -> Pack:
    """The pack with each item's text replaced by the translation of the pack that wrote it."""
    by_pack = dict(layers)
    data = pack.model_dump()
    for kind in KINDS:
        data[kind] = [
            _item(kind, item, by_pack.get(defined_in.get((kind, item["id"]), "")))
            for item in data[kind]
        ]
    data["untranslated"] = _untranslated(pack, by_pack, defined_in)
    # Only the pack's own translation may rename it: a parent's name ("Cualquier lugar" for
    # the generic pack) is wrong for a child that has no translation of its own.
    leaf = by_pack.get(pack.id)
    for layer_pack, translation in layers:
        for key in ("name", "summary", "emergency_number"):
            value = getattr(translation, key)
            if value is not None and (
                translation is leaf or defined_in.get(("meta", key)) == layer_pack
            ):
                data[key] = value
    if layers:
        data["language"] = layers[-1][1].language
    return Pack.model_validate(data)


def _untranslated(
    pack: Pack, by_pack: dict[str, Translation], defined_in: dict[tuple[str, str], str]
) -> list[str]:
    """Items whose text stays in the original language, so a page can say so, never silently."""
    missing = []
    for kind in ("questions", "steps", "deadlines", "notices"):  # contact names and source
        for item in getattr(pack, kind):  # titles are proper names; they stay as written
            translation = by_pack.get(defined_in.get((kind, item.id), ""))
            if translation is None or item.id not in getattr(translation, kind):
                missing.append(f"{kind}.{item.id}")
    return missing


def _item(kind: str, item: dict[str, Any], translation: Translation | None) -> dict[str, Any]:
    if translation is None:
        return item
    text = getattr(translation, kind).get(item["id"])
    if text is None:
        return item
    updates = text.model_dump(exclude_none=True)
    if kind == "questions":
        labels = updates.pop("options", {})
        item["options"] = [
            {**option, "label": labels.get(option["value"], option["label"])}
            for option in item["options"]
        ]
    if kind == "steps" and "says" in updates:
        says = updates.pop("says")
        item["escalation"] = [
            {**edge, "says": said if said is not None else edge["says"]}
            for edge, said in zip(item["escalation"], says, strict=True)
        ]
    item.update(updates)
    return item
