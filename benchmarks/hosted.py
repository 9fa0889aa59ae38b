"""Hosted figures: a bounded mixed load on two `ally serve --hosted` processes over PostgreSQL.

Run: .venv/bin/python benchmarks/hosted.py [--persons 8] [--advocates 2] [--seconds 60]
     [--database postgresql://postgres@127.0.0.1:5432/postgres]

The script makes a new, empty PostgreSQL database (dropped at the end), an organisation with
open sign-up and ``--advocates`` advocates (with the real Argon2id and TOTP), and starts two app
processes with ``ally serve --hosted --database ...`` on loopback, as an operator would. Then:

1. **Arrival** (every user once): the advocates sign in with their second factor and make
   their case key; each of ``--persons`` people signs up, answers the US interview ("I'd
   rather not say" throughout: the largest plan), reads the plan, starts a journal, records an
   incident and shares the plan and journal with one advocate (new entries too).
2. **Steady load** for ``--seconds``: each person, in a closed loop with no pause, reads the
   plan (most often), the journal and the case page, changes an answer and records incidents;
   each advocate reads the caseload, a shared case and the account page.

No user stays on one process: every user's requests alternate between the two processes, as
a load balancer without sticky sessions would send them (an unlocked journal or case key is
kept in the database, wrapped under the browser's cookie, so any process serves any request;
docs/architecture.md, "Stateless app processes"). Reported per page: requests,
p50 and p99 latency, errors (any answer but 200 or 303); for the steady load also requests
per second, the app processes' CPU per request, and the database's share of the time: the
``active_time`` PostgreSQL counts for this database (time spent running its statements,
``pg_stat_database``) over the summed request latencies. The load generator runs on the same
machine, so figures include its contention; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx2 as httpx
import psycopg

HOST = "127.0.0.1"
ORG = "bench"
PASSWORD = "correct horse battery staple"
JOURNAL = "lantern orbit pepper quietly"
CASE_KEY = "copper kettle winter sparrow"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_QUESTION = re.compile(r'name="question" value="([^"]*)"')
_ENTRY = re.compile(r'name="entry" id="entry-\d+" value="([0-9a-f]+)"')
_CASE = re.compile(r'href="(/advocate/cases/[0-9a-f]{32})"')
_ID = re.compile(r"/advocate/cases/[0-9a-f]{32}")


@dataclass
class Sample:
    page: str
    seconds: float
    status: int


@dataclass
class Log:
    """Every request's page, latency and status, from all threads."""

    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class User:
    """One browser: its cookies and form token; each request to the next app process in turn
    (cookies ignore the port, so both processes get the same cookies)."""

    def __init__(self, ports: Sequence[int], log: Log, first: int = 0) -> None:
        self.client = httpx.Client(follow_redirects=False, timeout=120)
        self.bases = [f"http://{HOST}:{port}" for port in ports]
        self.turn = first
        self.log = log
        self.csrf = ""
        self.last = ""

    def get(self, path: str) -> httpx.Response:
        return self._send("GET", path)

    def post(
        self, path: str, data: dict[str, str | list[str]], files: object = None
    ) -> httpx.Response:
        return self._send("POST", path, {"csrf": self.csrf, **data}, files)

    def _send(
        self,
        method: str,
        path: str,
        data: dict[str, str | list[str]] | None = None,
        files: object = None,
    ) -> httpx.Response:
        base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        began = time.perf_counter()
        response = self.client.request(method, base + path, data=data, files=files)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - began
        self.log.add(
            Sample(
                f"{method} {_ID.sub('/advocate/cases/{id}', path.split('?')[0])}",
                elapsed,
                response.status_code,
            )
        )
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last = response.text
            found = _CSRF.search(response.text)
            self.csrf = found.group(1) if found else self.csrf
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow a 303 as a browser would (the follow-up is a request of its own)."""
        while response.status_code in (302, 303):
            response = self.get(response.headers["location"])
        return response


# --- arrival ---------------------------------------------------------------------------------


def advocate_arrives(user: User, login: str, secret: str) -> None:
    from ally.hosted import totp

    user.get(f"/account/sign-in?org={ORG}")
    code = totp.code_at(secret, time.time())
    user.follow(
        user.post(
            "/account/sign-in", {"org": ORG, "name": login, "password": PASSWORD, "code": code}
        )
    )
    page = user.follow(user.get("/advocate"))
    if "/advocate/key" in str(page.url):
        user.follow(
            user.post("/advocate/key/create", {"passphrase": CASE_KEY, "confirm": CASE_KEY})
        )


def person_arrives(user: User, login: str, advocate_id: str) -> None:
    user.get(f"/account/sign-up?org={ORG}")
    user.follow(
        user.post(
            "/account/sign-up", {"org": ORG, "name": login, "password": PASSWORD, "again": PASSWORD}
        )
    )
    user.get("/interview/start")
    user.post("/interview/start", {"action": "answer", "answer": "us"})
    finish_interview(user)
    user.get("/plan")
    user.get("/journal")
    user.follow(
        user.post("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "UTC"})
    )
    add_incident(user, 0)
    user.get("/share")
    entries = _ENTRY.findall(user.last)
    user.follow(
        user.post("/share", {"with": advocate_id, "plan": "yes", "entry": entries, "new": "yes"})
    )


def finish_interview(user: User) -> None:
    """Skip every question until the plan ("I'd rather not say" is a real answer)."""
    page = user.get("/interview")
    for _ in range(60):
        found = _QUESTION.search(page.text) if page.status_code == 200 else None
        if found is None:
            return
        page = user.follow(user.post("/interview", {"action": "skip", "question": found.group(1)}))
        if str(page.url).endswith("/plan"):
            return
    raise SystemExit("the interview did not end")


def add_incident(user: User, number: int) -> None:
    user.get("/journal/new")
    data: dict[str, str | list[str]] = {
        "when_date": "2026-11-20",
        "what": f"He shouted at me in the corridor again (benchmark entry {number}).",
    }
    user.post("/journal/new", data, files=[("files", ("", b"", "application/octet-stream"))])


# --- steady load -------------------------------------------------------------------------------


def person_turn(user: User, rng: random.Random, number: int) -> None:
    """One step of a person's visit, weighted like a real one: mostly the plan."""
    choice = rng.choices(["plan", "journal", "case", "answer", "incident"], [5, 2, 2, 1, 1])[0]
    if choice == "plan":
        user.get("/plan")
    elif choice == "journal":
        user.get("/journal")
    elif choice == "case":
        user.get("/case")
    elif choice == "answer":  # "Change my last answer", then the same answer again
        user.get("/plan")
        user.post("/interview", {"action": "back", "question": ""})
        finish_interview(user)
    else:
        add_incident(user, number)


