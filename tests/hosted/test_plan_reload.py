"""Hosted plan reloads (issue 19): with the journal open, a reload whose inputs did not change is
answered from the page cache before the case is read; anything written to the journal (an
incident, a step's status, from this process or another) shows at once; two people never
share a page. On real PostgreSQL, as hosted Ally runs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from ally.case.store import VaultCase
from ally.hosted.accounts import vault_location
from ally.model.case import StatusEvent, StepStatus
from ally.vault import Vault
from ally.web.state import WebState
from tests.web.conftest import Browser
from tests.web.test_advocate_pages import JOURNAL, World, add_entry, person, world
from tests.web.test_case_pages import answer_all, text_of
from tests.web.test_one_deadline import ANSWERS, DUE, WITHOUT_JOURNAL

pytestmark = pytest.mark.postgres
__all__ = ["world"]  # a fixture, used by name


def _day(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def _state(world: World) -> WebState:
    state: WebState = world.app.state.web
    return state


def _with_journal(world: World, name: str) -> Browser:
    who = person(world, name)
    answer_all(who, ANSWERS)
    who.open("/journal")
    made = who.submit("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL})
    assert made.status_code == 200
    return who


def _case_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every read of a case's events (each decrypts every case entry)."""
    reads: list[int] = []
    original: Callable[[VaultCase], list[object]] = VaultCase.events  # type: ignore[assignment]

    def counted(case: VaultCase) -> list[object]:
        reads.append(1)
        return original(case)

    monkeypatch.setattr(VaultCase, "events", counted)
    return reads


def test_a_reload_is_served_before_the_case_is_read_and_a_new_incident_shows_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = _with_journal(world, "alice")
    alice.open("/plan")  # records the answers in the case: this page is not kept
    built = alice.open("/plan")
    assert f"{_day(WITHOUT_JOURNAL)}" in text_of(built.text)  # counted from the answers
    reads = _case_reads(monkeypatch)
    reload = alice.open("/plan")
    assert reload.status_code == 200 and reload.text == built.text
    assert reads == []  # answered from the cache: the case was not read or decrypted
    add_entry(alice, "He followed me to the car park.")  # dated 25 April: moves the deadline
    reads.clear()
    after = alice.open("/plan")
    assert reads  # the journal changed: the page was built again
    assert _day(DUE) in text_of(after.text) and _day(DUE) not in text_of(built.text)
    reads.clear()
    assert alice.open("/plan").text == after.text and reads == []


def test_a_status_written_by_another_process_shows_on_the_next_reload(world: World) -> None:
    alice = _with_journal(world, "alice")
    alice.open("/plan")
    plan = alice.open("/plan")
    assert 'aria-pressed="true"' not in plan.text
    assert alice.open("/plan").text == plan.text  # kept
    step = re.search(r'name="step" value="([^"]+)"', alice.open("/plan/steps/1").text)
    assert step
    # Another app process (or a worker) writes to the same journal in PostgreSQL.
    with world.store.transaction() as db:
        [(schema,)] = db.query("SELECT vault FROM hosted_accounts WHERE login = 'alice'")
    other = Vault.open(vault_location(world.store.url, str(schema)), JOURNAL)
    VaultCase(other).record(
        StatusEvent(on=dt.date(2026, 5, 2), step=step.group(1), status=StepStatus.REFUSED)
    )
    other.close()
    marked = alice.open("/plan")
    assert 'value="refused" class="secondary" aria-pressed="true"' in marked.text


def test_two_people_with_the_same_answers_and_journals_never_share_a_page(
    world: World,
) -> None:
    alice = _with_journal(world, "alice")
    bob = _with_journal(world, "bob")
    for who in (alice, bob):
        who.open("/plan")
    pages = {name: who.open("/plan").text for name, who in (("alice", alice), ("bob", bob))}
    again = {name: who.open("/plan").text for name, who in (("alice", alice), ("bob", bob))}
    assert again == pages  # each served their own page from the cache
    assert pages["alice"] != pages["bob"]
    tokens = {name: _csrf(page) for name, page in pages.items()}
    assert tokens["alice"] != tokens["bob"]
    for name, who in (("alice", alice), ("bob", bob)):
        assert _csrf(who.open("/journal").text) == tokens[name]  # the page is this person's
    owners = {entry.owner for entry in _state(world).pages._entries.values()}
    assert len(owners) == 2
