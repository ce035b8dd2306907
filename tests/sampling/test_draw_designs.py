"""Reserves, systematic selection, strata labels and the inclusion frequencies of the draw."""

import numpy as np
import pandas as pd
import pytest

from sampling.draw import (
    missing_stratum_rows,
    select_positions,
    stratified_srswor,
    stratum_labels,
)

SIZES = {"a": 10, "b": 7, "c": 4, "d": 13}


def population(sizes: dict[str, int] = SIZES) -> pd.DataFrame:
    rows = [
        (f"{stratum}{i:03d}", stratum, f"{i % 3}", f"{i:02d}")
        for stratum, n in sizes.items()
        for i in range(n)
    ]
    return pd.DataFrame(rows, columns=["unit_id", "street", "block", "house"])


def draw(frame: pd.DataFrame, allocation: dict, seed: int, **options) -> pd.DataFrame:
    return stratified_srswor(
        frame, stratum_column="street", allocation=pd.Series(allocation), seed=seed, **options
    )


# --- reserves ---------------------------------------------------------------------------------


def test_reserves_follow_the_main_sample_without_overlap():
    sample = draw(
        population(),
        {"a": 3, "b": 2, "c": 4, "d": 1},
        seed=5,
        reserves=2,
        reserve_allocation=pd.Series({"a": 2, "b": 2, "c": 1, "d": 1}),
    )

    counts = sample.groupby(["replicate", "street"]).size().to_dict()
    # b: 2 main + 2 + 2 reserves = 6 of 7; c is a census already: no reserves left.
    assert counts == {
        (0, "a"): 3, (0, "b"): 2, (0, "c"): 4, (0, "d"): 1,
        (1, "a"): 2, (1, "b"): 2, (1, "d"): 1,
        (2, "a"): 2, (2, "b"): 2, (2, "d"): 1,
    }  # fmt: skip
    assert sample["unit_id"].is_unique


def test_reserve_probabilities_are_cumulative():
    sample = draw(
        population({"a": 10}),
        {"a": 2},
        seed=1,
        reserves=3,
        reserve_allocation=pd.Series({"a": 3}),
    )

    by_replicate = sample.groupby("replicate")["inclusion_probability"].first()
    # Replicates 0..r released: 2, 5, 8, then only 2 units left (10).
    assert by_replicate.tolist() == [0.2, 0.5, 0.8, 1.0]
    assert (sample["design_weight"] * sample["inclusion_probability"]).round(12).eq(1).all()


def test_main_sample_is_the_same_with_or_without_reserves():
    frame = population()
    allocation = {"a": 3, "b": 2, "c": 4, "d": 1}

    plain = draw(frame, allocation, seed=9)
    with_reserves = draw(
        frame, allocation, seed=9, reserves=1, reserve_allocation=pd.Series(allocation)
    )

    main = with_reserves[with_reserves["replicate"] == 0].reset_index(drop=True)
    assert main["unit_id"].tolist() == plain["unit_id"].tolist()


# --- systematic selection ----------------------------------------------------------------------


def test_systematic_selection_spreads_over_the_sort_order():
    frame = population({"a": 12})

    sample = draw(frame, {"a": 4}, seed=3, sort_columns=["house"])

    # Interval 12/4 = 3: one unit from each run of 3 houses in sort order.
    houses = sorted(int(h) for h in sample["house"])
    assert [h // 3 for h in houses] == [0, 1, 2, 3]
    assert len({h % 3 for h in houses}) == 1  # the same random start in every run


def test_systematic_selection_is_reproducible_and_independent_of_row_order():
    frame = population()
    shuffled = frame.sample(frac=1, random_state=1)
    allocation = {"a": 3, "b": 2, "c": 4, "d": 5}

    first = draw(frame, allocation, seed=11, sort_columns=["block", "house"])
    again = draw(shuffled, allocation, seed=11, sort_columns=["block", "house"])

    assert first.equals(again)


def test_unknown_sort_column_is_refused():
    with pytest.raises(ValueError, match="no column 'floor'"):
        draw(population(), {"a": 1}, seed=1, sort_columns=["floor"])


# --- the statistical check: π_i = n_h / N_h ------------------------------------------------------


@pytest.mark.parametrize("systematic", [False, True])
def test_inclusion_frequencies_match_n_over_big_n(systematic):
    population_sizes = np.array([10, 7, 4, 13, 1])
    sample_sizes = np.array([3, 2, 4, 1, 0])
    draws = 2000
    hits = np.zeros(population_sizes.sum())

    for seed in range(draws):
        positions, replicate, _ = select_positions(
            population_sizes, sample_sizes, seed=seed, systematic=systematic
        )
        hits[positions[replicate == 0]] += 1

    p = np.repeat(sample_sizes / population_sizes, population_sizes)
    # Certain units (p = 1) are always in, impossible ones (p = 0) never.
    assert (hits[p == 1] == draws).all() and (hits[p == 0] == 0).all()
    # Elsewhere each count is Binomial(2000, p): standardised deviations and their sum of
    # squares (≈ χ² with one degree of freedom per unit). The seeds are fixed, so the figures
    # are too; the bounds (|z| < 4, χ² below its 99.99th percentile) leave room for a change
    # of generator without letting a biased draw (a 5% shift moves χ² far past them) through.
    random = (p > 0) & (p < 1)
    z = (hits[random] - draws * p[random]) / np.sqrt(draws * p[random] * (1 - p[random]))
    assert np.abs(z).max() < 4
    assert (z**2).sum() < 68  # 30 units: χ²(30) 99.99th percentile ≈ 67.6


def test_reserve_units_are_a_random_part_of_the_rest():
    # Over many draws every unit is equally likely to be in reserve replicate 1.
    population_sizes, sample_sizes = np.array([12]), np.array([3])
    hits = np.zeros(12)
    for seed in range(2000):
        positions, replicate, cumulative = select_positions(
            population_sizes, sample_sizes, seed=seed, reserves=1, reserve_sizes=np.array([3])
        )
        hits[positions[replicate == 1]] += 1
        assert cumulative[replicate == 1].tolist() == [6, 6, 6]
    z = (hits - 2000 * 0.25) / np.sqrt(2000 * 0.25 * 0.75)
    assert np.abs(z).max() < 4


def test_the_core_agrees_with_the_frame_function():
    frame = population()
    sample = draw(frame, {"a": 3, "b": 2, "c": 4, "d": 1}, seed=21)

    positions, replicate, _ = select_positions(
        np.array([10, 7, 4, 13]), np.array([3, 2, 4, 1]), seed=21
    )

    assert sorted(sample["unit_id"]) == sorted(frame["unit_id"].to_numpy()[positions])


# --- strata labels ------------------------------------------------------------------------------


def test_strata_labels_join_columns():
    frame = pd.DataFrame({"street": ["s1", "s1", "s2"], "area": ["rural", "", "central"]})

    assert stratum_labels(frame, ["street", "area"]).tolist() == [
        "s1|rural",
        "s1|",
        "s2|central",
    ]
    assert list(missing_stratum_rows(frame, ["street", "area"])) == ["area"]
    assert missing_stratum_rows(frame, ["street", "area"])["area"].tolist() == [1]
    with pytest.raises(ValueError, match="no column 'sex'"):
        stratum_labels(frame, ["sex"])
    with pytest.raises(ValueError, match="at least one"):
        stratum_labels(frame, [])
