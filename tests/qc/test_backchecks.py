"""Back-checks: key questions, seeded selection and assignment, discrepancy and its outcome."""

import math
from collections import Counter

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from fieldwork.models import Interview
from qc import backchecks
from qc.models import BackCheck, BackCheckDraw, Flag, QCSettings, Review
from qc.rules import RuleConfig
from qc.services import (
    BACKCHECK_RULE,
    approve_interview,
    check_interviews,
    record_backcheck,
    reject_interview,
    rerelease_case,
    save_qc_settings,
    select_backchecks,
    wave_settings,
)
from tests.factories import make_user
from tests.qc.conftest import DEFINITION, straight_answers, varied_answers

# --- pure -----------------------------------------------------------------------------------


def _q(name, dimension=None, backcheck=False, type="select_one", list="sat5"):
    return {
        "name": name,
        "type": type,
        "list": list,
        "dimension": dimension,
        "backcheck": backcheck,
    }


SCORED = {"sat5": [{"value": "5", "score": 100.0}, {"value": "9", "score": None}]}


def test_key_questions_are_the_marked_ones_in_order():
    definition = {
        "choice_lists": SCORED,
        "groups": [
            {"questions": [_q("a", "police"), _q("b", "police", backcheck=True)]},
            {"questions": [_q("age", type="integer", list=None, backcheck=True)]},
        ],
    }
    assert backchecks.key_questions(definition) == ["b", "age"]


def test_key_questions_fall_back_to_safety_items_and_three_others():
    definition = {
        "choice_lists": SCORED,
        "groups": [
            {"questions": [_q("p1", "police"), _q("s1", "sense_of_safety"), _q("p2", "police")]},
            {"questions": [_q("s2", "sense_of_safety"), _q("p3", "police"), _q("p4", "police")]},
            {"questions": [_q("note", type="note", list=None), _q("open", type="text", list=None)]},
        ],
    }
    assert backchecks.key_questions(definition) == ["p1", "s1", "p2", "s2", "p3"]


def test_key_questions_of_the_test_definition_are_its_first_three_items():
    assert backchecks.key_questions(DEFINITION) == ["sat_1", "sat_2", "sat_3"]


def test_interviewer_shares_take_the_largest_that_applies():
    stats = pd.DataFrame(
        {"completed": [10, 10, 10, 0], "flagged": [1, 5, 5, 0], "prior": [50, 50, 3, 0]},
        index=pd.Index([1, 2, 3, 4], name="interviewer_id"),
    )
    out = backchecks.interviewer_shares(
        stats, share=0.3, share_high_risk=0.6, share_new=0.5, high_risk_flag_rate=0.3, new_below=20
    )
    assert out["flag_rate"].tolist()[:3] == [0.1, 0.5, 0.5] and math.isnan(out["flag_rate"][4])
    assert out["high_risk"].tolist() == [False, True, True, False]
    assert out["new"].tolist() == [False, False, True, True]
    assert out["share"].tolist() == [0.3, 0.6, 0.6, 0.5]


def _candidates(per_interviewer: dict[int, int]) -> pd.DataFrame:
    rows, next_id = [], 100
    for interviewer_id, n in per_interviewer.items():
        for _ in range(n):
            rows.append({"interview_id": next_id, "interviewer_id": interviewer_id})
            next_id += 1
    return pd.DataFrame(rows)


def test_select_takes_ceil_of_the_share_per_interviewer():
    candidates = _candidates({1: 10, 2: 7, 3: 1, 4: 5})
    chosen = backchecks.select(candidates, {1: 0.3, 2: 0.3, 3: 0.3, 4: 0.0}, seed=5)
    by_interviewer = candidates.set_index("interview_id").loc[chosen, "interviewer_id"]
    # 0.3 × 10 = 3 exactly (no float overshoot to 4); 0.3 × 7 = 2.1 → 3; 0.3 × 1 → 1; 0 → 0
    assert by_interviewer.value_counts().to_dict() == {1: 3, 2: 3, 3: 1}
    assert chosen == sorted(chosen)


def test_select_is_reproducible_from_the_seed_whatever_the_row_order():
    candidates = _candidates({1: 30, 2: 30})
    shares = {1: 0.3, 2: 0.5}
    first = backchecks.select(candidates, shares, seed=42)
    shuffled = candidates.sample(frac=1, random_state=3)
    assert backchecks.select(shuffled, shares, seed=42) == first
    assert backchecks.select(candidates, shares, seed=43) != first


def test_assign_never_gives_an_interviewer_their_own_and_balances_load():
    selected = _candidates({1: 6, 2: 6, 3: 6})
    result = backchecks.assign(selected, [1, 2, 3], seed=1)
    owner = selected.set_index("interview_id")["interviewer_id"]
    assert set(result) == set(selected["interview_id"])
    assert all(result[i] != owner[i] for i in result)
    # greedy by least load: every checker works, none far more than another
    loads = pd.Series(result).value_counts()
    assert set(loads.index) == {1, 2, 3} and loads.max() - loads.min() <= 2


