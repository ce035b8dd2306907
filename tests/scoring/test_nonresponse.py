"""scoring.nonresponse by hand-worked values."""

import numpy as np
import pandas as pd
import pytest

from scoring.cases import CASE_COLUMNS
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
        selection=np.where(frame["adults"].notna(), "last_birthday", ""),
        line=np.nan,
        eligibility=np.where(frame["approved"], "eligible", "unknown"),
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


def household(adults: int, selection: str, line: float) -> pd.DataFrame:
    """One stratum of one approved door interview (base weight 10, no nonresponse)."""
    frame = cases([("A", NAN, NAN, 10.0, "", True, 1, True, adults)])
    return frame.assign(selection=selection, line=line)


@pytest.mark.parametrize(
    ("adults", "selection", "line", "factor"),
    [
        # Kish, 8 adults: tables reach lines 1–6 only, each chosen by 2 of the 12 tables
        (8, "kish", 3, 6.0),
        # Kish, 5 adults: line 3 by C (2/12) and E1 (1/12), line 1 by A only (2/12)
        (5, "kish", 3, 4.0),
        (5, "kish", 1, 6.0),
        (4, "kish", 2, 4.0),
        # birthday: every adult equally likely
        (5, "last_birthday", NAN, 5.0),
        (8, "next_birthday", NAN, 8.0),
    ],
)
def test_the_household_factor_is_the_inverse_of_the_selection_probability(
    adults, selection, line, factor
):
    adjusted = adjust(household(adults, selection, line), method=NONE)
    assert adjusted.weights[1] == pytest.approx(10.0 * factor)


def test_kish_households_beyond_the_tables_are_counted_as_a_coverage_loss():
    frame = pd.concat(
        [household(8, "kish", 1), household(7, "kish", 6), household(8, "last_birthday", NAN)]
    ).assign(interview_id=pd.array([1, 2, 3], dtype="Int64"))
    adjusted = adjust(frame, method=NONE)
    # two Kish households of 8 and 7 adults: lines 7–8 and 7 could not be chosen
    assert (adjusted.beyond_table, adjusted.adults_not_covered) == (2, 3)


def test_known_ineligibles_drop_out_and_unknowns_count_by_the_eligibility_rate():
    # N_h = 1000, 100 released (d = 10): 30 approved, 20 eligible nonrespondents (refusals),
    # 40 vacant (AAPOR 4.60), 10 never reached (3.x, eligibility unknown).
    # e = 50 / (50 + 40) = 5/9; estimated eligible 50 + 10 × 5/9 = 500/9 of 100 released, so
    # the stratum's eligible households ≈ 1000 × (5/9) and each respondent stands for
    # 1000 × (500/9) / 100 / 30 = 5000 / 270 = 18.5185…, not 1000 / 30 = 33.3.
    rows = [
        ("A", 1000, NAN, 10.0, "", i < 30, i + 1 if i < 30 else None, False, NAN)
        for i in range(100)
    ]
    frame = cases(rows).assign(n_released=100.0)
    eligibility = ["eligible"] * 50 + ["ineligible"] * 40 + ["unknown"] * 10
    frame = frame.assign(eligibility=eligibility)
    adjusted = adjust(frame, method=STRATUM)
    assert adjusted.weights.to_numpy() == pytest.approx([5000 / 270] * 30)
    a = adjusted.strata.set_index("stratum").loc["A"]
    assert (a["ineligible"], a["unknown"]) == (40, 10)
    assert a["eligibility_rate"] == pytest.approx(5 / 9)
    # approved of estimated eligible: 30 / (500/9) = 54.0 %
    assert a["response_rate"] == pytest.approx(100 * 30 * 9 / 500)


def test_a_stratum_without_resolved_cases_takes_the_waves_eligibility_rate():
    # A: 1 approved, 1 vacant (e_A = 1/2); B: 1 approved, 2 unknown (e_B = 1/1);
    # C: 2 unknown, nobody resolved: the wave's e = 2 / 3
    rows = [
        ("A", NAN, NAN, 1.0, "", True, 1, False, NAN),
        ("A", NAN, NAN, 1.0, "", False, None, False, NAN),
        ("B", NAN, NAN, 1.0, "", True, 2, False, NAN),
        ("B", NAN, NAN, 1.0, "", False, None, False, NAN),
        ("B", NAN, NAN, 1.0, "", False, None, False, NAN),
        ("C", NAN, NAN, 1.0, "", False, None, False, NAN),
        ("C", NAN, NAN, 1.0, "", False, None, False, NAN),
    ]
    frame = cases(rows).assign(eligibility=["eligible", "ineligible", "eligible", *["unknown"] * 4])
    adjusted = adjust(frame, method=STRATUM)
    assert adjusted.weights.to_dict() == pytest.approx({1: 1.0, 2: 3.0})
    rates = adjusted.strata.set_index("stratum")["eligibility_rate"]
    assert rates.to_dict() == pytest.approx({"A": 0.5, "B": 1.0, "C": 2 / 3})
