"""Web figures: requests per second and p99 latency of the plan page under load, on loopback.

Run: .venv/bin/python benchmarks/web.py [--seconds 5] [--connections 8] [--rounds 3] [--cpu]
                                        [--baseline OTHER/src]

The reference is a bare Starlette endpoint, served by the same uvicorn settings in the same run
and returning a fixed page of the same size, so the ratio is the cost of what Ally does for a
plan page (open and decrypt the session, run the plan engine, read step statuses, render the
template, set the security headers; for a reload of an unchanged page, since issue 19's fourth
round, only web/fastpages.py's checks and the headers), not of the machine. Load comes from wrk (Debian's wrk
package) if installed, else from a bounded Python load generator. Every request goes to
127.0.0.1, and each run stops by itself after --seconds.

``--baseline DIR`` also serves Ally from another copy of the source (``DIR`` on PYTHONPATH,
e.g. ``git archive main src`` unpacked) in the same rounds, alternating with this one, so a
before/after comparison sees the same load on a shared machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


@dataclass
class Result:
    requests_per_second: float
    p99_ms: float


def prepare_session(database: Path) -> tuple[str, int]:
    """A session that finished the US interview (every answer skipped); its cookie and page size."""
    from starlette.testclient import TestClient

    from ally.web import WebConfig, create_app

    config = WebConfig(
        database=database, vault=None, lock_minutes=240, allowed_hosts=("testserver",)
    )
    with TestClient(create_app(config)) as client:
        csrf = _csrf(client.get("/interview/start").text)
        client.post("/interview/start", data={"csrf": csrf, "action": "answer", "answer": "us"})
        for _ in range(60):
            page = client.get("/interview")
            if str(page.url).endswith("/plan"):
                break
            question = re.search(r'name="question" value="([^"]*)"', page.text)
            assert question, "the interview page has no question"
            data = {"csrf": _csrf(page.text), "action": "skip", "question": question.group(1)}
            client.post("/interview", data=data)
        plan = client.get("/plan")
        assert plan.status_code == 200 and "<h1>Your plan</h1>" in plan.text
        return str(client.cookies["ally_session"]), len(plan.content)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def serve(kind: str, port: int, database: str, size: int) -> None:
    """Child process: one uvicorn server, either Ally or the bare reference endpoint."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    if kind == "ally":
        from ally.web import WebConfig, create_app

        config = WebConfig(database=database, vault=None, lock_minutes=240, allowed_hosts=(HOST,))
        app: Starlette = create_app(config)
    else:
        body = "<!doctype html><title>bare</title>" + "x" * max(size - 35, 0)

        async def bare(request: object) -> HTMLResponse:
            return HTMLResponse(body)

        app = Starlette(routes=[Route("/plan", bare)])
    uvicorn.run(app, host=HOST, port=port, access_log=False, log_level="warning")


