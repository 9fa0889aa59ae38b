"""The US state packs: generated from the state tables, one test per state, and the EEOC's
180/300-day rule checked day by day against the tables."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from ally.errors import PackValidationError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.interview import Interview, follow_pack_choice, starting_pack_ids
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.schema import Pack
from ally.knowledge.statefiles import stale_files
from ally.knowledge.statetables import TABLES, StateRows, load_tables
from ally.model.plan import Plan
from tests.inprocess import run_ally

TODAY = dt.date(2026, 11, 25)
LAST_INCIDENT = dt.date(2026, 3, 2)  # a Monday
TABLE = load_tables()
STATES = [rows.state.id for rows in TABLE.states]
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_STATES = ["ak", "co", "ct", "ia", "al"]  # West, Mountain, Northeast, Midwest, South

WORK = {
    "in_danger_now": "no",
    "context": ["work"],
    "harasser": ["coworker"],
    "threats": "no",
    "stalking": "no",
    "intimate_images": "no",
    "sexual": "yes",
    "protected_ground": "yes",
    "federal_employee": "no",
    "employer_size": 40,
    "last_incident": LAST_INCIDENT.isoformat(),
}
STALKING = {
    "in_danger_now": "no",
    "context": ["private", "online"],
    "harasser": ["partner"],
    "threats": "yes",
    "stalking": "yes",
    "intimate_images": "no",
    "sexual": "no",
    "last_incident": LAST_INCIDENT.isoformat(),
}


def plan_for(pack_id: str, answers: dict[str, Any]) -> Plan:
    pack = load_pack(pack_id)
    known = {question.id for question in pack.questions}
    given = {key: value for key, value in answers.items() if key in known}
    return build_plan(pack, normalise_answers(pack, given), TODAY)


def deadline(plan: Plan, deadline_id: str) -> Any:
    for step in plan.steps():
        for item in step.deadlines:
            if item.id == deadline_id:
                return item
    return None


def rolled(day: dt.date) -> dt.date:
    """A Saturday or Sunday moves to the Monday, as the EEOC deadline does."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def test_the_generated_packs_match_the_tables() -> None:
    assert stale_files() == [], "run `ally packs generate` after changing a state table"


def test_every_state_and_dc_has_a_pack_and_packs_list_is_sorted() -> None:
    ids = builtin_pack_ids()
    assert len(STATES) == 51
    assert {f"us-{state}" for state in STATES} <= set(ids)
    assert ids == sorted(ids)
    assert len(ids) == 58  # 51 states and DC, us, generic, gb, ie, ca, ca-on, au


def test_the_start_page_lists_countries_not_states() -> None:
    ids = starting_pack_ids()
    assert "us" in ids and "gb" in ids
    assert not [pack_id for pack_id in ids if pack_id.startswith("us-")]


@pytest.mark.parametrize("state_id", STATES)
def test_state_pack(state_id: str) -> None:
    """Loads and validates; the agency and both deadlines in a work plan; the state's orders
    in a stalking plan; every fact in the tables is cited by the pack."""
    rows = TABLE.state(state_id)
    pack = load_pack(rows.pack_id)
    assert pack.lineage[:2] == [rows.pack_id, "us"]
    assert "state" not in {question.id for question in pack.questions}
    work = plan_for(rows.pack_id, WORK)
    eeoc = deadline(work, "eeoc-charge")
    days = 300 if rows.employment.has_fepa else 180
    assert eeoc is not None and eeoc.due == rolled(LAST_INCIDENT + dt.timedelta(days=days))
    assert deadline(work, "eeoc-charge-fepa") is None
    employment = rows.employment
    hand_written = set(rows.state.hand_written)
    if employment.agency is not None and employment.has_fepa and "employment" not in hand_written:
        step = next(s for s in work.steps() if s.id == "state-agency-complaint")
        assert employment.agency.name in step.title
        assert employment.agency.name in {contact.name for contact in step.contacts}
        if employment.deadline is not None:
            assert deadline(work, "state-agency-charge").due is not None
    stalking = plan_for(rows.pack_id, STALKING)
    if rows.orders.orders and "orders" not in rows.state.hand_written:
        step = next(s for s in stalking.steps() if s.id == "protection-order")
        text = " ".join(step.how)
        for order in rows.orders.orders:
            assert order.name in text
    _every_fact_is_cited(rows, pack)


