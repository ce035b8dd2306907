"""qc.services.checks: the automatic checks on completed interviews, their flags and events."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from fieldwork import reactions
from fieldwork.models import Interview
from qc import rules
from qc.models import Flag, Review, ReviewEvent
from qc.services.checks import check_completed_interview, check_interviews
from qc.services.reviews import approve_interview
from tests.qc.conftest import ITEMS, straight_answers, varied_answers


def passed_reason() -> str:
    with translation.override("zh-hans"):  # kept in Chinese, and in English beside it
        return gettext("Automatic checks passed")


def flags_of(interview) -> dict[str, str]:
    return dict(Flag.objects.filter(interview=interview).values_list("rule", "reason"))


def _outcome() -> dict:
    """interview id -> (state, {rule: reason}, [(from, to, reason)]) for every review."""
    return {
        review.interview_id: (
            review.state,
            flags_of(review.interview_id),
            [(e.from_state, e.to_state, e.reason) for e in review.events.all()],
        )
        for review in Review.objects.all()
    }


def _mixed_interviews(world, interviewer, n: int) -> list[Interview]:
    kinds = [
        dict(answers=varied_answers(), duration=400),
        dict(answers=straight_answers("5"), duration=400),
        dict(answers=straight_answers("2"), duration=20),
        dict(answers=varied_answers(), duration=30),
        dict(answers=straight_answers("4", sat_1="9", sat_2="9", sat_3="9"), duration=None),
        dict(answers={}, duration=None),
    ]
    return [world.interview(interviewer, **kinds[i % len(kinds)]) for i in range(n)]


# The mixed interviews repeat answer vectors; duplicate_answers (a rule over the population,
# which a single-interview check cannot see) is kept out where per-interview outcomes are compared.
NO_DUPLICATES = rules.RuleConfig(duplicate_min_items=10**6)


def test_qc_queues_the_check_of_every_completed_interview():
    from qc.tasks import enqueue_interview_check

    assert enqueue_interview_check in reactions.completed_handlers()


def test_clean_interview_gets_clean_review_and_one_system_event(world, interviewer):
    interview = world.interview(interviewer, answers=varied_answers(), duration=420)
    review = check_completed_interview(interview)
    assert review.state == Review.State.CLEAN
    assert review.decided_by is None and review.decided_at is None
    assert flags_of(interview) == {}
    [event] = review.events.all()
    assert (event.from_state, event.to_state, event.actor) == ("", Review.State.CLEAN, None)
    assert event.reason == passed_reason()


def test_rushed_straightlined_interview_is_flagged_with_readable_reasons(world, interviewer):
    # 13 answered questions: at least 60 s expected; ten items all "满意"
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    assert review.state == Review.State.FLAGGED
    assert flags_of(interview) == {
        rules.RUSHED: "访问用时 45 秒，已答 13 题，应至少 60 秒",
        rules.STRAIGHTLINING: "10 项量表题中 10 项回答「满意」",
    }
    [event] = review.events.all()
    assert event.to_state == Review.State.FLAGGED and event.actor is None
    assert "访问用时 45 秒" in event.reason and "回答「满意」" in event.reason


def test_dont_know_answers_do_not_count_towards_straightlining(world, interviewer):
    # Seven "满意" and three don't know: only 7 substantive items, below the minimum of 8
    answers = straight_answers("4", sat_1="9", sat_2="9", sat_3="9")
    interview = world.interview(interviewer, answers=answers)
    assert check_completed_interview(interview).state == Review.State.CLEAN


@pytest.mark.parametrize(
    ("site", "request_language"), [("zh-hans", "en"), ("en", "zh-hans"), ("zh-hans", "zh-hans")]
)
def test_reasons_are_stored_in_chinese_and_english_whoever_runs_the_check(
    settings, world, interviewer, site, request_language
):
    settings.LANGUAGE_CODE = site
    interview = world.interview(interviewer, answers=straight_answers("4"))
    with translation.override(request_language):
        check_completed_interview(interview)
    [flag] = Flag.objects.filter(interview=interview)
    assert flag.rule == rules.STRAIGHTLINING
    assert flag.reason == "10 项量表题中 10 项回答「满意」"
    assert flag.reason_en == "10 of 10 scale items answered 'Satisfied'"
    [event] = ReviewEvent.objects.filter(review__interview=interview)
    assert (event.reason, event.reason_en) == (flag.reason, flag.reason_en)
    assert [(r["reason"], r["reason_en"]) for r in event.rules] == [(flag.reason, flag.reason_en)]


def test_a_clean_interviews_event_says_so_in_both_languages(world, interviewer):
    interview = world.interview(interviewer, answers=straight_answers("4", sat_1="2", sat_2="5"))
    with translation.override("en"):
        assert check_completed_interview(interview).state == Review.State.CLEAN
    [event] = ReviewEvent.objects.filter(review__interview=interview)
    assert (event.reason, event.reason_en) == ("自动检查通过", "Automatic checks passed")


def test_check_twice_writes_nothing_new(world, interviewer):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    check_completed_interview(interview)
    flag_ids = set(Flag.objects.values_list("id", flat=True))
    review = check_completed_interview(interview)
    assert set(Flag.objects.values_list("id", flat=True)) == flag_ids
    assert Review.objects.count() == 1
    assert review.events.count() == 1


def test_a_flag_kept_in_one_language_gains_the_other_on_the_next_check_and_nothing_else(
    world, interviewer
):
    """Flags kept before both languages were: on an English site `reason` held English and
    there was no `reason_en`. The next check finds the same: the flags keep their ids and
    times, their texts become both languages, and the review gets no new event."""
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    kept = {flag.rule: flag for flag in Flag.objects.filter(interview=interview)}
    for flag in kept.values():
        Flag.objects.filter(pk=flag.pk).update(reason=flag.reason_en, reason_en="")
    check_completed_interview(interview)
    again = {flag.rule: flag for flag in Flag.objects.filter(interview=interview)}
    assert {rule: (f.pk, f.created_at) for rule, f in again.items()} == {
        rule: (f.pk, f.created_at) for rule, f in kept.items()
    }
    assert {rule: (f.reason, f.reason_en) for rule, f in again.items()} == {
        rule: (f.reason, f.reason_en) for rule, f in kept.items()
    }
    assert review.events.count() == 1


def test_recheck_after_answers_change_moves_undecided_review_and_replaces_flags(world, interviewer):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    check_completed_interview(interview)
    # Only the duration changes: still flagged, but for straight-lining alone
    interview.duration_seconds = 400
    interview.save(update_fields=["duration_seconds"])
    review = check_completed_interview(interview)
    assert review.state == Review.State.FLAGGED
    assert set(flags_of(interview)) == {rules.STRAIGHTLINING}
    # Then the answers are differentiated: clean
    interview.answers = varied_answers()
    interview.save(update_fields=["answers"])
    review = check_completed_interview(interview)
    assert review.state == Review.State.CLEAN
    assert flags_of(interview) == {}
    transitions = [(e.from_state, e.to_state) for e in review.events.all()]
    assert transitions == [("", "flagged"), ("flagged", "flagged"), ("flagged", "clean")]


def test_recheck_keeps_a_human_decision(world, interviewer, supervisor):
    interview = world.interview(interviewer, answers=straight_answers("4"))
    review = check_completed_interview(interview)
    approve_interview(review=review, user=supervisor)
    interview.duration_seconds = 10
    interview.save(update_fields=["duration_seconds"])
    review = check_completed_interview(interview)
    assert review.state == Review.State.PROPOSED_APPROVE
    assert set(flags_of(interview)) == {rules.RUSHED, rules.STRAIGHTLINING}
    assert review.events.count() == 2


def test_flags_keep_severity_and_details_and_events_keep_the_rule_results(world, interviewer):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    review = check_completed_interview(interview)
    rushed = Flag.objects.get(interview=interview, rule=rules.RUSHED)
    assert rushed.severity == rules.SEVERITY[rules.RUSHED] == "high"
    assert rushed.details["duration_seconds"] == 45
    [event] = review.events.all()
    assert [(r["rule"], r["severity"]) for r in event.rules] == [
        (rules.RUSHED, "high"),
        (rules.STRAIGHTLINING, "medium"),
    ]
    assert event.rules[0]["details"] == rushed.details


def test_manual_flags_survive_a_recheck(world, interviewer):
    interview = world.interview(interviewer)
    Flag.objects.create(interview=interview, rule="backcheck", reason="回访不符")
    check_completed_interview(interview)
    assert flags_of(interview) == {"backcheck": "回访不符"}


def test_check_refuses_an_unfinished_interview(world, interviewer):
    interview = world.interview(interviewer, status=Interview.Status.IN_PROGRESS)
    with pytest.raises(ValueError, match="not completed"):
        check_completed_interview(interview)
    assert not Review.objects.exists()


def test_batch_check_equals_single_checks(world, interviewer):
    interviews = _mixed_interviews(world, interviewer, 12)
    world.interview(interviewer, status=Interview.Status.BROKEN_OFF)
    for interview in interviews:
        check_completed_interview(interview, config=NO_DUPLICATES)
    single = _outcome()
    Review.objects.all().delete()
    Flag.objects.all().delete()

    checked = check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)

    assert checked == 12  # the broken-off interview is not checked
    assert _outcome() == single
    states = {state for state, _flags, _events in single.values()}
    assert states == {Review.State.CLEAN, Review.State.FLAGGED}


def test_batch_check_is_idempotent_and_moves_changed_interviews(world, interviewer):
    interviews = _mixed_interviews(world, interviewer, 6)
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    before = _outcome()
    assert check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES) == 6
    assert _outcome() == before
    straight = interviews[1]
    straight.answers = varied_answers()
    straight.save(update_fields=["answers"])
    check_interviews(interviews=Interview.objects.all(), config=NO_DUPLICATES)
    after = _outcome()
    assert after[straight.pk][0] == Review.State.CLEAN
    assert after[straight.pk][2][-1][:2] == (Review.State.FLAGGED, Review.State.CLEAN)
    assert {k: v for k, v in after.items() if k != straight.pk} == {
        k: v for k, v in before.items() if k != straight.pk
    }


def test_batch_check_flags_copied_answers_that_a_single_check_cannot_see(world, interviewer):
    first = world.interview(interviewer, answers=varied_answers(), duration=400)
    copy = world.interview(interviewer, answers=varied_answers(), duration=400)
    assert check_completed_interview(first).state == Review.State.CLEAN
    check_interviews(interviews=Interview.objects.all())
    flags = dict(Flag.objects.filter(rule="duplicate_answers").values_list("interview", "reason"))
    assert set(flags) == {first.pk, copy.pk}
    assert f"#{copy.pk}" in flags[first.pk]
    assert Review.objects.get(interview=first).state == Review.State.FLAGGED


def test_batch_check_queries_do_not_grow_with_interviews(
    world, interviewer, django_assert_max_num_queries
):
    _mixed_interviews(world, interviewer, 30)
    # waves 1, wave + its settings 2, frame 2, reviews + flags 2, flags/reviews/events
    # inserts 3 (+ savepoint bookkeeping)
    with django_assert_max_num_queries(13):
        assert check_interviews(interviews=Interview.objects.all()) == 30
    assert ReviewEvent.objects.count() == 30


def test_scale_items_fixture_has_ten_items():
    # Guards the arithmetic in the reasons above (10 items, 13 answered questions)
    assert len(ITEMS) == 10
    assert len(varied_answers()) == 13
