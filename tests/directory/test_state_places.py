"""Places as people type them ("Fresno, California", "Fresno, CA", "93721") and searches that
keep to the person's country and state, with the national line when nothing local is found."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ally.directory.fallback import areas_for_pack, national_lines
from ally.directory.geo import US_PLACES, place_key, resolve_place, us_state_code
from ally.directory.search import SearchQuery, search, services_for_step
from ally.directory.seed import ensure_seeded
from ally.knowledge.statetables import load_tables
from ally.storage.directory_store import DirectoryStore
from tests.directory.conftest import drop, open_store

FRESNO = (36.75, -119.77)


@pytest.mark.parametrize(
    "text", ["Fresno, California", "Fresno, CA", "93721", "Fresno CA", "fresno, california, usa"]
)
def test_fresno_is_found_however_it_is_written(text: str) -> None:
    place = resolve_place(text)
    assert place.country == "US" and place.region == "CA"
    assert place.label.startswith("Fresno, CA")
    assert abs(place.lat - FRESNO[0]) < 0.1 and abs(place.lon - FRESNO[1]) < 0.1
    assert place.areas == ("US-CA", "US", "*")


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Springfield, Illinois", "IL"),
        ("Springfield, MO", "MO"),
        ("Portland, Maine", "ME"),
        ("Portland, OR", "OR"),
        ("Washington, DC", "DC"),
        ("Pinedale, CA", "CA"),  # a name the Postal Service accepts for Fresno ZIP codes
        ("Monowi, Nebraska", "NE"),  # an incorporated village of one person
    ],
)
def test_the_state_decides_between_places_of_the_same_name(text: str, state: str) -> None:
    assert resolve_place(text).region == state


def test_state_names_and_codes() -> None:
    assert us_state_code("california") == us_state_code("CA") == us_state_code("Ca") == "CA"
    assert us_state_code("New  York") == "NY"
    assert us_state_code("District of Columbia") == "DC"
    assert us_state_code("Ontario") is None


def test_a_place_not_in_the_state_is_explained() -> None:
    with pytest.raises(Exception, match="in Vermont"):
        resolve_place("Fresno, Vermont")


def test_pack_areas() -> None:
    assert areas_for_pack("us-ca") == ("US-CA", "US", "*")
    assert areas_for_pack("us") == ("US", "*")
    assert areas_for_pack("generic") == ()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DirectoryStore]:
    """The packs' records, as a person's directory holds them, on each database."""
    store, schema = open_store(request.param, tmp_path_factory.mktemp("dir"))
    ensure_seeded(store)
    try:
        yield store
    finally:
        drop(store, schema)


def test_a_shelter_near_oakland_is_the_states_domestic_violence_help(
    seeded: DirectoryStore,
) -> None:
    """Issue 18: a shelter search near Oakland listed only national hotlines. California's
    coalition (which lists the local shelters) comes first, as a state-wide service."""
    hits = services_for_step(seeded, "shelter", near="Oakland, CA", limit=10)
    scopes = {hit.name: hit.scope for hit in hits}
    assert scopes.get("California Partnership to End Domestic Violence") == "region"
    assert hits[0].name == "California Partnership to End Domestic Violence"
    assert scopes.get("National Domestic Violence Hotline") == "country"
    assert not [name for name in scopes if "Oregon" in name or "Nevada" in name]
    assert not [name for name in scopes if "Ontario" in name or "Women's Aid" in name]


@pytest.mark.parametrize(
    ("near", "coalition"),
    [
        ("Columbus, Ohio", "Ohio Domestic Violence Network"),
        ("Des Moines, IA", "Iowa Coalition Against Domestic Violence"),
        ("80202", "Violence Free Colorado"),
    ],
)
def test_each_states_coalition_is_its_shelter_finder(
    seeded: DirectoryStore, near: str, coalition: str
) -> None:
    names = [hit.name for hit in services_for_step(seeded, "shelter", near=near, limit=10)]
    assert any(name.startswith(coalition) for name in names), names
    assert "California Partnership to End Domestic Violence" not in names


def test_legal_aid_near_a_state_is_its_finder_and_never_another_country(
    seeded: DirectoryStore,
) -> None:
    hits = services_for_step(seeded, "legal_aid", near="Fresno, California", limit=10)
    names = {hit.name: hit.scope for hit in hits}
    assert names.get("LawHelpCA.org") == "region"
    assert names.get("LawHelp.org (free legal aid, by state and topic)") == "country"
    foreign = ("Ontario", "England", "Legal Aid Board", "FLAC", "National Legal Aid")
    assert not [name for name in names if any(word in name for word in foreign)]


@pytest.mark.parametrize("text", ["Fresno, California", "Fresno, CA", "93721"])
def test_workplace_help_near_fresno_is_californian_or_national(
    seeded: DirectoryStore, text: str
) -> None:
    hits = services_for_step(seeded, "agency", near=text, limit=10)
    names = {hit.name: hit.scope for hit in hits}
    assert names.get("California Civil Rights Department (CRD)") == "region"
    assert names.get("U.S. Equal Employment Opportunity Commission (EEOC)") == "country"
    assert not [name for name in names if "Texas" in name or "Colorado" in name]


def test_legal_aid_for_a_us_plan_lists_no_other_countries(seeded: DirectoryStore) -> None:
    anywhere = search(seeded, SearchQuery(types=("legal_aid",), limit=30))
    assert any("Ontario" in hit.name for hit in anywhere)  # the unfiltered search has them
    hits = search(
        seeded, SearchQuery(types=("legal_aid",), limit=30, areas=areas_for_pack("us-co"))
    )
    names = [hit.name for hit in hits]
    assert "LawHelp.org (free legal aid, by state and topic)" in names
    foreign = ("Ontario", "England", "Legal Aid Board", "FLAC", "National Legal Aid")
    assert not [name for name in names if any(word in name for word in foreign)]
    assert {hit.scope for hit in hits} <= {"region", "country", "world"}


def test_a_state_agency_is_a_state_wide_service(seeded: DirectoryStore) -> None:
    hits = services_for_step(seeded, "agency", near="Des Moines, Iowa", limit=10)
    iowa = [hit for hit in hits if hit.name == "Iowa Civil Rights Commission"]
    assert iowa and iowa[0].scope == "region"
    assert not [hit for hit in hits if hit.name == "Colorado Civil Rights Division"]


def test_the_national_lines_come_from_the_us_pack() -> None:
    lines = national_lines("US")
    assert [line.id for line in lines] == ["dv-hotline", "us-211"]
    assert lines[0].phone and "799-7233" in lines[0].phone
    assert [line.id for line in national_lines("FR")] == ["findahelpline"]


def ally_with_directory(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ally ARGS --database D` where D is a new directory database in TMP_PATH, so the CLI
    seeds it as a person's first run does."""
    database = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "ally.cli.main", *args, "--database", database],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_cli_says_when_nothing_local_is_found(tmp_path: Path) -> None:
    result = ally_with_directory(
        tmp_path, "directory", "search", "--step", "shelter", "--near", "Fresno, California"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Nothing with an address was found near Fresno, CA.")
    assert "National Domestic Violence Hotline: 1-800-799-7233" in out
    assert "2-1-1" in out
    assert "national" in out


def test_near_a_us_place_picks_the_state_pack(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "pack: us\ntoday: 2026-11-25\nanswers:\n  in_danger_now: no\n  context: [work]\n"
        "  sexual: yes\n  federal_employee: no\n  employer_size: 40\n  last_incident: 2026-10-01\n",
        encoding="utf-8",
    )
    result = ally_with_directory(
        tmp_path,
        "plan",
        "--answers",
        str(answers),
        "--near",
        "Des Moines, Iowa",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert '"pack": "us-ia"' in result.stdout
    assert "Iowa Civil Rights Commission" in result.stdout


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Incorporated places that are not a Postal Service name (they share a ZIP code with a
        # larger town) and too small for GeoNames' 15,000 list: found in the vendored table.
        ("Mariemont, Ohio", "Mariemont, OH"),
        ("Bellefonte, KY", "Bellefonte, KY"),
        ("Greenfield, Minnesota", "Greenfield, MN"),
        ("Mariemont", "Mariemont, OH"),
        # Accents, dots and the usual abbreviations.
        ("Canon City, Colorado", "Cañon City, CO"),
        ("Ft. Lauderdale, FL", "Fort Lauderdale, FL"),
        ("Mt Vernon, WA", "Mount Vernon, WA"),
    ],
)
def test_small_places_and_abbreviations_are_found(text: str, label: str) -> None:
    place = resolve_place(text)
    assert place.label == label
    assert place.country == "US" and place.region == label[-2:]
    assert place.timezone and place.timezone.startswith("America/")


def test_the_vendored_places_table_says_where_it_comes_from() -> None:
    with gzip.open(US_PLACES, "rt", encoding="utf-8") as table:
        header = table.readline()
        columns = table.readline()
        rows = [line.rstrip("\n").split("\t") for line in table]
    assert "GeoNames (https://www.geonames.org/), CC BY 4.0" in header
    assert f"{len(rows)} rows" in header and len(rows) > 20_000
    assert columns == "# name\tstate\tlat\tlon\tpopulation\ttimezone\n"
    assert {row[1] for row in rows} == {rows_.state.postal for rows_ in load_tables().states}
    assert sum(int(row[4]) < 500 for row in rows) < 500  # county seats, however small
    mariemont = [row for row in rows if row[0] == "Mariemont"]
    assert [row[1] for row in mariemont] == ["OH"]
    assert abs(float(mariemont[0][2]) - 39.145) < 0.05


def test_place_keys_ignore_case_accents_dots_and_abbreviations() -> None:
    assert place_key("St. Paul") == place_key("saint  paul") == "saint paul"
    assert place_key("Cañon City") == "canon city"
    assert place_key("Ft Myers") == "fort myers"
    assert place_key("Stanton") == "stanton"  # only a whole first word is an abbreviation


def test_a_plan_near_oakland_shows_californias_domestic_violence_help(tmp_path: Path) -> None:
    """The whole path a person takes: a US answers file, a place, and the plan's domestic
    violence step lists California's coalition before the national lines."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "pack: us\ntoday: 2026-11-25\nanswers:\n  in_danger_now: no\n  context: [private]\n"
        "  harasser: [partner]\n  threats: yes\n  stalking: yes\n  intimate_images: no\n"
        "  sexual: no\n  last_incident: 2026-10-01\n",
        encoding="utf-8",
    )
    result = ally_with_directory(
        tmp_path, "plan", "--answers", str(answers), "--near", "Oakland, CA", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["pack"] == "us-ca"
    shelter = [hit["name"] for hit in plan["nearby"]["dv-support"]]
    assert shelter[0] == "California Partnership to End Domestic Violence"
    assert "National Domestic Violence Hotline" in shelter
    everything = {hit["name"] for hits in plan["nearby"].values() for hit in hits}
    assert not [name for name in everything if "Ontario" in name or "Oregon" in name]
