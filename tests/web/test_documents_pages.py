"""Letters, the evidence report and the deadline calendar, from the plan and the real journal.

Downloads are form posts answered as attachments; nothing the person wrote goes in a URL.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from ally.web import create_app
from tests.web.conftest import Browser, Clock, make_config
from tests.web.test_case_pages import (
    PASSPHRASE,
    WORK,
    Today,
    answer_all,
    mark_on_plan,
    open_journal,
    text_of,
)
from tests.web.test_journal import add_incident

HR = "Make a formal complaint to HR"
EEOC = "File a charge with the EEOC"


@pytest.fixture
def today() -> Today:
    return Today()


@pytest.fixture
def person(tmp_path: Path, clock: Clock, today: Today) -> Iterator[Browser]:
    app = create_app(make_config(tmp_path / "web.sqlite3", clock, today=today))
    with TestClient(app) as client:
        yield Browser(client)


@pytest.fixture
def planned(person: Browser) -> Browser:
    answer_all(person, WORK)
    return person


def letter_link(plan_html: str, step_title: str) -> str:
    article = re.search(
        r'<article class="step"[^>]*>\s*<h3[^>]*>\d+\. ' + re.escape(step_title) + r".*?</article>",
        plan_html,
        re.S,
    )
    assert article, step_title
    link = re.search(r'href="(/letters/\d+)"', article.group(0))
    assert link, f"no letter link under {step_title}"
    return link.group(1)


def draft_text(html: str) -> str:
    found = re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', html, re.S)
    assert found
    return found.group(1)


def test_each_writing_step_links_to_its_letter_and_others_do_not(planned: Browser) -> None:
    plan = planned.open("/plan").text
    assert letter_link(plan, HR).startswith("/letters/")
    keep = re.search(r'<article class="step".*?Keep a record.*?</article>', plan, re.S)
    assert keep is None or "/letters/" not in keep.group(0)
    documents = text_of(planned.open("/documents").text)
    assert "Formal complaint to HR" in documents
    # The harasser is the person's own manager: no cease-and-desist is offered or written.
    assert "Cease-and-desist letter" not in documents
    refused = planned.open("/letters/extra/1")
    assert refused.status_code == 409 and "your own manager" in refused.text


def test_the_draft_is_editable_and_downloads_exactly_as_edited(planned: Browser) -> None:
    page = planned.open(letter_link(planned.open("/plan").text, HR))
    assert page.status_code == 200
    assert "<h1>Formal complaint to HR</h1>" in page.text
    assert draft_text(page.text).startswith("Subject:")
    edited = "Subject: My complaint\r\n\r\nDear HR,\r\nI was harassed. Ünïcode kept.\r\n"
    download = planned.post("/letters/download", {"text": edited, "format": "txt"})
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="ally-letter.txt"'
    assert download.headers["content-type"].startswith("text/plain")
    assert download.content.decode() == edited.replace("\r\n", "\n")
    markdown = planned.post("/letters/download", {"text": edited, "format": "md"})
    assert markdown.headers["content-disposition"].endswith('filename="ally-letter.md"')


def test_details_are_kept_in_the_session_and_fill_every_letter(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    planned.open(link)
    saved = planned.post(
        f"{link}/details",
        {"your_name": "Ana Gómez", "organisation": "Acme Ltd", "links": "https://a.example\n"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"{link}#draft"
    assert "Ana" not in saved.headers["location"]
    letter = draft_text(planned.open(link).text)
    assert "Ana Gómez" in letter and "Acme Ltd" in letter
    other = draft_text(planned.open(letter_link(planned.open("/plan").text, EEOC)).text)
    assert "Ana Gómez" in other


def test_bad_details_are_explained_and_change_nothing(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    planned.open(link)
    planned.post(f"{link}/details", {"your_name": "Ana"})
    planned.open(link)
    too_long = planned.post(f"{link}/details", {"your_name": "B" * 501})
    assert too_long.status_code == 422 and 'role="alert"' in too_long.text
    assert "Ana" in draft_text(planned.open(link).text)
    limit = planned.post(f"{link}/details", {"max_chars": "lots"})
    assert limit.status_code == 422
    no_token = planned.client.post(
        f"{link}/details", data={"your_name": "Mallory"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert "Mallory" not in draft_text(planned.open(link).text)


def test_a_letter_cites_the_journal_when_it_is_open(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    open_journal(planned)
    planned.submit("/journal/lock", {})
    assert "Your journal is locked" in planned.open(link).text
    planned.submit("/journal/unlock", {"passphrase": PASSPHRASE})
    list(add_incident(planned, [], what="He cornered me in the stock room."))
    letter = draft_text(planned.open(link).text)
    assert "He cornered me in the stock room." in letter


def test_letters_that_do_not_exist_are_a_friendly_404(planned: Browser) -> None:
    plan = planned.open("/plan").text
    numbers = [int(n) for n in re.findall(r'id="step-(\d+)"', plan)]
    with_letters = {int(n) for n in re.findall(r'href="/letters/(\d+)"', plan)}
    without = next(n for n in numbers if n not in with_letters)
    assert planned.open(f"/letters/{without}").status_code == 404
    assert planned.open("/letters/999").status_code == 404
    assert planned.open("/letters/extra/9").status_code == 404
    assert planned.open("/letters/0").status_code == 400


def test_a_letter_download_needs_its_token_and_some_text(planned: Browser) -> None:
    planned.open("/documents")
    no_token = planned.client.post("/letters/download", data={"text": "x", "format": "txt"})
    assert no_token.status_code == 403
    empty = planned.post("/letters/download", {"text": "  \r\n", "format": "txt"})
    assert empty.status_code == 400


def test_the_letter_page_speaks_spanish(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    planned.submit("/language", {"lang": "es", "next": link})
    page = planned.open(link)
    assert "Queja formal a Recursos Humanos" in page.text
    assert '<html lang="es">' in page.text


def test_the_report_downloads_in_each_format_from_the_open_journal(
    planned: Browser, tmp_path: Path
) -> None:
    open_journal(planned)
    list(add_incident(planned, [("photo.png", b"\x89PNG not really")], what="He shouted at me."))
    planned.open("/documents")
    form = {"paper": "A4", "title": "", "name": "Ana Gómez", "since": "", "until": ""}
    pdf = planned.post("/documents/report", {**form, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="ally-evidence-report.pdf"'
    assert pdf.headers["content-type"] == "application/pdf"
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is required (Debian package poppler-utils)"
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    words = subprocess.run(
        [pdftotext, str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "He shouted at me." in words and "Ana Gómez" in words
    word = planned.post("/documents/report", {**form, "format": "docx"})
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert any("He shouted at me." in text for text in paragraphs)
    assert any("Ana Gómez" in text for text in paragraphs)
    markdown = planned.post("/documents/report", {**form, "format": "md"})
    assert "He shouted at me." in markdown.text and "Ana Gómez" in markdown.text
    assert "photo.png" in markdown.text
    assert markdown.headers["content-disposition"].startswith("attachment;")


def test_report_choices_are_checked(planned: Browser) -> None:
    open_journal(planned)
    planned.open("/documents")
    form = {"paper": "A4", "format": "pdf"}
    bad_date = planned.post("/documents/report", {**form, "since": "yesterday"})
    assert bad_date.status_code == 422 and 'role="alert"' in bad_date.text
    backwards = planned.post(
        "/documents/report", {**form, "since": "2026-03-01", "until": "2026-01-01"}
    )
    assert backwards.status_code == 422
    assert planned.post("/documents/report", {**form, "format": "exe"}).status_code == 400
    no_token = planned.client.post("/documents/report", data=form)
    assert no_token.status_code == 403


def test_the_report_needs_the_journal_open(planned: Browser) -> None:
    page = planned.open("/documents")
    assert 'href="/journal?next=/documents"' in page.text
    refused = planned.post("/documents/report", {"format": "pdf", "paper": "A4"})
    assert refused.status_code == 403


def test_the_calendar_has_the_plans_deadlines_and_follow_ups(planned: Browser) -> None:
    mark_on_plan(planned, HR, "no_answer")
    planned.open("/documents")
    response = planned.post("/documents/calendar", {})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="ally-deadlines.ics"'
    calendar = Calendar.from_ical(response.content)
    titles = [str(event.get("summary")) for event in calendar.walk("VEVENT")]
    assert any(title.startswith("Deadline:") and "EEOC" in title for title in titles)
    assert any(title.startswith("Follow up:") for title in titles)
    discreet = Calendar.from_ical(planned.post("/documents/calendar", {"discreet": "yes"}).content)
    assert {str(event.get("summary")) for event in discreet.walk("VEVENT")} == {"Reminder"}
    assert planned.client.post("/documents/calendar", data={"discreet": ""}).status_code == 403


def test_without_a_plan_the_documents_page_explains(person: Browser) -> None:
    page = text_of(person.open("/documents").text)
    assert "Answer the questions to get your plan" in page
    assert person.open("/letters/1").status_code == 404
    person.open("/documents")
    assert person.post("/documents/calendar", {}).status_code == 404
    assert person.open("/letters/extra/1").status_code == 200  # needs no plan


def test_an_abuse_report_also_downloads_as_xarf(person: Browser) -> None:
    answer_all(
        person,
        {"in_danger_now": "no", "context": ["online"], "online_where": ["website"]},
        pack="generic",
    )
    plan = person.open("/plan").text
    links = re.findall(r'href="(/letters/\d+)"', plan)
    abuse = next((href for href in links if "/xarf" in person.open(href).text), None)
    assert abuse, "the plan has no abuse report to a host"
    person.open(abuse)
    missing = person.post(f"{abuse}/xarf", {})
    assert missing.status_code == 422 and "X-ARF report needs your email" in missing.text
    person.post(
        f"{abuse}/details",
        {"your_email": "ana@example.org", "links": "https://bad.example/post/1"},
    )
    person.open(abuse)
    # Nothing in the journal says the content posts personal details, and X-ARF v4 has no
    # type for other harassment: no file, and the page says why (documents/xarf.py).
    report = person.post(f"{abuse}/xarf", {})
    assert report.status_code == 422 and "X-ARF has no type for harassment" in report.text
    assert "--" not in text_of(report.text).split("X-ARF has no type")[1][:300]
    assert person.client.post(f"{abuse}/xarf", data={"x": ""}).status_code == 403


def test_letter_pages_speak_web_not_terminal(planned: Browser) -> None:
    """Advice on a letter page names no terminal command or option (item 9 of issue 17)."""
    plan = planned.open("/plan").text
    for link in sorted(set(re.findall(r'href="(/letters/\d+)"', plan))):
        words = text_of(planned.open(link).text)
        assert not re.search(r"(?<![\w-])--[a-z]", words), link
        assert "ally calendar" not in words and "ally letter" not in words, link


def hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def ticked_entries(html: str) -> dict[str, bool]:
    """The journal entries offered on a letter page: the label's words, and whether ticked."""
    found = {}
    for box, label in re.findall(
        r'(<input type="checkbox" name="entry"[^>]*>)\s*<label[^>]*>(.*?)</label>', html, re.S
    ):
        found[text_of(label).strip()] = " checked" in box
    return found


