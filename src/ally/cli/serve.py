"""``ally serve``: the web app on this computer, at http://127.0.0.1:8765 by default."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from pathlib import Path

import typer

from ally.cli.admin import SERVER_KEY_FILE
from ally.errors import UsageError
from ally.knowledge.loader import builtin_pack_ids
from ally.vault.location import default_location
from ally.web.config import (
    LOCK_CHOICES,
    WebConfig,
    default_database,
    public_host,
    trusted_proxy_list,
)

DEFAULT_PORT = 8765


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on. Only this computer can reach the default.",
    ),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to listen on."),
    database: str | None = typer.Option(
        None, "--database", envvar="ALLY_DATABASE_URL", help="SQLite path or postgresql:// URL."
    ),
    lock_minutes: int = typer.Option(
        15,
        "--lock-after",
        help=f"Idle minutes before Ally locks: {', '.join(map(str, LOCK_CHOICES))}.",
    ),
    pack: str | None = typer.Option(None, "--pack", help="Pack to suggest first, e.g. us-ca."),
    vault: str | None = typer.Option(
        None, "--vault", help="Where the journal lives (a folder or postgresql:// URL)."
    ),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="Host name people use to reach Ally, when it is hosted."
    ),
    unlock_concurrency: int = typer.Option(
        2,
        "--unlock-concurrency",
        envvar="ALLY_UNLOCK_CONCURRENCY",
        min=1,
        max=64,
        help="Passphrase checks run at once (each takes ~256 MiB of memory for about a second).",
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        envvar="ALLY_PUBLIC_URL",
        help="The address people type, when Ally is hosted (https://... makes cookies Secure).",
    ),
    trusted_proxy: list[str] = typer.Option(
        [],
        "--trusted-proxy",
        help="Address or network of a reverse proxy whose X-Forwarded-Proto/-For Ally believes.",
    ),
    hosted: bool = typer.Option(
        False,
        "--hosted",
        help="Serve many people with accounts, a journal each, from the PostgreSQL --database "
        "(set it up with `ally admin create-org`).",
    ),
    server_key_file: Path | None = SERVER_KEY_FILE,
) -> None:
    """Open Ally in your web browser: the questions, your plan, and more."""
    import uvicorn

    from ally.web import create_app

    if lock_minutes not in LOCK_CHOICES:
        raise UsageError(f"--lock-after must be one of {', '.join(map(str, LOCK_CHOICES))}.")
    if pack is not None and pack not in builtin_pack_ids():
        raise UsageError(f"There is no pack called {pack!r}. `ally packs list` shows the packs.")
    if hosted and not (database or "").startswith(("postgresql://", "postgres://")):
        raise UsageError(
            "--hosted needs --database postgresql://... (the organisation's database)."
        )
    proxies = trusted_proxy_list(trusted_proxy)
    public = (public_host(public_url),) if public_url else ()
    _check_port_free(host, port)
    hosts = ("127.0.0.1", "localhost", "[::1]", *allowed_host, *public, *_bound_hosts(host))
    config = WebConfig(
        database=database or default_database(),
        lock_minutes=lock_minutes,
        default_pack=pack,
        vault=vault or default_location(),
        allowed_hosts=tuple(dict.fromkeys(hosts)),
        unlock_concurrency=unlock_concurrency,
        public_url=public_url,
        trusted_proxies=proxies,
        hosted=hosted,
        server_key_file=server_key_file,
    )
    app = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Ally is running at http://{shown}:{port}/ - open it in your web browser.")
    if public_url:
        typer.echo(f"People reach it at {public_url}.")
    if not _is_loopback(host):
        typer.echo("Warning: other computers on your network can reach Ally at this address.")
    typer.echo("Press Ctrl-C to stop.")
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=False,
            log_level="warning",
            server_header=False,
            # Forwarded headers are read by the app itself, only from --trusted-proxy.
            proxy_headers=False,
        )
    )
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it has stopped
        server.run()
    typer.echo("Ally has stopped.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bound_hosts(host: str) -> tuple[str, ...]:
    """Hosts a browser may name when Ally listens on a specific non-loopback address."""
    if host in ("0.0.0.0", "::"):
        return ("*",)
    return (f"[{host}]" if ":" in host else host,)


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"Port {port} is already in use (is Ally already running?). "
                    f"Try --port {port + 1}."
                ) from error
            raise UsageError(f"Ally cannot listen on {host}:{port}; check --host.") from error
