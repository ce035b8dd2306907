"""Interviews begun on an older version, after the wave switched to a version that renamed a
group (so every path in it changed), are read with their own version's paths by scoring,
the weighting margins, respondent groups and quota progress."""

import copy
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from fieldwork import loaders as fieldwork_loaders
from fieldwork.models import QuotaTarget
from fieldwork.services import waves
from questionnaires import answers as stored
from questionnaires.models import QuestionnaireVersion
from scoring.loaders import approved_answers, respondent_frame
from scoring.selectors import respondent_groups
from tests.factories import PASSWORD, choice, question
from tests.scoring.factories import DEFINITION


def _with_paths(main_group: str) -> dict:
    """The safety survey with a `sex` question and every question keyed by its path, the
    scored page named `main_group`."""
    definition = copy.deepcopy(DEFINITION)
    definition["choice_lists"]["sex"] = [choice("1", "男", "Male"), choice("2", "女", "Female")]
    screen, main = definition["groups"]
    screen["questions"].append(question("sex", "select_one", "sex", label={"zh": "性别"}))
    main["name"] = main_group
    for group in definition["groups"]:
        group["path"] = f"/{group['name']}"
        for item in group["questions"]:
            item["path"] = f"/{group['name']}/{item['name']}"
    return definition


@pytest.fixture
def switched(safety_wave, safety_version, places, make_interview):
    """v1 keeps the scored questions and sex in group `screen`/`main`; v2 renames `main` to
    `part_a` and `screen` to `intro`. One approved interview on v1, one on v2."""
    safety_version.definition = _with_paths("main")
    safety_version.save(update_fields=["definition"])
    v2_definition = _with_paths("part_a")
    v2_definition["groups"][0]["name"] = "intro"
    for item in v2_definition["groups"][0]["questions"]:
        item["path"] = f"/intro/{item['name']}"
    v2 = QuestionnaireVersion.objects.create(
        questionnaire=safety_version.questionnaire,
        number=2,
        title=safety_version.title,
        definition=v2_definition,
        source_name="safety_v2.xlsx",
        source_xlsx=b"",
        published_at=datetime(2024, 6, 1, tzinfo=UTC),
        xform_xml="<h:html/>",
    )
    old = make_interview(
        safety_wave,
        places["east_a"],
        {"/screen/eligible": "yes", "/screen/age": 35, "/screen/sex": "2",
         "/main/safety_overall": "1", "/main/order_q1": "5"},
    )  # fmt: skip
    waves.switch_wave_version(wave=safety_wave, version=v2)
    new = make_interview(
        safety_wave,
        places["east_a"],
        {"/intro/eligible": "yes", "/intro/age": 70, "/intro/sex": "1",
         "/part_a/safety_overall": "5"},
    )  # fmt: skip
    assert old.questionnaire_version_id == safety_version.pk
    assert new.questionnaire_version_id == v2.pk
    return old, new


def test_scoring_reads_an_older_versions_answers_by_their_own_paths(safety_wave, switched):
    old, new = switched
    # when
    long, _ = approved_answers(safety_wave)
    # then both interviews' answers are scored, under the current version's paths
    scored = {(r.interview_id, r.item): r.score for r in long.itertuples()}
    assert scored == {
        (old.pk, "/part_a/safety_overall"): 0.0,
        (old.pk, "/part_a/order_q1"): 100.0,
        (new.pk, "/part_a/safety_overall"): 100.0,
    }


def test_weighting_margins_read_an_older_versions_sex_and_age(safety_wave, switched):
    old, new = switched
    # when
    frame = respondent_frame(safety_wave).set_index("interview_id")
    # then
    assert frame.loc[old.pk, "sex"] == "F" and frame.loc[old.pk, "age_group"] == "30-44"
    assert frame.loc[new.pk, "sex"] == "M" and frame.loc[new.pk, "age_group"] == "60+"


def test_respondent_groups_read_an_older_versions_answers(safety_wave, switched):
    old, new = switched
    safety_wave.refresh_from_db()
    # when
    groups = respondent_groups(safety_wave, safety_wave.questionnaire_version.definition, "zh")
    # then
    rows = groups.set_index("interview_id")
    assert rows.loc[old.pk, "sex"] == "女" and rows.loc[old.pk, "age_group"] == "30-44"
    assert rows.loc[new.pk, "sex"] == "男" and rows.loc[new.pk, "age_group"] == "60+"


