"""``ally plan``: the interview in the terminal, or a plan straight from an answers file."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.markdown import Markdown

from ally.documents.plan import READING_WIDTH, render
from ally.errors import AllyError, AnswersError, UsageError
from ally.knowledge.answers import normalise_answers, read_answers_document
from ally.knowledge.engine import tried_options
from ally.knowledge.interview import (
    Interview,
    danger_said,
    follow_pack_choice,
    safety_now,
    starting_pack_ids,
)
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.messages import message
from ally.knowledge.schema import Question, QuestionType
from ally.knowledge.yamlfile import YamlSyntaxError, parse_yaml
from ally.model.plan import Plan, plan_json_schema


class Format(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    rich = "rich"


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_command)
    app.command("plan-schema")(plan_schema)


def plan_schema() -> None:
    """Print the JSON Schema of `ally plan --format json` output."""
    typer.echo(json.dumps(plan_json_schema(), indent=2, sort_keys=True))


def plan_command(
    answers: Path | None = typer.Option(
        None, "--answers", help="Answers file (YAML): no questions are asked."
    ),
    pack: str | None = typer.Option(None, "--pack", help="Which pack to use, e.g. us-ca."),
    output_format: Format = typer.Option(Format.rich, "--format", help="text, md, json or rich."),
    today: str | None = typer.Option(
        None, "--today", help="Count deadlines to this date (YYYY-MM-DD)."
    ),
    save: Path | None = typer.Option(
        None, "--save", help="Save your answers to this file to resume later."
    ),
    resume: Path | None = typer.Option(
        None, "--resume", help="Continue an interview saved with --save."
    ),
    language: str | None = typer.Option(
        None, "--language", help="Plan language where translated, e.g. es."
    ),
    near: str | None = typer.Option(
        None, "--near", help="A city, US ZIP code or 'lat,lon': add local services to each step."
    ),
    database: str | None = typer.Option(
        None,
        "--database",
        envvar="ALLY_DATABASE_URL",
        help="Directory database (see ally directory).",
    ),
) -> None:
    """Answer a few questions and get a plan: who can help, in what order, and why."""
    day = _parse_today(today)
    if answers is not None:
        pack_id, raw, file_today = read_answers_file(answers, pack)
        loaded = load_pack(_state_pack_near(pack_id, near) or pack_id, language)
        when = file_today or day
        loaded, given = follow_pack_choice(loaded, normalise_answers(loaded, raw, today=when))
        interview = Interview(loaded, given, when)
        _print(_local_help(interview.plan(when), near, database), output_format)
        return
    interview = _start(_state_pack_near(pack, near), resume, language, day)
    finished = TerminalInterview(interview, Console(highlight=False)).run()
    if save or resume:
        target = save or resume
        assert target is not None
        target.write_text(
            yaml.safe_dump(interview.to_document(), sort_keys=False), encoding="utf-8"
        )
        typer.echo(message(interview.pack.language, "cli.saved", target=target))
    if finished:
        _print(_local_help(interview.plan(day), near, database), output_format)


def _local_help(plan: Plan, near: str | None, database: str | None) -> Plan:
    """Add the nearest directory services to each step, when the person gave a place."""
    if not near:
        return plan
    from ally.cli.directory import default_database
    from ally.directory.plan_help import with_nearby_help
    from ally.directory.seed import ensure_seeded
    from ally.storage.directory_store import DirectoryStore

    store = DirectoryStore.open(database or default_database())
    try:
        ensure_seeded(store)
        return with_nearby_help(store, plan, near)
    finally:
        store.close()


def _parse_today(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise UsageError("--today must be a date such as 2026-11-25.") from error


def read_answers_file(
    path: Path, default_pack: str | None = None
) -> tuple[str, dict[str, Any], dt.date | None]:
    """(pack id, raw answers, today) from an answers file, with clear errors."""
    return read_answers_document(read_yaml_file(path), default_pack)


def read_yaml_file(
    path: Path, what: str = "answers file", error: type[AllyError] = AnswersError
) -> object:
    """A YAML file's content, or ``error`` saying what is wrong and where (never a traceback)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as cause:
        raise error(f"There is no {what} at {path}.") from cause
    except (OSError, UnicodeDecodeError) as cause:
        raise error(f"{path} could not be read as a text file.") from cause
    try:
        return parse_yaml(text)
    except YamlSyntaxError as problem:
        line = f" line {problem.line}" if problem.line else ""
        raise error(f"{path}{line}: {problem.message}") from problem


