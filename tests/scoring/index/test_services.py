"""Index use-cases: objective imports, AHP judgements, shares and the composite index."""

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.utils import translation
from scipy import stats

from fieldwork.models import Wave
from sampling.models import Locality
from scoring.index import composite, services
from scoring.index.indices import ROOT
from scoring.models import IndexScheme, ObjectiveIndicator, ObjectiveValue
from tests.scoring.factories import answers

RULES = (
    "indicator,name,unit,weight,direction,target,bands,deduction,floor,cap\n"
    "resolution,矛盾纠纷化解率,%,1,higher,,95:100 90:80 85:60,,,\n"
    "response,接警响应时间,min,1,lower,10,,5,,\n"
).encode()
VALUES = (
    b"locality_code,indicator,value\n"
    b"C01,resolution,96\n"
    b"C01,response,12\n"
    b"C02,resolution,91\n"
    b"C02,response,8\n"
)


def _import(wave, values=VALUES, rules=RULES):
    return services.import_objective_indicators(
        wave=wave,
        values_file=values,
        values_name="obj.csv",
        rules_file=rules,
        rules_name="rules.csv",
    )


def test_import_stores_indicators_and_values(safety_wave, places):
    count = _import(safety_wave)

    assert count == 4
    indicators = {i.code: i for i in ObjectiveIndicator.objects.filter(wave=safety_wave)}
    assert indicators["resolution"].name == "矛盾纠纷化解率"
    assert indicators["response"].rule["direction"] == "lower"
    scored = services.objective_frame(safety_wave).set_index(["locality_code", "indicator"])
    assert scored.loc[("C01", "resolution"), "score"] == 100.0
    assert scored.loc[("C01", "response"), "score"] == 90.0  # 2 min over target × 5
    assert scored.loc[("C02", "resolution"), "score"] == 80.0


def test_reimport_replaces_values_of_the_named_indicators_only(safety_wave, places):
    _import(safety_wave)

    _import(safety_wave, values=b"locality_code,indicator,value\nC01,resolution,80\n", rules=None)

    values = ObjectiveValue.objects.filter(indicator__wave=safety_wave)
    assert sorted(values.values_list("indicator__code", "locality__code", "value")) == [
        ("resolution", "C01", 80.0),
        ("response", "C01", 12.0),
        ("response", "C02", 8.0),
    ]


def test_bad_import_writes_nothing_and_names_rows(safety_wave, places):
    bad = b"locality_code,indicator,value\nC01,resolution,96\nC99,resolution,x\nC02,crime,3\n"

    with pytest.raises(services.IndexInputError) as caught:
        _import(safety_wave, values=bad)

    assert "obj.csv, row 3, column locality_code: C99 is not a locality of this survey's area" in (
        caught.value.errors
    )
    assert not ObjectiveIndicator.objects.exists()
    assert not ObjectiveValue.objects.exists()


def test_values_are_taken_for_the_localities_of_the_waves_city_only(
    safety_wave, places, make_interview
):
    # given a wave surveyed in 测试市 (one street of it), and another city in the tree
    make_interview(safety_wave, places["east_a"], answers(safety="5"))
    other = Locality.objects.create(code="D", name="邻市", level="city")
    Locality.objects.create(code="D01", name="邻市一区", level="district", parent=other)
    # when values are given for a district of each, and for a community of 测试市
    values = b"locality_code,indicator,value\nC02,resolution,96\nD01,resolution,90\n"
    with pytest.raises(services.IndexInputError) as caught:
        _import(safety_wave, values=values)
    # then the other city's is refused as an unknown code would be; the city's are not
    assert caught.value.errors == [
        "obj.csv, row 3, column locality_code: D01 is not a locality of this survey's area"
    ]
    assert services.area_codes(safety_wave) == {
        "C", "C01", "C02", "C0101", "C0102", "C0201", "C010101"
    }  # fmt: skip
    assert not ObjectiveValue.objects.exists()


def test_import_problems_are_told_in_the_readers_language(safety_wave, places):
    values = (
        b"locality_code,indicator,value\nC01,resolution,\xe8\xbe\x83\xe5\xa4\x9a\nC9,resolution,1\n"
    )
    rules = "indicator,weight,direction,bands\nresolution,1,higher,95：100，90\n".encode()
    with pytest.raises(services.IndexInputError) as caught:
        _import(safety_wave, values=values, rules=rules)
    with translation.override("zh-hans"):
        assert caught.value.texts() == [
            "rules.csv，第 2 行：指标 resolution：分档 90 不是“阈值:得分”的形式",
            "rules.csv，第 2 行：指标 resolution：需要分档或目标值",
            "obj.csv，第 2 行，value 列：“较多”不是数字",
            "obj.csv，第 3 行，locality_code 列：C9 不是本次调查范围内的属地",
        ]
    with translation.override("en"):
        assert caught.value.texts()[2] == "obj.csv, row 2, column value: “较多” is not a number"


