"""``ally case``: follow through on the plan — statuses, escalation and deadlines.

The case lives in the vault (see ally.case.store), so every command asks for the vault's
passphrase the same way ``ally vault`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import typer
from rich.table import Table

from ally.case.reminders import case_reminders
from ally.case.store import VaultCase
from ally.case.tracker import case_view, current_plan
from ally.cli.console import literal_console, styled
from ally.cli.plan import read_answers_file
from ally.cli.vault import FdOpt, VaultOpt, open_unlocked
from ally.errors import UsageError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.loader import load_pack
from ally.model.case import STATUS_WORDS, AnswersEvent, CaseView, MarkEvent, StatusEvent, StepStatus
from ally.vault import Vault, default_location

app = typer.Typer(
    help="Follow through: what you did, what came back, what is next.", no_args_is_help=True
)
out = literal_console()

TodayOpt = typer.Option(None, "--today", help="Count to this date instead of today (YYYY-MM-DD).")
OnOpt = typer.Option(None, "--on", help="The day it happened (YYYY-MM-DD); today if not given.")


def open_vault(location: str | None, fd: int | None) -> Vault:
    """The person's vault, unlocked; "no vault here" is said before asking for a passphrase."""
    return open_unlocked(location or default_location(), fd)


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise UsageError(f"{text!r} is not a date; use the form 2026-05-03.") from error


AnswersArg = typer.Argument(..., help="An answers file, as `ally plan --save` writes.")


