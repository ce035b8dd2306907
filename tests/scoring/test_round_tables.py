"""An earlier round's tables for a later round's trend and rank changes: kept with the
round's edition (scoring.frozen_tables) and read back while the round's inputs are in the
state they were frozen in; computed again once they are not."""

import json
import math

import pandas as pd
import pytest
from django.core.cache import cache
from django.utils import translation

from fieldwork.models import Wave
from scoring.editions import freeze_edition
from scoring.frozen_tables import tables_from_json, tables_to_json
from scoring.models import Edition
from scoring.presenters import number
from scoring.results import round_tables, wave_results
from scoring.score_tables import summarize, with_scope
from scoring.states import state_key
from scoring.weighting import weighted_sample
from tests.scoring.factories import answers

NAN = float("nan")


@pytest.fixture(autouse=True)
def in_english():
    """These tests read the results in English; the language ends with each test."""
    with translation.override("en"):
        yield


def test_tables_survive_json_exactly():
    # given a table with every kind of column summarize makes, and the awkward values
    tables = {
        "by_street": pd.DataFrame(
            {
                "district": pd.Series(["C01", "C02", None], dtype="str"),
                "scope": pd.Series(["satisfaction", "safety", "satisfaction"], dtype=object),
                "n": pd.Series([3, 0, 12], dtype="int64"),
                "score": [1 / 3, NAN, 0.1 + 0.2],
                "ci_high": [math.inf, -math.inf, 5e-324],
                "unreliable": [True, False, True],
                "rank": pd.array([1, None, 2], dtype="Int64"),
            }
        ),
        "empty": pd.DataFrame({"score": pd.Series(dtype="float64")}),
        "n_interviews": 15,
    }
    # when it goes through strict JSON (no NaN: PostgreSQL's jsonb refuses them) and back
    text = json.dumps(tables_to_json(tables), allow_nan=False)
    back = tables_from_json(json.loads(text))
    # then every value, dtype and the index are as they were
    for name in ("by_street", "empty"):
        pd.testing.assert_frame_equal(back[name], tables[name], check_exact=True)
    assert back["n_interviews"] == 15
    assert back["by_street"]["score"].iloc[2] == 0.1 + 0.2  # not 0.3: the exact double


@pytest.fixture
def two_rounds(safety_wave, places, make_interview):
    """An earlier round (safety_wave) of six interviews and a later round of four."""
    for i in range(6):
        street = places[("east_a", "west_a")[i % 2]]
        make_interview(safety_wave, street, answers(safety=str(1 + i % 5), order=str(5 - i % 3)))
    later = Wave.objects.create(
        name="2024年第三季度",
        client=safety_wave.client,
        questionnaire_version=safety_wave.questionnaire_version,
        draw=safety_wave.draw,
    )
    for i in range(4):
        street = places[("east_a", "west_a")[i % 2]]
        make_interview(later, street, answers(safety=str(2 + i % 4), order=str(1 + i % 5)))
    return safety_wave, later


def test_an_edition_keeps_the_round_tables_and_a_later_round_reads_them(two_rounds, analyst):
    earlier, later = two_rounds
    computed = wave_results(later)  # no edition: the earlier round weighted and estimated
    # when the earlier round is frozen and the cache emptied
    edition = freeze_edition(wave=earlier, user=analyst)
    cache.clear()
    # then the edition holds the round's tables in the state it was frozen in
    assert edition.inputs_state == state_key(earlier)
    kept = tables_from_json(Edition.objects.get(pk=edition.pk).tables)
    for name, table in round_tables(earlier).items():
        if isinstance(table, pd.DataFrame):
            pd.testing.assert_frame_equal(kept[name], table, check_exact=True)
    # and the later round's results from them are the results computed without them
    cache.clear()
    assert wave_results(later) == computed


def test_the_kept_tables_are_what_the_trend_reads_until_the_round_changes(
    two_rounds, analyst, places, make_interview
):
    earlier, later = two_rounds
    edition = freeze_edition(wave=earlier, user=analyst)
    # given the kept overall satisfaction score marked (no recomputation could give 12.5)
    stored = Edition.objects.get(pk=edition.pk)
    overall = stored.tables["overall"]
    scope = overall["columns"].index("scope")
    score = overall["columns"].index("score")
    row = overall["data"][scope].index("satisfaction")
    live = overall["data"][score][row]
    overall["data"][score][row] = 12.5
    stored.save(update_fields=["tables"])
    cache.clear()
    # then the later round's trend reads the kept figure
    assert wave_results(later)["trend"]["satisfaction"][0] == 12.5
    # when one more interview of the earlier round is approved, its inputs' state moves on
    make_interview(earlier, places["west_a"], answers(safety="1", order="1"))
    cache.clear()
    # then the trend is estimated again from the round's answers, not read from the edition
    sample = weighted_sample(wave=earlier)
    fresh = summarize(with_scope(sample.long), design=sample.design, heat=False)["overall"]
    expected = number(fresh.set_index("scope").loc["satisfaction", "score"])
    assert wave_results(later)["trend"]["satisfaction"][0] == expected
    assert expected != 12.5 and expected != number(live)


def test_a_round_for_the_trend_has_the_same_figures_the_trend_and_rank_changes_read(two_rounds):
    earlier, _later = two_rounds
    sample = weighted_sample(wave=earlier)
    long = with_scope(sample.long)
    full = summarize(long, design=sample.design, heat=False)
    # when only what a later round reads is estimated
    trend = summarize(long, design=sample.design, heat=False, trend=True)
    # then the scores, rates and counts of every table are the full tables' own
    for name in ("overall", "by_dimension", "by_district", "by_street"):
        for column in full[name].columns:
            if column.endswith(("se", "ci_low", "ci_high", "df", "n_eff")) or column in (
                "unreliable",
                "rank",
            ):
                continue
            pd.testing.assert_series_equal(trend[name][column], full[name][column])
    # and the places keep the satisfaction score's uncertainty, flags and ranks exactly
    for name in ("by_district", "by_street"):
        for column in (
            "satisfaction_se",
            "satisfaction_df",
            "satisfaction_n_eff",
            "satisfaction_unreliable",
            "safety_se",
            "unreliable",
            "rank",
        ):
            pd.testing.assert_series_equal(trend[name][column], full[name][column])
    # while nothing the trend does not read is estimated
    assert trend["overall"]["se"].isna().all() and full["overall"]["se"].notna().all()
    assert trend["by_district"]["satisfaction_rate_ci_low"].isna().all()
    assert full["by_district"]["satisfaction_rate_ci_low"].notna().any()
