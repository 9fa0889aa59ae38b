"""A plan as Markdown or plain text, for the terminal, a file or printing."""

from __future__ import annotations

from ally.model.plan import Plan, PlanDeadline, PlanStep

_URGENCY = {"now": "Do this now", "soon": "Soon", "when_ready": "When you are ready"}


def _deadline_line(deadline: PlanDeadline) -> str:
    if deadline.due is None:
        when = f"counted from {deadline.starts_from.lower()}: {deadline.how_counted}"
    else:
        start = f"from {deadline.start}" + (
            " (earliest possible date)" if deadline.approximate_start else ""
        )
        left = deadline.days_left
        if left is not None and left < 0:
            status = f"passed {-left} days ago; ask a lawyer or {deadline.body} if it can be extended"
        else:
            status = f"{left} days left"
        when = f"by {deadline.due.isoformat()} ({status}); {start}"
    maybe = " (may apply)" if deadline.certainty == "may_apply" else ""
    note = f" {deadline.note}" if deadline.note else ""
    return f"{deadline.title} with {deadline.body}{maybe}: {when}.{note}"


def _step_lines(step: PlanStep, number: int, md: bool) -> list[str]:
    bullet = "-" if md else "   -"
    heading = f"### {number}. {step.title}" if md else f"{number}. {step.title}"
    lines = [heading]
    tag = _URGENCY[step.urgency]
    if step.certainty == "may_apply":
        tag += " · may apply (some answers were not given)"
    lines.append(f"*{tag}*" if md else f"   [{tag}]")
    lines.append(step.summary if md else "   " + step.summary)
    if step.who:
        lines.append(f"{'**Who:**' if md else '   Who:'} {step.who}")
    if step.why:
        reasons = "; ".join(f"{reason.summary}: {reason.answer}" for reason in step.why)
        lines.append(f"{'**Why:**' if md else '   Why:'} {reasons}")
    for title, items in (("How", step.how), ("Bring", step.bring)):
        if items:
            lines.append(f"**{title}:**" if md else f"   {title}:")
            lines += [f"{bullet} {item}" for item in items]
    if step.contacts:
        lines.append("**Contacts:**" if md else "   Contacts:")
        for contact in step.contacts:
            parts = [contact.name]
            parts += [f"phone {contact.phone}"] if contact.phone else []
            parts += [f"text {contact.text}"] if contact.text else []
            parts += [contact.web] if contact.web else []
            parts += [contact.email] if contact.email else []
            parts += [contact.hours] if contact.hours else []
            lines.append(f"{bullet} " + ", ".join(parts))
    if step.deadlines:
        lines.append("**Deadlines:**" if md else "   Deadlines:")
        lines += [f"{bullet} {_deadline_line(deadline)}" for deadline in step.deadlines]
    for edge in step.escalation:
        trigger = (
            "If they refuse"
            if edge.on == "refused"
            else f"If there is no answer within {edge.after_days} days"
        )
        lines.append(
            f"{'' if md else '   '}{trigger}: {edge.says or 'next, ' + edge.to_title + '.'}"
        )
    lines.append(f"{'' if md else '   '}Sources: {', '.join(step.sources)}")
    lines.append("")
    return lines


def render(plan: Plan, markdown: bool = True) -> str:
    """The whole plan. Safety comes first because the phases are already in that order."""
    md = markdown
    out = [f"# Your plan ({plan.pack_name})" if md else f"YOUR PLAN ({plan.pack_name})", ""]
    if plan.emergency_number:
        out += [f"If you are in danger, call {plan.emergency_number}.", ""]
    for notice in plan.notices:
        out += [f"## {notice.title}" if md else notice.title.upper(), notice.text, ""]
        if notice.still_possible:
            titles = [s.title for s in plan.steps() if s.id in notice.still_possible]
            out += ["What you can still do: " + "; ".join(titles) + ".", ""]
    number = 0
    for phase in plan.phases:
        out += [f"## {phase.title}" if md else phase.title.upper(), ""]
        for step in phase.steps:
            number += 1
            out += _step_lines(step, number, md)
    if plan.answers:
        out += ["## What you told us" if md else "WHAT YOU TOLD US"]
        out += [f"- {reason.summary}: {reason.answer}" for reason in plan.answers]
        out.append("")
    out += ["## Sources" if md else "SOURCES"]
    for source in plan.sources:
        flag = "" if source.official else " (secondary source)"
        out.append(f"- {source.id}: {source.title}, {source.url} (checked {source.checked}){flag}")
    out += ["", plan.disclaimer, ""]
    return "\n".join(out)
