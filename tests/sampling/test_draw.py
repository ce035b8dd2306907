import numpy as np
import pandas as pd
import pytest

from sampling.draw import sort_for_draw, stratified_srswor


def population(**counts: int) -> pd.DataFrame:
    rows = [(f"{stratum}{i:03d}", stratum) for stratum, n in counts.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["unit_id", "street"])


def draw(frame: pd.DataFrame, allocation: dict, seed: int) -> pd.DataFrame:
    return stratified_srswor(
        frame, stratum_column="street", allocation=pd.Series(allocation), seed=seed
    )


def test_each_stratum_gets_exactly_its_sample_size():
    frame = population(a=50, b=30, c=20)

    sample = draw(frame, {"a": 5, "b": 3, "c": 2}, seed=1)

    assert sample["street"].value_counts().to_dict() == {"a": 5, "b": 3, "c": 2}
    assert sample["unit_id"].is_unique
    assert set(sample["unit_id"]) <= set(frame["unit_id"])


def test_inclusion_probability_and_weight_are_n_over_big_n_and_back():
    sample = draw(population(a=50, b=30, c=20), {"a": 5, "b": 3, "c": 2}, seed=1)

    by_stratum = sample.groupby("street")[["inclusion_probability", "design_weight"]].first()
    assert by_stratum["inclusion_probability"].to_dict() == {"a": 0.1, "b": 0.1, "c": 0.1}
    sample = draw(population(a=40, b=30), {"a": 4, "b": 10}, seed=1)
    by_stratum = sample.groupby("street")[["inclusion_probability", "design_weight"]].first()
    assert by_stratum.loc["b"].tolist() == pytest.approx([1 / 3, 3.0])
    assert by_stratum.loc["a"].tolist() == pytest.approx([0.1, 10.0])


def test_same_seed_gives_the_same_sample():
    frame = population(a=200, b=100)

    assert draw(frame, {"a": 20, "b": 10}, seed=42).equals(draw(frame, {"a": 20, "b": 10}, seed=42))


def test_different_seed_gives_a_different_sample():
    frame = population(a=200, b=100)

    first = draw(frame, {"a": 20, "b": 10}, seed=42)
    second = draw(frame, {"a": 20, "b": 10}, seed=43)

    assert set(first["unit_id"]) != set(second["unit_id"])


def test_row_order_in_the_file_does_not_matter():
    frame = population(a=200, b=100, c=7)
    shuffled = frame.sample(frac=1, random_state=3)

    assert draw(shuffled, {"a": 20, "b": 10, "c": 7}, seed=5).equals(
        draw(frame, {"a": 20, "b": 10, "c": 7}, seed=5)
    )


@pytest.mark.slow
def test_every_unit_is_equally_likely_within_its_stratum():
    frame = population(a=10, b=5)
    drawn = pd.concat([draw(frame, {"a": 2, "b": 4}, seed=seed) for seed in range(500)])

    share = drawn["unit_id"].value_counts().reindex(frame["unit_id"], fill_value=0) / 500
    # The binomial standard error at 500 draws is at most 0.018; allow 4 of them.
    assert np.allclose(share[share.index.str.startswith("a")], 0.2, atol=0.072)
    assert np.allclose(share[share.index.str.startswith("b")], 0.8, atol=0.072)


def test_strata_missing_from_the_allocation_are_not_sampled():
    sample = draw(population(a=10, b=10), {"a": 3}, seed=1)

    assert sample["street"].tolist() == ["a"] * 3


def test_impossible_allocations_are_refused():
    frame = population(a=10, b=5)

    with pytest.raises(ValueError, match="fewer units"):
        draw(frame, {"a": 3, "b": 6}, seed=1)
    with pytest.raises(ValueError, match="not in the frame: z"):
        draw(frame, {"a": 3, "z": 1}, seed=1)


def test_duplicate_unit_ids_are_refused():
    frame = pd.concat([population(a=5), population(a=1)])

    with pytest.raises(ValueError, match="unique"):
        draw(frame, {"a": 2}, seed=1)


def test_sort_for_draw_orders_by_stratum_then_unit():
    frame = pd.DataFrame({"unit_id": ["u2", "u1", "u3", "u0"], "street": ["b", "b", "a", "b"]})

    ordered = sort_for_draw(frame, stratum_column="street")

    assert ordered["unit_id"].tolist() == ["u3", "u0", "u1", "u2"]
    assert sort_for_draw(ordered, stratum_column="street").equals(ordered)
