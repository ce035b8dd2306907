"""Community coordinates for door-to-door checks: the locality import and the demo city."""

import pytest

from demo.city import build_city
from fieldwork.capi import geo
from sampling.errors import SamplingInputError
from sampling.models import Locality
from sampling.services.localities import import_locality_file

HEADER = "code,name,parent_code,level,area_type,latitude,longitude\n"
TREE = (
    "C,平安市,,city,,28.2,112.95\n"
    "D1,城东区,C,district,,,\n"
    "S1,东湖街道,D1,street,central,28.16,112.94\n"
    "S1C1,东湖第一社区,S1,community,central,28.1574,112.9442\n"
)


def _import(tmp_path, text: str) -> int:
    path = tmp_path / "localities.csv"
    path.write_text(text, encoding="utf-8")
    return import_locality_file(file=path, source_name="localities.csv")


def test_locality_file_may_carry_coordinates(db, tmp_path):
    assert _import(tmp_path, HEADER + TREE) == 4
    community = Locality.objects.get(code="S1C1")
    assert (community.latitude, community.longitude) == (28.1574, 112.9442)
    district = Locality.objects.get(code="D1")
    assert district.latitude is None and district.longitude is None  # blank: unknown


def test_a_file_without_coordinates_keeps_those_stored(db, tmp_path):
    _import(tmp_path, HEADER + TREE)
    _import(tmp_path, "code,name,parent_code,level\nS1C1,东湖一社区,S1,community\n")
    community = Locality.objects.get(code="S1C1")
    assert community.name == "东湖一社区"
    assert (community.latitude, community.longitude) == (28.1574, 112.9442)


def test_bad_coordinates_are_named_by_row_and_nothing_is_written(db, tmp_path, english):
    text = HEADER + TREE.replace("28.1574,112.9442", "north,112.9442").replace(
        "28.16,112.94", "28.16,"
    )
    text += "S1C2,东湖第二社区,S1,community,central,95,112.9\n"
    with pytest.raises(SamplingInputError) as caught:
        _import(tmp_path, text)
    assert caught.value.errors == [
        "Row 4 (S1): give both latitude and longitude, or neither.",
        "Row 5 (S1C1): latitude 'north' is not a number from -90 to 90.",
        "Row 6 (S1C2): latitude '95' is not a number from -90 to 90.",
    ]
    assert not Locality.objects.exists()


def test_demo_communities_lie_near_their_street():
    localities = build_city(5, households=1000).localities.set_index("code")
    communities = localities[localities["level"] == "community"]
    assert communities[["latitude", "longitude"]].notna().all().all()
    for code, row in communities.iterrows():
        street = localities.loc[row["parent_code"]]
        distance = geo.distance_m(
            row["latitude"], row["longitude"], street["latitude"], street["longitude"]
        )
        assert distance <= 2600, code  # at most 2.5 km for rural villages (SPREAD_KM)


def test_demo_coordinates_follow_the_seed():
    def coordinates(seed):
        return build_city(seed, households=1000).localities[["latitude", "longitude"]]

    assert coordinates(5).equals(coordinates(5))
    assert not coordinates(5).equals(coordinates(6))
