import math

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from scoring.design.calibration import rake
from scoring.design.designs import make_design
from scoring.design.estimates import estimate_by

# Stratum A: N = 10, two rows of weight 5; stratum B: N = 12, three rows of weight 4.
SMALL = pd.DataFrame(
    {
        "stratum": ["A", "A", "B", "B", "B"],
        "w": [5.0, 5.0, 4.0, 4.0, 4.0],
        "N": [10, 10, 12, 12, 12],
        "y": [1.0, 3.0, 2.0, 2.0, 8.0],
        "dom": ["x", "y", "y", "y", "x"],
        "sex": ["M", "F", "M", "F", "F"],
        "age": ["young", "old", "old", "young", "old"],
    }
)


@pytest.fixture
def data_csv(tmp_path):
    path = tmp_path / "resp.csv"
    SMALL.to_csv(path, index=False)
    return path


def run(tmp_path, *args) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    call_command("estimate", *args, "--out", str(out))
    return pd.read_csv(out, dtype={"dom": str})


def test_stratified_domain_totals_with_fpc_are_written_per_domain(tmp_path, data_csv):
    result = run(
        tmp_path,
        *("--data", str(data_csv), "--var", "y", "--by", "dom", "--strata", "stratum"),
        *("--weight", "w", "--fpc", "N", "--stat", "total"),
    )
    assert list(result.columns) == [
        "dom",
        "variable",
        "statistic",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "n_eff",
    ]
    x = result.set_index("dom").loc["x"]
    # hand-worked in design/test_estimates.py: 37 with variance 20 + 768 over the full design
    assert x["estimate"] == pytest.approx(37.0)
    assert x["se"] == pytest.approx(math.sqrt(788.0))
    assert x["ci_high"] == pytest.approx(37.0 + 1.959964 * math.sqrt(788.0), rel=1e-6)
    assert (x["variable"], x["statistic"], x["n"]) == ("y", "total", 2)


def test_poststratify_file_reweights_to_its_counts(tmp_path, data_csv):
    population = tmp_path / "pop.csv"
    population.write_text("sex,Freq\nM,30\nF,10\n")
    result = run(
        tmp_path,
        *("--data", str(data_csv), "--var", "y", "--poststratify", f"sex={population}"),
    )
    # weights 15, 15 for the two men; 10/3 for each of the three women
    expected = (15 * 1 + 15 * 2 + 10 / 3 * (3 + 2 + 8)) / 40
    assert result["estimate"][0] == pytest.approx(expected)
    assert result["se"][0] > 0


def test_rake_file_with_a_crossed_margin_matches_the_library(tmp_path, data_csv):
    margins = tmp_path / "margins.csv"
    margins.write_text(
        "margin,level,Freq\n"
        "sex,M,20\nsex,F,22\n"
        "sex+age,M|young,8\nsex+age,M|old,12\nsex+age,F|young,9\nsex+age,F|old,13\n"
        "stratum,A,10\nstratum,B,32\n"
    )
    result = run(
        tmp_path,
        *("--data", str(data_csv), "--var", "y", "--strata", "stratum", "--weight", "w"),
        *("--rake", str(margins), "--lonely-psu", "certainty"),
    )
    design = make_design(weights=SMALL["w"], strata=SMALL["stratum"], lonely_psu="certainty")
    cross = SMALL["sex"] + "|" + SMALL["age"]
    design = rake(
        design,
        [
            (SMALL["sex"], {"M": 20, "F": 22}),
            (cross, {"M|young": 8, "M|old": 12, "F|young": 9, "F|old": 13}),
            (SMALL["stratum"], {"A": 10, "B": 32}),
        ],
    )
    expected = estimate_by(design, SMALL, "y")
    assert result["estimate"][0] == pytest.approx(expected["estimate"][0])
    assert result["se"][0] == pytest.approx(expected["se"][0])


def test_proportion_writes_one_row_per_category(tmp_path, data_csv):
    result = run(tmp_path, "--data", str(data_csv), "--var", "sex", "--stat", "proportion")
    assert list(result["variable"]) == ["sex=F", "sex=M"]
    assert list(result["estimate"]) == pytest.approx([0.6, 0.4])
    assert result["se"][0] == pytest.approx(math.sqrt(0.24 / 4))  # p(1-p)/(n-1) for SRS


def test_two_stage_clusters_take_comma_separated_columns(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "psu": np.repeat(["p1", "p2", "p3", "p4"], 6),
            "ssu": np.tile(np.repeat(["s1", "s2", "s3"], 2), 4),
            "N1": 20,
            "N2": 9,
            "y": rng.normal(size=24),
        }
    )
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    result = run(
        tmp_path,
        *("--data", str(path), "--var", "y", "--cluster", "psu,ssu", "--fpc", "N1,N2"),
    )
    design = make_design(
        weights=np.ones(24),
        clusters=[frame["psu"], frame["ssu"]],
        fpc=[frame["N1"], frame["N2"]],
    )
    assert result["se"][0] == pytest.approx(estimate_by(design, frame, "y")["se"][0])


def expect_error(tmp_path, message: str, *args) -> None:
    out = tmp_path / "never.csv"
    with pytest.raises(CommandError, match=message):
        call_command("estimate", *args, "--out", str(out))
    assert not out.exists()