def test_bands_may_be_typed_with_full_width_colons_and_commas(safety_wave, places):
    rules = "indicator,weight,direction,bands\nresolution,1,higher,95：100，90：80\n".encode()
    _import(safety_wave, values=b"locality_code,indicator,value\nC01,resolution,91\n", rules=rules)
    scored = services.objective_frame(safety_wave).set_index(["locality_code", "indicator"])
    assert scored.loc[("C01", "resolution"), "score"] == 80.0


def test_values_without_a_rule_are_refused(safety_wave, places):
    with pytest.raises(services.IndexInputError, match="indicator resolution has no scoring rule"):
        _import(safety_wave, rules=None)
    assert not ObjectiveValue.objects.exists()


def test_set_ahp_matrix_stores_weights_and_cr(safety_wave, analyst):
    labels = ["sense_of_safety", "public_order", "police"]
    matrix = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]

    result = services.set_ahp_matrix(
        wave=safety_wave, parent=ROOT, labels=labels, matrix=matrix, user=analyst
    )

    scheme = IndexScheme.objects.get(wave=safety_wave)
    assert scheme.weights[ROOT] == pytest.approx(result.weights)
    assert scheme.weights[ROOT]["sense_of_safety"] == pytest.approx(0.637, abs=1e-3)
    assert scheme.matrices[ROOT]["cr"] == pytest.approx(result.cr)
    assert scheme.matrices[ROOT]["matrix"][1] == ["1/3", "1", "3"]
    assert scheme.updated_by == analyst


def test_inconsistent_matrix_is_refused_with_its_cr_and_nothing_stored(safety_wave, analyst):
    cyclic = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]

    with pytest.raises(services.IndexInputError, match=r"CR = \d\.\d{3} exceeds 0.1"):
        services.set_ahp_matrix(
            wave=safety_wave,
            parent=ROOT,
            labels=["sense_of_safety", "public_order", "police"],
            matrix=cyclic,
            user=analyst,
        )
    assert not IndexScheme.objects.exists()


def test_matrix_must_compare_exactly_the_children(safety_wave, analyst):
    with pytest.raises(services.IndexInputError, match="must compare exactly"):
        services.set_ahp_matrix(
            wave=safety_wave, parent="police", labels=["police_q1"], matrix=[[1]], user=analyst
        )


def test_set_shares_must_add_to_one(safety_wave, analyst):
    with pytest.raises(services.IndexInputError, match="add up to 1") as caught:
        services.set_shares(wave=safety_wave, survey_share=0.8, objective_share=0.3, user=analyst)
    with translation.override("zh-hans"):
        assert caught.value.texts() == ["调查与客观指标的占比之和必须为 1（0.8 + 0.3）。"]
    services.set_shares(wave=safety_wave, survey_share=0.6, objective_share=0.4, user=analyst)
    assert IndexScheme.objects.get(wave=safety_wave).objective_share == 0.4


def test_questionnaire_default_scheme_applies_until_the_wave_has_its_own(safety_wave, analyst):
    questionnaire = safety_wave.questionnaire_version.questionnaire
    IndexScheme.objects.create(questionnaire=questionnaire, survey_share=0.5, objective_share=0.5)

    assert services.scheme_for_wave(safety_wave).survey_share == 0.5
    services.set_weights(
        wave=safety_wave, parent="police", weights={"police_q1": 3, "police_q2": 1}, user=analyst
    )
    own = services.scheme_for_wave(safety_wave)
    assert own.wave == safety_wave and own.survey_share == 0.5
    assert own.weights["police"] == {"police_q1": 3.0, "police_q2": 1.0}


def _interviews(wave, places, make_interview):
    # 城东区: item scores 100/80/100/60 → dims 100, 80, 80 → overall (100+80+80)/3
    make_interview(wave, places["east_a"], answers("5", "4", "5", "3"))
    # 西山县: 60/40/0/9(don't know) → dims 60, 40, 0 → overall 100/3
    make_interview(wave, places["west_a"], answers("3", "2", "1", "9"))


