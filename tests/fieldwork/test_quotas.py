"""Quota cells: achieved against target, on small literal frames."""

import pandas as pd
import pytest

from fieldwork import quotas


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (15, ""),
        (16, "16-29"),
        (29, "16-29"),
        (30, "30-44"),
        (44.9, "30-44"),
        (45, "45-59"),
        (59, "45-59"),
        (60, "60+"),
        (None, ""),
        ("abc", ""),
    ],
)
def test_age_groups(age, group):
    assert quotas.age_group(age) == group


def progress() -> pd.DataFrame:
    targets = pd.DataFrame(
        {
            "stratum": ["S1", "S1", "", "S2"],
            "variable": ["sex", "sex", "age_group", "sex"],
            "value": ["male", "female", "60+", "male"],
            "target": [2, 2, 1, 0],
        }
    )
    interviews = pd.DataFrame(
        {
            "stratum": ["S1", "S1", "S1", "S2"],
            "answers": [
                {"sex": "male", "age": 61},
                {"sex": "male", "age": 30},
                {"sex": "female", "age": 20},
                {"sex": "male", "age": 70},
            ],
        }
    )
    return quotas.achieved(targets, interviews)


def test_achieved_counts_matching_completes_in_the_stratum_or_everywhere():
    p = progress()
    assert p["achieved"].tolist() == [2, 1, 2, 1]  # S1 male 2, S1 female 1, 60+ anywhere 2
    assert p["remaining"].tolist() == [0, 1, 0, 0]
    assert p["full"].tolist() == [True, False, True, True]
    assert p["share"].iloc[1] == 0.5 and pd.isna(p["share"].iloc[3])


def test_a_stratum_is_full_only_when_all_its_cells_are():
    p = progress()
    # S1: its female cell is open. S2: its male cell and the wave-wide 60+ cell are full.
    # S3 has no cell of its own; the wave-wide 60+ cell applies and is full.
    assert quotas.full_strata(p, ["S1", "S2", "S3"]) == {"S2", "S3"}
    # A stratum with no applicable cell at all is never full
    assert "S3" not in quotas.full_strata(p[p["stratum"] == "S1"], ["S3"])


def test_a_known_answer_puts_a_case_in_a_full_cell():
    p = progress()
    assert quotas.case_in_full_cell(p, "S1", {"sex": "male"})
    assert not quotas.case_in_full_cell(p, "S1", {"sex": "female", "age": 20})
    assert quotas.case_in_full_cell(p, "S1", {"sex": "female", "age": 75})


def test_a_frame_attribute_counts_when_it_is_not_an_answer():
    targets = pd.DataFrame(
        {"stratum": ["", ""], "variable": ["building_type", "building_type"]}
        | {"value": ["平房", "楼房"], "target": [1, 5]}
    )
    interviews = pd.DataFrame(
        {
            "stratum": ["S1", "S1", "S2"],
            "answers": [{}, {"building_type": "楼房"}, {"sex": "male"}],
            "attributes": [{"building_type": "平房"}, {"building_type": "平房"}, {}],
        }
    )
    p = quotas.achieved(targets, interviews)
    # The second respondent's answer (楼房) wins over the frame's 平房.
    assert p["achieved"].tolist() == [1, 1]
    assert quotas.case_in_full_cell(p, "S9", {}, {"building_type": "平房"})
    assert not quotas.case_in_full_cell(
        p, "S9", {"building_type": "楼房"}, {"building_type": "平房"}
    )


def _random_cells(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random targets (some wave-wide) and completed interviews over strata S1-S4."""
    strata, sexes = ["S1", "S2", "S3", "S4"], ["male", "female"]
    rows = {}
    for _ in range(rng.randint(1, 6)):
        cell = (rng.choice(["", *strata]), "sex", rng.choice(sexes))
        if rng.random() < 0.3:
            cell = (cell[0], "age_group", rng.choice(quotas.AGE_GROUPS))
        if rng.random() < 0.2:
            cell = (cell[0], "building_type", rng.choice(["flat", "house"]))
        rows[cell] = rng.randint(0, 3)
    targets = pd.DataFrame(
        [(*cell, target) for cell, target in rows.items()],
        columns=["stratum", "variable", "value", "target"],
    )
    interviews = pd.DataFrame(
        {
            "stratum": [rng.choice(strata) for _ in range(12)],
            "answers": [
                {"sex": rng.choice(sexes), "age": rng.choice([None, 20, 35, 50, 70])}
                for _ in range(12)
            ],
            "attributes": [{"building_type": rng.choice(["flat", "house"])} for _ in range(12)],
        }
    )
    return targets, interviews


@pytest.mark.parametrize("seed", range(200))
def test_cells_of_each_interview_add_up_to_achieved(seed):
    import random

    targets, interviews = _random_cells(random.Random(seed))
    cells = [(pk, *row) for pk, row in enumerate(targets[["stratum", "variable", "value"]].values)]
    counts = dict.fromkeys(range(len(cells)), 0)
    for stratum, answers, attributes in interviews.itertuples(index=False):
        for pk in quotas.cells_of(cells, stratum, answers, attributes):
            counts[pk] += 1
    assert list(counts.values()) == quotas.achieved(targets, interviews)["achieved"].tolist()


@pytest.mark.parametrize("seed", range(200))
def test_full_strata_from_the_cells_alone_are_full_strata_over_any_strata(seed):
    import random

    rng = random.Random(seed)
    progress = quotas.achieved(*_random_cells(rng))
    codes, all_but = quotas.full_strata_from_cells(
        list(zip(progress["stratum"], progress["full"], strict=True))
    )
    for strata in (["S1", "S2", "S3", "S4"], ["S2"], ["S1", "S9"], []):
        found = {s for s in strata if (s in codes) != all_but}
        assert found == quotas.full_strata(progress, strata), (seed, strata)
