"""Which HTTP status an Ally error gets, and what the page says for failures on Ally's side.

Honest statuses: a request Ally cannot do as asked is 4xx and shows the core's own message
(written for the person, see :mod:`ally.errors`); a damaged journal or a database that cannot
be used is 5xx, with a page that says nothing was changed and what to do; a busy database is
503 with ``Retry-After``, because trying again is exactly the remedy. The table is ordered
most specific first, so a subclass can differ from its base.
"""

from __future__ import annotations

from dataclasses import dataclass

from ally.case.tracker import CaseError
from ally.directory.errors import DirectoryFileError
from ally.documents.abuse import AbuseLookupError
from ally.errors import AllyError, PackError, PackNotFoundError
from ally.storage.database import DatabaseBusyError, StorageError
from ally.vault.errors import (
    EntryNotFoundError,
    ReadOnlyVaultError,
    VaultDamagedError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from ally.web.i18n import N_

RETRY_AFTER_SECONDS = 30

BUSY = N_(
    "Ally is busy with another task (an import, perhaps), so nothing was changed. "
    "Please try again in a minute."
)
DAMAGED = N_(
    "Part of your journal could not be read: the stored data is damaged or was changed "
    "outside Ally. Nothing was changed now."
)
STORAGE = N_(
    "Ally could not read or write its database, so nothing was changed. The disk may be full "
    "or the database unreachable."
)
FAILED = N_("Ally could not finish this because of a problem on its side. Nothing was changed.")
ADVICE_OWN = N_(
    "If Ally runs on your own computer: check that the disk has free space, then open Ally "
    "again. For a damaged journal, run “ally vault verify” in a terminal to see where, and "
    "restore your latest backup if it finds damage."
)
ADVICE_HOSTED = N_(
    "If an organisation runs Ally for you: tell them the time this happened. They can check "
    "the server; your journal stays locked until you open it again."
)


@dataclass(frozen=True)
class Problem:
    """How to answer one error: the status, the message key, and advice for 5xx pages."""

    status: int
    message: str
    advice: tuple[str, ...] = ()
    retry_after: int | None = None


_STATUSES: tuple[tuple[type[AllyError], int], ...] = (
    (DatabaseBusyError, 503),
    (VaultDamagedError, 500),
    (StorageError, 500),
    (DirectoryFileError, 500),
    (AbuseLookupError, 502),
    (EntryNotFoundError, 404),
    (VaultNotFoundError, 404),
    (PackNotFoundError, 404),
    (PackError, 500),
    (VaultExistsError, 409),
    (CaseError, 409),
    (WrongPassphraseError, 403),
    (VaultLockedError, 403),
    (ReadOnlyVaultError, 403),
)


def status_for(error: AllyError) -> int:
    """The HTTP status for ``error``: 400 unless the table says otherwise."""
    for kind, status in _STATUSES:
        if isinstance(error, kind):
            return status
    return 400


def problem_for(error: AllyError) -> Problem:
    """The status and what to tell the person (the core's message for their own mistakes)."""
    status = status_for(error)
    if status == 503:
        return Problem(status, BUSY, retry_after=RETRY_AFTER_SECONDS)
    if status < 500 or status == 502:
        return Problem(status, str(error))
    if isinstance(error, VaultDamagedError):
        message = DAMAGED
    elif isinstance(error, StorageError):
        message = STORAGE
    else:
        message = FAILED
    return Problem(status, message, advice=(ADVICE_OWN, ADVICE_HOSTED))