@app.command()
def start(
    answers: Path = AnswersArg,
    on: str | None = OnOpt,
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Start your case from your answers file (`ally plan --save answers.yaml` writes one)."""
    _record_situation(answers, on, vault, passphrase_fd, starting=True)


@app.command()
def situation(
    answers: Path = AnswersArg,
    on: str | None = OnOpt,
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Record that your situation changed (the plan is recomputed); starts the case if needed."""
    _record_situation(answers, on, vault, passphrase_fd, starting=False)


def _record_situation(
    answers: Path, on: str | None, vault: str | None, passphrase_fd: int | None, starting: bool
) -> None:
    """One way to record answers, so `start` and `situation` cannot drift apart.

    `start` on a case that already has a situation changes nothing and names the command
    that records a change, so a repeated `start` never silently replaces the situation.
    """
    pack_id, raw, _ = read_answers_file(answers)
    day = _day(on)
    # Reject a bad file before anything is written, and keep dates typed as words ("last
    # week") as the dates they meant on the day they were given.
    given = normalise_answers(load_pack(pack_id), raw, today=day)
    event = AnswersEvent(on=day, pack=pack_id, answers=_plain(given))
    with open_vault(vault, passphrase_fd) as opened:
        case = VaultCase(opened)
        first = not any(isinstance(e, AnswersEvent) for e in case.events())
        if starting and not first:
            raise UsageError(
                "Your case is already started. To record that your situation changed, "
                f"use `ally case situation {answers}`."
            )
        case.record(event)
    out.print(
        "Your case is started." if first else "Your situation is updated; the plan is recomputed."
    )


def _plain(given: Mapping[str, object]) -> dict[str, object]:
    return {
        key: value if isinstance(value, str | int | list) else str(value)
        for key, value in given.items()
    }


@app.command()
def update(
    step: str = typer.Argument(..., help="The step id, as `ally case status` shows it."),
    status: StepStatus = typer.Option(
        ..., "--status", help="not_started, done, waiting, refused, resolved, not_for_me."
    ),
    on: str | None = OnOpt,
    note: str | None = typer.Option(None, "--note", help="A short note for yourself."),
    answer: str | None = typer.Option(None, "--answer", help="What they answered, if anything."),
    reference: str | None = typer.Option(
        None,
        "--reference",
        help="The reference number they gave (a ticket or case number); letters and the "
        "report show it in Steps taken.",
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Record what happened with a step: done, waiting for an answer, refused…"""
    with open_vault(vault, passphrase_fd) as opened:
        case = VaultCase(opened)
        events = case.events()
        known = {s.id for s in load_pack(case_view(events, dt.date.today()).pack).steps}
        if step not in known:
            raise UsageError(
                f"There is no step {step!r} in your plan. `ally case status` lists them."
            )
        case.record(
            StatusEvent(
                on=_day(on),
                step=step,
                status=status,
                note=note,
                answer_received=answer,
                reference=reference.strip() if reference and reference.strip() else None,
            )
        )
    out.print(
        f"Recorded: {step} is now {STATUS_WORDS[status]}."
        + (f" Reference: {reference.strip()}." if reference and reference.strip() else "")
    )


@app.command()
def mark(
    name: str = typer.Argument(
        ..., help="An event that starts a clock, e.g. investigation_report_received."
    ),
    on: str | None = OnOpt,
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Record an event that starts a deadline (the plan names them)."""
    try:
        event = MarkEvent(on=_day(on), name=name)
    except ValueError as error:
        raise UsageError("An event name is lower-case words joined by underscores.") from error
    with open_vault(vault, passphrase_fd) as opened:
        VaultCase(opened).record(event)
    out.print(f"Recorded {name} on {event.on}.")


@app.command()
def status(
    today: str | None = TodayOpt, vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt
) -> None:
    """What to do next, what you are waiting for, and the deadlines."""
    day = _day(today)
    with open_vault(vault, passphrase_fd) as opened:
        case = VaultCase(opened)
        view = case_view(case.events(), day, case.journal_dates())
    show(view)


def show(view: CaseView) -> None:
    alarms = [d for d in view.deadlines if d.warning]
    for deadline in alarms:
        if deadline.warning == "passed":
            out.print(
                styled(
                    (f"The deadline \u201c{deadline.title}\u201d passed on {deadline.due}.", "red")
                )
            )
        else:
            out.print(
                styled(
                    (
                        f"{deadline.days_left} days left: {deadline.title} (by {deadline.due}).",
                        "yellow",
                    )
                )
            )
    actions = Table("step", "what to do", "why", title="Next", title_justify="left")
    for action in view.next_actions[:8]:
        actions.add_row(action.step, action.title, action.reason)
    out.print(actions)
    if view.waiting:
        waiting = Table(
            "step", "waiting since", title="Waiting for an answer", title_justify="left"
        )
        for state in view.waiting:
            waiting.add_row(state.title, str(state.since))
        out.print(waiting)
    deadlines = Table("deadline", "due", "days left", title="Deadlines", title_justify="left")
    for deadline in view.deadlines:
        due = str(deadline.due) if deadline.due else f"counted from {deadline.starts_from.lower()}"
        left = "" if deadline.days_left is None else str(deadline.days_left)
        deadlines.add_row(deadline.title, due, left)
    out.print(deadlines)
    earlier = [s for s in view.steps if not s.in_current_plan]
    if earlier:
        out.print(
            "Earlier steps, from before your situation changed: "
            + "; ".join(f"{s.title} ({STATUS_WORDS[s.status]})" for s in earlier)
        )


@app.command()
def plan(
    today: str | None = TodayOpt, vault: str | None = VaultOpt, passphrase_fd: int | None = FdOpt
) -> None:
    """The plan for your current situation, with deadlines from your journal's dates."""
    from ally.documents.plan import render

    with open_vault(vault, passphrase_fd) as opened:
        case = VaultCase(opened)
        built = current_plan(case.events(), _day(today), case.journal_dates())
    typer.echo(render(built, markdown=False))


@app.command()
def reminders(
    ics: Path = typer.Option(..., "--ics", help="Where to write the calendar file (.ics)."),
    today: str | None = TodayOpt,
    discreet: bool = typer.Option(
        False, "--discreet", help="Neutral titles and no details, for a calendar others may see."
    ),
    vault: str | None = VaultOpt,
    passphrase_fd: int | None = FdOpt,
) -> None:
    """Deadlines (alarms 30, 7 and 1 days before) and follow-ups, for your calendar."""
    day = _day(today)
    with open_vault(vault, passphrase_fd) as opened:
        case = VaultCase(opened)
        events, dates = case.events(), case.journal_dates()
    view = case_view(events, day, dates)
    calendar, summary = case_reminders(view, current_plan(events, day, dates))
    try:
        ics.write_bytes(calendar)
    except OSError as error:
        raise UsageError(f"Could not write {ics}: {error.strerror or 'unknown error'}.") from error
    out.print(
        f"Wrote {summary.deadlines} deadline(s) and {summary.follow_ups} follow-up reminder(s) "
        f"to {ics}."
    )
    for title in summary.passed:
        out.print(f"Not in the file, the last day has passed: {title}.")
    for title in summary.undated:
        out.print(f"Not in the file, its start date is not known yet: {title}.")
