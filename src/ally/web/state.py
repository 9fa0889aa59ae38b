"""Everything one running app holds: its settings, stores and templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from starlette.requests import Request

from ally.hosted.store import LoginLedger
from ally.vault.throttle import LocalGate, MemoryLedger, UnlockThrottle
from ally.web.accounts.hosting import HostedWeb
from ally.web.config import WebConfig
from ally.web.drafts import DraftStore
from ally.web.fastpages import FastPages
from ally.web.pagecache import PageCache
from ally.web.sessions import SessionStore
from ally.web.settings import AppSettings
from ally.web.stepstatus import StepStatusStore
from ally.web.storage import WebStorage
from ally.web.templating import environment
from ally.web.vaults import JournalKeys, VaultKeeper


@dataclass
class WebState:
    config: WebConfig
    storage: WebStorage
    sessions: SessionStore
    steps: StepStatusStore
    templates: Environment
    vaults: VaultKeeper | None
    settings: AppSettings
    drafts: DraftStore
    hosted: HostedWeb | None = None
    """Accounts and organisations, in hosted mode only."""
    gate: Callable[[Request, Any], None] | None = field(default=None)
    """Run by ``pages.get_visit`` on every page in hosted mode (``web/accounts/gate.py``)."""
    pages: PageCache = field(default_factory=PageCache)
    """Rendered plan pages of sessions in use (memory only; see ``pagecache``)."""
    finished: PageCache = field(default_factory=PageCache)
    """Sessions whose interview is over, for their answers as they are (``flow.finished``)."""
    fast: FastPages = field(default_factory=FastPages)
    """Pages last shown to each session, answered again on the event loop (``fastpages``)."""

    def __post_init__(self) -> None:
        """A session's cached pages and facts go the moment it locks, quick-exits or is deleted."""
        tell_vaults = self.sessions.on_lock

        def on_lock(row: str) -> None:
            self.pages.forget(row)
            self.finished.forget(row)
            self.fast.forget(row)
            if tell_vaults is not None:
                tell_vaults(row)

        self.sessions.on_lock = on_lock

    @classmethod
    def create(cls, config: WebConfig) -> WebState:
        storage = WebStorage(config.database)
        hosted = HostedWeb.create(config, config.passwords) if config.hosted else None
        gate = LocalGate(config.unlock_concurrency)
        if hosted is not None:  # each signed-in person's own journal, from any app process
            throttle = UnlockThrottle(
                gate, LoginLedger(hosted.store, "journal/"), clock=config.clock
            )  # failures counted in the database, so every process sees them
            keys = JournalKeys(storage, config.clock)
            vaults: VaultKeeper | None = VaultKeeper(hosted.locate, config.clock, throttle, keys)
        else:
            throttle = UnlockThrottle(gate, MemoryLedger(), clock=config.clock)
            vaults = VaultKeeper(config.vault, config.clock, throttle) if config.vault else None
        sessions = SessionStore(storage, config, on_lock=vaults.lock if vaults else None)
        if hosted is not None and vaults is not None:
            sessions.on_use = vaults.sync
        steps = StepStatusStore(storage)
        settings = AppSettings(storage)
        templates = environment()
        return cls(
            config,
            storage,
            sessions,
            steps,
            templates,
            vaults,
            settings,
            DraftStore(storage),
            hosted=hosted,
        )


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
