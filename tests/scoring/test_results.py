"""scoring.results: the wave's results as the page, the PDF and the XLSX share them."""

import gc

import pytest
from django.utils import translation

from scoring.loaders import AnswerError
from scoring.results import lowest_lists, ranked, wave_results
from tests.scoring.factories import answers
from tests.scoring.test_presenters import present


def test_lowest_lists_the_lowest_dimensions_and_streets():
    # given: the small test wave's streets are unreliable (not ranked); give two of them
    # ranks as a reliable street would have
    report = present("en")
    for street, rank in zip(report["streets"], (1, None, 2), strict=False):
        street.update(rank=rank, rank_low=rank, rank_high=rank and rank + 1)
    # when
    board = lowest_lists(report)
    # then: the lowest estimates among the ranked streets only
    assert [d["label"] for d in board["dimensions"]] == [
        "Public order",
        "Police work",
        "Sense of safety",
    ]
    ranked_names = [s["name"] for s in report["streets"] if s["rank"] is not None]
    assert sorted(s["name"] for s in board["streets"]) == sorted(ranked_names)
    assert all(s["rank_low"] is not None for s in board["streets"])


def test_unranked_streets_are_not_among_the_lowest_estimates():
    # when: every street of the small test wave is unreliable
    board = lowest_lists(present("en"))
    # then
    assert board["streets"] == []


def test_ranked_rows_share_the_best_rank_on_ties_and_unscored_rows_come_last():
    # given
    rows = [
        {"name": "c", "score": 70.0, "unreliable": False},
        {"name": "a", "score": None, "unreliable": True},
        {"name": "b", "score": 80.0, "unreliable": False},
        {"name": "d", "score": 70.0, "unreliable": False},
        {"name": "e", "score": 95.0, "unreliable": True},
    ]
    # when
    out = ranked(rows)
    # then: the unreliable e is listed first by its score but not ranked
    assert [(r["name"], r["rank"]) for r in out] == [
        ("e", None),
        ("b", 1),
        ("c", 2),
        ("d", 2),
        ("a", None),
    ]


def test_wave_results_reads_the_database_in_the_active_language(
    safety_wave, places, make_interview
):
    # given
    make_interview(safety_wave, places["east_a"], answers(safety="4", order="5"))
    # when
    with translation.override("en"):
        data = wave_results(safety_wave)
    # then
    assert data["wave"]["name"] == "2024年第二季度"
    assert data["streets"][0]["name"] == "东华街道"
    assert data["dimensions"][0]["label"] == "Sense of safety"
    assert data["labels"]["by_street"] == "By street"


def test_wave_results_gives_the_collector_back_as_it_found_it(safety_wave, places, make_interview):
    # given: the collector on (results are computed with it paused)
    make_interview(safety_wave, places["east_a"], answers(safety="4", order="5"))
    assert gc.isenabled()
    # when
    wave_results(safety_wave)
    # then
    assert gc.isenabled()
    # and a caller that paused it itself finds it still paused
    gc.disable()
    try:
        wave_results(safety_wave)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_wave_results_that_fail_give_the_collector_back(safety_wave, places, make_interview):
    # given an approved answer outside its choice list
    make_interview(safety_wave, places["east_a"], answers(order="7"))
    # when
    with pytest.raises(AnswerError):
        wave_results(safety_wave)
    # then
    assert gc.isenabled()


def test_the_methodology_states_the_score_map_the_variance_and_the_reliability_rule(
    safety_wave, places, make_interview
):
    # given
    make_interview(safety_wave, places["east_a"], answers(safety="4", order="5"))
    # when
    with translation.override("en"):
        lines = dict(wave_results(safety_wave)["methodology_lines"])
    # then: the safety questions' map as the questionnaire states it
    maps = {label: text for label, text in lines.items() if label.startswith("Score map")}
    assert maps and all("counted as satisfied or safe:" in text for text in maps.values())
    assert any(" 100" in text and " 0" in text for text in maps.values())
    assert "Taylor linearisation" in lines["Standard errors"]
    assert "effective sample size below 30" in lines["Reliability"]


def test_each_score_map_names_the_codes_in_its_own_lists_words_whatever_the_lists_order(
    safety_wave,
):
    # given the safety survey: safety items on one list and satisfaction items on another,
    # both scoring codes 1-5 the same way but with different words
    from scoring.loaders import scale_items
    from scoring.methodology import score_map_lines

    definition = safety_wave.questionnaire_version.definition
    reordered = {
        **definition,
        "choice_lists": dict(reversed(list(definition["choice_lists"].items()))),
    }
    # when the score maps are stated, with the lists in either order (PostgreSQL's jsonb keeps
    # keys in its own order, not the questionnaire's)
    with translation.override("zh-hans"):
        lines = score_map_lines(definition, scale_items(definition), "zh-hans")
        again = score_map_lines(reordered, scale_items(reordered), "zh-hans")
    # then each list's items have their own map in their own words, the same either way
    assert lines == again
    texts = [text for _label, text in lines]
    assert len(texts) == 2
    assert any(text.startswith("很安全 100") for text in texts)
    assert any(text.startswith("非常满意 100") for text in texts)