def _facts(value: Any) -> list[Any]:
    """Every fact object (anything with a source) in a table row, however deep."""
    found = []
    if hasattr(value, "source") and hasattr(value.source, "url"):
        found.append(value)
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "source":
                found += _facts(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            found += _facts(item)
    return found


def _every_fact_is_cited(rows: StateRows, pack: Pack) -> None:
    urls = {source.url: source for source in pack.sources}
    skipped = set(rows.state.hand_written)
    for topic in ("employment", "housing", "orders", "support"):
        if topic in skipped:
            continue
        for fact in _facts(getattr(rows, topic)):
            no_agency = not rows.employment.has_fepa and fact is not rows.employment.fepa
            if topic == "employment" and no_agency:
                continue  # no agency step without a state agency
            assert fact.source.url in urls, f"{topic}: {fact.source.url} is not cited"
            assert urls[fact.source.url].official is fact.source.official


def test_eeoc_is_180_days_exactly_without_a_state_agency_and_300_with_one() -> None:
    """Day by day, across weekends: the EEOC limit in every state follows the FEPA table."""
    assert set(TABLE.no_fepa_states()) >= {"al", "ar", "ga"}
    assert set(TABLE.fepa_states()) >= {"ca", "ny", "tx", "co", "ia"}
    for state_id in STATES:
        rows = TABLE.state(state_id)
        days = 300 if rows.employment.has_fepa else 180
        for start in (dt.date(2026, 1, 5), dt.date(2026, 5, 15), dt.date(2026, 8, 31)):
            plan = plan_for(rows.pack_id, {**WORK, "last_incident": start.isoformat()})
            due = deadline(plan, "eeoc-charge").due
            assert due == rolled(start + dt.timedelta(days=days)), state_id
            assert (due - start).days in (days, days + 1, days + 2)


def test_unconfirmed_states_say_so_and_count_180() -> None:
    for state_id in TABLE.unconfirmed_states():
        plan = plan_for(f"us-{state_id}", WORK)
        item = deadline(plan, "eeoc-charge")
        assert "not yet confirmed" in (item.note or "")
        assert (item.due - LAST_INCIDENT).days in (180, 181, 182)


def test_the_us_plan_without_a_state_shows_the_180_300_rule() -> None:
    plan = plan_for("us", WORK)
    federal, state = deadline(plan, "eeoc-charge"), deadline(plan, "eeoc-charge-fepa")
    assert federal.due == rolled(LAST_INCIDENT + dt.timedelta(days=180))
    assert state.due == rolled(LAST_INCIDENT + dt.timedelta(days=300))
    assert "180" in federal.note and "300" in federal.note
    assert "state-agency-unknown" in plan.step_ids()


def test_the_us_interview_asks_the_state_first_and_continues_in_its_pack() -> None:
    interview = Interview(load_pack("us"))
    assert interview.current().id == "in_danger_now"
    interview.answer("in_danger_now", "no")
    assert interview.current().id == "state"
    interview.answer("state", "iowa")
    assert interview.pack.id == "us-ia"
    assert "state" not in interview.answers
    assert interview.answers == {"in_danger_now": "no"}
    back = interview.back()
    assert back is not None and back.id == "state" and interview.pack.id == "us"
    interview.skip("state")
    assert interview.pack.id == "us"


def test_an_answers_file_with_a_state_uses_the_state_pack() -> None:
    us = load_pack("us")
    pack, answers = follow_pack_choice(us, normalise_answers(us, {**WORK, "state": "colorado"}))
    assert pack.id == "us-co" and "state" not in answers
    plan = build_plan(pack, answers, TODAY)
    assert "state-agency-complaint" in plan.step_ids()


def test_a_table_mistake_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "states"
    shutil.copytree(TABLES, folder)
    text = (folder / "employment.yaml").read_text(encoding="utf-8")
    (folder / "employment.yaml").write_text(
        text.replace("    short: ICRC", "    shrot: ICRC"), encoding="utf-8"
    )
    (folder / "housing.yaml").write_text("zz:\n  housing: {}\n", encoding="utf-8")
    with pytest.raises(PackValidationError) as raised:
        load_tables(folder)
    message = str(raised.value)
    assert "employment.yaml:" in message and "shrot" in message
    assert "housing.yaml:1: zz: no such state" in message


def _golden(state_id: str) -> dict[str, Any]:
    rows = TABLE.state(state_id)
    summary: dict[str, Any] = {}
    for name, answers in (("work", WORK), ("stalking", STALKING)):
        plan = plan_for(rows.pack_id, answers)
        summary[name] = [
            {
                "step": step.id,
                "title": step.title,
                "contacts": [
                    " | ".join(filter(None, [c.name, c.phone, c.web])) for c in step.contacts
                ],
                "deadlines": [f"{d.id} {d.due}" for d in step.deadlines],
            }
            for step in plan.steps()
        ]
    return summary


@pytest.mark.parametrize("state_id", GOLDEN_STATES)
def test_golden_state_plans(state_id: str) -> None:
    """Five states across regions: the whole plan's steps, contacts and deadlines.
    After an intended change, run with ALLY_UPDATE_GOLDEN=1 and review the diff."""
    path = GOLDEN / f"us-{state_id}.yaml"
    found = _golden(state_id)
    if os.environ.get("ALLY_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(found, sort_keys=False, width=100), encoding="utf-8")
    assert found == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_packs_list_shows_every_pack_sorted_by_name() -> None:
    """`ally packs list` as a person reads it: every pack once, alphabetical by name, so
    "United States - Alabama" comes before "United States - Alaska" (ids would swap them)."""
    listed = run_ally("packs", "list", env={**os.environ, "COLUMNS": "200"})  # in this process
    listed.check_returncode()
    rows = [line.split("│") for line in listed.stdout.splitlines() if line.startswith("│")]
    ids = [row[1].strip() for row in rows]
    names = [row[2].strip() for row in rows]
    assert sorted(ids) == sorted(builtin_pack_ids()) and len(ids) == 58
    assert names == sorted(names, key=str.casefold)
    assert names.index("United States - Alabama") < names.index("United States - Alaska")
    assert names.index("United States (federal)") < names.index("United States - Alabama")
    assert {f"United States - {rows_.state.name}" for rows_ in TABLE.states} <= set(names)


UNSOURCED_CEILING = 9
"""Facts no source page confirms (``unverified`` in the tables), on 2026-12-06: the web
addresses of the NE, NV, TN and UT coalitions, Virginia's hotline number and the court
for New Hampshire's stalking order (New Mexico's coalition address was confirmed on its own
site later that day). Lower this when a reviewer finds their sources."""
SECONDARY_CEILING = 275
"""Facts read only on secondary pages. 264 since 2026-12-06, when the statewide legal-aid
finders of MS, NV and RI and Florida's DV coalition were added from news pages and an
archived CDC page (no official page for them was found); they show as "check this".
Raised to 279 later on 2026-12-06 (branch states2): 18 facts that were missing altogether
were found only on secondary pages (the CHRO's 300 days; employer sizes for IL, MD, MT, NJ,
NV; harassment statutes of IA, OR, OH, UT, VA, OK, NE; the AR, LA and MI hotlines; MI, MD and
NJ housing deadlines), while MD's harassment deadline, MD's public-accommodation deadline,
MI's two statutes, VT's two statutes, the SD and ID stalking statutes and NM's coalition
moved to official pages (279 -> 275). Better a fact marked "check this" than none; lower this as
official pages are found."""
"""Facts seen only on a secondary page (``official: false``), on 2026-12-06."""


def _facts_at(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every fact in a table row with where it is ("support.dv_coalition")."""
    found: list[tuple[str, Any]] = []
    if hasattr(value, "source") and hasattr(value.source, "url"):
        found.append((path, value))
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in ("source", "unverified"):
                found += _facts_at(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _facts_at(item, f"{path}[{index}]")
    return found


def _all_facts() -> list[tuple[str, Any]]:
    return [
        (f"{rows.state.id} {where}", fact)
        for rows in TABLE.states
        for topic in ("employment", "housing", "orders", "support")
        for where, fact in _facts_at(getattr(rows, topic), topic)
    ]


def test_facts_without_a_source_page_are_listed_and_do_not_grow() -> None:
    """Every row with a fact no source confirms, named, so a reviewer knows what to look for;
    the test fails when one more is added (find a source instead, or leave the fact out)."""
    unsourced = [
        f"{where}: {', '.join(fact.unverified.fields)} ({fact.unverified.note})"
        for where, fact in _all_facts()
        if getattr(fact, "unverified", None) is not None
    ]
    print("\n".join(unsourced))
    assert len(unsourced) <= UNSOURCED_CEILING, "\n".join(unsourced)
    assert any(line.startswith("va support.hotline: phone") for line in unsourced)
    assert any(line.startswith("nh orders.orders[1]: court") for line in unsourced)
    secondary = [where for where, fact in _all_facts() if not fact.source.official]
    assert len(secondary) <= SECONDARY_CEILING, f"{len(secondary)} secondary-only facts"


@pytest.mark.parametrize(
    ("pack_id", "contact_id", "fact"),
    [
        ("us-va", "state-dv-hotline", "1-800-838-8238"),
        ("us-ne", "state-dv-coalition", "https://www.nebraskacoalition.org/"),
        ("us-nv", "state-sa-coalition", "https://www.ncedsv.org/"),
        ("us-tn", "state-dv-coalition", "https://tncoalition.org/"),
        ("us-ut", "state-dv-coalition", "https://www.udvc.org/"),
    ],
)
def test_an_unsourced_contact_detail_says_check_this(
    pack_id: str, contact_id: str, fact: str
) -> None:
    contact = load_pack(pack_id).contact(contact_id)
    assert fact in (contact.phone, contact.web)
    word = "phone number" if contact.phone == fact else "web address"
    assert contact.notes is not None and contact.notes.startswith("Check th")
    assert f"no page at all for the {word}" in contact.notes or (
        f"no source page for the {word}" in contact.notes
    )


def test_an_unsourced_court_says_check_this_in_the_stalking_plan() -> None:
    step = next(s for s in plan_for("us-nh", STALKING).steps() if s.id == "protection-order")
    line = next(item for item in step.how if item.startswith("Stalking protective order"))
    assert "circuit court" in line
    assert line.endswith("and no page at all for which court)")
    other = next(item for item in step.how if "RSA 173-B" in item or "domestic" in item.lower())
    assert "which court" not in other


def test_an_unverified_field_the_row_does_not_give_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "states"
    shutil.copytree(TABLES, folder)
    text = (folder / "support.yaml").read_text(encoding="utf-8")
    text = text.replace("      fields: [phone]\n", "      fields: [hours, court]\n", 1)
    (folder / "support.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackValidationError) as raised:
        load_tables(folder)
    message = str(raised.value)
    assert "support.yaml:" in message
    assert "va.hotline" in message or "'court'" in message
