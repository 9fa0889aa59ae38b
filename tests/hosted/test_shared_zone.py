"""The person's time zone travels with shared entries, sealed in each entry's age file, so
an advocate reads the times as the person typed them with or without the plan; a share made
before that (the bare entry) still reads, with no zone."""

from __future__ import annotations

import secrets

from ally.hosted.sharing import ShareContent
from ally.vault import crypto
from tests.hosted.test_sharing import CASE, SHARED, World, world

__all__ = ["world"]  # a fixture, used by name


def test_the_zone_is_shared_with_the_entries_and_older_shares_still_read(world: World) -> None:
    alone = ShareContent(entries=[world.shared], timezone="America/Los_Angeles")
    share = world.sharing.share(
        world.alice, world.journal.recipient, world.ada.id, alone, new_entries=True
    )
    read = world.sharing.open_case(world.ada, world.identity(world.ada), share.id)
    assert read.case is None and read.timezone == "America/Los_Angeles"
    assert [e.payload["what"] for e in read.entries if e.payload] == [SHARED]
    # A later entry carries the zone the journal has now.
    world.sharing.add_new(world.alice, world.newer, [], timezone="Europe/Madrid")
    assert world.sharing.open_case(world.ada, world.identity(world.ada), share.id).timezone == (
        "Europe/Madrid"
    )

    # An older share: the entry's JSON alone in its age file, the zone only in the plan.
    older = world.sharing.share(
        world.alice,
        world.journal.recipient,
        world.abe.id,
        ShareContent(case=CASE),
        new_entries=False,
    )
    sealed = crypto.seal(
        world.private.model_dump_json().encode(),
        [world.identity(world.abe).recipient, world.journal.recipient],
    )
    with world.store.transaction() as db:
        db.execute(
            "INSERT INTO hosted_share_items (share, id, kind, ref, sealed) VALUES (?, ?, ?, ?, ?)",
            (older.id, secrets.token_hex(8), "entry", world.private.root_id, sealed),
        )
    opened = world.sharing.open_case(world.abe, world.identity(world.abe), older.id)
    assert [e.root_id for e in opened.entries] == [world.private.root_id]
    assert opened.timezone is None
    planned = dict(CASE, timezone="America/Chicago")
    world.sharing.share(
        world.alice, world.journal.recipient, world.abe.id, ShareContent(case=planned),
        new_entries=False,
    )  # fmt: skip
    assert world.sharing.open_case(world.abe, world.identity(world.abe), older.id).timezone == (
        "America/Chicago"
    )
