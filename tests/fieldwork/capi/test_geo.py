"""fieldwork.capi.geo: distances, position warnings and map links (no database)."""

import math

import pytest

from fieldwork.capi import geo

# One degree of arc on a sphere of the mean Earth radius: 6 371 008.8 m × π / 180.
ONE_DEGREE_M = 111_195.08


def _law_of_cosines(lat1, lon1, lat2, lon2):
    """A slow, obviously different formula for the same great-circle distance."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return geo.EARTH_RADIUS_M * math.acos(max(-1.0, min(1.0, cos_angle)))


def test_one_degree_along_a_meridian_is_one_degree_of_arc():
    assert geo.distance_m(28.0, 112.9, 29.0, 112.9) == pytest.approx(ONE_DEGREE_M, abs=1)


def test_one_degree_of_longitude_shrinks_with_the_cosine_of_latitude():
    # Along the equator, a degree of longitude is a full degree of arc ...
    assert geo.distance_m(0, 100, 0, 101) == pytest.approx(ONE_DEGREE_M, abs=1)
    # ... at 60° north it is close to half (a small-circle/great-circle difference of < 0.1 %)
    assert geo.distance_m(60, 100, 60, 101) == pytest.approx(ONE_DEGREE_M / 2, rel=1e-3)


@pytest.mark.parametrize(
    "a, b",
    [
        ((39.9042, 116.4074), (31.2304, 121.4737)),  # Beijing – Shanghai, about 1 067 km
        ((28.2000, 112.9500), (28.2150, 112.9700)),  # across a city, about 2.6 km
        ((28.2000, 112.9500), (28.2000, 112.9500)),  # the same point
    ],
)
def test_distance_agrees_with_the_law_of_cosines(a, b):
    assert geo.distance_m(*a, *b) == pytest.approx(_law_of_cosines(*a, *b), abs=0.5)


def test_distance_is_symmetric_and_never_negative():
    assert geo.distance_m(28.2, 112.95, 28.3, 113.0) == geo.distance_m(28.3, 113.0, 28.2, 112.95)
    assert geo.distance_m(28.2, 112.95, 28.2, 112.95) == 0


COMMUNITY = (28.2000, 112.9500)
# 0.018° of latitude north of the community: 0.018 × 111 195 m ≈ 2 001.5 m
JUST_TOO_FAR = (28.2180, 112.9500)
NEAR = (28.2010, 112.9500)  # ≈ 111 m


def _warnings(position, accuracy=10.0, reference=COMMUNITY):
    latitude, longitude = position if position else (None, None)
    return geo.position_warnings(
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy,
        reference=reference,
        max_distance_m=2000,
        max_accuracy_m=100,
    )


def test_a_precise_position_near_the_community_has_no_warning():
    distance, warnings = _warnings(NEAR)
    assert warnings == []
    assert distance == pytest.approx(0.001 * ONE_DEGREE_M, abs=0.5)


def test_a_position_beyond_the_threshold_is_far():
    distance, warnings = _warnings(JUST_TOO_FAR)
    assert warnings == [geo.FAR]
    assert distance == pytest.approx(2001.5, abs=0.5)


def test_the_thresholds_themselves_are_still_acceptable():
    distance, _ = _warnings(JUST_TOO_FAR)
    _, warnings = geo.position_warnings(
        latitude=JUST_TOO_FAR[0],
        longitude=JUST_TOO_FAR[1],
        accuracy_m=100.0,
        reference=COMMUNITY,
        max_distance_m=distance,
        max_accuracy_m=100,
    )
    assert warnings == []


def test_a_missing_position_gives_only_missing():
    assert _warnings(None) == (None, [geo.MISSING])


@pytest.mark.parametrize("position", [(91.0, 112.9), (28.2, 181.0), (float("nan"), 112.9)])
def test_an_impossible_position_counts_as_missing(position):
    assert _warnings(position)[1] == [geo.MISSING]


@pytest.mark.parametrize("accuracy", [100.5, None, float("inf")])
def test_a_coarse_or_unknown_accuracy_is_inaccurate(accuracy):
    assert _warnings(NEAR, accuracy=accuracy)[1] == [geo.INACCURATE]


def test_inaccurate_and_far_are_both_reported():
    assert _warnings(JUST_TOO_FAR, accuracy=1500)[1] == [geo.INACCURATE, geo.FAR]


def test_without_community_coordinates_the_distance_is_unknown():
    assert _warnings(NEAR, reference=None) == (None, [geo.NO_REFERENCE])


def test_map_link_points_at_the_coordinates_longitude_first():
    url = geo.map_url(28.2, 112.95, "东湖第一社区3栋")
    assert url.startswith("https://uri.amap.com/marker?position=112.950000,28.200000")
    assert "coordinate=wgs84" in url
    assert "name=%E4%B8%9C%E6%B9%96" in url  # the label, URL-encoded


def test_map_link_without_coordinates_searches_the_address():
    assert (
        geo.map_url(None, None, "东湖") == "https://uri.amap.com/search?keyword=%E4%B8%9C%E6%B9%96"
    )
    assert geo.map_url(None, None, "") == ""
