import numpy as np
import pandas as pd
import pytest

from sampling.rdd import check_blocks, draw_numbers, generate

BLOCKS = pd.DataFrame(
    {
        "prefix": ["1380731", "1380732", "1390001"],
        "locality_code": ["A", "A", "B"],
    }
)


def test_numbers_come_from_their_localitys_blocks():
    numbers = generate(BLOCKS, pd.Series({"A": 50, "B": 20}), seed=1)

    assert numbers.groupby("locality_code").size().to_dict() == {"A": 50, "B": 20}
    assert numbers["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert numbers["phone"].is_unique
    a = numbers[numbers["locality_code"] == "A"]
    assert set(a["phone"].str[:7]) <= {"1380731", "1380732"}
    assert (numbers["prefix"] == numbers["phone"].str[:7]).all()


def test_probability_is_drawn_over_eligible_numbers_by_hand():
    # A holds 2 blocks = 20,000 numbers, 2 of them excluded: 19,998 eligible, 50 drawn.
    exclude = {"13807310000", "13807329999", "13900000000"}  # the last is in no block of A

    numbers = generate(BLOCKS, pd.Series({"A": 50}), seed=2, exclude=exclude)

    assert numbers["inclusion_probability"].iloc[0] == pytest.approx(50 / 19_998)
    assert numbers["design_weight"].iloc[0] == pytest.approx(19_998 / 50)


def test_excluded_numbers_are_never_generated():
    # A tiny eligible space: block 1390001 holds 10,000 numbers; exclude all but 5.
    everything = {f"1390001{i:04d}" for i in range(10_000)}
    keep = {"13900010007", "13900010100", "13900015555", "13900019998", "13900010000"}

    numbers = generate(BLOCKS, pd.Series({"B": 5}), seed=3, exclude=everything - keep)

    assert set(numbers["phone"]) == keep
    with pytest.raises(ValueError, match="locality B has 5 eligible numbers, fewer than the 6"):
        generate(BLOCKS, pd.Series({"B": 6}), seed=3, exclude=everything - keep)


def test_same_seed_same_numbers_and_other_seed_others():
    targets = pd.Series({"A": 30, "B": 30})

    first = generate(BLOCKS, targets, seed=7)

    assert first.equals(generate(BLOCKS, targets, seed=7))
    assert set(first["phone"]) != set(generate(BLOCKS, targets, seed=8)["phone"])


def test_list_assisted_keeps_only_banks_with_enough_listed_numbers():
    listed = pd.Series(["13807310012", "13807310099", "13807319901", "13807320150", "13807320151"])
    # 100-banks: 138073100 has 2 listed, 138073199 has 1, 138073201 has 2.

    numbers = generate(BLOCKS, pd.Series({"A": 150}), seed=4, listed=listed, min_listed=2)

    assert set(numbers["phone"].str[:9]) == {"138073100", "138073201"}
    # 200 eligible numbers in two banks, 150 drawn.
    assert numbers["inclusion_probability"].iloc[0] == pytest.approx(0.75)


def test_every_eligible_number_is_equally_likely():
    # One 100-bank, 7 numbers excluded: 93 eligible, 10 drawn each time → p = 10/93.
    units, excluded = np.array([150000000]), np.array([15000000000 + i for i in range(0, 70, 10)])
    hits = np.zeros(100)

    for seed in range(2000):
        numbers = draw_numbers(np.random.default_rng(seed), units, 100, 10, excluded)
        assert len(np.unique(numbers)) == 10
        hits[numbers - 15000000000] += 1

    assert (hits[excluded - 15000000000] == 0).all()
    eligible = np.setdiff1d(np.arange(100), excluded - 15000000000)
    p = 10 / 93
    z = (hits[eligible] - 2000 * p) / np.sqrt(2000 * p * (1 - p))
    assert np.abs(z).max() < 4.5  # 93 units: |z| < 4.5 has probability > 0.999


def test_block_table_problems_are_listed_with_rows():
    bad = pd.DataFrame(
        {
            "prefix": ["123", "1380731", "1380731", "1380733"],
            "locality_code": ["A", "A", "B", ""],
        }
    )

    assert check_blocks(bad) == [
        "row 2: '123' is not a 7-digit mobile prefix (1[3-9]xxxxx)",
        "row 5: the locality code is empty",
        "rows 3, 4: block 1380731 is mapped to several localities (A, B)",
    ]
    assert check_blocks(pd.DataFrame({"prefix": []})) == [
        "the block table has no column 'locality_code'"
    ]
    with pytest.raises(ValueError, match="row 2"):
        generate(bad, pd.Series({"A": 1}), seed=1)


def test_locality_without_blocks_is_refused():
    with pytest.raises(ValueError, match="locality C has no prefix blocks"):
        generate(BLOCKS, pd.Series({"C": 1}), seed=1)
