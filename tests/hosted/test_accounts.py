"""Organisations and accounts, on SQLite and real PostgreSQL; each person's own journal."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import psycopg
import pytest

from ally.hosted.accounts import Accounts, vault_location
from ally.hosted.errors import (
    HostedError,
    NameTakenError,
    NoSuchOrganisationError,
    OrganisationExistsError,
    SignUpClosedError,
    WeakPasswordError,
)
from ally.model.journal import Note
from ally.vault import Vault, VaultNotFoundError
from ally.vault.errors import WrongPassphraseError
from tests.hosted.conftest import PASSWORD, PG_URL, WEAK


def test_organisations_are_found_by_short_name_and_never_duplicated(accounts: Accounts) -> None:
    north = accounts.create_org("Shelter North", "shelter-north", open_signup=True)
    assert accounts.org_by_slug("shelter-north") == north
    assert accounts.org_by_slug(" Shelter-North ") == north
    with pytest.raises(OrganisationExistsError):
        accounts.create_org("Shelter North", "other-slug")
    with pytest.raises(OrganisationExistsError):
        accounts.create_org("Another name", "shelter-north")
    with pytest.raises(NoSuchOrganisationError):
        accounts.org_by_slug("shelter-south")
    for bad in ("x", "Has Caps", "-dash-first", "under_score"):
        with pytest.raises(HostedError):
            accounts.create_org("Some place", bad)


def test_staff_get_a_totp_secret_and_no_journal(accounts: Accounts) -> None:
    org = accounts.create_org("Clinic", "clinic")
    made = accounts.add_staff(org, "Admin@Clinic.example", "admin", PASSWORD)
    assert made.account.login == "admin@clinic.example"
    assert made.account.role == "admin" and made.account.is_staff
    assert made.account.vault is None and accounts.vault_location(made.account) is None
    assert len(made.totp_secret) == 32
    assert made.totp_secret in made.totp_uri and "issuer=Ally" in made.totp_uri
    with pytest.raises(HostedError):
        accounts.add_staff(org, "p@clinic.example", "person", PASSWORD)  # type: ignore[arg-type]


def test_sign_up_only_where_the_organisation_allows_it(accounts: Accounts) -> None:
    closed = accounts.create_org("Closed", "closed")
    with pytest.raises(SignUpClosedError):
        accounts.sign_up(closed, "sam", PASSWORD)
    invited = accounts.invite_person(closed, "sam", PASSWORD)
    assert invited.role == "person" and invited.vault is not None
    opened = accounts.create_org("Open", "open", open_signup=True)
    person = accounts.sign_up(opened, "sam", PASSWORD)  # the same name in another organisation
    assert person.org == opened.id and person.vault != invited.vault


def test_names_are_unique_per_organisation_whatever_the_case(accounts: Accounts) -> None:
    org = accounts.create_org("Open", "open", open_signup=True)
    accounts.sign_up(org, "Sam Smith", PASSWORD)
    with pytest.raises(NameTakenError):
        accounts.sign_up(org, "  sam   SMITH ", PASSWORD)
    with pytest.raises(WeakPasswordError):
        accounts.sign_up(org, "alex", "short")
    with pytest.raises(HostedError):
        accounts.sign_up(org, "   ", PASSWORD)


def test_the_password_is_stored_only_as_an_argon2id_hash(accounts: Accounts) -> None:
    org = accounts.create_org("Open", "open", open_signup=True)
    person = accounts.sign_up(org, "sam", PASSWORD)
    with accounts.store.transaction() as db:
        rows = db.query("SELECT password FROM hosted_accounts WHERE id = ?", (person.id,))
    assert rows[0][0].startswith("$argon2id$") and PASSWORD not in rows[0][0]


def test_disabled_accounts_are_not_found(accounts: Accounts) -> None:
    org = accounts.create_org("Open", "open", open_signup=True)
    person = accounts.sign_up(org, "sam", PASSWORD)
    assert accounts.account(person.id) == person
    with accounts.store.transaction() as db:
        db.execute("UPDATE hosted_accounts SET disabled = 1 WHERE id = ?", (person.id,))
    assert accounts.account(person.id) is None


@pytest.mark.postgres
def _schema(url: str) -> str:
    """The schema a test URL's ``search_path`` names (see ``conftest.schema_url``)."""
    options = dict(parse_qsl(urlsplit(url).query)).get("options", "")
    return options.removeprefix("-csearch_path=")


def test_each_person_has_a_schema_of_their_own_that_only_their_passphrase_opens(
    pg_url: str,
) -> None:
    from ally.hosted.store import HostedStore
    from tests.hosted.conftest import FAST

    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST)
    org = accounts.create_org("Open", "open", open_signup=True)
    alice, bob = accounts.sign_up(org, "alice", PASSWORD), accounts.sign_up(org, "bob", PASSWORD)
    where_a, where_b = accounts.vault_location(alice), accounts.vault_location(bob)
    assert where_a and where_b and where_a != where_b
    with Vault.create(where_a, "alice's own passphrase", work_factor=WEAK) as vault:
        vault.add_note(Note(text="He followed me home on Tuesday"))
    with pytest.raises(VaultNotFoundError):  # Bob's place holds no journal, not Alice's
        Vault.open(where_b)
    with pytest.raises(WrongPassphraseError):
        Vault.open(where_a, PASSWORD)  # the account password is not the journal passphrase
    with Vault.open(where_a, "alice's own passphrase") as vault:
        notes = [e.payload for e in vault.entries("note")]
    assert notes == [{"tags": [], "text": "He followed me home on Tuesday"}]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'vault_records'"
            " AND table_schema IN (%s, %s)",
            (alice.vault, bob.vault),
        ).fetchall()
        hosted = conn.execute(  # this test's own tables: other runs share the database
            "SELECT count(*) FROM information_schema.columns WHERE table_name LIKE 'hosted_%%'"
            " AND data_type = 'bytea' AND table_schema = %s",
            (_schema(pg_url),),
        ).fetchone()
    assert tables == [(alice.vault,)]
    assert hosted == (0,)  # the account tables hold no key and no journal bytes
    store.close()


def test_journal_places_keep_the_other_connection_options() -> None:
    url = vault_location(
        "postgresql://u@h/db?sslmode=require&options=-cwork_mem%3D8MB", "v_" + "a" * 16
    )
    assert "sslmode=require" in url
    assert "options=-cwork_mem%3D8MB%20-csearch_path%3Dv_aaaaaaaaaaaaaaaa" in url
    with pytest.raises(HostedError):
        vault_location("postgresql://u@h/db", "public; DROP TABLE x")
    assert vault_location("/srv/ally/hosted.sqlite3", "v_" + "b" * 16).endswith(
        "/srv/ally/journals/v_bbbbbbbbbbbbbbbb"
    )
