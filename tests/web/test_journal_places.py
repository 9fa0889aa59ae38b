"""Where an incident happened, asked on the web form: letters choose incidents by it."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from starlette.testclient import TestClient

from ally.knowledge.loader import load_pack
from ally.web import create_app
from ally.web.person.places import PLACES
from tests.web.conftest import Browser, Clock, make_config
from tests.web.test_case_pages import WORK, Today, answer_all, open_journal, text_of
from tests.web.test_documents_pages import (
    HR,
    draft_text,
    letter_link,
    section_text,
    ticked_entries,
)
from tests.web.test_journal import add_incident

STOCK_ROOM = "He cornered me in the stock room."
POSTED = "He posted my photo on a forum."


PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def journal_at(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the journal lives: a folder (SQLite) or a new PostgreSQL schema (dropped after)."""
    if request.param == "sqlite":
        yield str(tmp_path / "vault")
        return
    schema = f"web_places_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:  # unreachable: fails, never skips
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def person(tmp_path: Path, clock: Clock, journal_at: str) -> Iterator[Browser]:
    """A browser on an Ally whose "today" the plan's deadlines can be checked against."""
    config = make_config(tmp_path / "web.sqlite3", clock, today=Today(), vault=journal_at)
    with TestClient(create_app(config)) as client:
        yield Browser(client)


def selected_place(html: str) -> str:
    """The value pre-selected in the form's "Where did it happen?" list."""
    menu = re.search(r'<select name="context".*?</select>', html, re.S)
    assert menu, "the form asks where it happened"
    chosen = re.findall(r'<option value="([^"]*)" selected>', menu.group(0))
    assert len(chosen) == 1, chosen
    return chosen[0]


def test_the_places_are_the_interviews_and_the_letters_values() -> None:
    question = load_pack("generic").question("context")
    assert [value for value, _ in PLACES] == [option.value for option in question.options]
    assert {"work", "online", "venue", "school", "housing"} <= {value for value, _ in PLACES}


def test_a_work_incident_goes_in_the_hr_letter_and_an_online_one_does_not(
    person: Browser,
) -> None:
    answer_all(person, WORK)
    link = letter_link(person.open("/plan").text, HR)
    open_journal(person)
    form = person.open("/journal/new").text
    assert selected_place(form) == "work", "the one place named in the interview is pre-selected"
    status, _ = add_incident(person, [], what=STOCK_ROOM, context="work")
    assert status == "303"
    posted = list(add_incident(person, [], what=POSTED, context="online", when_date="2026-05-04"))
    assert posted[0] == "303"
    timeline = text_of(person.open("/journal").text)
    assert "At work, or connected to my job" in timeline and "Online (messages" in timeline
    entry = text_of(person.open(posted[1]).text)
    assert "Where it happened" in entry and "Online (messages" in entry
    page = person.open(link).text
    ticked = ticked_entries(page)
    work = [label for label in ticked if "stock room" in label]
    assert len(work) == 1 and ticked[work[0]], ticked
    assert not any(ticked[label] for label in ticked if "posted my photo" in label), ticked
    assert "no incident is marked as about work" not in section_text(page, "included")
    letter = draft_text(page)
    assert STOCK_ROOM in letter and POSTED not in letter


def test_with_several_places_in_the_interview_none_is_pre_selected(person: Browser) -> None:
    answer_all(person, {**WORK, "context": ["work", "online"]})
    open_journal(person)
    assert selected_place(person.open("/journal/new").text) == ""


def test_the_form_in_spanish_shows_the_places_translated(person: Browser) -> None:
    open_journal(person)
    journal = person
    journal.submit("/language", {"lang": "es", "next": "/journal/new"})
    form = journal.open("/journal/new").text
    menu = re.search(r'<select name="context".*?</select>', form, re.S)
    assert menu and "¿Dónde pasó? (opcional)" in form
    words = text_of(menu.group(0))
    for spanish in (
        "En el trabajo, o relacionado con mi empleo",
        "En internet (mensajes, redes sociales, correo, juegos)",
        "No lo sé, o en otro sitio",
    ):
        assert spanish in words
    assert "At work" not in words and "Online" not in words


def test_a_hostile_place_is_refused_and_nothing_is_saved(person: Browser) -> None:
    open_journal(person)
    journal = person
    for hostile in ("<script>alert(1)</script>", "work,online", "Work", "../../etc"):
        page = journal.client.post(
            "/journal/new",
            data={
                "csrf": journal.csrf,
                "when_date": "2026-05-03",
                "what": "He shouted at me.",
                "context": hostile,
            },
            files=[("files", ("photo.jpg", b"a photo", "image/jpeg"))],
            follow_redirects=False,
        )
        assert page.status_code == 422, hostile
        assert "Ally does not know that place" in page.text and "Nothing was saved" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert "He shouted at me." in page.text, "what was typed is kept"
    timeline = journal.open("/journal").text
    assert "Nothing here yet" in timeline and "He shouted" not in timeline