def test_a_missing_column_is_named_with_the_file(tmp_path, data_csv):
    expect_error(
        tmp_path,
        r"resp\.csv: no column 'district'",
        "--data",
        str(data_csv),
        "--var",
        "y",
        "--by",
        "district",
    )


def test_a_bad_weight_names_line_and_column(tmp_path):
    path = tmp_path / "resp.csv"
    SMALL.assign(w=["5", "5", "x", "4", "4"]).to_csv(path, index=False)
    expect_error(
        tmp_path,
        r"line 4, column 'w': 'x' is not a number",
        "--data",
        str(path),
        "--var",
        "y",
        "--weight",
        "w",
    )


def test_a_zero_weight_is_refused(tmp_path):
    path = tmp_path / "resp.csv"
    SMALL.assign(w=[5, 5, 0, 4, 4]).to_csv(path, index=False)
    expect_error(
        tmp_path,
        r"line 4, column 'w': weight must be > 0",
        "--data",
        str(path),
        "--var",
        "y",
        "--weight",
        "w",
    )


def test_a_non_numeric_variable_for_a_mean_is_refused(tmp_path, data_csv):
    expect_error(
        tmp_path,
        r"line 2, column 'sex': 'M' is not a number",
        "--data",
        str(data_csv),
        "--var",
        "sex",
    )


def test_a_population_file_missing_a_sampled_group_names_it(tmp_path, data_csv):
    population = tmp_path / "pop.csv"
    population.write_text("sex,Freq\nM,30\n")
    expect_error(
        tmp_path,
        r"pop\.csv: post-strata: group 'F' is in the sample",
        "--data",
        str(data_csv),
        "--var",
        "y",
        "--poststratify",
        f"sex={population}",
    )


def test_a_bad_population_count_names_its_line(tmp_path, data_csv):
    population = tmp_path / "pop.csv"
    population.write_text("sex,Freq\nM,30\nF,many\n")
    expect_error(
        tmp_path,
        r"pop\.csv, line 3, column 'Freq': 'many' is not a number",
        "--data",
        str(data_csv),
        "--var",
        "y",
        "--poststratify",
        f"sex={population}",
    )


def test_a_rake_margin_that_is_not_a_data_column_is_named(tmp_path, data_csv):
    margins = tmp_path / "margins.csv"
    margins.write_text("margin,level,Freq\nsex,M,20\nsex,F,22\nhukou,local,42\n")
    expect_error(
        tmp_path,
        r"margins\.csv, line 4, column 'margin': 'hukou' is not a column",
        "--data",
        str(data_csv),
        "--var",
        "y",
        "--rake",
        str(margins),
    )


def test_rake_margins_with_different_totals_are_refused(tmp_path, data_csv):
    margins = tmp_path / "margins.csv"
    margins.write_text("margin,level,Freq\nsex,M,20\nsex,F,22\nage,young,1\nage,old,2\n")
    expect_error(
        tmp_path,
        r"different population totals",
        "--data",
        str(data_csv),
        "--var",
        "y",
        "--rake",
        str(margins),
    )


def test_a_lonely_psu_stratum_fails_unless_told_how_to_treat_it(tmp_path):
    path = tmp_path / "resp.csv"
    SMALL.assign(stratum=["A", "A", "B", "B", "C"]).to_csv(path, index=False)
    expect_error(
        tmp_path,
        r"Stratum .C. has only one PSU",
        "--data",
        str(path),
        "--var",
        "y",
        "--strata",
        "stratum",
    )


def test_a_missing_data_file_is_named(tmp_path):
    expect_error(
        tmp_path,
        r"nope\.csv: data file not found",
        "--data",
        str(tmp_path / "nope.csv"),
        "--var",
        "y",
    )


def test_gbk_data_and_margins_are_read_as_excel_in_china_saves_them(tmp_path):
    data = SMALL.assign(sex=SMALL["sex"].map({"M": "男", "F": "女"}))
    path = tmp_path / "resp.csv"
    data.to_csv(path, index=False, encoding="gbk")
    population = tmp_path / "pop.csv"
    population.write_bytes("sex,Freq\n男,30\n女,10\n".encode("gbk"))

    result = run(
        tmp_path, *("--data", str(path), "--var", "y", "--poststratify", f"sex={population}")
    )

    assert result["estimate"][0] == pytest.approx((15 * 1 + 15 * 2 + 10 / 3 * 13) / 40)


@translation.override("en")
def test_a_ragged_data_row_is_named_instead_of_read(tmp_path):
    path = tmp_path / "resp.csv"
    path.write_text("stratum,y\nA,1\nA,2,9\nB,3\n", encoding="utf-8")

    expect_error(tmp_path, r"resp\.csv, row 3: the row has 3 cells but the first row has 2",
                 "--data", str(path), "--var", "y")  # fmt: skip


def test_a_number_of_400_digits_is_named_not_a_crash(tmp_path, data_csv):
    path = tmp_path / "big.csv"
    SMALL.assign(y=["1", "9" * 400, "2", "2", "8"]).to_csv(path, index=False)

    expect_error(tmp_path, r"big\.csv, line 3, column 'y': '9{400}' is not a number",
                 "--data", str(path), "--var", "y")  # fmt: skip
