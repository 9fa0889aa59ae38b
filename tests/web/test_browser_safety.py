"""Safety on a shared device, in Debian's Chromium: quick exit leaves nothing that Back or the
address bar can show, the way out is always on screen on a phone, and Esc never throws away
what someone was writing. Screenshots at 390x844 are kept in test-artifacts/web/."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ally.web import create_app
from tests.web.browser_support import answer_on_page, axe_violations, click_and_load
from tests.web.conftest import JOURNAL_PASSPHRASE, LiveServer, keep_screenshot, make_config

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def desktop(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1024, "height": 900}, locale="en-US")
    yield context
    context.close()


def _answer_everything(page: Any, server: LiveServer) -> str:
    """The interview in the US pack, giving real answers; returns the plan page's text."""
    page.goto(server.url + "/interview/start")
    page.get_by_label("United States (federal)").check()
    click_and_load(page.get_by_role("button", name="Continue"))
    for _ in range(40):
        if page.url.endswith("/plan"):
            break
        answer_on_page(page)
    assert page.url.endswith("/plan")
    _unfold(page)
    text: str = page.locator("main").inner_text()
    assert "What you told us" in text
    return text


def _personal_lines(plan_text: str) -> list[str]:
    """The answers the plan shows back (each 'Question: answer' under 'What you told us')."""
    told = plan_text.split("What you told us", 1)[1].split("Sources", 1)[0]
    lines = [line.strip() for line in told.splitlines() if ":" in line]
    assert lines
    return lines


