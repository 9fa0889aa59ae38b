"""`ally serve`: starts on loopback, prints the address, serves the app, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from tests.web.conftest import free_port

ALLY = [sys.executable, "-m", "ally.cli.main"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ALLY_HOME": str(tmp_path), "ALLY_DATABASE_URL": str(tmp_path / "web.db")}


def test_serve_runs_on_loopback_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*ALLY, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert (
            first.strip()
            == f"Ally is running at http://127.0.0.1:{port}/ - open it in your web browser."
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                # The first page loads the packs: on a busy machine that takes more than 5 s.
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "ally serve did not start listening"
                time.sleep(0.1)
        assert response.status_code == 200 and "Quick exit" in response.text
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Ally has stopped." in out
    assert (tmp_path / "web.db").exists()
    assert "Traceback" not in err


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*ALLY, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert f"Port {port} is already in use" in result.stderr
