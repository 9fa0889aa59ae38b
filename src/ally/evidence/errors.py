"""Errors raised while reading exports. Messages name the file and the place, never its content."""

from __future__ import annotations

from ally.errors import AllyError


class EvidenceError(AllyError):
    """Something went wrong with an export or the evidence in it."""


class UnknownFormatError(EvidenceError):
    """The file is not an export Ally knows how to read."""


class ImportFormatError(EvidenceError):
    """The file looks like a known export but is damaged, cut short or not as expected."""

    def __init__(self, file: str, where: str | None, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        place = f"{file}, {where}" if where else file
        super().__init__(f"{place}: {problem}")


class DamagedZipError(UnknownFormatError):
    """The file is a .zip, but damaged: cut short, or changed after it was made."""