def entry_ids(html: str) -> dict[str, str]:
    return {
        text_of(label).strip(): value
        for value, label in re.findall(
            r'<input type="checkbox" name="entry"[^>]*value="([^"]+)"[^>]*>\s*<label[^>]*>(.*?)'
            r"</label>",
            html,
            re.S,
        )
    }


def test_the_letter_page_asks_details_first_then_lists_entries_then_the_draft(
    planned: Browser,
) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    open_journal(planned)
    list(add_incident(planned, [], what="He cornered me in the stock room."))
    list(
        add_incident(planned, [], what="He read my private messages aloud.", when_date="2026-05-04")
    )
    page = planned.open(link).text
    order = [page.index(f'id="{name}-heading"') for name in ("details", "included", "draft")]
    assert order == sorted(order), "details first, then what the letter includes, then the draft"
    assert "Start here" in page
    entries = ticked_entries(page)
    assert len(entries) == 2 and all(entries.values()), entries
    assert any("stock room" in label and label.startswith("Incident") for label in entries)
    assert "no incident is marked as about work, so all are ticked" in section_text(
        page, "included"
    )
    # Untick one and write the draft again: the letter leaves it out, and says it was chosen.
    ids = entry_ids(page)
    keep = next(value for label, value in ids.items() if "stock room" in label)
    planned.post(
        f"{link}/details",
        {"entries_shown": "1", "entry": [keep], "drafted": hidden(page, "drafted"), "text": ""},
    )
    again = planned.open(link).text
    letter = draft_text(again)
    assert "He cornered me in the stock room." in letter
    assert "private messages" not in letter
    after = ticked_entries(again)
    assert [label for label, ticked in after.items() if not ticked] == [
        next(label for label in after if "private messages" in label)
    ]
    assert "you did not choose it" in section_text(again, "included")
    assert "Start here" not in again


