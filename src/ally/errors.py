"""One exception hierarchy for everything Ally raises on purpose.

Every error carries a message a person can act on. The CLI prints ``str(error)`` without a
traceback, and the web app shows it on a friendly page, so messages must never contain the
person's own data (answers, journal text, passphrases): only file names, positions and
what to do next.
"""

from __future__ import annotations


class AllyError(Exception):
    """Base class: something went wrong that the person can understand and fix."""

    exit_code = 1


class AllyWarning(UserWarning):
    """Something the person should know, though the command went on (shown as "Warning: ...").

    Core code warns with :func:`warnings.warn`; the CLI prints the message plainly on stderr
    and the web app leaves it to the pages that list the cause.
    """


class UsageError(AllyError):
    """The command was asked for something it cannot do as asked."""

    exit_code = 2


class PackError(AllyError):
    """A knowledge pack is malformed or cannot be found."""


class PackNotFoundError(PackError):
    """No pack with this id exists."""


class PackValidationError(PackError):
    """A pack has one or more problems, each located by file, line and field."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        lines = [str(problem) for problem in problems]
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"The pack has {len(problems)} {noun}:\n" + "\n".join(lines))


class PackProblem:
    """One located problem in a pack file."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def __repr__(self) -> str:
        return f"PackProblem({self!s})"


class AnswersError(AllyError):
    """An answers file (or an answer typed in) does not fit the pack's questions."""


class ConditionSyntaxError(PackError):
    """A condition in a pack could not be parsed."""
