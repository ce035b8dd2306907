"""qc.services.backchecks: drawing back-checks and recording them, with what a failed one
does to the review."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from fieldwork.models import Interview
from qc.backchecks import BACKCHECK_RULE
from qc.models import BackCheck, BackCheckDraw, Flag, Review
from qc.rules import RuleConfig
from qc.services.backchecks import record_backcheck, select_backchecks
from qc.services.checks import check_interviews
from qc.services.reviews import approve_interview, reject_interview, rerelease_case
from qc.services.settings import save_qc_settings
from tests.factories import make_user
from tests.qc.conftest import straight_answers, varied_answers


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


@pytest.fixture
def assigned(world, interviewer, checker, supervisor):
    [interview] = _interviews(world, interviewer, 1)
    save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share_new": 1.0})
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    return BackCheck.objects.get(interview=interview)


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
    flag = Flag.objects.get(interview=assigned.interview, rule=BACKCHECK_RULE)
    assert flag.details["differing"] == ["sat_2", "sat_3"]
    # the reason is kept in both languages, on the flag, the event and the review
    assert "回访复核：3 个关键答案中有 2 个不一致" in flag.reason and "67%" in flag.reason
    assert "2 of 3 key answers differ (67% > " in flag.reason_en
    assert (event.reason, event.reason_en) == (flag.reason, flag.reason_en)
    assert (review.reason, review.reason_en) == (flag.reason, flag.reason_en)


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


def _reinterviewed(interview: Interview) -> Interview:
    """The re-interviewer asks every question again and finishes: completed once more."""
    from fieldwork.services.interviews import finish_interview

    interview.refresh_from_db()
    interview.answers = varied_answers()
    interview.save(update_fields=["answers"])
    return finish_interview(interview=interview)


def test_a_re_interview_is_back_checked_again_by_someone_new(
    world, interviewer, checker, supervisor, django_capture_on_commit_callbacks
):
    third = make_user("third", Role.INTERVIEWER)
    interview = _failed_backcheck(world, interviewer, checker, supervisor, action="return")
    # returned: not drawn while the re-interview is under way
    again = select_backchecks(wave=world.wave, user=supervisor, checkers=[third], seed=2)
    assert again.parameters["selected"] == []

    with django_capture_on_commit_callbacks(execute=True):  # qc checks the re-interview
        redone = _reinterviewed(interview)
    assert redone.interviewer == checker and redone.status == Interview.Status.COMPLETED
    # the original interviewer and the first checker (the re-interviewer) may not check it
    with pytest.raises(ValidationError, match="no back-check interviewer"):
        select_backchecks(wave=world.wave, user=supervisor, checkers=[interviewer, checker], seed=3)
    select_backchecks(
        wave=world.wave, user=supervisor, checkers=[interviewer, checker, third], seed=3
    )

    first, second = BackCheck.objects.filter(interview=interview).order_by("round")
    assert (first.round, first.interviewer, first.assigned_to) == (1, interviewer, checker)
    assert (second.round, second.interviewer, second.assigned_to) == (2, checker, third)
    assert second.state == BackCheck.State.ASSIGNED
    done = record_backcheck(backcheck=second, user=third, answers={"sat_1": "9"})
    assert done.round == 2 and done.rate is not None
    # drawn once per completion: nothing is left to draw
    last = select_backchecks(wave=world.wave, user=supervisor, checkers=[third], seed=4)
    assert last.parameters["selected"] == []