def section_text(html: str, heading: str) -> str:
    found = re.search(rf'<section aria-labelledby="{heading}-heading".*?</section>', html, re.S)
    assert found, heading
    return text_of(found.group(0))


def test_writing_the_draft_again_keeps_the_persons_changes(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    page = planned.open(link).text
    drafted = hidden(page, "drafted")
    # Unchanged (a browser sends CRLF): the new draft simply replaces it.
    unchanged = draft_text(page).replace("&#39;", "'").replace("&amp;", "&")
    planned.post(
        f"{link}/details",
        {"your_name": "Ana Gómez", "text": unchanged.replace("\n", "\r\n"), "drafted": drafted},
    )
    page = planned.open(link).text
    assert "Ana Gómez" in draft_text(page) and "You changed this letter" not in page
    mine = "Subject: My complaint\r\n\r\nIn my own words, about my manager.\r\n"
    planned.post(
        f"{link}/details",
        {"your_name": "Ana María Gómez", "text": mine, "drafted": hidden(page, "drafted")},
    )
    kept = planned.open(link).text
    assert draft_text(kept) == "Subject: My complaint\n\nIn my own words, about my manager.\n"
    assert "You changed this letter" in kept
    new = re.search(r'<textarea id="new-draft"[^>]*>(.*?)</textarea>', kept, re.S)
    assert new and "Ana María Gómez" in new.group(1), "the new draft is shown beside it"
    # Still kept after another change of details, until the person chooses the new draft.
    planned.post(
        f"{link}/details",
        {"your_name": "Ana María Gómez", "text": mine, "drafted": hidden(kept, "drafted")},
    )
    assert "In my own words" in draft_text(planned.open(link).text)
    planned.post(f"{link}/discard", {"text": mine})
    fresh = planned.open(link).text
    assert "In my own words" not in draft_text(fresh) and "Ana María Gómez" in draft_text(fresh)
    assert 'id="new-draft"' not in fresh


def test_a_recipients_details_stay_with_their_letter(planned: Browser) -> None:
    plan = planned.open("/plan").text
    hr, eeoc = letter_link(plan, HR), letter_link(plan, EEOC)
    planned.open(hr)
    planned.post(
        f"{hr}/details",
        {
            "your_name": "Ana Gómez",
            "organisation": "Acme Ltd",
            "reference": "HR-2211",
            "outcome": "Move me to another team",
        },
    )
    assert "Move me to another team" in draft_text(planned.open(hr).text)
    agency = draft_text(planned.open(eeoc).text)
    assert "Ana Gómez" in agency, "details about the person are kept for every letter"
    assert "Acme Ltd" in agency, "the employer named to HR is the respondent of the charge"
    assert "HR-2211" not in agency and "another team" not in agency
    form = planned.open(eeoc).text
    assert 'value="HR-2211"' not in form and 'value="Ana Gómez"' in form


def test_the_checklist_and_notices_speak_spanish(planned: Browser) -> None:
    link = letter_link(planned.open("/plan").text, HR)
    open_journal(planned)
    list(add_incident(planned, [], what="Me gritó en la reunión."))
    planned.submit("/language", {"lang": "es", "next": link})
    page = planned.open(link).text
    assert "Lo que incluye la carta" in page and "Sus datos" in page
    assert "ningún incidente está marcado como relacionado con el trabajo" in section_text(
        page, "included"
    )
    assert "Incidente" in " ".join(ticked_entries(page))


def every_letter_page(person: Browser) -> list[str]:
    plan = person.open("/plan").text
    links = sorted(set(re.findall(r'href="(/letters/\d+)"', plan)))
    documents = person.open("/documents").text
    return links + sorted(set(re.findall(r'href="(/letters/extra/\d+)"', documents)))


CLI_WORDS = re.compile(
    r"(?<![\w-])--[a-z]|\bally (?:letter|vault|case|calendar|report|plan|directory)\b"
    r"|details file|`"
)


@pytest.mark.parametrize(
    ("pack", "language", "answers"),
    [
        ("us", "en", WORK),
        (
            "generic",
            "en",
            {
                "in_danger_now": "no",
                "context": ["work", "online", "housing", "venue", "school"],
                "online_where": ["website", "social"],
                "harasser": ["coworker"],
                "sexual": "yes",
                "threats": "yes",
                "stalking": "yes",
            },
        ),
        (
            "us-ak",
            "es",
            {
                "in_danger_now": "no",
                "context": ["work", "housing", "venue", "online"],
                "online_where": ["website"],
                "harasser": ["coworker"],
                "sexual": "yes",
                "protected_ground": "yes",
                "employer_size": "40",
            },
        ),
        ("gb", "fr", {"in_danger_now": "no", "context": ["work", "online"], "sexual": "yes"}),
    ],
)
def test_every_letter_page_speaks_web_not_terminal(
    person: Browser, pack: str, language: str, answers: dict[str, object]
) -> None:
    """No page names a terminal command or option, with the journal open, details given, an
    entry listed and a kept change (item 9 of issue 17)."""
    answer_all(person, answers, pack=pack)
    open_journal(person)
    list(add_incident(person, [], what="He posted about me on https://bad.example/post/1"))
    person.submit("/language", {"lang": language, "next": "/documents"})
    pages = every_letter_page(person)
    assert len(pages) >= 3, pages
    first = True
    for link in pages:
        page = person.open(link)
        assert page.status_code in (200, 409), link
        if page.status_code == 409:
            continue
        details = {
            "your_name": "Ana",
            "your_email": "ana@example.org",
            "links": "https://bad.example/post/1\nhttps://other.example/x",
            "reference": "REF-1",
            "text": "Mi carta" if first else "",
            "drafted": hidden(page.text, "drafted"),
        }
        first = False
        person.post(f"{link}/details", details)
        words = text_of(person.open(link).text)
        found = CLI_WORDS.search(words)
        assert found is None, (link, words[max(0, found.start() - 80) : found.end() + 80])
