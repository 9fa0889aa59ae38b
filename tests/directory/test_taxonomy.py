"""Every plan route has a decision about which services help with it."""

from __future__ import annotations

import pytest

from ally.directory.errors import DirectoryQueryError
from ally.directory.taxonomy import ROUTE_TYPES, TYPES_BY_CODE, types_for_route, types_of_term
from ally.knowledge.schema import Route


def test_every_route_is_mapped_to_known_types() -> None:
    assert set(ROUTE_TYPES) == set(Route)
    for codes in ROUTE_TYPES.values():
        assert set(codes) <= set(TYPES_BY_CODE)


def test_other_taxonomies_are_recognised_by_their_words() -> None:
    assert types_of_term({"id": "x", "name": "Domestic Violence Shelters"}) == {"shelter"}
    assert types_of_term({"id": "x", "name": "Attorney Referral"}) == {"lawyer_referral"}
    assert types_of_term({"id": "x", "name": "Crisis Line", "code": "RP-1500.1400"}) == {"helpline"}
    assert types_of_term({"id": "x", "name": "Food pantry"}) == set()


def test_unknown_route_is_a_clear_error() -> None:
    with pytest.raises(DirectoryQueryError, match="no plan route 'bogus'"):
        types_for_route("bogus")
