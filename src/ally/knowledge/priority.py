"""The order of a plan: what to do now, what soon, what when ready, and where to start.

Pure. The engine builds each step; this module decides their urgency and order from the
pack's data (``primary``, ``perishable``, ``instead``, safety notices' ``first``) and the
person's situation (deadlines, what they already tried), and picks the start-here actions.

Order within a plan: "Do this now" before "Soon" before "When you are ready"; within each,
safety steps and the steps safety rules put first, then escalations a refusal or silence has made due, then
evidence that can disappear, then primary steps, then the rest by kind; the soonest deadline
breaks ties, then the pack's ``order``, then the pack's own order. Steps already taken go
last, in an "Already done" section, with what came of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ally.knowledge import conditions
from ally.knowledge.messages import message
from ally.knowledge.schema import Notice, Pack, Phase, Step
from ally.model.answers import AnswerValue, ApproxDate, TriedAnswer
from ally.model.plan import DeadlineEntry, PlanPhase, PlanStep, PlanTried, StartHere

URGENCIES = ("now", "soon", "when_ready")
_PHASES = [phase.value for phase in Phase]
_FAR = 10**6


@dataclass(frozen=True)
class Arrangement:
    """What ordering needs besides the steps: the answers, the day, and what was tried."""

    answers: Mapping[str, AnswerValue]
    today: date
    tried: TriedAnswer = field(default_factory=dict)
    replaced: Mapping[str, Step] = field(default_factory=dict)
    """Step id → the step it replaces (left out because it would go to the harasser)."""
    rules: Sequence[Notice] = ()
    """Safety notices that hold for these answers."""


@dataclass(frozen=True)
class Arranged:
    ordered: list[PlanStep]
    sections: list[PlanPhase]
    start_here: list[StartHere]
    deadlines: list[DeadlineEntry]


@dataclass
class _Row:
    step: PlanStep
    rank: int
    soonest: int
    order: int
    index: int
    tags: set[str] = field(default_factory=set)
    because: str | None = None
    changes: dict[str, object] = field(default_factory=dict)

    def key(self) -> tuple[int, int, int, int, int]:
        urgency = self.changes.get("urgency", self.step.urgency)
        return (URGENCIES.index(str(urgency)), self.rank, self.soonest, self.order, self.index)


def arrange(pack: Pack, steps: list[PlanStep], how: Arrangement) -> Arranged:
    """The steps in the order to take them, grouped by urgency, with start-here and deadlines."""
    lang = pack.language
    taken = _taken(pack, steps, how.tried)
    escalations = _due_escalations(steps, taken, how.today, lang)
    firsts = [sid for rule in how.rules for sid in rule.first]
    warnings: dict[str, list[str]] = {}
    for rule in how.rules:
        for step_id in rule.warn:
            warnings.setdefault(step_id, []).append(rule.title)
    rows: list[_Row] = []
    done: list[PlanStep] = []
    for index, step in enumerate(steps):
        if step.id in taken:
            done.append(step.model_copy(update={"tried": taken[step.id]}))
            continue
        row = _row(pack, step, index, how, escalations.get(step.id), firsts)
        if step.id in warnings:
            row.changes["warnings"] = warnings[step.id]
        rows.append(row)
    rows.sort(key=_Row.key)
    ordered = [row.step.model_copy(update={**row.changes, "because": row.because}) for row in rows]
    tags = {row.step.id: row.tags for row in rows}
    soonest = {row.step.id: row.soonest for row in rows}
    sections = [
        PlanPhase(id=urgency, title=message(lang, f"urgency.{urgency}"), steps=chosen)
        for urgency in URGENCIES
        if (chosen := [step for step in ordered if step.urgency == urgency])
    ]
    if done:
        sections.append(PlanPhase(id="done", title=message(lang, "section.done"), steps=done))
    start = _start_here(pack, ordered, tags, soonest, how, lang)
    return Arranged(
        ordered=[step for section in sections for step in section.steps],
        sections=sections,
        start_here=start,
        deadlines=_deadlines(ordered),
    )


def _taken(pack: Pack, steps: list[PlanStep], tried: TriedAnswer) -> dict[str, PlanTried]:
    """Steps the ``tried`` answer marks as taken. A step that another step with the same key
    escalates to (the host's network provider after the host) is the next step, not a taken one.
    ``step:ID`` entries (from the case tracker) mark that one step, whatever its key.
    """
    if not tried:
        return {}
    keys = {step.id: pack.step(step.id).tried_key() for step in steps}
    follow_ups = {
        edge.to for step in steps for edge in step.escalation if keys.get(edge.to) == keys[step.id]
    }
    taken = {}
    for step in steps:
        key = keys[step.id]
        own = tried.get(f"step:{step.id}")  # the case tracker's status for this very step
        if own is None and (key is None or key not in tried or step.id in follow_ups):
            continue
        item = own or tried[str(key)]
        on = str(item.on) if item.on is not None else None
        taken[step.id] = PlanTried(key=key or step.id, outcome=item.outcome, on=on)
    return taken


def _due_escalations(
    steps: list[PlanStep], taken: Mapping[str, PlanTried], today: date, lang: str
) -> dict[str, tuple[str, str]]:
    """Target step id → (the taken step it follows, why), for escalations now due."""
    due: dict[str, tuple[str, str]] = {}
    for step in steps:
        tried = taken.get(step.id)
        if tried is None:
            continue
        for edge in step.escalation:
            if (
                edge.to in taken
                or edge.to in due
                or not _edge_due(edge.on, edge.after_days, tried, today)
            ):
                continue
            when = f" ({tried.on})" if tried.on else ""
            fact = message(
                lang,
                "because.escalated",
                title=step.title,
                outcome=message(lang, f"outcome.{tried.outcome}"),
                when=when,
            )
            then = edge.says or message(lang, "because.next")
            due[edge.to] = (step.id, f"{fact} {then}")
    return due


def _edge_due(on: str, after_days: int | None, tried: PlanTried, today: date) -> bool:
    if on == "refused":
        return tried.outcome == "refused"
    if tried.outcome not in ("no-answer", "waiting"):
        return False
    if tried.on is None or after_days is None:
        return tried.outcome == "no-answer"
    latest = ApproxDate.parse(tried.on).latest
    return (today - latest).days >= after_days


def _row(
    pack: Pack,
    step: PlanStep,
    index: int,
    how: Arrangement,
    escalation: tuple[str, str] | None,
    firsts: list[str],
) -> _Row:
    spec = pack.step(step.id)
    lang = pack.language
    days = [d.days_left for d in step.deadlines if d.days_left is not None and d.days_left >= 0]
    row = _Row(step, 10 + _PHASES.index(step.phase), min(days, default=_FAR), spec.order, index)
    if step.phase == Phase.SAFETY.value:
        row.rank = 1
        row.tags.add("safety")
    if spec.perishable:
        row.rank = min(row.rank, 3)
        row.tags.add("evidence")
    if spec.primary is not None and _holds(spec.primary.when, how.answers) is True:
        _raise(row, spec.primary.urgency.value)
        row.rank = min(row.rank, 4)
        row.tags.add("primary")
        row.because = message(lang, "because.told", answers=_told(pack, spec.primary.when, how))
    if step.id in how.replaced:
        dropped = how.replaced[step.id]
        _raise(row, dropped.urgency.value)
        row.rank = min(row.rank, 4)
        row.tags.add("primary")
        row.changes["instead_of"] = dropped.id
        row.because = message(lang, "because.instead", title=dropped.title)
    if row.soonest <= pack.start_here.within_days:
        _raise(row, "now")
        row.tags.add("deadline")
        row.because = message(lang, "because.deadline", days=row.soonest)
    if escalation is not None:
        _raise(row, "now")
        row.rank = 2
        row.tags.add("escalation")
        row.changes["escalated_from"] = escalation[0]
        row.because = escalation[1]
    if step.id in firsts:
        _raise(row, "now")
        row.rank = 1  # with the safety steps: a call for help in danger stays first
        row.tags.add("rule")
    if row.because is None and step.certainty == "may_apply":
        missing = ", ".join(r.summary.lower() for r in step.why if not r.known)
        row.because = message(lang, "because.may", missing=missing) if missing else None
    return row


def _raise(row: _Row, urgency: str) -> None:
    current = str(row.changes.get("urgency", row.step.urgency))
    if URGENCIES.index(urgency) < URGENCIES.index(current):
        row.changes["urgency"] = urgency


def _holds(condition: str | bool, answers: Mapping[str, AnswerValue]) -> bool | None:
    return conditions.evaluate(conditions.parse(condition), answers)


def _told(pack: Pack, condition: str | bool, how: Arrangement) -> str:
    node = conditions.parse(condition)
    ids = conditions.reasons(node, how.answers)
    return ", ".join(pack.question(qid).summary.lower() for qid in ids)


def _start_here(
    pack: Pack,
    ordered: list[PlanStep],
    tags: Mapping[str, set[str]],
    soonest: Mapping[str, int],
    how: Arrangement,
    lang: str,
) -> list[StartHere]:
    """At most ``most`` actions for this week, by the pack's rules; every deadline within
    ``within_days`` keeps its place even if that leaves out a later rule's action."""
    settings = pack.start_here
    said_danger = how.answers.get("in_danger_now") == "yes"
    rule_titles = {sid: rule.title for rule in how.rules for sid in rule.first}
    pools: dict[str, list[StartHere]] = {rule: [] for rule in settings.rules}
    safety: list[StartHere] = []
    for step in ordered:
        mine, certain = tags[step.id], step.certainty == "applies"
        if "rule" in mine:
            pools["safety"].append(StartHere(step=step.id, why=rule_titles[step.id], rule="safety"))
        elif "safety" in mine and certain and step.urgency == "now":
            key = "start.danger" if said_danger else "start.safety"
            safety.append(StartHere(step=step.id, why=message(lang, key), rule="safety"))
        if "deadline" in mine:
            why = _deadline_why(step, lang)
            pools["deadline"].append(StartHere(step=step.id, why=why, rule="deadline"))
        if "evidence" in mine and certain and step.urgency == "now":
            why = message(lang, "start.evidence")
            pools["evidence"].append(StartHere(step=step.id, why=why, rule="evidence"))
        for rule in ("escalation", "primary"):
            if rule in mine and (certain or rule == "escalation") and step.because:
                pools[rule].append(StartHere(step=step.id, why=step.because, rule=rule))
    if "safety" in pools and not pools["safety"]:
        pools["safety"] = safety[:1]  # the first safety step; the rest open the plan anyway
    elif "safety" in pools and said_danger and safety:
        # A safety rule (a minor's images, a posted address) never pushes the call for help
        # out of the first place when the person said they are in danger.
        pools["safety"] = [safety[0], *pools["safety"]]
    pools["deadline"].sort(key=lambda item: soonest[item.step])
    chosen: list[StartHere] = []
    for rule in settings.rules:
        for item in pools.get(rule, []):
            if any(c.step == item.step for c in chosen):
                continue
            # Deadlines within the window keep their places whatever comes before them.
            waiting = [
                d for d in pools.get("deadline", []) if all(c.step != d.step for c in chosen)
            ]
            reserved = 0 if rule == "deadline" else min(len(waiting), settings.most)
            if len(chosen) + reserved < settings.most:
                chosen.append(item)
    if said_danger and safety and all(c.step != safety[0].step for c in chosen):
        # Said to be in danger: the call for help comes first, whatever the deadlines.
        chosen = [safety[0], *chosen][: settings.most]
    return _share_the_last(chosen, pools.get("deadline", []), ordered, lang)


def _share_the_last(
    chosen: list[StartHere], deadlines: list[StartHere], ordered: list[PlanStep], lang: str
) -> list[StartHere]:
    """More close deadlines than places: the last deadline action names the others too, so
    no deadline within the window is missing from the top of the plan."""
    left = [d for d in deadlines if all(c.step != d.step for c in chosen)]
    places = [i for i, c in enumerate(chosen) if c.rule == "deadline"]
    if not left or not places:
        return chosen
    by_id = {step.id: step for step in ordered}
    last = chosen[places[-1]]
    others = "; ".join(_deadline_why(by_id[item.step], lang) for item in left)
    why = f"{last.why} {message(lang, 'start.also', deadlines=others)}"
    chosen[places[-1]] = last.model_copy(update={"why": why, "also": [item.step for item in left]})
    return chosen


def _deadline_why(step: PlanStep, lang: str) -> str:
    near = min(
        (d for d in step.deadlines if d.days_left is not None and d.days_left >= 0),
        key=lambda d: d.days_left or 0,
    )
    return message(
        lang,
        "start.deadline",
        title=near.title,
        due=near.due.isoformat() if near.due else "",
        days=near.days_left,
    )


def _deadlines(ordered: list[PlanStep]) -> list[DeadlineEntry]:
    entries: dict[str, DeadlineEntry] = {}
    for step in ordered:
        for deadline in step.deadlines:
            entries.setdefault(
                deadline.id,
                DeadlineEntry(
                    deadline=deadline.id,
                    step=step.id,
                    title=deadline.title,
                    body=deadline.body,
                    due=deadline.due,
                    days_left=deadline.days_left,
                    certainty=deadline.certainty,
                ),
            )
    return sorted(entries.values(), key=lambda e: (e.due is None, e.due or date.max, e.title))