def advocate_turn(user: User, rng: random.Random, cases: list[str]) -> None:
    choice = rng.choices(["caseload", "case", "account"], [3, 3, 1])[0]
    if choice == "caseload" or not cases:
        page = user.get("/advocate")
        cases[:] = _CASE.findall(page.text)
    elif choice == "case":
        user.get(rng.choice(cases))
    else:
        user.get("/account")


# --- processes and the database ------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new empty database on the same server, dropped afterwards."""
    name = f"ally_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def seed(url: str, advocates: int) -> dict[str, tuple[str, str]]:
    """The organisation and its advocates: login -> (account id, TOTP secret)."""
    from ally.hosted.accounts import Accounts
    from ally.hosted.store import HostedStore

    store = HostedStore(url)
    try:
        accounts = Accounts(store)
        org = accounts.create_org("Benchmark Shelter", ORG, open_signup=True)
        made = {}
        for n in range(advocates):
            staff = accounts.add_staff(org, f"advocate{n}", "advocate", PASSWORD)
            made[staff.account.login] = (staff.account.id, staff.totp_secret)
        return made
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def app_processes(url: str, work: Path, count: int = 2) -> Iterator[list[tuple[int, int]]]:
    """``count`` app processes started as an operator would: (pid, port) each."""
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for n in range(count):
            port = free_port()
            env = {**os.environ, "ALLY_HOME": str(work / f"app{n}")}
            process = subprocess.Popen(
                [sys.executable, "-m", "ally.cli.main", "serve", "--hosted", "--port", str(port),
                 "--database", url],
                env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            started.append((process, port))
            # One after the other: two processes making the web tables at once can collide in
            # PostgreSQL's catalogue (CREATE TABLE IF NOT EXISTS is not safe against a race).
            wait_for(process, port)
        yield [(process.pid, port) for process, port in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("an app process stopped while starting")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("an app process did not start listening")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class DbCounters:
    active_ms: float
    commits: int
    backend_cpu: float
    tables: dict[str, tuple[int, int]]
    """Per kind of table (vault tables summed over every person's schema): scans, rows written."""


def table_counters(url: str) -> dict[str, tuple[int, int]]:
    """Index and sequential scans, and rows inserted, updated or deleted, per table name."""
    totals: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        rows = conn.execute(
            "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0),"
            " n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables"
        ).fetchall()
    for table, scans, writes in rows:
        before = totals[table]
        totals[table] = (before[0] + scans, before[1] + writes)
    return dict(totals)


def db_counters(admin_url: str, url: str) -> DbCounters:
    """This database's statement time and commits, and the CPU of its server processes."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        active, commits = conn.execute(
            "SELECT active_time, xact_commit FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone() or (0.0, 0)
        pids = [
            row[0]
            for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))
        ]
    cpu = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # not on this machine, or ended
            cpu += cpu_seconds(pid)
    return DbCounters(float(active), int(commits), cpu, table_counters(url))


# --- the run -----------------------------------------------------------------------------------


def run_all(threads: Sequence[Callable[[], object]]) -> None:
    running = [threading.Thread(target=target) for target in threads]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=8)
    parser.add_argument("--advocates", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=40, help="requests per page for the costs")
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "ALLY_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server where this script may create and drop a database",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.database) as url:
        work = Path(folder)
        os.environ["ALLY_SERVER_KEY_FILE"] = str(work / "server.key")  # one for both processes
        staff = seed(url, args.advocates)
        with app_processes(url, work) as apps:
            arrival, steady, counters = drive(args, url, staff, apps)
    report(args, arrival, steady, counters, load_before, os.getloadavg())


def drive(
    args: argparse.Namespace,
    url: str,
    staff: dict[str, tuple[str, str]],
    apps: list[tuple[int, int]],
) -> tuple[Log, Log, dict[str, float]]:
    arrival = Log()
    ports = [port for _, port in apps]
    advocates = [User(ports, arrival, n) for n in range(args.advocates)]
    logins = list(staff)
    began = time.perf_counter()
    run_all(
        [
            partial(advocate_arrives, u, logins[n], staff[logins[n]][1])
            for n, u in enumerate(advocates)
        ]
    )
    persons = [User(ports, arrival, n) for n in range(args.persons)]
    run_all([
        partial(person_arrives, u, f"person{n}", staff[logins[n % len(logins)]][0])
        for n, u in enumerate(persons)
    ])  # fmt: skip
    arrival_seconds = time.perf_counter() - began

    steady = Log()
    for user in [*advocates, *persons]:
        user.log = steady
    stop = time.monotonic() + args.seconds

    def person_loop(user: User, n: int) -> None:
        rng = random.Random(n)
        turn = 1
        while time.monotonic() < stop:
            person_turn(user, rng, turn)
            turn += 1

    def advocate_loop(user: User, n: int) -> None:
        rng = random.Random(1000 + n)
        cases: list[str] = []
        while time.monotonic() < stop:
            advocate_turn(user, rng, cases)

    cpu_before = sum(cpu_seconds(pid) for pid, _ in apps)
    db_before = db_counters(args.database, url)
    began = time.perf_counter()
    run_all(
        [partial(person_loop, u, n) for n, u in enumerate(persons)]
        + [partial(advocate_loop, u, n) for n, u in enumerate(advocates)]
    )
    elapsed = time.perf_counter() - began
    db_after = db_counters(args.database, url)
    cpu_after = sum(cpu_seconds(pid) for pid, _ in apps)
    counters = {
        "arrival_seconds": arrival_seconds,
        "elapsed": elapsed,
        "app_cpu": cpu_after - cpu_before,
        "db_active_s": (db_after.active_ms - db_before.active_ms) / 1000,
        "db_commits": db_after.commits - db_before.commits,
        "db_cpu": db_after.backend_cpu - db_before.backend_cpu,
    }
    for table, (scans, writes) in db_after.tables.items():
        was = db_before.tables.get(table, (0, 0))
        counters[f"scans {table}"] = scans - was[0]
        counters[f"writes {table}"] = writes - was[1]
    counters.update(page_costs(args, url, persons[0], advocates[0], [pid for pid, _ in apps]))
    return arrival, steady, counters


def page_costs(
    args: argparse.Namespace, url: str, person: User, advocate: User, pids: list[int]
) -> dict[str, float]:
    """Server CPU and database time per request of each kind, one request at a time (the
    other users have stopped): steadier than the mix's latencies on a shared machine, and what
    docs/scale.md multiplies by its own mix of pages."""
    person.log = advocate.log = Log()
    cases = _CASE.findall(advocate.get("/advocate").text)
    actions: dict[str, tuple[User, Callable[[int], object]]] = {
        "GET /plan (a reload)": (person, lambda n: person.get("/plan")),
        "GET /journal": (person, lambda n: person.get("/journal")),
        "GET /case": (person, lambda n: person.get("/case")),
        "record an incident (GET form + POST)": (person, lambda n: add_incident(person, 1000 + n)),
        "GET /advocate (caseload)": (advocate, lambda n: advocate.get("/advocate")),
        "GET /advocate/cases/{id}": (advocate, lambda n: advocate.get(cases[n % len(cases)])),
        "GET /account": (advocate, lambda n: advocate.get("/account")),
    }
    costs: dict[str, float] = {}
    for label, (_user, action) in actions.items():
        action(0)  # warm (both processes: a form and its POST go to different ones)
        action(0)
        cpu, db = _cpu(pids), db_counters(args.database, url).active_ms
        for n in range(args.repeat):
            action(n)
        costs[f"cpu {label}"] = (_cpu(pids) - cpu) / args.repeat * 1000
        costs[f"db {label}"] = (db_counters(args.database, url).active_ms - db) / args.repeat
    return costs


def _cpu(pids: Sequence[int]) -> float:
    """Both app processes' CPU: the requests of one kind alternate between them."""
    return sum(cpu_seconds(pid) for pid in pids)


def table(log: Log) -> list[str]:
    pages: dict[str, list[Sample]] = defaultdict(list)
    for sample in log.samples:
        pages[sample.page].append(sample)
    lines = ["| page | requests | p50 | p99 | errors |", "|---|---:|---:|---:|---:|"]
    for page, samples in sorted(pages.items(), key=lambda item: -len(item[1])):
        times = sorted(s.seconds * 1000 for s in samples)
        errors = sum(1 for s in samples if s.status not in (200, 303))
        lines.append(
            f"| {page} | {len(samples):,} | {_pct(times, 50):.1f} ms | {_pct(times, 99):.1f} ms | {errors} |"
        )
    return lines


def _pct(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def report(
    args: argparse.Namespace, arrival: Log, steady: Log, counters: dict[str, float],
    load_before: tuple[float, float, float], load_after: tuple[float, float, float],
) -> None:  # fmt: skip
    requests = len(steady.samples)
    errors = sum(1 for s in [*arrival.samples, *steady.samples] if s.status not in (200, 303))
    busy = sum(s.seconds for s in steady.samples)
    print(
        f"2 app processes (every user's requests alternating between them), {args.persons} "
        f"persons, {args.advocates} advocates; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"\nArrival ({len(arrival.samples)} requests in {counters['arrival_seconds']:.1f} s):\n")
    print("\n".join(table(arrival)))
    print(f"\nSteady load, {counters['elapsed']:.0f} s:\n")
    print("\n".join(table(steady)))
    print()
    print(f"requests/s: {requests / counters['elapsed']:,.1f}")
    print(f"errors (arrival and steady): {errors}")
    print(f"app processes' CPU per request: {counters['app_cpu'] / max(requests, 1) * 1000:.2f} ms")
    print(
        f"database: {counters['db_active_s']:.2f} s running statements of {busy:.1f} s of "
        f"request time = {counters['db_active_s'] / max(busy, 1e-9):.1%}; "
        f"{counters['db_commits'] / max(requests, 1):.2f} commits and "
        f"{counters['db_cpu'] / max(requests, 1) * 1000:.2f} ms of server CPU per request"
    )
    print("\nOne request at a time (--repeat each): app CPU and database statement time")
    print("| request | app CPU | database |")
    print("|---|---:|---:|")
    for name in counters:
        if name.startswith("cpu "):
            label = name[4:]
            print(f"| {label} | {counters[name]:.1f} ms | {counters['db ' + label]:.2f} ms |")
    print("\nPer request, by table (vault tables summed over every journal): scans, rows written")
    tables = sorted(
        (name.split(" ", 1)[1] for name in counters if name.startswith("scans ")),
        key=lambda name: -counters[f"scans {name}"],
    )
    for name in tables:
        scans, writes = counters[f"scans {name}"], counters[f"writes {name}"]
        if scans or writes:
            print(f"  {name}: {scans / max(requests, 1):.2f}, {writes / max(requests, 1):.2f}")


if __name__ == "__main__":
    main()
