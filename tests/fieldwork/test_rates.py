"""AAPOR rates against hand-worked examples (the arithmetic is written out)."""

import math

import pandas as pd
import pytest

from fieldwork import rates
from fieldwork.rates import RateInputError

# I=40, P=10, R=20, NC=15, O=5, UH=30, UO=10, NE=20
# E = 40+10+20+15+5 = 90; U = 30+10 = 40; e = E/(E+NE) = 90/110 = 9/11; eU = 360/11
COUNTS = {"I": 40, "P": 10, "R": 20, "NC": 15, "O": 5, "UH": 30, "UO": 10, "NE": 20}
E, U = 90, 40
EU = 9 / 11 * 40
HAND = {
    "RR1": 40 / 130,
    "RR2": 50 / 130,
    "RR3": 40 / (90 + EU),
    "RR4": 50 / (90 + EU),
    "RR5": 40 / 90,
    "RR6": 50 / 90,
    "COOP1": 40 / 75,  # I+P+R+O = 40+10+20+5 = 75
    "COOP2": 50 / 75,
    "COOP3": 40 / 70,  # I+P+R = 70
    "COOP4": 50 / 70,
    "REF1": 20 / 130,
    "REF2": 20 / (90 + EU),
    "REF3": 20 / 90,
    "CON1": 75 / 130,
    "CON2": 75 / (90 + EU),
    "CON3": 75 / 90,
    "e": 90 / 110,
}


def test_every_rate_matches_the_hand_worked_example():
    result = rates.rates(pd.DataFrame([COUNTS])).iloc[0]
    for name, expected in HAND.items():
        assert result[name] == pytest.approx(expected), name
    assert list(rates.rates(pd.DataFrame([COUNTS])).columns) == rates.OUTPUT_COLUMNS


def test_rates_keep_the_group_columns_the_rows_and_the_counts_as_given():
    # given two groups on rows labelled 7 and 3, one without a P column
    counts = pd.DataFrame(
        {"street": ["东华", "西岭"], **{k: [v, 1] for k, v in COUNTS.items() if k != "P"}},
        index=[7, 3],
    )
    # when
    result = rates.rates(counts)
    # then
    assert list(result.columns) == ["street", *rates.OUTPUT_COLUMNS]
    assert result.index.tolist() == [7, 3]
    assert result["street"].tolist() == ["东华", "西岭"]
    assert result["P"].tolist() == [0, 0] and result["I"].tolist() == [40, 1]
    # the first row without P: RR1 = I / (E + U) = 40 / 120
    assert result.loc[7, "RR1"] == pytest.approx(40 / 120)
    assert result.loc[3, "RR1"] == pytest.approx(1 / 6)  # E = 4 (I, R, NC, O), U = 2 (UH, UO)


def test_a_given_e_replaces_the_estimate():
    # e = 0.5: eU = 20, E + eU = 110
    result = rates.rates(pd.DataFrame([COUNTS]), e=0.5).iloc[0]
    assert result["RR3"] == pytest.approx(40 / 110)
    assert result["RR4"] == pytest.approx(50 / 110)
    assert result["REF2"] == pytest.approx(20 / 110)
    assert result["CON2"] == pytest.approx(75 / 110)
    assert result["e"] == 0.5
    with pytest.raises(RateInputError, match="between 0 and 1"):
        rates.rates(pd.DataFrame([COUNTS]), e=1.5)


def test_zero_denominators_give_nan_not_a_crash():
    only_ne = pd.DataFrame([{"NE": 3}])
    result = rates.rates(only_ne).iloc[0]
    assert all(math.isnan(result[name]) for name in rates.RATE_COLUMNS)
    assert result["e"] == 0.0  # 0 eligible out of 3 known: e = 0/3
    # Only unknowns: e is undefined (0/0), RR1 = 0/5 = 0, RR3 = 0/(0 + NaN·5) = NaN
    only_unknown = rates.rates(pd.DataFrame([{"UH": 5}])).iloc[0]
    assert only_unknown["RR1"] == 0.0 and math.isnan(only_unknown["RR3"])
    # No unknowns: e is undefined but eU = 0, so RR3 = RR5 = 2/2
    no_unknown = rates.rates(pd.DataFrame([{"I": 2}])).iloc[0]
    assert no_unknown["RR3"] == 1.0 == no_unknown["RR5"]


def test_one_row_per_case_is_counted_per_group_with_ur_among_unknowns():
    cases = pd.DataFrame(
        {
            "disposition": ["1.1", "1.1", "1.2", "2.112", "2.21", "3.13", "3.21", "4.30"],
            "street": ["A", "A", "A", "A", "B", "B", "B", "B"],
        }
    )
    table = rates.rate_table(cases, by=["street"])
    assert table["street"].tolist() == ["A", "B"]
    a, b = table.iloc[0], table.iloc[1]
    assert (a["I"], a["P"], a["R"], a["NC"], a["UH"], a["UO"], a["NE"]) == (2, 1, 1, 0, 0, 0, 0)
    assert (b["NC"], b["UH"], b["UO"], b["NE"]) == (1, 1, 1, 1)
    # A: E = 4, U = 0 → RR1 = 2/4; B: E = 1, U = 2, NE = 1, e = 1/2 → RR3 = 0/(1+1) = 0,
    # CON1 = 0/3 = 0, CON3 = 0/1
    assert a["RR1"] == 0.5 and a["COOP1"] == 0.5
    assert b["e"] == 0.5 and b["RR3"] == 0.0


def test_counts_per_code_are_summed():
    counts = pd.DataFrame({"disposition": ["1.1", "2.20", "3.13"], "count": [3, 1, 4]})
    row = rates.rate_table(counts).iloc[0]
    # E = 3+1 = 4, U = 4, NE = 0 → e = 4/4 = 1 → RR3 = 3/8 = RR1
    assert (row["I"], row["NC"], row["UH"]) == (3, 1, 4)
    assert row["RR1"] == pytest.approx(3 / 8) and row["RR3"] == pytest.approx(3 / 8)


def test_a_bad_code_or_count_names_the_row_and_column():
    with pytest.raises(RateInputError, match=r"row 3, column disposition: '7\.7'"):
        rates.count_groups(pd.DataFrame({"disposition": ["1.1", "7.7"]}))
    with pytest.raises(RateInputError, match="row 2, column count"):
        rates.count_groups(pd.DataFrame({"disposition": ["1.1"], "count": [-1]}))
    with pytest.raises(RateInputError, match="missing column.*street"):
        rates.count_groups(pd.DataFrame({"disposition": ["1.1"]}), by=["street"])


def test_rates_agree_with_a_naive_loop_per_group():
    cases = pd.DataFrame(
        {
            "disposition": ["1.1", "2.11", "3.13", "4.20", "1.2", "2.33", "3.90", "1.1"] * 3,
            "g": list("xxxyyyzz") * 3,
        }
    )
    table = rates.rate_table(cases, by=["g"]).set_index("g")
    for group, rows in cases.groupby("g"):
        codes = list(rows["disposition"])
        n_i = codes.count("1.1")
        n_e = sum(c[0] in "12" for c in codes)
        n_u = sum(c[0] == "3" for c in codes)
        assert table.loc[group, "RR1"] == pytest.approx(n_i / (n_e + n_u))


def test_no_cases_gives_one_row_of_zeros_and_nan_rates():
    table = rates.rate_table(pd.DataFrame({"disposition": []}))
    assert len(table) == 1 and table["I"].iloc[0] == 0 and math.isnan(table["RR1"].iloc[0])