def test_composite_index_by_district_by_hand(safety_wave, places, make_interview):
    _interviews(safety_wave, places, make_interview)
    _import(safety_wave)

    index = composite.composite_index(wave=safety_wave, level="district")

    table = index.table.set_index("code")
    east_survey = (100 + 80 + 80) / 3
    west_survey = (60 + 40 + 0) / 3
    # objective: C01 (100 + 90)/2 = 95; C02 (80 + 100)/2 = 90
    assert table.loc["C01", "survey_score"] == pytest.approx(east_survey)
    assert table.loc["C01", "objective_score"] == pytest.approx(95.0)
    assert table.loc["C01", "composite"] == pytest.approx(0.7 * east_survey + 0.3 * 95)
    assert table.loc["C02", "composite"] == pytest.approx(0.7 * west_survey + 0.3 * 90)
    # one respondent each: listed with their figures, but unreliable and so not ranked
    assert table["unreliable"].all()
    assert table["rank"].isna().all()
    assert index.table["code"].tolist() == ["C01", "C02"]
    assert index.previous_wave is None


def test_composite_without_objective_values_is_the_survey_index(
    safety_wave, places, make_interview
):
    _interviews(safety_wave, places, make_interview)

    index = composite.composite_index(wave=safety_wave, level="street")

    assert (index.survey_share, index.objective_share) == (1.0, 0.0)
    table = index.table.set_index("code")
    assert table.loc["C0201", "composite"] == pytest.approx(100 / 3)


def test_composite_uses_ahp_weights(safety_wave, places, make_interview, analyst):
    _interviews(safety_wave, places, make_interview)
    services.set_weights(
        wave=safety_wave,
        parent=ROOT,
        weights={"sense_of_safety": 2, "public_order": 1, "police": 1},
        user=analyst,
    )

    table = composite.composite_index(wave=safety_wave).table.set_index("code")

    assert table.loc["C01", "composite"] == pytest.approx((2 * 100 + 80 + 80) / 4)


def _earlier_wave(wave):
    earlier = Wave.objects.create(
        name="2024年第一季度",
        client=wave.client,
        questionnaire_version=wave.questionnaire_version,
        draw=wave.draw,
    )
    Wave.objects.filter(pk=earlier.pk).update(created_at=wave.created_at - timedelta(days=90))
    return earlier


def _respondents(make_interview, wave, street, items, n=30):
    for _ in range(n):
        make_interview(wave, street, answers(*items))


def test_rank_change_against_the_previous_wave(safety_wave, places, make_interview):
    earlier = _earlier_wave(safety_wave)
    # earlier: 西山县 ahead of 城东区; now the other way round; 30 respondents each (reliable)
    _respondents(make_interview, earlier, places["east_a"], ("1", "1", "1", "1"))
    _respondents(make_interview, earlier, places["west_a"], ("5", "5", "5", "5"))
    _respondents(make_interview, safety_wave, places["east_a"], ("5", "4", "5", "3"))
    _respondents(make_interview, safety_wave, places["west_a"], ("3", "2", "1", "9"))

    index = composite.composite_index(wave=safety_wave)

    table = index.table.set_index("code")
    assert index.previous_wave.pk == earlier.pk
    assert not table["unreliable"].any()
    assert table.loc["C01", "previous_rank"] == 2 and table.loc["C01", "rank_change"] == 1
    assert table.loc["C02", "rank_change"] == -1
    assert table.loc["C01", "change"] == pytest.approx((100 + 80 + 80) / 3 - 0.0)


def test_an_unreliable_place_is_listed_but_neither_ranked_nor_trended(
    safety_wave, places, make_interview
):
    # given three streets in both rounds: 东华街道 and 西岭镇 with 30 respondents each, 东兴街道
    # with 2 this round (unreliable) whose score would put it first
    earlier = _earlier_wave(safety_wave)
    for wave in (earlier, safety_wave):
        _respondents(make_interview, wave, places["east_a"], ("4", "4", "4", "4"))
        _respondents(make_interview, wave, places["west_a"], ("3", "3", "3", "3"))
    _respondents(make_interview, earlier, places["east_b"], ("1", "1", "1", "1"))
    _respondents(make_interview, safety_wave, places["east_b"], ("5", "5", "5", "5"), n=2)
    # and 西岭镇 unreliable in the earlier round only: 2 respondents then, 30 now
    west_b = Locality.objects.create(
        code="C0202", name="南山镇", level="street", parent=places["west"], area_type="rural"
    )
    _respondents(make_interview, earlier, west_b, ("5", "5", "5", "5"), n=2)
    _respondents(make_interview, safety_wave, west_b, ("2", "2", "2", "2"))

    table = composite.composite_index(wave=safety_wave, level="street").table.set_index("code")

    # then 东兴街道 keeps its figures and its flag, without a rank, a previous rank or a change
    assert table.loc["C0102", "unreliable"]
    assert table.loc["C0102", "composite"] == pytest.approx(100.0)
    assert table.loc[["C0102"], ["rank", "previous_rank", "rank_change"]].isna().all(axis=None)
    assert pd.isna(table.loc["C0102", "change"])
    # and the reliable places rank among themselves: first and second, unmoved
    assert table.loc["C0101", "rank"] == 1 and table.loc["C0201", "rank"] == 2
    assert table.loc["C0101", "rank_change"] == 0 and table.loc["C0201", "rank_change"] == 0
    # 南山镇, unreliable only in the round compared with, is ranked (last) but not compared
    assert not table.loc["C0202", "unreliable"] and table.loc["C0202", "rank"] == 3
    assert table.loc[["C0202"], ["previous_rank", "rank_change", "change"]].isna().all(axis=None)


