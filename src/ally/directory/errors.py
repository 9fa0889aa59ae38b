"""Errors the directory raises on purpose, each with a message a person can act on.

Directory data describes public services, not the person using Ally, so a problem may name
the record (file, row, id) and the field; it never quotes long values back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ally.errors import AllyError

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One located problem: where (file and row, or position and id), which field, what."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where}:{field} {self.message}"


class DirectoryError(AllyError):
    """Something about the resource directory went wrong."""


class DirectoryDataError(DirectoryError):
    """Directory data (HSDS JSON or CSV) is not valid; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        shown = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
        super().__init__(
            f"The directory data has {len(problems)} {noun}; nothing was imported:\n"
            + "\n".join(shown)
        )


class DirectoryFileError(DirectoryError):
    """A file could not be read as directory data."""


class PlaceNotFoundError(DirectoryError):
    """A place (postcode, city or coordinates) could not be found in the offline data."""


class DirectoryQueryError(DirectoryError):
    """A search asked for something that does not exist (an unknown service type, say)."""
