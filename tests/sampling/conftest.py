"""A small locality tree (city → districts → streets → communities) and frame files over it."""

from pathlib import Path

import pandas as pd
import pytest

from sampling.frame_validation import FrameError, validate_frame
from sampling.models import Frame
from sampling.services.frames import import_frame
from sampling.services.localities import import_localities

LOCALITIES = [
    {"code": "3201", "name": "南京市", "parent_code": "", "level": "city"},
    {"code": "320102", "name": "玄武区", "parent_code": "3201", "level": "district"},
    {"code": "320104", "name": "秦淮区", "parent_code": "3201", "level": "district"},
    {"code": "320102001", "name": "梅园新村街道", "parent_code": "320102", "level": "street"},
    {"code": "320102002", "name": "新街口街道", "parent_code": "320102", "level": "street"},
    {"code": "320104001", "name": "夫子庙街道", "parent_code": "320104", "level": "street"},
    {
        "code": "320102001001",
        "name": "长江路社区",
        "parent_code": "320102001",
        "level": "community",
    },
    {
        "code": "320102001002",
        "name": "大行宫社区",
        "parent_code": "320102001",
        "level": "community",
    },
    {"code": "320104001001", "name": "贡院社区", "parent_code": "320104001", "level": "community"},
]

# Known localities as validate_frame wants them (what selectors.locality_lookup builds).
KNOWN = {
    "3201": {"level": "city", "street_code": None, "district_code": None},
    "320102": {"level": "district", "street_code": None, "district_code": "320102"},
    "320104": {"level": "district", "street_code": None, "district_code": "320104"},
    "320102001": {"level": "street", "street_code": "320102001", "district_code": "320102"},
    "320102002": {"level": "street", "street_code": "320102002", "district_code": "320102"},
    "320104001": {"level": "street", "street_code": "320104001", "district_code": "320104"},
    "320102001001": {
        "level": "community",
        "street_code": "320102001",
        "district_code": "320102",
    },
    "320102001002": {
        "level": "community",
        "street_code": "320102001",
        "district_code": "320102",
    },
    "320104001001": {
        "level": "community",
        "street_code": "320104001",
        "district_code": "320104",
    },
}

MAPPING = {"unit_id": "hh", "phone": "tel", "locality_code": "loc", "address": "addr"}


def frame_rows(per_locality: dict[str, int]) -> pd.DataFrame:
    """A valid frame file's content: `per_locality` maps a locality code to its number of units."""
    rows = []
    for code, count in per_locality.items():
        for i in range(count):
            k = len(rows)
            rows.append(
                {
                    "hh": f"H{k:05d}",
                    "tel": f"139{k:08d}",
                    "loc": code,
                    "addr": f"{code}号楼{i}室",
                    "note": "",
                }
            )
    return pd.DataFrame(rows)


def every_kind_of_validation_error() -> list[FrameError]:
    """Errors of every kind validate_frame produces: a file with a problem of every row-level
    kind, and the same file missing a column and a role."""
    rows = pd.DataFrame(
        [
            ("", "", "", "路" * 301),  # empty unit id, phone, locality; address too long
            ("H" * 65, "123", "999", ""),  # unit id too long, bad phone, unknown locality
            ("H2", "13812345678", "320102", ""),  # a district: too coarse
            ("H2", "13812345679", "320102001", ""),  # a duplicate unit id
        ],
        columns=["hh", "tel", "loc", "addr"],
    )
    with_rows = validate_frame(rows, known_localities=KNOWN, mapping=MAPPING)
    without_columns = validate_frame(
        rows.drop(columns=["tel"]),
        known_localities=KNOWN,
        mapping={"unit_id": "hh", "phone": "tel"},
    )
    return with_rows.errors + without_columns.errors


# 40 units in street 320102001 (via two communities), 20 in 320102002, 40 in 320104001.
FRAME_SIZES = {"320102001001": 25, "320102001002": 15, "320102002": 20, "320104001001": 40}


@pytest.fixture(autouse=True)
def sampling_in_english(english):
    """Tests read English messages: the site speaks zh-Hans, whose catalogue changes often.
    Tests of the Chinese output ask for it with translation.override("zh-hans")."""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def localities(db) -> int:
    return import_localities(rows=LOCALITIES)


@pytest.fixture
def frame_file(tmp_path) -> Path:
    path = tmp_path / "frame.csv"
    frame_rows(FRAME_SIZES).to_csv(path, index=False)
    return path


@pytest.fixture
def frame(localities, frame_file) -> Frame:
    """The frame file imported: 100 units over the tree's streets."""
    with frame_file.open("rb") as file:
        return import_frame(file=file, source_name="frame.csv", name="南京 2026", mapping=MAPPING)