def _start(
    pack_id: str | None, resume: Path | None, language: str | None, today: dt.date
) -> Interview:
    if resume is not None and resume.exists():
        pack_from_file, raw, _ = read_answers_file(resume, pack_id)
        loaded = load_pack(pack_from_file, language)
        given = normalise_answers(loaded, raw, today=today)
        return Interview(*follow_pack_choice(loaded, given), today)
    console = Console(highlight=False)
    return Interview(load_pack(pack_id or _choose_pack(console, language), language), today=today)


def _state_pack_near(pack_id: str | None, near: str | None) -> str | None:
    """``--near`` in a US state picks that state's pack when the pack is ``us`` or not given."""
    if near and pack_id in (None, "us"):
        from ally.directory.geo import resolve_place

        try:
            place = resolve_place(near)
        except AllyError:
            place = None
        if place is not None and place.country == "US" and place.region:
            candidate = f"us-{place.region.lower()}"
            return candidate if candidate in builtin_pack_ids() else "us"
    return pack_id


def _choose_pack(console: Console, language: str | None) -> str:
    ids = starting_pack_ids()
    words = language or "en"
    where, why = message(words, "cli.where"), message(words, "cli.where_why")
    console.print(f"[bold]{where}[/bold] {why}")
    for number, pack_id in enumerate(ids, 1):
        console.print(f"  {number}. {load_pack(pack_id, language).name}")
    while True:
        reply = console.input(message(words, "cli.type_number") + " ").strip()
        if reply.isdigit() and 1 <= int(reply) <= len(ids):
            return ids[int(reply) - 1]
        if reply.lower() == "q":
            _stop_before_a_place(console, language)
            raise typer.Exit(0)
        console.print(message(words, "cli.pick_above"))


def _stop_before_a_place(console: Console, language: str | None) -> None:
    """`q` at "Where are you?": the general safety information, as no place is known yet."""
    stopped = TerminalInterview(Interview(load_pack("generic", language)), console)
    stopped.print_safety(stopped.t("cli.safety_so_far"))


def _print(plan: Plan, output_format: Format) -> None:
    if output_format is Format.json:
        typer.echo(plan.model_dump_json(indent=2))
    elif output_format is Format.md:
        typer.echo(render(plan, markdown=True, width=READING_WIDTH))
    elif output_format is Format.text:
        typer.echo(render(plan, markdown=False, width=READING_WIDTH))
    else:
        Console().print(Markdown(render(plan, markdown=True)))