def start(
    kind: str, database: Path, size: int, source: str | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """A server child process on a free port (Ally from ``source`` instead, if given)."""
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    args = [sys.executable, __file__, "--serve", kind, str(port), str(database), str(size)]
    env = dict(os.environ, PYTHONPATH=source) if source else None
    process = subprocess.Popen(args, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {kind} server did not start")


def load_wrk(port: int, cookie: str, seconds: int, connections: int, path: str) -> Result:
    output = subprocess.run(
        [
            "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            "-H", f"Cookie: ally_session={cookie}", f"http://{HOST}:{port}{path}",
        ],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    assert p99, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit("some responses were errors:\n" + output)
    return Result(rate, float(p99.group(1)) * scale)


def load_python(port: int, cookie: str, seconds: int, connections: int, path: str) -> Result:
    """A bounded keep-alive load generator: `connections` threads for `seconds` seconds."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": f"ally_session={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"unexpected status {response.status}")
            mine.append(time.perf_counter() - began)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return Result(len(latencies) / seconds, p99)


def measure(
    kind: str,
    database: Path,
    size: int,
    cookie: str,
    args: argparse.Namespace,
    paths: list[str],
    source: str | None = None,
) -> list[Result]:
    process, port = start(kind, database, size, source)
    try:
        check_plan_page(port, cookie, paths[0])
        load = load_wrk if shutil.which("wrk") else load_python
        results = []
        for path in paths:
            load(port, cookie, 1, args.connections, path)  # warm-up
            results.append(load(port, cookie, args.seconds, args.connections, path))
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def check_plan_page(port: int, cookie: str, path: str) -> None:
    """The page under load must be the real page (200), not a redirect to the start."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", path, headers={"Cookie": f"ally_session={cookie}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200 or len(body) < 1000:
        raise SystemExit(f"{path} answered {response.status}, not the plan page")


def server_cpu(database: Path, size: int, cookie: str, requests: int = 1000) -> None:
    """Server CPU per request (utime+stime of the uvicorn process), one request at a time:
    steadier than requests per second on a machine shared with other work."""

    def cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    for kind, path in (("bare", "/plan"), ("ally", "/plan"), ("ally", "/")):
        process, port = start(kind, database, size)
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            for count in (50, requests):  # warm-up, then measured
                before = cpu(process.pid)
                for _ in range(count):
                    conn.request("GET", path, headers={"Cookie": f"ally_session={cookie}"})
                    response = conn.getresponse()
                    response.read()
                    assert response.status == 200, response.status
            used = (cpu(process.pid) - before) / requests * 1000
            print(f"server CPU per request, {kind} {path}: {used:.2f} ms")
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="server CPU per request only")
    parser.add_argument("--baseline", help="another Ally src folder, measured in the same rounds")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        kind, port, database, size = args.serve
        serve(kind, int(port), database, int(size))
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "web.sqlite3"
        cookie, size = prepare_session(database)
        if args.cpu:
            server_cpu(database, size, cookie)
            return
        ally: list[Result] = []
        welcome: list[Result] = []
        bare: list[Result] = []
        base: list[Result] = []
        base_welcome: list[Result] = []
        for _ in range(args.rounds):  # alternate, so drift on a shared machine hits both
            bare += measure("bare", database, size, "-", args, ["/plan"])
            plan_result, welcome_result = measure(
                "ally", database, size, cookie, args, ["/plan", "/"]
            )
            ally.append(plan_result)
            welcome.append(welcome_result)
            if args.baseline:
                plan_result, welcome_result = measure(
                    "ally", database, size, cookie, args, ["/plan", "/"], args.baseline
                )
                base.append(plan_result)
                base_welcome.append(welcome_result)
    tool = "wrk" if shutil.which("wrk") else "python load generator"
    report(ally, welcome, bare, size, tool, args)
    if args.baseline:
        print(f"Baseline ({args.baseline}), same rounds:")
        report(base, base_welcome, bare, size, tool, args)
    print(f"Load average (1 min) {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")


def report(
    ally: list[Result],
    welcome: list[Result],
    bare: list[Result],
    size: int,
    tool: str,
    args: argparse.Namespace,
) -> None:
    def med(results: list[Result], field: str) -> float:
        return float(statistics.median(getattr(result, field) for result in results))

    a_rate, b_rate = med(ally, "requests_per_second"), med(bare, "requests_per_second")
    a_p99, b_p99 = med(ally, "p99_ms"), med(bare, "p99_ms")
    print(
        f"Load: {tool}, {args.connections} connections, {args.seconds} s x {args.rounds} rounds (medians)"
    )
    print(f"Plan page size: {size} bytes (the bare endpoint returns the same size)")
    print("| | requests/s | p99 latency |")
    print("|---|---:|---:|")
    print(f"| bare Starlette endpoint | {b_rate:,.0f} | {b_p99:.1f} ms |")
    print(f"| Ally plan page | {a_rate:,.0f} | {a_p99:.1f} ms |")
    w_rate, w_p99 = med(welcome, "requests_per_second"), med(welcome, "p99_ms")
    print(f"| Ally welcome page (small; for scale) | {w_rate:,.0f} | {w_p99:.1f} ms |")
    print(f"| **plan page / bare** | **{a_rate / b_rate:.3f}x** | **{a_p99 / b_p99:.1f}x** |")


if __name__ == "__main__":
    main()
