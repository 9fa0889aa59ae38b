"""A plan as Markdown or plain text, for the terminal, a file or printing.

Written to be read, not only parsed: "Start here" and the deadlines first, a blank line
between a step's parts, each contact in full once (its name, then how to reach it), sources as
numbered footnotes, and, when a width is given, lines wrapped with their indent kept.
"""

from __future__ import annotations

import re
import textwrap

from ally.knowledge.messages import message
from ally.model.plan import (
    NearbyService,
    Plan,
    PlanContact,
    PlanDeadline,
    PlanEscalation,
    PlanStep,
)


class _Writer:
    def __init__(self, plan: Plan, markdown: bool) -> None:
        self.plan = plan
        self.md = markdown
        self.lang = plan.language
        self.bullet = "-" if markdown else "   -"
        self.indent = "" if markdown else "   "
        self.footnotes: dict[str, int] = {}
        self.contacts_seen: set[str] = set()

    def t(self, key: str, **values: object) -> str:
        return message(self.lang, key, **values)

    def label(self, key: str) -> str:
        return f"**{self.t(key)}:**" if self.md else f"{self.indent}{self.t(key)}:"

    def heading(self, text: str, level: int = 2) -> str:
        return f"{'#' * level} {text}" if self.md else text.upper()

    def deadline(self, deadline: PlanDeadline) -> str:
        if deadline.due is None:
            when = self.t(
                "deadline.counted_from",
                start=deadline.starts_from.lower(),
                length=deadline.how_counted,
            )
        else:
            start = f"{deadline.start}" + (
                self.t("deadline.earliest") if deadline.approximate_start else ""
            )
            left = deadline.days_left or 0
            status = (
                self.t("deadline.passed", days=-left, body=deadline.body)
                if left < 0
                else self.t("deadline.left", days=left)
            )
            when = self.t("deadline.by", due=deadline.due.isoformat(), status=status, start=start)
        maybe = self.t("deadline.maybe") if deadline.certainty == "may_apply" else ""
        line = self.t(
            "deadline.with", title=deadline.title, body=deadline.body, maybe=maybe, when=when
        )
        return f"{line} {deadline.note}" if deadline.note else line

    def step(self, step: PlanStep, number: int) -> list[str]:
        """A step as blocks (title; what and why; each list) with a blank line between them."""
        title = f"{number}. {step.title}"
        blocks: list[list[str]] = [[self.heading(title, 3) if self.md else title]]
        if step.certainty == "may_apply":
            tag = self.t("may_apply")
            blocks.append([f"*{tag}*" if self.md else f"   [{tag}]"])
        if step.warnings:
            blocks.append([f"{self.indent}! {warning}" for warning in step.warnings])
        about = [self.indent + step.summary + self.marks(step.sources)]
        about += [self.indent + step.because] if step.because else []
        about += [f"{self.label('who')} {step.who}"] if step.who else []
        # In Markdown, lines in a row are one paragraph: keep them apart there.
        blocks += [[line] for line in about] if self.md else [about]
        for key, items in (("how", step.how), ("bring", step.bring)):
            if items:
                blocks.append([self.label(key), *(f"{self.bullet} {item}" for item in items)])
        if step.contacts:
            contacts = [f"{self.bullet} {self.contact(contact)}" for contact in step.contacts]
            blocks.append([self.label("contacts"), *contacts])
        nearby = self.plan.nearby.get(step.id, [])
        if nearby:
            services = [f"{self.bullet} {self.service(service)}" for service in nearby]
            blocks.append([self.label("near_you"), *services])
        if step.deadlines:
            deadlines = [
                f"{self.bullet} {self.deadline(deadline)}{self.marks(deadline.sources)}"
                for deadline in step.deadlines
            ]
            blocks.append([self.label("deadlines"), *deadlines])
        if step.escalation:
            blocks.append([self.escalation(edge) for edge in step.escalation])
        lines: list[str] = []
        for block in blocks:
            lines += [*block, ""]
        return lines

    def escalation(self, edge: PlanEscalation) -> str:
        trigger = (
            self.t("if_refused")
            if edge.on == "refused"
            else self.t("if_no_answer", days=edge.after_days)
        )
        then = edge.says or self.t("next", title=edge.to_title)
        lead = f"{self.bullet} " if self.md else self.indent  # a list in Markdown
        return f"{lead}{trigger}: {then}"

    def marks(self, source_ids: list[str]) -> str:
        """Footnote numbers for sources, numbered in the order the plan first cites them."""
        numbers = []
        for source_id in source_ids:
            if source_id not in self.footnotes:
                self.footnotes[source_id] = len(self.footnotes) + 1
            numbers.append(self.footnotes[source_id])
        return (" " + "".join(f"[{n}]" for n in sorted(set(numbers)))) if numbers else ""

    def service(self, service: NearbyService) -> str:
        parts = [service.name]
        if service.organization and service.organization != service.name:
            parts[0] += f" ({service.organization})"
        if service.distance_km is not None:
            parts.append(self.t("km_away", km=f"{service.distance_km:g}"))
        parts += [f"{self.t('phone')} {phone}" for phone in service.phones[:1]]
        parts += [part for part in (service.url, service.address) if part]
        return ", ".join(parts)

    def contact(self, contact: PlanContact) -> str:
        """In full the first time; afterwards its name, pointing back (contacts once per plan)."""
        if contact.id in self.contacts_seen:
            return self.t("contact.again", name=contact.name)
        self.contacts_seen.add(contact.id)
        parts = [f"{self.t('phone')} {contact.phone}"] if contact.phone else []
        parts += [f"{self.t('text')} {contact.text}"] if contact.text else []
        parts += [part for part in (contact.web, contact.email, contact.hours) if part]
        name = f"**{contact.name}**" if self.md else contact.name
        how = f": {', '.join(parts)}" if parts else ""
        return name + how + self.marks(contact.sources)

    def start_here(self) -> list[str]:
        if not self.plan.start_here:
            return []
        numbers = {step_id: n for n, step_id in enumerate(self.plan.step_ids(), 1)}
        titles = {step.id: step.title for step in self.plan.steps()}
        out = [self.heading(self.t("start.title")), ""]
        for index, item in enumerate(self.plan.start_here, 1):
            title = f"**{titles[item.step]}**" if self.md else titles[item.step]
            see = self.t("start.see", number=numbers[item.step])
            out.append(f"{index}. {title} ({see}). {item.why}")
        return [*out, ""]

    def deadlines_box(self) -> list[str]:
        if not self.plan.deadlines:
            return []
        out = [self.heading(self.t("deadlines.title")), ""]
        for entry in self.plan.deadlines:
            maybe = self.t("deadline.maybe") if entry.certainty == "may_apply" else ""
            if entry.due is None:
                when = self.t("deadlines.not_known")
            elif (entry.days_left or 0) < 0:
                when = self.t("deadlines.passed", due=entry.due.isoformat())
            else:
                when = self.t("deadlines.left", due=entry.due.isoformat(), days=entry.days_left)
            out.append(f"- {when}: {entry.title} ({entry.body}){maybe}")
        return [*out, ""]

    def done(self, step: PlanStep) -> str:
        assert step.tried is not None
        when = f" ({step.tried.on})" if step.tried.on else ""
        outcome = self.t(f"outcome.{step.tried.outcome}")
        return f"- {step.title}: {outcome}{when}"

    def render(self) -> str:
        plan = self.plan
        out = [self.heading(f"{self.t('plan.title')} ({plan.pack_name})", 1), ""]
        if plan.untranslated:
            out += [self.t("plan.untranslated"), ""]
        if plan.emergency_number:
            out += [self.t("plan.danger", number=plan.emergency_number), ""]
        for notice in plan.notices:
            if notice.safety:
                out += [self.heading(notice.title), notice.text + self.marks(notice.sources), ""]
        out += self.start_here()
        out += self.deadlines_box()
        for notice in plan.notices:
            if notice.safety:
                continue
            out += [self.heading(notice.title), notice.text + self.marks(notice.sources), ""]
            if notice.still_possible:
                titles = [s.title for s in plan.steps() if s.id in notice.still_possible]
                out += [self.t("plan.still_possible", steps="; ".join(titles)), ""]
        number = 0
        for section in plan.phases:
            out += [self.heading(section.title), ""]
            if section.id == "done":
                out += [self.done(step) for step in section.steps] + [""]
                continue
            for step in section.steps:
                number += 1
                out += self.step(step, number)
        if plan.answers:
            out.append(self.heading(self.t("plan.told_us")))
            out += [f"- {reason.summary}: {reason.answer}" for reason in plan.answers]
            out.append("")
        out.append(self.heading(self.t("plan.sources")))
        by_id = {source.id: source for source in plan.sources}
        for source_id, footnote in self.footnotes.items():
            source = by_id.get(source_id)
            if source is None:
                continue
            flag = f" ({self.t('plan.secondary')})" if not source.official else ""
            checked = self.t("plan.checked", date=source.checked)
            out.append(f"[{footnote}] {source.title}, {source.url} ({checked}){flag}")
        out += ["", plan.disclaimer, ""]
        return "\n".join(out)


READING_WIDTH = 80
"""Where the CLI and the web download wrap lines: easy to read, and fits a terminal."""

_LEAD = re.compile(r"^(\s*)((?:[-*!]|\d+\.|\[\d+\])\s+)?")


def wrap(text: str, width: int) -> str:
    """Wrap each long line, keeping its indent and hanging under its bullet or number.

    Headings and addresses are never broken, so Markdown stays Markdown and links still work.
    """
    out = []
    for line in text.split("\n"):
        if len(line) <= width or line.startswith("#"):
            out.append(line)
            continue
        lead = _LEAD.match(line)
        first = lead.group(0) if lead else ""
        out.append(
            textwrap.fill(
                line[len(first) :],
                width,
                initial_indent=first,
                subsequent_indent=" " * len(first),
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def render(plan: Plan, markdown: bool = True, width: int | None = None) -> str:
    """The whole plan: safety rules, start here and the deadlines box at the top, then the
    steps by urgency, what was already done, and the sources as numbered footnotes.

    ``width`` wraps long lines (``READING_WIDTH`` for a terminal or a file); without it each
    paragraph is one line, for callers that search the text."""
    text = _Writer(plan, markdown).render()
    return wrap(text, width) if width else text
