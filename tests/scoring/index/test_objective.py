"""Objective indicators: reading the tables and the piecewise rules on their band edges."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from common.tables import TableError
from scoring.index.objective import (
    ObjectiveError,
    Rule,
    objective_scores,
    parse_rule,
    score_indicators,
    score_values,
)
from scoring.index.objective_files import read_rules, read_values

# Seed 004 §2.4: ≥95% full marks, 90–94% → 80 …
RESOLUTION = parse_rule(
    {"direction": "higher", "bands": "95:100 90:80 85:60"}, indicator="dispute_resolution"
)


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100.0, 100.0),
        (95.0, 100.0),  # on the edge: reaches the band
        (94.999, 80.0),
        (90.0, 80.0),
        (89.99, 60.0),
        (85.0, 60.0),
        (84.99, 0.0),  # below every band: the floor
    ],
)
def test_higher_is_better_bands_score_each_edge(value, expected):
    assert score_values(np.array([value]), RESOLUTION)[0] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8.0, 100.0), (10.0, 100.0), (10.01, 80.0), (15.0, 80.0), (15.5, 50.0), (30.0, 50.0)],
)
def test_lower_is_better_bands_score_each_edge(value, expected):
    # Alarm response time (minutes): ≤10 → 100, ≤15 → 80, slower → floor 50.
    rule = parse_rule(
        {"direction": "lower", "bands": [[15, 80], [10, 100]], "floor": 50}, indicator="response"
    )
    assert score_values(np.array([value]), rule)[0] == expected


def test_deduction_per_unit_below_target_stops_at_the_floor():
    rule = parse_rule(
        {"direction": "higher", "target": 95, "deduction": 2, "floor": 60}, indicator="rate"
    )
    values = np.array([96.0, 95.0, 94.0, 90.5, 75.0, 50.0])

    scores = score_values(values, rule)

    # naive: 100 − 2 × shortfall, at least 60
    assert scores.tolist() == [100.0, 100.0, 98.0, 91.0, 60.0, 60.0]


def test_deduction_lower_is_better_counts_units_above_target():
    rule = parse_rule(
        {"direction": "lower", "target": 50, "deduction": 0.5}, indicator="crimes_per_100k"
    )
    scores = score_values(np.array([40.0, 50.0, 60.0, 300.0]), rule)
    assert scores.tolist() == [100.0, 100.0, 95.0, 0.0]


def test_target_only_rule_is_pass_or_fail_and_cap_applies():
    rule = parse_rule({"target": 90, "cap": 90, "floor": 10}, indicator="x")
    assert score_values(np.array([90.0, 89.0]), rule).tolist() == [90.0, 10.0]


def test_band_scores_above_cap_are_clipped():
    rule = parse_rule({"bands": "90:120 80:70", "cap": 100}, indicator="x")
    assert score_values(np.array([95.0, 85.0]), rule).tolist() == [100.0, 70.0]


def test_missing_values_stay_missing():
    assert np.isnan(score_values(np.array([np.nan]), RESOLUTION)[0])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"direction": "up", "target": 1}, "direction “up”"),
        ({"bands": "95:100", "deduction": 2, "target": 95}, "not both"),
        ({"deduction": 2}, "needs a target"),
        ({}, "needs bands or a target"),
        ({"bands": "95-100"}, "not threshold:score"),
        ({"bands": "95:100 95:80"}, "same threshold"),
        ({"target": "abc"}, "target “abc” is not a number"),
        ({"target": 1, "floor": 80, "cap": 60}, "floor 80 is above cap 60"),
    ],
)
def test_invalid_rules_are_refused_naming_the_indicator(spec, message):
    with pytest.raises(ObjectiveError, match=message) as caught:
        parse_rule(spec, indicator="crime_rate")
    assert all(e.startswith("Indicator crime_rate: ") for e in caught.value.errors)


def test_rule_round_trips_through_its_json_form():
    again = parse_rule(RESOLUTION.as_dict(), indicator="dispute_resolution")
    assert again == RESOLUTION


def test_score_indicators_scores_by_each_indicators_rule_and_flags_below_target():
    values = pd.DataFrame(
        {
            "locality_code": ["C01", "C01", "C02", "C02"],
            "indicator": ["resolution", "response", "resolution", "response"],
            "value": [96.0, 12.0, 89.0, 9.0],
        }
    )
    rules = {
        "resolution": RESOLUTION,
        "response": Rule(direction="lower", target=10, deduction=5),
    }

    scored = score_indicators(values, rules)

    assert scored["score"].tolist() == [100.0, 90.0, 60.0, 100.0]
    assert scored["target"].tolist() == [95.0, 10.0, 95.0, 10.0]
    assert scored["below_target"].tolist() == [False, True, True, False]


def test_score_indicators_refuses_an_indicator_without_rule():
    values = pd.DataFrame({"locality_code": ["C01"], "indicator": ["mystery"], "value": [1.0]})
    with pytest.raises(ObjectiveError, match="Indicator mystery: no scoring rule"):
        score_indicators(values, {"resolution": RESOLUTION})


def test_objective_scores_weight_and_renormalise_over_present_indicators():
    scored = pd.DataFrame(
        {
            "locality_code": ["C01", "C01", "C02"],
            "indicator": ["a", "b", "a"],
            "score": [100.0, 40.0, 70.0],
        }
    )

    out = objective_scores(scored, {"a": 3, "b": 1}).set_index("locality_code")

    assert out.loc["C01", "objective_score"] == pytest.approx((3 * 100 + 40) / 4)
    assert out.loc["C02", "objective_score"] == pytest.approx(70.0)  # b absent: a alone
    assert out["n_indicators"].tolist() == [2, 1]


def test_read_values_long_csv():
    data = b"locality_code,indicator,value\nC01,resolution,96.5%\nC02,resolution,88\n"

    values = read_values(data, "obj.csv")

    assert values.to_dict("records") == [
        {"locality_code": "C01", "indicator": "resolution", "value": 96.5},
        {"locality_code": "C02", "indicator": "resolution", "value": 88.0},
    ]


def test_read_values_wide_xlsx_skips_blank_cells():
    data = _xlsx(
        [
            ["locality_code", "locality_name", "resolution", "response"],
            ["C01", "城东区", 96, 12.5],
            ["C02", "西山县", 88, None],
        ]
    )

    values = read_values(data, "obj.xlsx")

    assert list(values.itertuples(index=False, name=None)) == [
        ("C01", "resolution", 96.0),
        ("C01", "response", 12.5),
        ("C02", "resolution", 88.0),
    ]


def test_read_values_gb18030_csv():
    data = "locality_code,locality_name,resolution\nC01,城东区,90\n".encode("gb18030")
    assert read_values(data, "obj.csv")["value"].tolist() == [90.0]


def test_read_values_lists_every_problem_with_row_and_column():
    data = (
        b"locality_code,indicator,value\n"
        b"C01,resolution,abc\n"
        b",resolution,90\n"
        b"C01,resolution,91\n"
        b"C01,resolution,92\n"
        b"C09,resolution,92\n"
    )

    with pytest.raises(ObjectiveError) as caught:
        read_values(data, "obj.csv", known_localities={"C01", "C02"})

    assert caught.value.errors == [
        "obj.csv, row 2, column value: “abc” is not a number",
        "obj.csv, row 3, column locality_code: empty",
        "obj.csv, row 5: locality C01, indicator resolution is already given in row 4",
        "obj.csv, row 6, column locality_code: C09 is not a locality of this survey's area",
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"code,value\nC01,1\n", "obj.csv", "no column locality_code"),
        (b"locality_code\nC01\n", "obj.csv", "no indicator columns"),
        (b"whatever", "obj.txt", "upload a .csv or .xlsx"),
        (b"locality_code,a\n", "obj.csv", "no values"),
    ],
)
def test_read_values_refuses_unusable_files(data, name, message):
    with pytest.raises(ObjectiveError, match=message):
        read_values(data, name)


def test_a_broken_workbook_is_refused_in_our_words():
    with pytest.raises(TableError) as raised:
        read_values(b"not a zip", "obj.xlsx")

    assert str(raised.value) == (
        "obj.xlsx: the file is not an Excel workbook (.xlsx), or it is damaged"
    )


def test_read_rules_builds_specs_with_weights():
    data = (
        "indicator,name,unit,weight,direction,target,bands,deduction,floor,cap\n"
        "resolution,矛盾纠纷化解率,%,2,higher,,95:100 90:80,,,\n"
        "response,接警响应时间,min,,lower,10,,5,40,\n"
    ).encode()

    specs = read_rules(data, "rules.csv")

    assert list(specs) == ["resolution", "response"]
    assert specs["resolution"].name == "矛盾纠纷化解率"
    assert specs["resolution"].weight == 2.0
    assert specs["resolution"].rule.bands == ((95.0, 100.0), (90.0, 80.0))
    assert specs["response"].weight == 1.0
    assert specs["response"].rule == Rule(direction="lower", target=10, deduction=5, floor=40)


def test_read_rules_names_row_of_a_bad_rule():
    data = b"indicator,weight,direction,target\nx,1,sideways,3\ny,-1,higher,3\n"
    with pytest.raises(ObjectiveError) as caught:
        read_rules(data, "rules.csv")
    assert caught.value.errors == [
        "rules.csv, row 2: Indicator x: direction “sideways” must be 'higher' or 'lower'",
        "rules.csv, row 3, column weight: “-1” is not a weight ≥ 0",
    ]