def test_the_composite_interval_is_the_logit_interval_on_the_design_df(
    safety_wave, places, make_interview
):
    # given a district whose survey index is near the top of the scale
    _respondents(make_interview, safety_wave, places["east_a"], ("5", "5", "5", "5"), n=8)
    _respondents(make_interview, safety_wave, places["east_a"], ("4", "5", "5", "5"), n=2)
    _respondents(make_interview, safety_wave, places["west_a"], ("3", "2", "1", "9"), n=3)

    table = composite.composite_index(wave=safety_wave).table.set_index("code")

    east = table.loc["C01"]
    # by hand: svyciprop's logit interval of p = composite/100 with the SE on that scale and a
    # t quantile on the place's df (10 respondents, one stratum: 9)
    p, se = east["composite"] / 100, east["se"] / 100
    half = stats.t.ppf(0.975, 9) * se / (p * (1 - p))
    logit = math.log(p / (1 - p))
    expected = [100 / (1 + math.exp(-(logit - half))), 100 / (1 + math.exp(-(logit + half)))]
    assert [east["low"], east["high"]] == pytest.approx(expected, rel=1e-9)
    # never beyond the scale, where the symmetric ± 1.96 SE interval would go past 100
    assert 0 < east["low"] < east["composite"] < east["high"] < 100
    assert east["composite"] + 1.96 * east["se"] > 100


def test_composite_index_of_a_wave_without_interviews_is_empty(safety_wave):
    index = composite.composite_index(wave=safety_wave)
    assert index.table.empty


def test_short_boards_list_weak_dimensions_and_missed_targets(safety_wave, places, make_interview):
    # seven times five respondents per place: enough to be reliable (30) and tested
    for police in ["5", "4", "5", "4", "5"] * 7:
        make_interview(safety_wave, places["east_a"], answers("4", "4", police, police))
    for police in ["1", "2", "1", "2", "1"] * 7:
        make_interview(safety_wave, places["west_a"], answers("4", "4", police, police))
    _import(safety_wave)

    boards = composite.short_boards(wave=safety_wave, level="district")

    dims = boards[boards["kind"] == "dimension"]
    # 西山县's police work (0,40,0,40,0 → 16) is far below everyone's (54): the only weak dimension;
    # safety and public order are identical everywhere.
    assert dims[["code", "item"]].values.tolist() == [["C02", "police"]]
    # called after Benjamini–Hochberg across the places × dimensions tested
    assert dims["below_overall"].all() and dims["q"].iloc[0] < 0.05
    assert dims["q"].iloc[0] >= dims["p"].iloc[0]
    assert dims["score"].iloc[0] == pytest.approx(16.0)
    assert dims["overall"].iloc[0] == pytest.approx(54.0)
    objective_rows = boards[boards["kind"] == "objective"]
    # resolution: C02 91 < target 95; response time: C01 12 min > target 10
    assert sorted(objective_rows[["code", "item"]].values.tolist()) == [
        ["C01", "response"],
        ["C02", "resolution"],
    ]
    assert objective_rows["below_target"].all()


def test_the_index_scores_dimensions_with_the_results_pages_weights(
    safety_wave, places, make_interview
):
    # given population margins that raking pulls the design weights towards
    from scoring.score_tables import domain_scores
    from scoring.weighting import weighted_answers

    places["east"].population = {"M|30-44": 900, "F|30-44": 100}
    places["east"].save(update_fields=["population"])
    people = [("male", "5", 1.0), ("female", "1", 1.0), ("female", "2", 1.0), ("male", "4", 2.0)]
    for sex, police, weight in people:
        make_interview(
            safety_wave,
            places["east_a"],
            answers("4", "3", police, police, sex=sex, age=40),
            weight=weight,
        )
    long, _meta, _report = weighted_answers(wave=safety_wave)
    results = domain_scores(long, ["district", "dimension"]).set_index(["district", "dimension"])
    # when
    nodes = composite.composite_index(wave=safety_wave, level="district").nodes
    # then: every district × dimension score equals the results page's
    dims = nodes[nodes["level"] == 1].set_index(["code", "node"])["score"]  # the dimensions
    assert len(dims) == 3
    for (district, dimension), score in dims.items():
        assert score == pytest.approx(results.loc[(district, dimension), "score"], abs=1e-9)
    unraked = domain_scores(
        long.assign(weight=long["interview_id"].map({i: 1.0 for i in long["interview_id"]})),
        ["district", "dimension"],
    ).set_index(["district", "dimension"])
    assert dims[("C01", "police")] != pytest.approx(unraked.loc[("C01", "police"), "score"])


