"""Distances, the Z-order cover, and places found offline."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ally.directory.errors import PlaceNotFoundError
from ally.directory.geo import (
    bounding_boxes,
    haversine_km,
    resolve_place,
    zorder,
    zorder_ranges,
)


def test_haversine_known_distance() -> None:
    # Oakland City Hall to San Francisco City Hall is about 13.4 km.
    assert haversine_km(37.8053, -122.2725, 37.7793, -122.4193) == pytest.approx(13.2, abs=0.5)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-6)


def destination(lat: float, lon: float, distance_km: float, bearing: float) -> tuple[float, float]:
    delta = distance_km / 6371.0088
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@given(
    st.floats(-85, 85),
    st.floats(-180, 180),
    st.floats(0.1, 800),
    st.floats(0, 1),
    st.floats(0, 360),
)
def test_cover_contains_every_point_in_the_circle(
    lat: float, lon: float, radius: float, fraction: float, bearing: float
) -> None:
    target = destination(lat, lon, radius * fraction * 0.999, bearing)
    code = zorder(*target)
    assert any(low <= code <= high for low, high in zorder_ranges(lat, lon, radius))


@given(
    st.floats(-89, 89),
    st.floats(-180, 180),
    st.floats(0.1, 2000),
    st.floats(0, 1),
    st.floats(0, 360),
)
def test_boxes_contain_every_point_in_the_circle(
    lat: float, lon: float, radius: float, fraction: float, bearing: float
) -> None:
    target_lat, target_lon = destination(lat, lon, radius * fraction, bearing)
    assert haversine_km(lat, lon, target_lat, target_lon) <= radius * 1.0000001 + 1e-9
    assert any(
        low_lat <= target_lat <= high_lat and west <= target_lon <= east
        for low_lat, high_lat, west, east in bounding_boxes(lat, lon, radius)
    )


def test_cover_is_small() -> None:
    ranges = zorder_ranges(40.7, -74.0, 10)
    assert 1 <= len(ranges) <= 16


def test_places_from_zip_city_and_coordinates() -> None:
    zip_place = resolve_place("94612")
    assert zip_place.country == "US" and zip_place.region == "CA"
    assert zip_place.timezone == "America/Los_Angeles"
    assert haversine_km(zip_place.lat, zip_place.lon, 37.8085, -122.2668) < 1
    city = resolve_place("Oakland, CA")
    assert city.region == "CA" and haversine_km(city.lat, city.lon, 37.80, -122.27) < 5
    assert resolve_place("Portland, ME").region == "ME"
    assert resolve_place("London").country == "GB"
    point = resolve_place("51.5, -0.12")
    assert point.country == "GB" and point.timezone == "Europe/London"
    assert point.areas == ("GB", "*")


@pytest.mark.parametrize("text", ["Qwzxvillé", "00000", "95.0, 10.0", ""])
def test_unknown_places_get_advice(text: str) -> None:
    with pytest.raises(PlaceNotFoundError):
        resolve_place(text)
