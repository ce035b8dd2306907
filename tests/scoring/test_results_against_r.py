"""The wave's published figures against R's survey package: the same approved interviews,
weighted and estimated by tests/scoring/r/wave_results.R (base weights from the released
sample, nonresponse adjustment, household selection, raking, trimming; svymean/svyby of the
raked and trimmed design). Marked `r` (it uses the rscript fixture)."""

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fieldwork.models import Case, Interview, Mode, RespondentSelection
from qc.models import Review
from sampling.models import FrameStratumCount, ReplicateRelease, SampledUnit
from scoring.index.composite import composite_index
from scoring.models import WaveWeighting
from scoring.results import wave_results
from scoring.score_tables import scope_covariance, scope_table, summarize
from scoring.weighting import DEFAULT_TRIM, wave_weights, weighted_sample
from tests.scoring.factories import answers

R_SCRIPT = Path(__file__).parent / "r" / "wave_results.R"
RTOL = 1e-6
AGES = {"16-29": 25, "30-44": 35, "45-59": 50, "60+": 70}
SCORES = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}
# stratum (sampled street) → frame size; the three streets' interviews
FRAME = {"east_a": 3000, "east_b": 150, "west_a": 900}
PER_STREET = 30
ITEMS = ("safety_overall", "order_q1", "police_q1", "police_q2")
# The index tree of the safety survey with equal weights, by hand: overall → three
# dimensions (a third each); police → its two items (a sixth each).
INDEX = {"safety_overall": 1 / 3, "order_q1": 1 / 3, "police_q1": 1 / 6, "police_q2": 1 / 6}


def _population(rng) -> dict[str, dict[str, int]]:
    cells = [f"{s}|{a}" for s in "MF" for a in AGES]
    return {
        district: {cell: int(n) for cell, n in zip(cells, rng.integers(200, 900, 8), strict=True)}
        for district in ("east", "west")
    }


def _values(reply: dict) -> dict[str, float]:
    """The respondent's published measures, worked out from the answers by hand: the mean of
    their valid item scores, the share of their valid answers that are 4 or 5."""

    def mean(items):
        scores = [SCORES[reply[i]] for i in items if reply.get(i) in SCORES]
        return float(np.mean(scores)) if scores else np.nan

    def rate(items):
        valid = [reply[i] for i in items if reply.get(i) in SCORES]
        return 100.0 * np.mean([v in ("4", "5") for v in valid]) if valid else np.nan

    satisfaction = ["order_q1", "police_q1", "police_q2"]
    return {
        "satisfaction": mean(satisfaction),
        "satisfaction_rate": rate(satisfaction),
        "safety": mean(["safety_overall"]),
        "police": mean(["police_q1", "police_q2"]),
        "police_rate": rate(["police_q1", "police_q2"]),
        "public_order": mean(["order_q1"]),
    }


GROUPS = [(s, a) for s in ("male", "female") for a in AGES]