def test_assign_without_another_checker_names_the_interview():
    with pytest.raises(ValueError, match="Interview 100"):
        backchecks.assign(_candidates({1: 1}), [1], seed=0)


def test_discrepancy_counts_only_questions_answered_again():
    original = {"a": "5", "b": "4", "c": ["1", "2"], "d": "3"}
    recheck = {"a": "5", "b": "2", "c": ["2", "1"], "d": "", "e": "1"}
    differing, rate = backchecks.discrepancy(original, recheck, ["a", "b", "c", "d", "e"])
    # compared a, b, c, e (d not answered again); b differs; e was unanswered originally
    assert differing == ["b", "e"] and rate == 2 / 4


def test_discrepancy_with_nothing_answered_is_none():
    assert backchecks.discrepancy({"a": "5"}, {}, ["a"]) == ([], None)


# --- services ------------------------------------------------------------------------------


@pytest.fixture
def checker(db):
    return make_user("checker", Role.INTERVIEWER)


def _interviews(world, interviewer, n, **kwargs) -> list[Interview]:
    made = [world.interview(interviewer, **kwargs) for _ in range(n)]
    # one batch check; identical answers here are by construction, not copied interviews
    check_interviews(
        interviews=Interview.objects.filter(pk__in=[i.pk for i in made]),
        config=RuleConfig(duplicate_min_items=10**6),
    )
    return made


def test_selection_takes_the_default_share_and_more_for_high_risk(
    world, interviewer, other_interviewer, checker, supervisor
):
    save_qc_settings(wave=world.wave, user=supervisor, values={"new_interviewer_completes": 0})
    _interviews(world, interviewer, 10)  # clean: 30%
    _interviews(world, other_interviewer, 10, answers=straight_answers("4"))  # all flagged: 60%
    draw = select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=11)
    counts = Counter(BackCheck.objects.values_list("interview__interviewer__username", flat=True))
    assert counts == {"interviewer": 3, "interviewer2": 6}
    assert draw.seed == 11
    assert draw.parameters["interviewers"][str(other_interviewer.pk)]["high_risk"] is True
    assert set(BackCheck.objects.values_list("assigned_to", flat=True)) == {checker.pk}
    assert BackCheck.objects.first().questions == ["sat_1", "sat_2", "sat_3"]


def test_new_interviewers_get_the_new_share(world, interviewer, checker, supervisor):
    _interviews(world, interviewer, 10)  # no earlier wave: new (default: < 20 prior)
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    assert BackCheck.objects.count() == 5


def test_selection_is_reproducible_and_recorded(world, interviewer, checker, supervisor):
    _interviews(world, interviewer, 12)
    first = select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=99)
    ids = sorted(BackCheck.objects.values_list("interview_id", flat=True))
    assert first.parameters["selected"] == ids
    BackCheck.objects.all().delete()
    BackCheckDraw.objects.all().delete()
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=99)
    assert sorted(BackCheck.objects.values_list("interview_id", flat=True)) == ids


def test_a_second_draw_skips_interviews_already_selected_and_rejected(
    world, interviewer, checker, supervisor, analyst
):
    made = _interviews(world, interviewer, 4)
    review = Review.objects.get(interview=made[0])
    reject_interview(review=review, user=supervisor, reason="代答")
    reject_interview(review=review, user=analyst, reason="确认")
    save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share_new": 1.0})
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    assert set(BackCheck.objects.values_list("interview_id", flat=True)) == {i.pk for i in made[1:]}
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=2)
    assert BackCheck.objects.count() == 3


def test_the_only_checker_being_the_interviewer_is_refused(world, interviewer, supervisor):
    _interviews(world, interviewer, 2)
    with pytest.raises(ValidationError, match="no back-check interviewer"):
        select_backchecks(wave=world.wave, user=supervisor, checkers=[interviewer], seed=1)
    assert not BackCheckDraw.objects.exists() and not BackCheck.objects.exists()


def test_interviewers_cannot_draw_back_checks(world, interviewer, checker):
    with pytest.raises(PermissionDenied):
        select_backchecks(wave=world.wave, user=interviewer, checkers=[checker], seed=1)


@pytest.fixture
def assigned(world, interviewer, checker, supervisor):
    [interview] = _interviews(world, interviewer, 1)
    save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share_new": 1.0})
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    return BackCheck.objects.get(interview=interview)


def test_matching_back_check_passes(assigned, checker):
    original = varied_answers()
    done = record_backcheck(
        backcheck=assigned, user=checker, answers={q: original[q] for q in assigned.questions}
    )
    assert (done.state, done.rate, done.outcome) == ("done", 0.0, BackCheck.Outcome.PASSED)
    assert Review.objects.get(interview=assigned.interview).state == Review.State.CLEAN


def test_discrepant_back_check_rejects_the_interview_with_flag_and_event(assigned, checker):
    original = varied_answers()
    answers = {"sat_1": original["sat_1"], "sat_2": "9", "sat_3": "9"}
    done = record_backcheck(backcheck=assigned, user=checker, answers=answers)
    assert done.discrepancies == ["sat_2", "sat_3"]
    assert done.rate == pytest.approx(2 / 3)
    assert done.outcome == BackCheck.Outcome.REJECTED
    review = Review.objects.get(interview=assigned.interview)
    assert review.state == Review.State.REJECTED
    event = review.events.last()
    assert event.actor is None and "67%" in event.reason
    assert any(r["rule"] == BACKCHECK_RULE and r["severity"] == "high" for r in event.rules)
    assert Flag.objects.get(interview=assigned.interview, rule=BACKCHECK_RULE).details[
        "differing"
    ] == ["sat_2", "sat_3"]


