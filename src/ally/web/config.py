"""Settings for one running web app, fixed when the app is created.

Everything that differs between a person's own computer (``ally serve``) and a hosted
service lives here, so the routes never read the environment themselves.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ally.errors import UsageError
from ally.hosted.passwords import DEFAULT_POLICY, PasswordPolicy
from ally.vault.location import data_dir, default_location

LOCK_CHOICES = (5, 15, 30, 60, 240)
"""Minutes a person can choose before Ally locks itself (WCAG 2.2.1: the limit is adjustable)."""


def default_database() -> str:
    """The embedded SQLite database in the person's data directory (``ALLY_HOME`` moves it)."""
    return str(data_dir() / "ally.sqlite3")


@dataclass(frozen=True)
class WebConfig:
    database: str | Path = field(default_factory=default_database)
    lock_minutes: int = 15
    """Idle minutes before a session locks, unless the person picks another choice."""
    retention_days: int = 30
    """Sessions unused this long are deleted, with their step statuses."""
    quick_exit_url: str = "https://www.bbc.com/weather"
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    default_pack: str | None = None
    vault: str | None = field(default_factory=default_location)
    """Where the journal (evidence vault) lives: a folder or postgresql:// URL; None: no journal."""
    max_upload_bytes: int = 2 * 1024**3
    unlock_concurrency: int = 2
    """Passphrase checks (scrypt: ~1 s and 256 MiB each) allowed to run at once."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch; tests pass a fake clock to exercise the idle lock."""
    today: Callable[[], dt.date] = dt.date.today
    """The calendar day plans and the case count from; tests pass a fake to move time."""
    public_url: str | None = None
    """The address people type to reach a hosted Ally (``https://ally.example.org``). When it is
    https, every cookie is ``Secure`` even if the TLS ends at a proxy in front of Ally."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses (or networks, ``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-Proto``
    and ``X-Forwarded-For`` Ally believes. From anyone else those headers are ignored: a
    browser could send them to pass as another address."""
    hosted: bool = False
    """Serve many people from one PostgreSQL ``database``: accounts, organisations, and a
    journal per person (see "Hosted mode" in docs/architecture.md). ``vault`` is then unused."""
    passwords: PasswordPolicy = DEFAULT_POLICY
    """How account passwords are hashed (hosted mode; tests pass a cheaper setting)."""
    server_key_file: Path | None = None
    """The key that seals staff TOTP secrets at rest (hosted mode). None: the file named by
    ``ALLY_SERVER_KEY_FILE``, else ``server.key`` in the data folder (made if missing)."""
    case_key_work_factor: int = 18
    """scrypt log2(N) locking advocates' case keys (hosted mode; age's default, as for a
    journal; tests pass a cheaper setting)."""

    @property
    def always_secure(self) -> bool:
        """Whether every cookie must carry ``Secure`` whatever the connection's own scheme."""
        return self.public_url is not None and urlsplit(self.public_url).scheme == "https"


def public_host(url: str) -> str:
    """The host name a browser sends for ``url`` (for the allowed hosts); refuses what is not
    a plain http(s) address, so a typo in ``--public-url`` stops ``ally serve`` at once."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--public-url must be the address people type, like https://ally.example.org "
            f"(got {url!r})."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError("--public-url must be a plain address, without a name, ? or #.")
    host = parts.hostname
    return f"[{host}]" if ":" in host else host


def trusted_proxy_list(values: list[str]) -> tuple[str, ...]:
    """Check ``--trusted-proxy`` values: each an IP address or network, never a name or ``*``
    (trusting everyone would let any browser claim any address and scheme)."""
    checked = []
    for value in values:
        try:
            if "/" in value:
                ipaddress.ip_network(value.strip(), strict=False)
            else:
                ipaddress.ip_address(value.strip())
        except ValueError as error:
            raise UsageError(
                f"--trusted-proxy must be an IP address or network like 10.0.0.0/8 (got {value!r})."
            ) from error
        checked.append(value.strip())
    return tuple(checked)
