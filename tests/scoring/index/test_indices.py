"""Hierarchical indices checked by hand and against a naive recursive reference."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.design.designs import make_design
from scoring.index.indices import (
    ROOT,
    SchemeError,
    aggregate,
    composite,
    leaf_coefficients,
    resolve_weights,
    tree_from_definition,
    validate_tree,
)
from scoring.index.uncertainty import index_uncertainty
from tests.scoring.factories import DEFINITION

TREE = {
    ROOT: ["safety", "police"],
    "safety": ["s1"],
    "police": ["station", "p3"],
    "station": ["p1", "p2"],
}
WEIGHTS = {ROOT: {"safety": 0.4, "police": 0.6}, "police": {"station": 3, "p3": 1}}


def _reference(leaf_scores: dict[str, float], tree, weights) -> dict[str, float]:
    """Slow and obvious: recurse from the root, skipping children without a score."""
    out = dict(leaf_scores)

    def score(node: str) -> float:
        if node not in tree:
            return leaf_scores.get(node, math.nan)
        total, weight = 0.0, 0.0
        for child in tree[node]:
            value = score(child)
            w = weights.get(node, {}).get(child, 1.0)
            if not math.isnan(value):
                total += w * value
                weight += w
        out[node] = total / weight if weight else math.nan
        return out[node]

    score(ROOT)
    return out


def _leaf_frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"district": district, "node": leaf, "score": value}
            for district, leaves in rows.items()
            for leaf, value in leaves.items()
        ]
    )


def test_aggregate_by_hand_with_explicit_weights():
    scores = _leaf_frame({"C01": {"s1": 80.0, "p1": 60.0, "p2": 100.0, "p3": 40.0}})

    out = aggregate(scores, TREE, weights=WEIGHTS, by=["district"]).set_index("node")

    # station = (60 + 100)/2 = 80; police = (3·80 + 1·40)/4 = 70; overall = .4·80 + .6·70 = 74
    assert out.loc["station", "score"] == pytest.approx(80.0)
    assert out.loc["police", "score"] == pytest.approx(70.0)
    assert out.loc[ROOT, "score"] == pytest.approx(74.0)
    assert out.loc["station", "weight"] == pytest.approx(0.75)
    assert out.loc["p3", "parent"] == "police"
    assert out.loc["p1", "level"] == 3
    assert out.index.tolist() == [ROOT, "safety", "police", "s1", "station", "p3", "p1", "p2"]


def test_missing_children_are_renormalised_not_zeroed():
    scores = _leaf_frame({"C01": {"s1": 80.0, "p1": 60.0, "p3": 40.0}})

    out = aggregate(scores, TREE, weights=WEIGHTS, by=["district"]).set_index("node")

    # p2 missing: station = p1 = 60; police = (3·60 + 40)/4 = 55; overall = .4·80 + .6·55
    assert out.loc["station", "score"] == pytest.approx(60.0)
    assert out.loc[ROOT, "score"] == pytest.approx(0.4 * 80 + 0.6 * 55)
    assert np.isnan(out.loc["p2", "score"])


def test_a_whole_branch_missing_leaves_the_overall_to_the_rest():
    scores = _leaf_frame({"C01": {"s1": 80.0}})
    out = aggregate(scores, TREE, weights=WEIGHTS, by=["district"]).set_index("node")
    assert np.isnan(out.loc["police", "score"])
    assert out.loc[ROOT, "score"] == pytest.approx(80.0)


def test_aggregate_matches_naive_reference_over_many_random_domains():
    rng = np.random.default_rng(7)
    leaves = ["s1", "p1", "p2", "p3"]
    rows = {}
    for d in range(40):
        values = rng.uniform(0, 100, size=4)
        values[rng.uniform(size=4) < 0.25] = np.nan
        rows[f"D{d:02d}"] = {
            leaf: float(v) for leaf, v in zip(leaves, values, strict=True) if not np.isnan(v)
        }
    scores = _leaf_frame(rows)

    out = aggregate(scores, TREE, weights=WEIGHTS, by=["district"])

    for district, leaf_scores in rows.items():
        if not leaf_scores:
            continue
        expected = _reference(leaf_scores, TREE, WEIGHTS)
        got = out[out["district"] == district].set_index("node")["score"]
        for node_name, value in expected.items():
            if math.isnan(value):
                assert np.isnan(got[node_name])
            else:
                assert got[node_name] == pytest.approx(value), (district, node_name)


def test_equal_weights_by_default_and_several_by_columns():
    scores = pd.DataFrame(
        {
            "district": ["C01", "C01", "C01", "C01"],
            "street": ["a", "a", "b", "b"],
            "node": ["x", "y", "x", "y"],
            "score": [50.0, 100.0, 20.0, 40.0],
        }
    )
    tree = {ROOT: ["x", "y"]}

    out = aggregate(scores, tree, by=["district", "street"])
    overall = out[out["node"] == ROOT]

    assert overall[["street", "score"]].values.tolist() == [["a", 75.0], ["b", 30.0]]


def test_no_by_gives_one_domain():
    scores = pd.DataFrame({"node": ["x", "y"], "score": [50.0, 70.0]})
    out = aggregate(scores, {ROOT: ["x", "y"]}).set_index("node")
    assert out.loc[ROOT, "score"] == pytest.approx(60.0)
    assert list(out.columns) == ["parent", "level", "score", "weight"]


def test_tree_from_definition_follows_the_questionnaire():
    definition = {
        **DEFINITION,
        "groups": [
            {
                **group,
                "questions": [
                    {**q, "indicator": "station"} if q["name"] == "police_q1" else q
                    for q in group["questions"]
                ],
            }
            for group in DEFINITION["groups"]
        ],
    }

    tree = tree_from_definition(definition)

    assert tree == {
        ROOT: ["sense_of_safety", "public_order", "police"],
        "sense_of_safety": ["safety_overall"],
        "public_order": ["order_q1"],
        "police": ["station", "police_q2"],
        "station": ["police_q1"],
    }
    validate_tree(tree)


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ({"x": ["y"]}, "no 'overall' node"),
        ({ROOT: ["a", "b"], "a": ["c"], "b": ["c"]}, "two parents"),
        ({ROOT: ["a"], "b": ["c"]}, "not under 'overall'"),
        ({ROOT: ["a"], "a": [ROOT]}, "cannot be a child"),
    ],
)
def test_invalid_trees_are_refused(tree, message):
    with pytest.raises(SchemeError, match=message):
        validate_tree(tree)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"nowhere": {"a": 1}}, "no children in the tree"),
        ({ROOT: {"safety": 1}}, "must name exactly its children"),
        ({ROOT: {"safety": -1, "police": 2}}, "numbers ≥ 0"),
        ({ROOT: {"safety": 0, "police": 0}}, "all zero"),
    ],
)
def test_invalid_weights_are_refused_naming_the_parent(weights, message):
    with pytest.raises(SchemeError, match=message):
        resolve_weights(TREE, weights)


def test_composite_combines_shares_and_refuses_half_evidence():
    survey = pd.DataFrame({"district": ["C01", "C02"], "survey_score": [80.0, 70.0]})
    objective = pd.DataFrame({"district": ["C01", "C03"], "objective_score": [90.0, 50.0]})

    out = composite(survey, objective, key="district", survey_share=0.7, objective_share=0.3)

    assert out["district"].tolist() == ["C01", "C02", "C03"]
    assert out["composite"].iloc[0] == pytest.approx(0.7 * 80 + 0.3 * 90)
    assert out["composite"].iloc[1:].isna().all()


def test_composite_without_objective_share_is_the_survey_score():
    survey = pd.DataFrame({"district": ["C01"], "survey_score": [80.0]})
    out = composite(survey, None, key="district", survey_share=1, objective_share=0)
    assert out["composite"].tolist() == [80.0]


def test_composite_shares_must_add_to_one():
    survey = pd.DataFrame({"district": ["C01"], "survey_score": [80.0]})
    with pytest.raises(SchemeError, match="add up to 1"):
        composite(survey, None, key="district", survey_share=0.7, objective_share=0.2)


def test_leaf_coefficients_by_hand_and_with_a_missing_leaf():
    scores = pd.DataFrame(
        {
            "district": ["C01"] * 4 + ["C02"] * 3,
            "node": ["s1", "p1", "p2", "p3", "s1", "p1", "p3"],
            "score": [80.0, 60.0, 40.0, 100.0, 70.0, 50.0, np.nan],
        }
    )
    out = leaf_coefficients(scores, TREE, weights=WEIGHTS, by=["district"])
    got = {(d, n): c for d, n, c in out.itertuples(index=False)}
    # C01: safety 0.4; police 0.6 split station 3/4 (p1, p2 halves) and p3 1/4
    assert got[("C01", "s1")] == pytest.approx(0.4)
    assert got[("C01", "p1")] == pytest.approx(0.6 * 0.75 * 0.5)
    assert got[("C01", "p3")] == pytest.approx(0.6 * 0.25)
    # C02: p2 and p3 unscored, so station is all of police and p1 all of station
    assert got[("C02", "p1")] == pytest.approx(0.6)
    assert ("C02", "p3") not in got
    # a second way to the index: Σ coefficient × leaf score is aggregate's root
    roots = aggregate(scores, TREE, weights=WEIGHTS, by=["district"])
    roots = roots[roots["node"] == ROOT].set_index("district")["score"]
    merged = out.merge(scores, on=["district", "node"])
    by_hand = (merged["coefficient"] * merged["score"]).groupby(merged["district"]).sum()
    np.testing.assert_allclose(by_hand.sort_index(), roots.sort_index())


def _index(items: pd.DataFrame, weight: pd.Series) -> pd.Series:
    """The root index per district from weighted item means (aggregate of the means)."""
    valid = items[items["score"].notna()].assign(w=lambda f: f["interview_id"].map(weight))
    sums = (
        valid.assign(wy=valid["w"] * valid["score"])
        .groupby(["district", "node"])[["wy", "w"]]
        .sum()
    )
    means = (sums["wy"] / sums["w"]).rename("score").reset_index()
    roots = aggregate(means, TREE, weights=WEIGHTS, by=["district"])
    return roots[roots["node"] == ROOT].set_index("district")["score"]


def test_index_standard_errors_equal_the_delta_method_by_numerical_derivatives():
    # given respondents in two strata with unequal weights, some items not scored
    rng = np.random.default_rng(3)
    rows = []
    for i in range(40):
        for leaf in ["s1", "p1", "p2", "p3"]:
            score = float(rng.choice([0, 40, 60, 80, 100, np.nan]))
            rows.append((i, "C01" if i < 24 else "C02", leaf, score))
    items = pd.DataFrame(rows, columns=["interview_id", "district", "node", "score"])
    weight = pd.Series(rng.uniform(0.5, 2.0, 40), index=range(40))
    stratum = pd.Series(np.where(np.arange(40) % 3 == 0, "A", "B"), index=range(40))
    items = items.assign(weight=items["interview_id"].map(weight))
    valid = items[items["score"].notna()]
    sums = valid.assign(w=valid["weight"], wy=valid["weight"] * valid["score"])
    means = sums.groupby(["district", "node"])[["wy", "w"]].sum()
    item_scores = pd.DataFrame(
        {"score": means["wy"] / means["w"], "weight_sum": means["w"]}
    ).reset_index()
    design = make_design(weights=weight.to_numpy(), strata=stratum.to_numpy())
    # when
    out = index_uncertainty(
        items,
        item_scores,
        TREE,
        design=(design, pd.Series(range(40), index=range(40))),
        weights=WEIGHTS,
        by=["district"],
    )[0].set_index("district")
    # then: z_i = w_i ∂index/∂w_i numerically; V = Σ_h n_h/(n_h − 1) Σ_i∈h (z_i − z̄_h)²
    base = _index(items, weight)
    eps = 1e-6
    z = pd.DataFrame(0.0, index=range(40), columns=base.index)
    for i in range(40):
        bumped = weight.copy()
        bumped[i] *= 1 + eps
        z.loc[i] = (_index(items, bumped) - base) / eps
    for district in base.index:
        variance = 0.0
        for _h, part in z[district].groupby(stratum):
            n = len(part)
            variance += n / (n - 1) * ((part - part.mean()) ** 2).sum()
        assert out.loc[district, "se"] == pytest.approx(math.sqrt(variance), rel=1e-5)


def test_an_indicator_named_like_its_question_is_not_a_level():
    definition = {
        **DEFINITION,
        "groups": [
            {
                **group,
                "questions": [
                    {**q, "indicator": q["name"]} if q.get("dimension") else q
                    for q in group["questions"]
                ],
            }
            for group in DEFINITION["groups"]
        ],
    }

    tree = tree_from_definition(definition)

    assert tree["police"] == ["police_q1", "police_q2"]
    validate_tree(tree)
