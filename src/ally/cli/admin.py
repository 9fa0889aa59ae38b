"""``ally admin``: set up a hosted Ally (organisations and their first admin).

A thin shell over :mod:`ally.hosted`. The admin's password never goes on the command line
(it would land in the shell history and the process list): a hidden prompt, or
``ALLY_ADMIN_PASSWORD`` for scripts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from ally.errors import UsageError
from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.errors import HostedDatabaseError
from ally.hosted.store import HostedStore

app = typer.Typer(
    help="Set up a hosted Ally: organisations and their admins.", no_args_is_help=True
)

DATABASE = typer.Option(
    ...,
    "--database",
    envvar="ALLY_DATABASE_URL",
    help="The hosted PostgreSQL database (postgresql://...).",
)
SERVER_KEY_FILE = typer.Option(
    None,
    "--server-key-file",
    envvar=totp.KEY_ENV,
    help="The key that seals staff second-factor secrets (hosted mode); kept out of database "
    "backups. Default: server.key in Ally's data folder, made if missing. The same file for "
    "every app process.",
)


def read_password(env: str = "ALLY_ADMIN_PASSWORD") -> str:
    """From the environment (scripts), else a hidden prompt typed twice."""
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise UsageError(f"No password given: type it at the prompt, or set {env}.")
    value: str = typer.prompt("The admin's password", hide_input=True, confirmation_prompt=True)
    return value


def hosted_store(database: str) -> HostedStore:
    """The hosted tables in ``database``, which must be PostgreSQL."""
    if not database.startswith(("postgresql://", "postgres://")):
        raise HostedDatabaseError(
            "A hosted Ally needs a PostgreSQL database: give --database postgresql://..."
        )
    return HostedStore(database)


@app.command("create-org")
def create_org(
    name: str = typer.Argument(..., help="The organisation's name, as people see it."),
    admin: str = typer.Option(..., "--admin", help="The first admin's sign-in name (an email)."),
    slug: str = typer.Option(
        ..., "--slug", help="Short name for addresses, e.g. shelter-north (3-40 a-z, 0-9, -)."
    ),
    open_signup: bool = typer.Option(
        False, "--open-signup", help="Let people create their own accounts."
    ),
    database: str = DATABASE,
    server_key_file: Path | None = SERVER_KEY_FILE,
) -> None:
    """Create an organisation and its first admin, and show the admin's TOTP secret once."""
    password = read_password()
    store = hosted_store(database)
    try:
        key = totp.ServerKey.load(server_key_file)
        totp.bind_key(store, key)
        accounts = Accounts(store, key=key)
        accounts.passwords.check_new(password)  # before anything is written
        org = accounts.create_org(name, slug, open_signup=open_signup)
        staff = accounts.add_staff(org, admin, "admin", password)
    finally:
        store.close()
    typer.echo(f"Created {org.name} ({org.slug}) with admin {staff.account.login}.")
    typer.echo("Add this to the admin's authenticator app now; it is not shown again:")
    typer.echo(f"  secret: {staff.totp_secret}")
    typer.echo(f"  {staff.totp_uri}")
    typer.echo(f"People sign in at /account/sign-in?org={org.slug}.")


@app.command("reset-code")
def reset_code(
    slug: str = typer.Option(..., "--org", help="The organisation's short name."),
    login: str = typer.Option(..., "--login", help="The advocate's or admin's sign-in name."),
    database: str = DATABASE,
    server_key_file: Path | None = SERVER_KEY_FILE,
) -> None:
    """Give a staff member who lost their authenticator app a new TOTP secret (shown once)."""
    store = hosted_store(database)
    try:
        key = totp.ServerKey.load(server_key_file)
        totp.bind_key(store, key)
        accounts = Accounts(store, key=key)
        staff = accounts.reset_second_factor(accounts.org_by_slug(slug), login)
    finally:
        store.close()
    typer.echo(f"The old code of {staff.account.login} no longer works.")
    typer.echo("Add this to their authenticator app now; it is not shown again:")
    typer.echo(f"  secret: {staff.totp_secret}")
    typer.echo(f"  {staff.totp_uri}")


@app.command("rotate-server-key")
def rotate_server_key(
    new_key_file: Path = typer.Option(
        ..., "--new-key-file", help="Where to write the new key (must not exist yet)."
    ),
    database: str = DATABASE,
    server_key_file: Path | None = SERVER_KEY_FILE,
) -> None:
    """Reseal every second-factor secret with a new server key (if the old file was copied
    somewhere it should not be). Then start every app process with the new file."""
    if new_key_file.exists():
        raise UsageError(f"{new_key_file} exists already: give a new file name.")
    store = hosted_store(database)
    try:
        old = totp.ServerKey.load(server_key_file)
        new = totp.ServerKey.load(new_key_file)  # made here, readable by its owner only
        count = totp.rotate_key(store, old, new)
    finally:
        store.close()
    typer.echo(f"Resealed {count} secrets with the key in {new_key_file}.")
    typer.echo(
        "Start every app process with --server-key-file pointing to it, then delete the old key file."
    )