def test_quota_progress_counts_an_older_versions_interviews(safety_wave, switched, places):
    # given a target on sex in the sampled street
    for value in ("1", "2"):
        QuotaTarget.objects.create(
            wave=safety_wave, stratum=places["east_a"].code, variable="sex", value=value, target=5
        )
    # when
    progress = fieldwork_loaders.quota_progress(safety_wave).set_index("value")
    # then the v1 woman and the v2 man both count
    assert progress.loc["1", "achieved"] == 1
    assert progress.loc["2", "achieved"] == 1


def test_answers_move_only_where_a_name_is_unique_in_both_versions():
    # given v1 with q1 in two groups and age in `a`; v2 moves age and both q1 to new groups
    def definition(groups):
        return {
            "groups": [
                {"name": g, "path": f"/{g}",
                 "questions": [{"name": n, "path": f"/{g}/{n}"} for n in names]}
                for g, names in groups
            ]
        }  # fmt: skip

    v1 = definition([("a", ["q1", "age"]), ("b", ["q1"])])
    v2 = definition([("x", ["q1", "age"]), ("y", ["q1"])])
    # when
    moved = stored.moves(v1, v2)
    carried = stored.carried({"/a/q1": "1", "/b/q1": "2", "/a/age": 40}, moved)
    # then age moves; the ambiguous q1 answers stay where they were
    assert moved == {"/a/age": "/x/age"}
    assert carried == {"/a/q1": "1", "/b/q1": "2", "/x/age": 40}


def test_repeat_rows_follow_a_renamed_group():
    v1 = {"groups": [{"name": "hh", "path": "/hh", "repeat": {"max": 5},
                      "questions": [{"name": "nm", "path": "/hh/nm"}]}]}  # fmt: skip
    v2 = {"groups": [{"name": "hh", "path": "/s/hh", "repeat": {"max": 5},
                      "questions": [{"name": "nm", "path": "/s/hh/nm"}]}]}  # fmt: skip
    rows = stored.in_version([({"/hh": [{"/hh/nm": "Li"}]}, 1)], {1: v1, 2: v2}, 2)
    assert rows == [{"/s/hh": [{"/s/hh/nm": "Li"}]}]


def test_a_switch_names_the_scored_questions_it_moves_or_drops():
    v1 = _with_paths("main")
    v2 = _with_paths("part_a")
    v2["groups"][1]["questions"] = [
        q for q in v2["groups"][1]["questions"] if q["name"] != "police_q2"
    ]
    moved, gone = stored.moved_or_gone(v1, v2, ["safety_overall", "police_q2", "sex"])
    assert moved == ["safety_overall"]
    assert gone == ["police_q2"]


@pytest.fixture
def renamed_v2(safety_version):
    """v1 with the scored page `main`; v2 calls it `part_a` and drops police_q2."""
    safety_version.definition = _with_paths("main")
    safety_version.save(update_fields=["definition"])
    definition = _with_paths("part_a")
    definition["groups"][1]["questions"] = [
        q for q in definition["groups"][1]["questions"] if q["name"] != "police_q2"
    ]
    return QuestionnaireVersion.objects.create(
        questionnaire=safety_version.questionnaire,
        number=2,
        title=safety_version.title,
        definition=definition,
        source_name="safety_v2.xlsx",
        source_xlsx=b"",
        published_at=datetime(2024, 6, 1, tzinfo=UTC),
        xform_xml="<h:html/>",
    )


def test_a_roll_out_names_the_read_questions_it_moves_or_drops(safety_wave, renamed_v2):
    switch = waves.switch_wave_version(wave=safety_wave, version=renamed_v2)
    moved = {q["name"] for q in switch.moved}
    assert {"safety_overall", "order_q1", "police_q1"} <= moved
    assert "sex" not in moved  # the screening page kept its name, so sex kept its path
    assert [q["name"] for q in switch.gone] == ["police_q2"]
    assert switch.wave.questionnaire_version == renamed_v2


def test_the_wave_page_warns_of_moved_and_dropped_questions_by_their_labels(
    client, supervisor, safety_wave, renamed_v2
):
    client.login(username=supervisor.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:switch_version", args=[safety_wave.pk]),
        {"version": renamed_v2.pk},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    police_q2 = next(q for q in DEFINITION["groups"][1]["questions"] if q["name"] == "police_q2")
    gone = [text for text in shown if "police_q2" not in text and "不在新版本中" in text]
    assert gone and police_q2["label"]["zh"] in gone[0]
    assert any("已移到其他分组" in text for text in shown)