class TerminalInterview:
    """One question at a time in the terminal, with back, skip and progress."""

    def __init__(self, interview: Interview, console: Console) -> None:
        self.interview = interview
        self.console = console

    def t(self, key: str, **values: object) -> str:
        """The interview's own words in the pack's language (the questions come translated)."""
        return message(self.interview.pack.language, key, **values)

    def run(self) -> bool:
        """Ask until the plan is ready. False if the person stopped early."""
        self.console.print(f"{self.t('cli.intro')} {self.t('cli.keys')}")
        warned = False
        while (question := self.interview.current()) is not None:
            done, left = self.interview.progress()
            total = max(done + left, done + 1)
            progress = self.t("cli.progress", number=done + 1, total=total)
            self.console.print(f"\n[dim]{progress}[/dim]")
            if not self.ask(question):
                self.print_safety(self.t("cli.safety_so_far"))
                return False
            if not warned and danger_said(self.interview.pack, self.interview.answers):
                warned = True
                if not self.danger_first():
                    return False
        self.console.print(f"\n{self.t('cli.thanks')}\n")
        return True

    def danger_first(self) -> bool:
        """Danger now: the emergency number and what to do, before any other question, and
        the choice to stop there. False if the person stops."""
        self.print_safety(f"[bold red]{self.t('cli.danger_heading')}[/bold red]")
        self.console.print("\n" + self.t("cli.danger_stop_offer"))
        reply = self.console.input(self.t("cli.danger_prompt") + " ")
        if reply.strip().lower() == "q":
            self.console.print(self.t("cli.danger_stopped"))
            return False
        return True

    def print_safety(self, heading: str) -> None:
        """The emergency number, up to three things to do now, and whom to call."""
        today = self.interview.today or dt.date.today()
        safety = safety_now(self.interview.pack, self.interview.answers, today)
        self.console.print(f"\n{heading}")
        if safety.emergency_number:
            call = f"[bold]{safety.emergency_number}[/bold]"
            self.console.print("  " + self.t("cli.emergency_call", number=call))
        for number, action in enumerate(safety.actions, 1):
            self.console.print(f"  {number}. {action}")
        for contact in safety.contacts:
            ways = ", ".join(
                part
                for part in (
                    contact.phone,
                    self.t("cli.text_to", number=contact.text) if contact.text else None,
                )
                if part
            )
            self.console.print(f"  {contact.name}" + (f": {ways}" if ways else ""))

    def ask(self, question: Question) -> bool:
        self.console.print(f"[bold]{question.text}[/bold]")
        if question.type is QuestionType.TRIED:
            return self.ask_tried(question)
        choices = self.choices(question)
        previous = self.interview.previous(question.id)
        ticked = self.ticked(question, previous)
        for number, label in enumerate(choices, 1):
            mark = f"  [green]✓ {self.t('cli.your_answer')}[/green]" if number - 1 in ticked else ""
            self.console.print(f"  {number}. {label}{mark}")
        if previous is not None and not ticked:
            shown = self.t("cli.kept_answer", answer=self.shown(previous))
            self.console.print(f"  [green]{shown}[/green]")
        if previous is not None:
            self.console.print(f"  [dim]{self.t('cli.keep')}[/dim]")
        while True:
            reply = self.console.input(self.prompt(question) + " ").strip()
            if reply.lower() == "q":
                return False
            if reply.lower() == "b":
                if self.interview.back() is None:
                    self.console.print(self.t("cli.first"))
                    continue
                return True
            if reply == "" and previous is not None:
                self.interview.answer(question.id, previous)
                return True
            if reply.lower() == "s" or reply == "":
                self.interview.skip(question.id)
                return True
            if reply == "?":
                self.console.print(question.help or self.t("cli.why_default"))
                continue
            try:
                self.interview.answer(question.id, self.value(question, choices, reply))
                return True
            except AllyError as error:
                friendly = _friendly(error, self.interview.pack.language)
                self.console.print(f"[yellow]{friendly}[/yellow]")

    def ask_tried(self, question: Question) -> bool:
        """Whom they told (numbers), then what came of each: one question, two small prompts."""
        keys = tried_options(self.interview.pack, question, self.interview.answers)
        labels = {option.value: option.label for option in question.options}
        for number, key in enumerate(keys, 1):
            self.console.print(f"  {number}. {labels[key]}")
        while True:
            reply = self.console.input(self.t("cli.tried_pick") + " ").strip()
            if reply.lower() == "q":
                return False
            if reply.lower() == "b":
                if self.interview.back() is None:
                    self.console.print(self.t("cli.first"))
                    continue
                return True
            if reply == "?":
                self.console.print(question.help or self.t("cli.why_default"))
                continue
            if reply.lower() == "s" or reply == "":
                self.interview.skip(question.id)
                return True
            parts = reply.replace(",", " ").split()
            if all(p.isdigit() and 1 <= int(p) <= len(keys) for p in parts):
                break
            self.console.print(f"[yellow]{self.t('cli.pick_shown')}[/yellow]")
        answer = {keys[int(p) - 1]: self.outcome(labels[keys[int(p) - 1]]) for p in parts}
        try:
            self.interview.answer(question.id, answer)
        except AllyError as error:  # a date it cannot read: the question is asked again
            friendly = _friendly(error, self.interview.pack.language)
            self.console.print(f"[yellow]{friendly}[/yellow]")
        return True

    def outcome(self, label: str) -> dict[str, str]:
        words = ["waiting", "refused", "no-answer", "done", "resolved"]
        shown = self.t("cli.outcomes").split("|")
        choices = " · ".join(f"{n}. {text}" for n, text in enumerate(shown, 1))
        self.console.print(f"{self.t('cli.tried_outcome', label=label)} {choices}")
        while True:
            reply = self.console.input(self.t("cli.type_number") + " ").strip()
            if reply.isdigit() and 1 <= int(reply) <= len(words):
                break
        when = self.console.input(self.t("cli.tried_when") + " ").strip()
        return {"outcome": words[int(reply) - 1]} | ({"on": when} if when else {})

    @staticmethod
    def ticked(question: Question, previous: object) -> list[int]:
        """The numbers (from 0) of the choices given before, to show them ticked."""
        if previous is None:
            return []
        if question.type is QuestionType.YESNO:
            return [["yes", "no"].index(previous)] if previous in ("yes", "no") else []
        values = previous if isinstance(previous, list) else [previous]
        return [i for i, option in enumerate(question.options) if option.value in values]

    def choices(self, question: Question) -> list[str]:
        if question.type is QuestionType.YESNO:
            return [self.t("yes"), self.t("no")]
        return [option.label for option in question.options]

    def prompt(self, question: Question) -> str:
        example = "28/11/2026" if self.interview.pack.date_order == "dmy" else "11/28/2026"
        date = self.t(
            "cli.type_date",
            example=example,
            month=self.t("cli.month_example"),
            relative=self.t("cli.relative_example"),
        )
        rough = self.t("cli.type_number_rough", rough=self.t("cli.rough_example"))
        return {
            QuestionType.MULTI: self.t("cli.type_numbers"),
            QuestionType.DATE: date,
            QuestionType.NUMBER: rough,
        }.get(question.type, self.t("cli.type_number"))

    def shown(self, value: object) -> str:
        """A kept answer as the person can read it (a date, a number, "I'd rather not say")."""
        if value == "rather-not-say":
            return self.t("cli.rather_not_say")
        if value == "not-sure":
            return self.t("cli.not_sure")
        return str(value)

    def value(self, question: Question, choices: list[str], reply: str) -> object:
        if question.type in (QuestionType.DATE, QuestionType.NUMBER):
            return reply
        picked = []
        for part in reply.replace(",", " ").split():
            if not part.isdigit() or not 1 <= int(part) <= len(choices):
                raise AnswersError(self.t("cli.pick_shown"))
            picked.append(int(part) - 1)
        if not picked:
            raise AnswersError(self.t("cli.pick_shown"))
        if question.type is QuestionType.YESNO:
            return ["yes", "no"][picked[0]]
        values = [question.options[index].value for index in picked]
        return values if question.type is QuestionType.MULTI else values[0]


def _friendly(error: AllyError, language: str) -> str:
    """The error's sentence for the person, in their language where the interface has it.

    The date and number readers speak English; the web interface's catalogues already hold
    their sentences in Spanish and French, so the terminal uses the same translations.
    """
    text = str(error)
    text = text.split(": ", 1)[1] if ": " in text else text
    from ally.web.i18n import translations

    return translations(language).gettext(text)
