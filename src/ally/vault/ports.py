"""What the vault's helpers need from an open vault, as small protocols.

Why this module: :mod:`ally.vault.attachments`, :mod:`ally.vault.batch` and
:mod:`ally.vault.bundle` each work on an open :class:`~ally.vault.vault.Vault`, and the vault
uses them. Naming the few methods each helper calls here, below both sides, keeps imports
running one way (vault → helpers → ports) with no circle, and makes plain what each helper
may touch. :class:`~ally.vault.vault.Vault` satisfies all three structurally; mypy checks it
wherever the vault hands itself to a helper.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ally.model.journal import Attachment, Entry
from ally.storage.vault_store import VaultStore
from ally.vault.chain import Record
from ally.vault.crypto import Fingerprint, Identity, Recipient


class AttachmentTarget(Protocol):
    """What streaming an attachment in needs: where to store, whom to encrypt to, the chain."""

    @property
    def store(self) -> VaultStore: ...

    def _recipients(self) -> list[Recipient]: ...

    def _append(
        self,
        kind: str,
        *,
        record_id: str | None = None,
        of: str | None = None,
        to: str | None = None,
        small: Mapping[str, bytes] | None = None,
        streamed: Mapping[str, Fingerprint] | None = None,
        deletes: tuple[str, ...] = (),
    ) -> Record: ...

    def attachment(self, ref: str) -> Attachment: ...


class BatchTarget(Protocol):
    """What a batch needs: sealing an entry, and the entries stored before it began."""

    def _seal_entry(
        self,
        kind: str,
        payload: Mapping[str, Any],
        conversation_id: str | None,
        recipients: list[Recipient] | None = None,
    ) -> bytes: ...

    def _seal_extra(
        self,
        extra: Mapping[str, Mapping[str, Any]] | None,
        recipients: list[Recipient] | None = None,
    ) -> dict[str, bytes]: ...

    def _root(self, ref: str) -> Record: ...

    def is_forgotten(self, record: Record) -> bool: ...


class ExportSource(Protocol):
    """What an export bundle reads: the public chain, its files and (shared) the key."""

    vault_id: str

    @property
    def store(self) -> VaultStore: ...

    @property
    def records(self) -> list[Record]: ...

    def record_hashes(self) -> list[str]: ...

    def entry(self, ref: str) -> Entry: ...

    def is_forgotten(self, record: Record) -> bool: ...

    def identity_for_export(self) -> Identity: ...