def test_the_index_flags_a_place_unreliable_on_its_effective_sample_size_as_results_do(
    safety_wave, places, make_interview
):
    # given 31 respondents in 城东区, five of whom carry most of the weight even after trimming
    # to 4 × the mean weight: n_eff ≈ 15
    for _ in range(26):
        make_interview(safety_wave, places["east_a"], answers("4", "4", "4", "4"), weight=1.0)
    for _ in range(5):
        make_interview(safety_wave, places["east_a"], answers("4", "4", "4", "4"), weight=20.0)
    # when
    table = composite.composite_index(wave=safety_wave, level="district").table.set_index("code")
    # then
    assert table.loc["C01", "n_respondents"] == 31
    assert table.loc["C01", "unreliable"]


def test_the_index_rank_intervals_come_from_the_joint_draws_of_the_reliable_places(
    safety_wave, places, make_interview
):
    # given three streets of 45 respondents whose indexes overlap, and one of 3 (unreliable)
    rng = np.random.default_rng(11)  # no rank's share of the draws near 2.5% or 97.5%
    for street, p in (("east_a", 0.55), ("east_b", 0.5), ("west_a", 0.45)):
        for _ in range(45):
            items = rng.choice(["5", "4", "3", "2"], size=4, p=[p, 0.2, 0.8 - p - 0.1, 0.1])
            make_interview(safety_wave, places[street], answers(*items))
    south = Locality.objects.create(
        code="C0202", name="南山镇", level="street", parent=places["west"], area_type="rural"
    )
    for _ in range(3):
        make_interview(safety_wave, south, answers("5", "5", "5", "5"))
    # when
    found = composite.composite_index(wave=safety_wave, level="street")
    table = found.table.set_index("code")
    # then: a brute-force simulation of the reliable streets' composites with their joint
    # covariance (another generator, another way of drawing) gives the same central 95% ranks
    reliable = ["C0101", "C0102", "C0201"]
    sample = np.random.default_rng(123).multivariate_normal(
        table.loc[reliable, "composite"].to_numpy(dtype=float),
        found.covariance.loc[reliable, reliable].to_numpy(),
        size=200_000,
    )
    ranks = (-sample).argsort(axis=1).argsort(axis=1) + 1
    for column, code in enumerate(reliable):
        low, high = np.quantile(ranks[:, column], [0.025, 0.975], method="inverted_cdf")
        assert (table.loc[code, "rank_low"], table.loc[code, "rank_high"]) == (low, high)
    assert (table.loc[reliable, "rank_high"] > table.loc[reliable, "rank_low"]).any()
    # the unreliable street has neither a rank nor a rank interval
    assert table.loc[["C0202"], ["rank", "rank_low", "rank_high"]].isna().all(axis=None)


def test_the_composite_covariance_is_the_survey_share_squared_times_the_survey_index(
    safety_wave, places, make_interview
):
    # given the same answers scored without and then with objective indicators (share 0.7)
    for street in ("east_a", "east_b", "west_a"):
        _respondents(make_interview, safety_wave, places[street], ("5", "4", "3", "2"), n=3)
        _respondents(make_interview, safety_wave, places[street], ("4", "3", "5", "1"), n=2)
    survey_only = composite.composite_index(wave=safety_wave, level="district")
    _import(safety_wave)
    # when
    with_objective = composite.composite_index(wave=safety_wave, level="district")
    # then: the objective part is not sampled, so the composite varies as 0.7 × the survey index
    assert (with_objective.survey_share, survey_only.survey_share) == (0.7, 1.0)
    codes = ["C01", "C02"]
    np.testing.assert_allclose(
        with_objective.covariance.loc[codes, codes].to_numpy(),
        0.49 * survey_only.covariance.loc[codes, codes].to_numpy(),
        rtol=1e-12,
    )
    assert (np.diag(survey_only.covariance.loc[codes, codes]) > 0).all()
