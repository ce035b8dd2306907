"""scoring.nonresponse by hand-worked values."""

import numpy as np
import pandas as pd
import pytest

from scoring.loaders import CASE_COLUMNS
from scoring.nonresponse import NONE, STRATUM, STRATUM_ATTRIBUTE, adjust


def cases(rows: list[tuple]) -> pd.DataFrame:
    """rows: (stratum, fpc, n_released, design_weight, attribute, approved, interview_id,
    door, adults)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "stratum",
            "fpc",
            "n_released",
            "design_weight",
            "attribute",
            "approved",
            "interview_id",
            "door",
            "adults",
        ],
    )
    frame = frame.assign(
        case_id=range(len(frame)),
        attempted=True,
        interviewed=frame["approved"],
        interview_id=frame["interview_id"].astype("Int64"),
    )
    return frame[CASE_COLUMNS]


NAN = np.nan
WAVE = cases(
    [
        # 300 households, 3 released at 100 each, 2 approved: N_h/m_h = 150
        ("A", 300, NAN, 100.0, "high", True, 1, False, NAN),
        ("A", 300, NAN, 100.0, "low", True, 2, True, 3),  # door, 3 adults: 450
        ("A", 300, NAN, 100.0, "low", False, None, False, NAN),
        # frame size unknown, unequal stored weights 10, 10, 20; first and third approved:
        # factor (10 + 10 + 20) / (10 + 20) = 4/3
        ("B", NAN, NAN, 10.0, "high", True, 3, False, NAN),
        ("B", NAN, NAN, 10.0, "high", False, None, False, NAN),
        ("B", NAN, NAN, 20.0, "low", True, 4, True, NAN),  # door without a listing
    ]
)


def test_within_strata_each_respondent_stands_for_the_released_units_of_its_stratum():
    adjusted = adjust(WAVE, method=STRATUM, drawn={"A": 5, "B": 3})
    assert adjusted.weights.to_dict() == pytest.approx({1: 150.0, 2: 450.0, 3: 40 / 3, 4: 80 / 3})
    assert (adjusted.door, adjusted.door_without_listing) == (2, 1)


def test_without_adjustment_only_the_household_factor_applies():
    adjusted = adjust(WAVE, method=NONE)
    assert adjusted.weights.to_dict() == pytest.approx({1: 100.0, 2: 300.0, 3: 10.0, 4: 20.0})


def test_classes_split_strata_and_an_empty_class_collapses_its_stratum():
    # A|high: 1 of 1 approved (factor 1); A|low: 1 of 2 (factor 2); B|low and B|high both
    # have respondents: B|high 20/10 = 2, B|low 1
    adjusted = adjust(WAVE, method=STRATUM_ATTRIBUTE)
    assert adjusted.weights.to_dict() == pytest.approx({1: 100.0, 2: 600.0, 3: 20.0, 4: 20.0})
    assert adjusted.collapsed == []
    lone = WAVE.assign(attribute=WAVE["attribute"].where(WAVE.index != 2, "villa"))
    collapsed = adjust(lone, method=STRATUM_ATTRIBUTE)
    assert collapsed.collapsed == ["A"]
    assert collapsed.weights[1] == pytest.approx(150.0)


def test_released_reserves_give_every_released_unit_n_h_over_n_released():
    # 300 households, 30 released in all (main and reserve): d = 10 whatever was stored
    released = WAVE.assign(n_released=WAVE["n_released"].where(WAVE["stratum"] != "A", 30.0))
    adjusted = adjust(released, method=STRATUM)
    assert adjusted.weights[1] == pytest.approx(10.0 * 30 / 20)


def test_the_stratum_table_counts_and_reports_the_adjusted_household_weight():
    table = adjust(WAVE, method=STRATUM, drawn={"A": 5}).strata.set_index("stratum")
    a = table.loc["A"]
    assert (a["drawn"], a["released"], a["approved"]) == (5, 3, 2)
    assert a["response_rate"] == pytest.approx(200 / 3)
    assert (a["weight_min"], a["weight_max"]) == (150.0, 150.0)  # before the adults factor
    b = table.loc["B"]
    assert b["drawn"] == 3  # no draw count: the released
    assert (b["weight_min"], b["weight_max"]) == pytest.approx((40 / 3, 80 / 3))


def test_a_stratum_without_respondents_is_reported():
    wave = cases(
        [
            ("A", 300, NAN, 100.0, "", True, 1, False, NAN),
            ("C", 50, NAN, 25.0, "", False, None, False, NAN),
        ]
    )
    adjusted = adjust(wave, method=STRATUM)
    assert adjusted.unrepresented == ["C"]
    assert list(adjusted.weights.index) == [1]


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="Unknown nonresponse method"):
        adjust(WAVE, method="raking")