def _unfold(page: Any) -> None:
    """Open every folded part (the plan folds "What you told us" and each step's details), so
    the page's text is everything it holds, as a reader who opens them would see it."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _shows_nothing_personal(page: Any, lines: list[str]) -> None:
    _unfold(page)
    text = page.locator("body").inner_text()
    assert "What you told us" not in text
    for line in lines:
        assert line not in text, line


@pytest.mark.parametrize("save_code", [False, True], ids=["no-save-code", "save-code"])
def test_quick_exit_then_back_and_reopening_show_nothing_personal(
    desktop: Any, live_server: LiveServer, save_code: bool, artifacts: Path
) -> None:
    page = desktop.new_page()
    if save_code:
        page.goto(live_server.url + "/privacy")
        click_and_load(page.get_by_role("button", name="Make a save code"))
        click_and_load(page.get_by_role("link", name="Continue"))
    plan = _answer_everything(page, live_server)
    lines = _personal_lines(plan)
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(live_server.neutral)
    page.go_back()
    assert page.url.endswith("/locked"), page.url
    _shows_nothing_personal(page, lines)
    keep_screenshot(page, artifacts / f"exit-back-{'code' if save_code else 'nocode'}.png")
    page.goto(live_server.url + "/plan")  # typing the address again
    assert page.url.endswith("/locked")
    _shows_nothing_personal(page, lines)
    page.goto(live_server.url + "/")
    assert page.url.endswith("/locked")
    fresh = desktop.new_page()  # another tab in the same browser
    fresh.goto(live_server.url + "/plan")
    _shows_nothing_personal(fresh, lines)
    fresh.close()
    if save_code:  # the code is the way back, and it still works
        assert page.get_by_label("Your save code").count() == 1


def test_escape_outside_a_text_box_leaves_at_once(desktop: Any, live_server: LiveServer) -> None:
    page = desktop.new_page()
    plan = _answer_everything(page, live_server)
    lines = _personal_lines(plan)
    before = page.evaluate("history.length")
    page.locator("h1").first.click()
    page.keyboard.press("Escape")
    page.wait_for_url(live_server.neutral)
    assert page.evaluate("history.length") == before  # replaced, not added
    page.go_back()
    _shows_nothing_personal(page, lines)


def test_the_quick_exit_control_stays_in_view_on_a_phone(
    phone: Any, live_server: LiveServer, artifacts: Path
) -> None:
    page = phone.new_page()
    page.goto(live_server.url + "/interview/start")
    page.get_by_label("United States (federal)").check()
    click_and_load(page.get_by_role("button", name="Continue"))
    for _ in range(60):  # "I'd rather not say" to everything: the longest plan there is
        if page.url.endswith("/plan"):
            break
        click_and_load(page.get_by_role("button", name="I'd rather not say"))
    assert page.url.endswith("/plan")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 5 * PHONE["height"]
    bar = page.evaluate("document.querySelector('.top-bar').getBoundingClientRect().height")
    assert bar <= 64, f"the sticky bar takes {bar} px of 844"
    main_top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    assert main_top <= 220, f"the page starts {main_top} px down"
    keep_screenshot(page, artifacts / "phone-plan-top.png")
    exit_link = page.get_by_role("link", name="Quick exit")
    for fraction in (0.25, 0.5, 0.75, 1.0):
        page.evaluate(f"window.scrollTo(0, {fraction} * document.documentElement.scrollHeight)")
        box = exit_link.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (fraction, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (fraction, box)
        assert box["height"] >= 44 and box["width"] >= 44  # a thumb can hit it
        hit = page.evaluate(
            "(([x, y]) => document.elementFromPoint(x, y).id)",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == "quick-exit", (fraction, hit)  # nothing covers it
    keep_screenshot(page, artifacts / "phone-plan-bottom.png")
    exit_link.tap()
    page.wait_for_url(live_server.neutral)


def test_pages_on_a_phone_pass_axe_with_the_compact_header(
    phone: Any, live_server: LiveServer, artifacts: Path
) -> None:
    page = phone.new_page()
    for path, name in (("/", "welcome"), ("/privacy", "privacy"), ("/locked", "locked")):
        page.goto(live_server.url + path)
        keep_screenshot(page, artifacts / f"phone-{name}.png", full_page=True)
        assert axe_violations(page) == [], path
        if name == "locked":
            click_and_load(page.get_by_role("button", name="Start again"))


def test_escape_in_a_text_box_keeps_the_text_and_a_second_press_keeps_a_draft(
    phone: Any, live_server: LiveServer, artifacts: Path
) -> None:
    page = phone.new_page()
    page.clock.install()  # the page's clock, held still below while Esc is pressed
    page.goto(live_server.url + "/journal")
    if page.get_by_role("heading", name="Start your journal").count():
        page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
        page.get_by_label("The same passphrase again").fill(JOURNAL_PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Start my journal"))
        click_and_load(page.get_by_role("link", name="I have written it down. Continue"))
    else:
        page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Unlock"))
    click_and_load(page.get_by_role("link", name="Add an incident"))
    written = "He sent me eleven messages last night and came to the door at 2 am."
    box = page.get_by_label("What happened")
    box.fill(written)
    # Whether two presses came within a second is judged by the page's clock, which stands
    # still from here unless the test moves it: on a busy machine the screenshot between the
    # last two presses can take longer than a second, and the note's 2.5 s timer from the
    # first press could hide the second press's note before it is looked at.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # in seconds, a second on
    box.press("Escape")
    page.clock.run_for(1200)  # longer than a double press on the page's clock
    page.wait_for_timeout(1200)  # and in real time, for a wrong exit to show: the first Esc alone
    assert page.url.endswith("/journal/new")
    assert box.input_value() == written
    box.press("Escape")
    note = page.get_by_role("status").filter(has_text="Press Esc again to leave.")
    assert note.is_visible()
    keep_screenshot(page, artifacts / "phone-esc-once.png")
    box.press("Escape")  # the second press, within a second: leave
    page.wait_for_url(live_server.neutral)
    page.clock.resume()
    page.go_back()
    assert written not in page.locator("body").inner_text()
    click_and_load(page.get_by_role("button", name="Start again"))
    page.goto(live_server.url + "/journal")
    page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
    click_and_load(page.get_by_role("button", name="Unlock"))
    click_and_load(page.get_by_role("link", name="You have 1 unfinished incident."))
    click_and_load(page.get_by_role("link", name=written[:40], exact=False))
    assert page.get_by_label("What happened").input_value() == written
    keep_screenshot(page, artifacts / "phone-draft-back.png")


def test_camouflage_on_a_phone(phone: Any, live_server: LiveServer, artifacts: Path) -> None:
    page = phone.new_page()
    page.goto(live_server.url + "/privacy")
    page.get_by_label("Show Ally as").select_option("notes")
    click_and_load(page.get_by_role("button", name="Save this choice"))
    try:
        page.goto(live_server.url + "/")
        assert page.title() == "Home – Notes"
        assert "Ally" not in page.locator("body").inner_text()
        keep_screenshot(page, artifacts / "phone-camouflage-home.png")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Close").click()
        page.wait_for_url(live_server.neutral)
        page.go_back()
        assert page.url.split("#")[0].endswith("/locked")
        assert "Ally" not in page.locator("body").inner_text()
        assert page.title() == "Locked – Notes"
        keep_screenshot(page, artifacts / "phone-camouflage-locked.png")
    finally:
        page.goto(live_server.url + "/locked")
        click_and_load(page.get_by_role("button", name="Start a new one"))
        page.goto(live_server.url + "/privacy")
        page.get_by_label("Show Ally as").select_option("off")
        click_and_load(page.get_by_role("button", name="Save this choice"))


UPLOAD_LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def small_upload_server(
    tmp_path_factory: pytest.TempPathFactory, neutral_site: str
) -> Iterator[tuple[LiveServer, Path]]:
    folder = tmp_path_factory.mktemp("uploads")
    config = make_config(
        folder / "web.sqlite3", quick_exit_url=neutral_site, max_upload_bytes=UPLOAD_LIMIT
    )
    with LiveServer(create_app(config), neutral_site) as server:
        yield server, folder / "vault" / "vault.db"


def _vault_footprint(db: Path) -> tuple[int, int]:
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    with sqlite3.connect(db) as conn:
        (records,) = conn.execute("SELECT count(*) FROM vault_records").fetchone()
    return size, records


def _new_incident_with_big_file(page: Any, server: LiveServer, artifacts: Path) -> Path:
    page.goto(server.url + "/journal")
    if page.get_by_role("heading", name="Start your journal").count():
        page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
        page.get_by_label("The same passphrase again").fill(JOURNAL_PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Start my journal"))
    elif page.get_by_role("heading", name="Unlock your journal").count():
        page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Unlock"))
    page.goto(server.url + "/journal/new")
    page.get_by_label("Or say when, in your own words").fill("last Friday")
    page.get_by_label("What happened").fill("He filmed me leaving work.")
    video = artifacts / "too-big.mp4"
    video.write_bytes(b"\x00" * (UPLOAD_LIMIT + 2 * 1024 * 1024))
    page.get_by_label("Photos, screenshots or other files (optional)").set_input_files(str(video))
    return video


def test_an_upload_over_the_limit_gets_413_and_changes_nothing(
    chromium: Any, small_upload_server: tuple[LiveServer, Path], artifacts: Path
) -> None:
    server, db = small_upload_server
    context = chromium.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        _new_incident_with_big_file(page, server, artifacts)
        before = _vault_footprint(db)
        with page.expect_response("**/journal/new") as answer:
            click_and_load(page.get_by_role("button", name="Save to the journal"))
        assert answer.value.status == 413
        assert "These files are too large for Ally to keep. Nothing was saved." in (
            page.locator("main").inner_text()
        )
        keep_screenshot(page, artifacts / "phone-upload-413.png")
        assert _vault_footprint(db) == before
    finally:
        context.close()


def test_with_javascript_a_file_over_the_limit_is_never_sent(
    chromium: Any, small_upload_server: tuple[LiveServer, Path], artifacts: Path
) -> None:
    server, db = small_upload_server
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        _new_incident_with_big_file(page, server, artifacts)
        before = _vault_footprint(db)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.get_by_role("button", name="Save to the journal").click()
        alert = page.get_by_role("alert").filter(has_text="Nothing was sent.")
        alert.wait_for()
        assert page.url.endswith("/journal/new")
        assert page.get_by_label("What happened").input_value() == "He filmed me leaving work."
        assert not any(url.endswith("/journal/new") for url in posts)
        keep_screenshot(page, artifacts / "phone-upload-too-large.png")
        assert _vault_footprint(db)[1] == before[1]
    finally:
        context.close()