def _respondent(wave, places, street, i, rng, make_interview, interviewer) -> dict:
    """The i-th approved interview of `street` and its row for R: the first 16 cover every
    sex × age group, then at random; door interviews (every other one in 东兴街道) with a
    listing of 1–4 adults."""
    n_units = FRAME[street]
    sex, group = GROUPS[i % len(GROUPS)] if i < 16 else GROUPS[rng.integers(0, 8)]
    reply = {
        item: str(rng.choice(["5", "4", "3", "2", "1", "9"], p=[0.3, 0.3, 0.2, 0.1, 0.05, 0.05]))
        for item in ("safety_overall", "order_q1", "police_q1", "police_q2")
    }
    if i == 7 and street != "east_b":
        reply = {}
    interview = make_interview(
        wave,
        places[street],
        answers(**reply, sex=sex, age=AGES[group] + int(rng.integers(0, 5))),
        weight=n_units / PER_STREET,
    )
    building = "high" if i % 3 else "low"
    SampledUnit.objects.filter(cases__interview=interview).update(attributes={"building": building})
    adults, method, line = 1, "none", np.nan
    if street == "east_b" and i % 2 == 0:
        # 1, 2, 3, 5 and 8 adults (8: beyond Kish's tables, lines 7 and 8 cannot be chosen),
        # men and women alternately, by Kish grid or last birthday
        adults = (1, 2, 3, 5, 8)[(i // 2) % 5]
        method = "kish" if i % 4 == 0 else "last_birthday"
        listing = [
            {"name": f"P{k}", "sex": "MF"[k % 2], "age": 40 + k, "birthday": ""}
            for k in range(adults)
        ]
        kish_order = sorted(range(adults), key=lambda k: (k % 2, -k))  # men, women; oldest first
        chosen = adults - 1
        if method == "kish":
            line = 1 + (i // 4) % min(adults, 6)
            chosen = kish_order[line - 1]
        Interview.objects.filter(pk=interview.pk).update(mode=Mode.DOOR)
        RespondentSelection.objects.create(
            case=interview.case,
            interviewer=interviewer,
            method=method,
            adults=listing,
            selected_index=chosen + 1,
            selected_label=f"P{chosen}",
        )
    return {
        "interview_id": interview.pk,
        "stratum": places[street].code,
        "N": n_units,
        "building": building,
        "approved": 1,
        "adults": adults,
        "method": method,
        "line": line,
        "eligibility": "eligible",
        "district": places[street].parent.code,
        "street": places[street].code,
        "sex": sex[0].upper(),
        "age_group": group,
        **{f"y_{k}": v for k, v in _values(reply).items()},
        **{f"i_{item}": SCORES.get(reply.get(item), np.nan) for item in ITEMS},
    }


# Final dispositions of the never-interviewed nonrespondents (j: code); the rest stay
# not attempted (3.11, unknown eligibility).
DISPOSITIONS = {
    "east_a": {1: "4.60", 2: "4.60", 4: "4.60", 5: "2.11", 7: "3.13"},  # vacant ×3, a refusal
    "west_a": {2: "4.50", 4: "2.21"},  # a non-residence, a respondent never available
}
ELIGIBILITY = {"2": "eligible", "3": "unknown", "4": "ineligible"}


def _nonrespondent(wave, places, street, j, make_interview) -> tuple[str, str]:
    """The j-th released case of `street` without an approved interview: interviewed but
    rejected or still in review (every third), else never interviewed (in 西岭镇 from the
    released reserve), with its final disposition. Returns its building type and
    eligibility."""
    building = "low" if street != "west_a" and j % 4 else "high"
    if street == "west_a" and j == 1:
        building = "villa"  # a class without respondents: 西岭镇 collapses
    if j % 3 == 0:
        interview = make_interview(
            wave,
            places[street],
            answers(order="5", sex="male", age=40),
            weight=FRAME[street] / PER_STREET,
            state=Review.State.REJECTED if j % 2 else None,
        )
        unit = SampledUnit.objects.filter(cases__interview=interview)
        unit.update(attributes={"building": building})
        return building, "eligible"
    place = places[street]
    n = SampledUnit.objects.count() + 1
    unit = SampledUnit.objects.create(
        draw=wave.draw,
        unit_id=f"N{n:05d}",
        stratum=place.code,
        locality=place,
        street=place,
        replicate=1 if street == "west_a" else 0,
        inclusion_probability=0.01,
        design_weight=100.0,
        attributes={"building": building},
    )
    code = DISPOSITIONS.get(street, {}).get(j, "3.11")
    Case.objects.create(wave=wave, unit=unit, street=place, attempts=1, disposition=code)
    return building, ELIGIBILITY[code[0]]


@pytest.fixture
def built(safety_wave, places, make_interview, safety_draw, field_interviewer):
    """90 approved interviews in three strata of very different sampling fractions, plus
    nonrespondents (cases never reached or refused, interviews rejected or still in review)
    in unequal shares by stratum and by building type; door interviews in 东兴街道 with their
    household listings; a released reserve replicate in 西岭镇. Two respondents answered no
    scale question (weighted and in the design, in no domain)."""
    rng = np.random.default_rng(20240601)
    population = _population(rng)
    for district, cells in population.items():
        places[district].population = cells
        places[district].save(update_fields=["population"])
    for street, n_units in FRAME.items():
        FrameStratumCount.objects.create(
            frame=safety_draw.frame, stratum=places[street].code, n_units=n_units
        )
    rows = []
    for street, n_units in FRAME.items():
        for i in range(PER_STREET):
            rows.append(
                _respondent(safety_wave, places, street, i, rng, make_interview, field_interviewer)
            )
        # nonrespondents: 10 / 4 / 8 cases, more of them in low buildings in 城东
        for j in range({"east_a": 10, "east_b": 4, "west_a": 8}[street]):
            building, eligibility = _nonrespondent(safety_wave, places, street, j, make_interview)
            rows.append(
                {
                    "stratum": places[street].code,
                    "N": n_units,
                    "building": building,
                    "approved": 0,
                    "method": "none",
                    "eligibility": eligibility,
                }
            )
    ReplicateRelease.objects.create(
        draw=safety_draw, replicate=1, released_by=field_interviewer, reason="low yield", n_units=5
    )
    return pd.DataFrame(rows), population


@pytest.fixture
def wave_in_r(safety_wave, places, built, tmp_path, rscript):
    rows, population = built
    return _run_r(rows, population, places, tmp_path, rscript, method="stratum")


def _run_r(rows, population, places, out: Path, rscript: str, *, method: str) -> dict:
    cases = rows[["stratum", "N", "building", "approved", "method", "line", "eligibility"]]
    cases = cases.assign(interview_id=rows["interview_id"])
    cases = cases.assign(adults=rows["adults"].fillna(1).astype(int))
    cases.to_csv(out / "cases.csv", index=False, na_rep="NA")
    measures = [c for c in rows.columns if c.startswith(("y_", "i_"))]
    pd.DataFrame({"item": list(INDEX), "coefficient": list(INDEX.values())}).to_csv(
        out / "index.csv", index=False
    )
    approved = rows[rows["approved"] == 1]
    respondents = approved[["interview_id", "stratum", "district", "street", "sex", "age_group"]]
    respondents = respondents.assign(fpc=approved["N"]).join(approved[measures])
    respondents.astype({"interview_id": "int64"}).to_csv(
        out / "respondents.csv", index=False, na_rep="NA"
    )
    margins = []
    for key, cells in population.items():
        district = places[key].code
        margins.append(("district", district, sum(cells.values())))
        for cell, n in cells.items():
            sex, group = cell.split("|")
            margins += [("district_sex", f"{district}|{sex}", n)]
            margins += [("district_age", f"{district}|{group}", n)]
    margins = pd.DataFrame(margins, columns=["margin", "level", "Freq"])
    margins.groupby(["margin", "level"], as_index=False)["Freq"].sum().to_csv(
        out / "margins.csv", index=False
    )
    settings = {"trim_lower": DEFAULT_TRIM[0], "trim_upper": DEFAULT_TRIM[1], "method": method}
    pd.DataFrame([settings]).to_csv(out / "settings.csv", index=False)
    done = subprocess.run(
        [rscript, str(R_SCRIPT), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return {
        "index": pd.read_csv(out / "r_index.csv").set_index("district"),
        "weights": pd.read_csv(out / "r_weights.csv").set_index("interview_id"),
        "estimates": pd.read_csv(out / "r_estimates.csv", keep_default_na=False),
        "intervals": pd.read_csv(out / "r_intervals.csv", keep_default_na=False),
        "street_cov": pd.read_csv(out / "r_street_cov.csv").set_index("street"),
        "index_cov": pd.read_csv(out / "r_index_cov.csv", dtype={"district": str}).set_index(
            "district"
        ),
        "street_index_cov": pd.read_csv(
            out / "r_street_index_cov.csv", dtype={"street": str}
        ).set_index("street"),
    }


def _r(r: dict, measure: str, by: str) -> pd.DataFrame:
    table = r["estimates"]
    picked = table[(table["measure"] == measure) & (table["by"] == by)]
    assert len(picked), (measure, by)
    return picked.set_index("domain")[["estimate", "se"]].astype(float)


def _close(ours: pd.DataFrame, theirs: pd.DataFrame, estimate: str, se: str):
    ours = ours.reindex(theirs.index)
    np.testing.assert_allclose(ours[estimate], theirs["estimate"], rtol=RTOL)
    np.testing.assert_allclose(ours[se], theirs["se"], rtol=RTOL)


def test_final_weights_match_r_rake_and_trimweights(safety_wave, wave_in_r):
    # when
    sample = weighted_sample(wave=safety_wave)
    # then: raked to the three margins, then trimmed (some weights hit the lower bound)
    ids = sample.design[1].index
    theirs = wave_in_r["weights"].loc[ids]
    np.testing.assert_allclose(sample.design[0].weights, theirs["final"], rtol=RTOL)
    assert sample.report["margins"] and sample.report["trimmed"] > 0
    assert not np.allclose(theirs["raked"], theirs["final"])


def test_overall_scores_rates_and_ses_match_r_svymean_of_the_raked_design(safety_wave, wave_in_r):
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    overall = summarize(sample.long, design=sample.design)["overall"].set_index("scope")
    # then
    for scope in ("satisfaction", "safety"):
        theirs = _r(wave_in_r, scope, "overall").iloc[0]
        assert overall.loc[scope, "score"] == pytest.approx(theirs["estimate"], rel=RTOL)
        assert overall.loc[scope, "se"] == pytest.approx(theirs["se"], rel=RTOL)
    rate = _r(wave_in_r, "satisfaction_rate", "overall").iloc[0]
    assert overall.loc["satisfaction", "rate"] == pytest.approx(rate["estimate"], rel=RTOL)
    assert overall.loc["satisfaction", "rate_se"] == pytest.approx(rate["se"], rel=RTOL)


def test_district_and_street_tables_match_r_svyby_of_the_raked_design(safety_wave, wave_in_r):
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    tables = summarize(sample.long, design=sample.design)
    # then
    for table, by in (("by_district", "district"), ("by_street", "street")):
        ours = tables[table].set_index(by)
        for scope in ("satisfaction", "safety"):
            _close(ours, _r(wave_in_r, scope, by), f"{scope}_score", f"{scope}_se")


def test_district_by_dimension_scores_and_rates_match_r(safety_wave, wave_in_r):
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    heat = summarize(sample.long, design=sample.design)["by_district_dimension"]
    # then
    for dimension in ("police", "public_order"):
        ours = heat[heat["dimension"] == dimension].set_index("district")
        _close(ours, _r(wave_in_r, dimension, "district"), "score", "se")
    police = heat[heat["dimension"] == "police"].set_index("district")
    _close(police, _r(wave_in_r, "police_rate", "district"), "rate", "rate_se")


def test_the_raking_changes_the_ses_the_pages_publish(safety_wave, wave_in_r):
    """The calibrated SEs are not the design-weight-only ones (what the pages showed)."""
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    raked = summarize(sample.long, design=sample.design)["by_district"]
    as_given = summarize(sample.long)["by_district"]
    # then: same estimates, other SEs
    np.testing.assert_allclose(raked["satisfaction_score"], as_given["satisfaction_score"])
    assert np.abs(raked["satisfaction_se"] / as_given["satisfaction_se"] - 1).max() > 0.01


def test_nonresponse_adjusted_household_weights_match_r_before_raking(safety_wave, wave_in_r):
    """N_h / m_h within each stratum (the released reserve counted in 西岭镇's n), times the
    household's adults for a door interview."""
    # when
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    respondents = weighting.respondents.set_index("interview_id")
    # then
    theirs = wave_in_r["weights"].loc[respondents.index]
    np.testing.assert_allclose(respondents["weight"], theirs["base"], rtol=RTOL)
    np.testing.assert_allclose(weighting.weights, theirs["raked"], rtol=RTOL)


def test_weighting_classes_by_a_frame_attribute_match_r(
    safety_wave, places, built, tmp_path, rscript
):
    # given: the analyst's choice, stratum × building type
    WaveWeighting.objects.create(
        wave=safety_wave,
        nonresponse=WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE,
        attribute="building",
    )
    rows, population = built
    r = _run_r(rows, population, places, tmp_path, rscript, method="stratum_attribute")
    # when
    sample = weighted_sample(wave=safety_wave)
    base = wave_weights(wave=safety_wave).respondents.set_index("interview_id")["weight"]
    # then: no villa in 西岭镇 was interviewed, so its classes fall back to the stratum
    theirs = r["weights"].loc[base.index]
    np.testing.assert_allclose(base, theirs["base"], rtol=RTOL)
    np.testing.assert_allclose(sample.design[0].weights, theirs["final"], rtol=RTOL)
    assert sample.report["nonresponse"]["collapsed"] == [places["west_a"].code]
    ours = summarize(sample.long, design=sample.design)["by_district"].set_index("district")
    _close(ours, _r(r, "satisfaction", "district"), "satisfaction_score", "satisfaction_se")


def test_the_per_stratum_table_counts_the_fieldwork(safety_wave, places, wave_in_r):
    # when
    strata = {
        row["stratum"]: row
        for row in wave_weights(wave=safety_wave).report["nonresponse"]["strata"]
    }
    # then: 东华街道 30 approved of 40 released (10 nonrespondents: 4 interviewed, 2 rejected)
    east_a = strata[places["east_a"].code]
    assert (east_a["drawn"], east_a["released"], east_a["approved"]) == (40, 40, 30)
    assert east_a["interviewed"] == 34 and east_a["attempted"] == 40
    # 35 known eligible (30 approved, 4 other interviews, a refusal), 3 vacant, 2 unknown:
    # e = 35/38, estimated eligible 35 + 2 × 35/38
    assert (east_a["ineligible"], east_a["unknown"]) == (3, 2)
    assert east_a["eligibility_rate"] == pytest.approx(35 / 38)
    eligible = 35 + 2 * 35 / 38
    assert east_a["response_rate"] == pytest.approx(100 * 30 / eligible)
    assert east_a["weight_min"] == pytest.approx(FRAME["east_a"] / 40 * eligible / 30)
    assert east_a["weight_max"] == pytest.approx(FRAME["east_a"] / 40 * eligible / 30)


def test_the_composite_index_and_its_se_match_r_delta_method_on_the_raked_design(
    safety_wave, wave_in_r
):
    # when: no objective indicators, so the composite is the survey index
    index = composite_index(wave=safety_wave, level="district").table.set_index("code")
    # then
    theirs = wave_in_r["index"]
    np.testing.assert_allclose(index.loc[theirs.index, "composite"], theirs["estimate"], rtol=RTOL)
    np.testing.assert_allclose(index.loc[theirs.index, "se"], theirs["se"], rtol=RTOL)


def test_the_index_joint_covariance_matches_r_and_its_diagonal_is_the_se(safety_wave, wave_in_r):
    """The covariance the index's rank intervals are drawn with, against
    vcov(svycontrast(...)) of the index by district (independent: each district is raked to
    its own margins) and by street (the two streets of 城东区 covary through its margins)."""
    for level, name in (("district", "index_cov"), ("street", "street_index_cov")):
        found = composite_index(wave=safety_wave, level=level)
        theirs = wave_in_r[name]
        theirs.columns = theirs.columns.astype(str)
        ours = found.covariance.loc[theirs.index, theirs.index].to_numpy()
        np.testing.assert_allclose(ours, theirs.to_numpy(dtype=float), rtol=RTOL, atol=1e-12)
        se = found.table.set_index("code").loc[theirs.index, "se"]
        np.testing.assert_allclose(np.sqrt(np.diag(ours)), se, rtol=1e-12)
    off_diagonal = ours - np.diag(np.diag(ours))
    assert np.abs(off_diagonal).max() > 1e-6  # the street-level terms are not zero


def test_dimension_and_respondent_group_tables_match_r(safety_wave, built, wave_in_r):
    # given
    rows, _population = built
    sample = weighted_sample(wave=safety_wave)
    groups = rows.dropna(subset=["interview_id"])[["interview_id", "sex", "age_group"]]
    data = sample.long.merge(groups.astype({"interview_id": "int64"}), on="interview_id")
    # when
    dimensions = summarize(sample.long, design=sample.design)["by_dimension"]
    # then: the overall dimension scores, and the group profiles (as results.group_tables)
    by_dimension = dimensions.set_index("dimension")
    for dimension in ("police", "public_order"):
        theirs = _r(wave_in_r, dimension, "overall").iloc[0]
        assert by_dimension.loc[dimension, "score"] == pytest.approx(theirs["estimate"], rel=RTOL)
        assert by_dimension.loc[dimension, "se"] == pytest.approx(theirs["se"], rel=RTOL)
    for group in ("sex", "age_group"):
        ours = scope_table(data, [group], design=sample.design).set_index(group)
        _close(ours, _r(wave_in_r, "satisfaction", group), "satisfaction_score", "satisfaction_se")


def test_the_methodology_names_the_margins_and_says_the_ses_include_the_raking(
    safety_wave, wave_in_r, english
):
    # when
    lines = dict(wave_results(safety_wave)["methodology_lines"])
    # then
    assert lines["Weighting: raked to"] == "District, District × Sex, District × Age group"
    assert "including the raking" in lines["Standard errors"]
    assert "svyciprop, method logit" in lines["Intervals"] and "not clipped" in lines["Intervals"]
    assert lines["Weighting: nonresponse adjustment"].startswith(
        "within each stratum: the stratum's frame size / its approved respondents"
    )
    assert "e × (UH + UO)" in lines["Weighting: eligibility"]
    household = lines["Weighting: household selection"]
    assert "15 door interviews, 0 of them without a listing" in household
    assert "phone respondents do not" in household
    # two Kish households of 8 adults (lines 7 and 8 never chosen)
    assert lines["Weighting: households beyond the Kish tables"].startswith(
        "2 door interviews in households of more than 6 adults"
    )
    assert "their 4 adults after line 6" in lines["Weighting: households beyond the Kish tables"]


def _intervals(r: dict, measure: str, by: str) -> pd.DataFrame:
    table = r["intervals"]
    picked = table[(table["measure"] == measure) & (table["by"] == by)]
    assert len(picked), (measure, by)
    return picked.set_index("domain")[["low", "high", "df"]].astype(float)


def test_score_and_rate_intervals_are_r_svyciprop_logit_with_design_df(safety_wave, wave_in_r):
    """Scores as shares of 100 and rates as shares, each by R's svyciprop(method = "logit")
    with t quantiles on the domain's degrees of freedom (PSUs − strata)."""
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    tables = summarize(sample.long, design=sample.design)
    # then
    overall = tables["overall"].set_index("scope")
    for scope in ("satisfaction", "safety"):
        theirs = _intervals(wave_in_r, scope, "overall").iloc[0]
        ours = overall.loc[scope]
        assert (ours["ci_low"], ours["ci_high"]) == pytest.approx(
            (theirs["low"], theirs["high"]), rel=RTOL
        )
        assert ours["df"] == theirs["df"]
    for table, by in (("by_district", "district"), ("by_street", "street")):
        ours = tables[table].set_index(by)
        for scope in ("satisfaction", "safety"):
            theirs = _intervals(wave_in_r, scope, by)
            mine = ours.loc[theirs.index]
            np.testing.assert_allclose(mine[f"{scope}_ci_low"], theirs["low"], rtol=RTOL)
            np.testing.assert_allclose(mine[f"{scope}_ci_high"], theirs["high"], rtol=RTOL)
            np.testing.assert_array_equal(mine[f"{scope}_df"], theirs["df"])
    heat = tables["by_district_dimension"]
    police = heat[heat["dimension"] == "police"].set_index("district")
    theirs = _intervals(wave_in_r, "police_rate", "district")
    np.testing.assert_allclose(police.loc[theirs.index, "rate_ci_low"], theirs["low"], rtol=RTOL)
    np.testing.assert_allclose(police.loc[theirs.index, "rate_ci_high"], theirs["high"], rtol=RTOL)
    np.testing.assert_array_equal(police.loc[theirs.index, "rate_df"], theirs["df"])
    # a street is one stratum: df = its respondents with a value − 1 (t, not normal)
    streets = tables["by_street"]
    np.testing.assert_array_equal(streets["satisfaction_df"], streets["satisfaction_n"] - 1)


def test_the_joint_covariance_of_street_scores_is_r_svyby_covmat(safety_wave, wave_in_r):
    """Streets are strata, so they covary only through the raking to district margins: the
    off-diagonal terms are small but not zero, and R's covmat = TRUE agrees to 1e-6."""
    # given
    sample = weighted_sample(wave=safety_wave)
    # when
    domains, scores, covariance = scope_covariance(sample.long, ["street"], design=sample.design)
    # then
    theirs = wave_in_r["street_cov"]
    order = [list(domains["street"]).index(code) for code in theirs.index]
    ours = covariance[np.ix_(order, order)]
    scale = np.sqrt(np.outer(np.diag(ours), np.diag(ours)))
    np.testing.assert_allclose(ours / scale, theirs.to_numpy() / scale, atol=RTOL)
    np.testing.assert_allclose(np.diag(ours), np.diag(theirs.to_numpy()), rtol=RTOL)
    assert np.abs(ours[~np.eye(len(ours), dtype=bool)]).max() > 1e-6 * np.diag(ours).min()
    table = summarize(sample.long, design=sample.design)["by_street"]
    np.testing.assert_allclose(np.sqrt(np.diag(covariance)), table["satisfaction_se"], rtol=1e-9)
