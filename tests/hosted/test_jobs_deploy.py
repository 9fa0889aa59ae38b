"""The files in deploy/ are read as their tools read them, without pulling any image: the
compose file is valid YAML whose services fit together, every `ally` command in the
Dockerfile, the compose file and the systemd units is one the CLI accepts, and the units pass
`systemd-analyze verify`."""

from __future__ import annotations

import configparser
import ipaddress
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from ally.cli.main import app as cli_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("ally-app@.service", "ally-worker@.service")


def ally_command(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Parse ``argv`` (``ally ...`` or a path to it) as the CLI would; returns the command's
    name. Unknown commands or options, or bad values, fail the test."""
    assert Path(argv[0]).name == "ally", argv
    monkeypatch.setenv("ALLY_DATABASE_URL", "postgresql://ally@db:5432/ally")
    group: Any = get_command(cli_app)
    rest = list(argv[1:])
    name = rest.pop(0)
    context = group.make_context("ally", [], resilient_parsing=True)
    command = group.get_command(context, name)
    assert command is not None, f"`ally {name}` is not a command"
    try:
        command.make_context(f"ally {name}", rest, parent=context)
    except Exception as error:  # typer's own click: UsageError, BadParameter
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        pytest.fail(f"`{shlex.join(argv)}`: {message}")
    return name


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_compose_file_runs_postgresql_apps_workers_and_an_https_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) == {"db", "app", "worker", "proxy"}
    app, worker, db, proxy = (services[n] for n in ("app", "worker", "db", "proxy"))
    assert ally_command(app["command"], monkeypatch) == "serve" and "--hosted" in app["command"]
    assert ally_command(worker["command"], monkeypatch) == "worker"
    assert app["deploy"]["replicas"] >= 2 and worker["deploy"]["replicas"] >= 2
    for service in (app, worker):  # the same image, the same database, no core dumps
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        url = service["environment"]["ALLY_DATABASE_URL"]
        assert re.fullmatch(r"postgresql://ally:\$\{ALLY_DB_PASSWORD[^}]*\}@db:5432/ally", url)
        assert service["ulimits"]["core"] == 0
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    # Every app process gets the same server key, read-only; workers never get it.
    key = app["environment"]["ALLY_SERVER_KEY_FILE"]
    assert any(v.endswith(f":{key}:ro") for v in app["volumes"])
    assert "ALLY_SERVER_KEY_FILE" not in worker["environment"] and not worker["volumes"]
    assert db["image"].startswith("postgres:") and db["environment"]["POSTGRES_DB"] == "ally"
    assert "pg_isready" in db["healthcheck"]["test"]
    # The app believes forwarded headers from the proxy's fixed address only.
    proxy_ip = proxy["networks"]["ally"]["ipv4_address"]
    assert option(app["command"], "--trusted-proxy") == proxy_ip
    subnet = spec["networks"]["ally"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_ip) in ipaddress.ip_network(subnet)
    assert option(app["command"], "--public-url").startswith("https://")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    assert (DEPLOY / "Caddyfile").is_file() and "./Caddyfile" in mounted
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert {v for v in named if not v.startswith(".")} <= set(spec["volumes"])


def test_the_proxy_reaches_the_app_port_and_spreads_requests_without_stickiness() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    app = compose()["services"]["app"]["command"]
    assert re.search(r"name app\s+port " + option(app, "--port"), caddy)
    assert "lb_policy least_conn" in caddy  # any process serves any browser (no stickiness)
    assert "lb_policy cookie" not in caddy
    assert caddy.count("{") == caddy.count("}")
    assert "{$ALLY_DOMAIN}" in caddy


def test_every_setting_the_compose_file_needs_is_in_the_example_environment() -> None:
    example = (DEPLOY / "ally.env.example").read_text()
    given = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    used = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text()))
    assert used and used <= given
    assert "ALLY_DATABASE_URL" in given  # what the systemd units read


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_dockerfile_installs_ally_and_runs_real_subcommands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instructions = dockerfile_instructions()
    assert instructions[0][0] == "FROM" and "python:3.1" in instructions[0][1]
    for word, rest in instructions:
        if word == "COPY":
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), source
        if word == "RUN":
            for part in re.split(r"&&", rest):
                argv = shlex.split(part)
                if argv and Path(argv[0]).name == "ally":
                    ally_command(argv, monkeypatch)
    command = json.loads(next(rest for word, rest in instructions if word == "CMD"))
    assert ally_command(command, monkeypatch) == "serve" and "--hosted" in command
    exposed = next(rest for word, rest in instructions if word == "EXPOSE")
    assert option(command, "--port") == exposed
    assert ("USER", "ally") in instructions  # never root


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_systemd_units_have_what_systemd_needs_and_start_real_subcommands(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = unit(name)
    assert parsed["Unit"]["Description"]
    service = parsed["Service"]
    for key in ("ExecStart", "User", "EnvironmentFile", "Restart"):
        assert service[key], key
    assert service["User"] != "root" and service["LimitCORE"] == "0"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    argv = shlex.split(service["ExecStart"].replace("%i", "65"))
    expected = "serve" if "app" in name else "worker"
    assert ally_command(argv, monkeypatch) == expected
    if expected == "serve":
        assert "--hosted" in argv and option(argv, "--host") == "127.0.0.1"


@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verifies_the_units(name: str, tmp_path: Path) -> None:
    """Verified as installed, with this machine's `ally` (the unit's own path is where an
    install puts it) and root standing in for the `ally` user, who does not exist here."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed to check the units (Debian: systemd)"
    # The `ally` of the Python running the tests (make test does not put .venv/bin on PATH).
    ally = shutil.which("ally", path=str(Path(sys.executable).parent)) or shutil.which("ally")
    assert ally, "the ally command is not installed beside this Python or on PATH"
    text = (DEPLOY / "systemd" / name).read_text()
    text = text.replace("/opt/ally/venv/bin/ally", ally)
    text = re.sub(r"^EnvironmentFile=", "EnvironmentFile=-", text, flags=re.M)
    text = re.sub(r"^(User|Group)=ally$", r"\1=root", text, flags=re.M)
    instance = name.replace("@.", "@65.")
    (tmp_path / name).write_text(text)
    (tmp_path / instance).write_text(text)
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / instance)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "Failed" not in done.stderr, done.stderr


def test_the_deploy_guide_covers_every_file_backups_restore_and_upgrades() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for path in ("deploy/Dockerfile", "deploy/compose.yaml", "deploy/Caddyfile", *UNITS):
        assert path in guide, path
    for words in ("pg_dump", "pg_restore", "ally worker", "ally admin create-org", "Upgrad"):
        assert words in guide, words
    # What a backup holds and what it does not.
    assert "ciphertext" in guide and "passphrase" in guide
