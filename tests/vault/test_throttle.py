"""Unlock throttling: a bounded number of derivations at once, and back-off after failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ally.storage.database import Database
from ally.vault.throttle import (
    BackoffPolicy,
    LocalGate,
    MemoryLedger,
    SqlLedger,
    TooManyAttemptsError,
    UnlockBusyError,
    UnlockThrottle,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_failures_are_free_then_the_wait_doubles_up_to_a_cap() -> None:
    policy = BackoffPolicy(free_failures=3, base_seconds=1, max_seconds=60)
    assert [policy.delay(n) for n in range(0, 11)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60]
    assert policy.delay(10_000) == 60


def test_a_session_must_wait_after_repeated_failures_and_success_clears_it() -> None:
    clock = FakeClock()
    throttle = UnlockThrottle(LocalGate(2), MemoryLedger(), clock=clock)
    keys = {"session": "s1", "client": "10.0.0.1"}
    for _ in range(4):
        with throttle.attempt(keys) as attempt:
            attempt.failed()
    with pytest.raises(TooManyAttemptsError) as refused, throttle.attempt(keys):
        raise AssertionError("admitted while backing off")
    assert refused.value.retry_after == 1
    assert "Wait 1 second" in str(refused.value)
    other = {"session": "s2", "client": "10.0.0.2"}
    with throttle.attempt(other):
        pass  # someone else is not held back
    clock.now += 1.5
    with throttle.attempt(keys) as attempt:
        attempt.failed()  # the fifth failure: two seconds now
    assert throttle.retry_after(keys) == pytest.approx(2)
    clock.now += 2
    with throttle.attempt(keys) as attempt:
        attempt.succeeded()
    assert throttle.retry_after(keys) == 0
    with throttle.attempt(keys) as attempt:
        attempt.failed()
    assert throttle.retry_after(keys) == 0  # counting starts afresh after a success


def test_a_shared_address_gets_more_free_failures_than_a_session() -> None:
    clock = FakeClock()
    throttle = UnlockThrottle(LocalGate(2), MemoryLedger(), clock=clock)
    for session in range(10):  # ten people behind one address, each mistyping once
        with throttle.attempt({"session": f"s{session}", "client": "shelter"}) as attempt:
            attempt.failed()
    with throttle.attempt({"session": "s-new", "client": "shelter"}) as attempt:
        attempt.failed()
    with pytest.raises(TooManyAttemptsError):
        throttle.attempt({"session": "s-other", "client": "shelter"}).__enter__()


def test_old_failures_are_forgotten() -> None:
    clock = FakeClock()
    throttle = UnlockThrottle(LocalGate(2), MemoryLedger(), clock=clock)
    keys = {"session": "s"}
    for _ in range(8):
        clock.now += 400
        with throttle.attempt(keys) as attempt:
            attempt.failed()
    assert throttle.retry_after(keys) > 0
    clock.now += 3601
    assert throttle.retry_after(keys) == 0


def test_one_session_cannot_run_two_attempts_at_once() -> None:
    throttle = UnlockThrottle(LocalGate(2), MemoryLedger())
    with throttle.attempt({"session": "s", "client": "c"}):
        with pytest.raises(TooManyAttemptsError), throttle.attempt({"session": "s", "client": "c"}):
            pass
        with throttle.attempt({"session": "t", "client": "c"}):
            pass  # another session from the same address may
    with throttle.attempt({"session": "s", "client": "c"}):
        pass  # released


def test_the_memory_ledger_is_bounded() -> None:
    ledger = MemoryLedger(max_keys=100)
    for number in range(10_000):
        ledger.failed(f"session:{number}", 1.0)
    assert len(ledger._entries) == 100
    assert ledger.get("session:9999") == (1, 1.0)
    assert ledger.get("session:0") == (0, 0.0)


def _run_many(gate: LocalGate, count: int, hold_until: Callable[[list[str]], bool]) -> list[str]:
    """``count`` callers at once; each one let in keeps its slot until ``hold_until(outcomes
    so far)`` is true. Who is let in and who is refused then depends on the gate alone, not on
    how fast a busy machine runs the threads (with a fixed sleep as the work, callers started
    late could find the first ones already gone and be let in too)."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def work() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                if hold_until(list(outcomes)):
                    return
            time.sleep(0.005)

    def one() -> None:
        start.wait()
        try:
            with gate.slot():
                work()
            result = "ran"
        except UnlockBusyError:
            result = "busy"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_the_gate_runs_at_most_n_at_once_and_refuses_beyond_its_queue() -> None:
    gate = LocalGate(concurrency=2, queue=6, wait_seconds=30)
    # Two hold a slot and at most eight wait for one (the queue counts callers until they hold
    # a slot); every other caller is refused while they hold on.
    outcomes = _run_many(gate, 50, lambda done: done.count("busy") >= 50 - 10)
    assert len(outcomes) == 50  # every caller got an answer
    assert gate.most_running == 2
    assert outcomes.count("ran") >= 8 - 1  # two running and six queued (give or take a race)
    assert outcomes.count("busy") >= 50 - 8 - 2
    assert gate.running == 0


def test_the_gate_refuses_a_caller_that_waited_too_long() -> None:
    gate = LocalGate(concurrency=1, queue=5, wait_seconds=0.05)
    # The one let in holds its slot until the two others have given up waiting.
    outcomes = _run_many(gate, 3, lambda done: done.count("busy") == 2)
    assert outcomes.count("ran") == 1 and outcomes.count("busy") == 2


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_sql_ledger_keeps_counts_across_connections(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        str(tmp_path / "ledger.db") if kind == "sqlite" else request.getfixturevalue("pg_location")
    )
    first = Database(url)
    SqlLedger(first).failed("vault:this", 5.0)
    SqlLedger(first).failed("vault:this", 6.0)
    first.close()
    second = Database(url)
    ledger = SqlLedger(second)
    assert ledger.get("vault:this") == (2, 6.0)
    ledger.cleared("vault:this")
    assert ledger.get("vault:this") == (0, 0.0)
    second.close()