def test_discrepant_back_check_returns_for_reinterview_when_configured(
    world, assigned, checker, supervisor
):
    save_qc_settings(wave=world.wave, user=supervisor, values={"discrepancy_action": "return"})
    record_backcheck(backcheck=assigned, user=checker, answers={"sat_1": "9", "sat_2": "9"})
    interview = Interview.objects.get(pk=assigned.interview_id)
    assert Review.objects.get(interview=interview).state == Review.State.RETURNED
    assert interview.status == Interview.Status.IN_PROGRESS
    assert interview.case.interviewer == checker  # the re-interview goes to the back-checker


def test_discrepancy_at_the_threshold_passes(world, assigned, checker, supervisor):
    save_qc_settings(wave=world.wave, user=supervisor, values={"discrepancy_threshold": 0.5})
    original = varied_answers()
    done = record_backcheck(
        backcheck=assigned, user=checker, answers={"sat_1": original["sat_1"], "sat_2": "9"}
    )
    assert done.rate == 0.5 and done.outcome == BackCheck.Outcome.PASSED


def test_only_the_assigned_interviewer_records_once(assigned, checker, other_interviewer):
    with pytest.raises(PermissionDenied):
        record_backcheck(backcheck=assigned, user=other_interviewer, answers={"sat_1": "5"})
    with pytest.raises(ValidationError, match="age"):
        record_backcheck(backcheck=assigned, user=checker, answers={"age": "40"})
    with pytest.raises(ValidationError):
        record_backcheck(backcheck=assigned, user=checker, answers={})
    record_backcheck(backcheck=assigned, user=checker, answers={"sat_1": "1"})
    with pytest.raises(ValidationError):
        record_backcheck(backcheck=assigned, user=checker, answers={"sat_1": "1"})


def test_settings_default_when_none_saved(world):
    assert not QCSettings.objects.exists()
    assert wave_settings(world.wave).backcheck_share == 0.3


@pytest.mark.parametrize("new_below, expected", [(2, 3), (3, 5)])
def test_prior_completes_in_earlier_waves_decide_who_is_new(
    world, interviewer, checker, supervisor, new_below, expected
):
    _interviews(world, interviewer, 2)  # the earlier wave
    later = world.make_wave("2025 Q2")
    _interviews(world, interviewer, 10, wave=later)
    save_qc_settings(wave=later, user=supervisor, values={"new_interviewer_completes": new_below})
    draw = select_backchecks(wave=later, user=supervisor, checkers=[checker], seed=3)
    assert draw.parameters["interviewers"][str(interviewer.pk)]["new"] is (new_below > 2)
    assert BackCheck.objects.filter(interview__case__wave=later).count() == expected


def _failed_backcheck(world, interviewer, checker, supervisor, *, action: str) -> Interview:
    """A straightlined (flagged) interview whose back-check differs on every key question."""
    [interview] = _interviews(world, interviewer, 1, answers=straight_answers("4"))
    assert Flag.objects.filter(interview=interview, rule="straightlining").exists()
    save_qc_settings(
        wave=world.wave,
        user=supervisor,
        values={"backcheck_share_new": 1.0, "discrepancy_action": action},
    )
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    record_backcheck(
        backcheck=BackCheck.objects.get(interview=interview),
        user=checker,
        answers={"sat_1": "1", "sat_2": "1", "sat_3": "1"},
    )
    return interview


def test_failed_back_check_returning_the_interview_keeps_its_own_flag(
    world, interviewer, checker, supervisor
):
    interview = _failed_backcheck(world, interviewer, checker, supervisor, action="return")
    assert Review.objects.get(interview=interview).state == Review.State.RETURNED
    # the old answers' automatic flags go (the re-interview is checked afresh), the
    # back-check's high-severity flag stays
    assert dict(Flag.objects.filter(interview=interview).values_list("rule", "severity")) == {
        BACKCHECK_RULE: "high"
    }


@pytest.mark.usefixtures("english")
def test_back_check_rejection_of_an_unproposed_interview_is_not_approved_by_one_lead(
    world, interviewer, other_interviewer, checker, supervisor, analyst
):
    interview = _failed_backcheck(world, interviewer, checker, supervisor, action="reject")
    review = Review.objects.get(interview=interview)
    assert review.state == Review.State.REJECTED
    with pytest.raises(PermissionDenied, match="Nobody proposed"):
        approve_interview(review=review, user=analyst, reason="回访员记错了")
    assert Review.objects.get(pk=review.pk).state == Review.State.REJECTED
    rerelease_case(review=review, user=analyst, reason="重访", interviewer=other_interviewer)
    assert Review.objects.get(pk=review.pk).state == Review.State.RETURNED
