"""qc.services.reviews: proposals, final decisions, returns, re-releases and bulk approval,
with who may make each and their audit trail."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.kinds import Kind
from audit.models import AuditEvent
from fieldwork import loaders as fieldwork_frames
from fieldwork.models import Case, Interview, QuotaTarget
from fieldwork.services import interviews as fieldwork
from qc import rules
from qc.models import Flag, Review, ReviewEvent
from qc.services import reviews as reviews_service
from qc.services.checks import check_completed_interview
from qc.services.reviews import (
    approve_interview,
    bulk_approve,
    reject_interview,
    rerelease_case,
    return_interview,
)
from tests.factories import make_user
from tests.qc.conftest import straight_answers, varied_answers

pytestmark = pytest.mark.usefixtures("english")  # the tests read message wording


S = Review.State


@pytest.fixture
def lead(db):
    """A second analyst: the QC lead who confirms what the first proposed."""
    return make_user("lead", Role.ANALYST)


def states(review) -> list[str]:
    return [e.to_state for e in review.events.all()]


def test_approve_records_who_when_why_at_both_steps(world, interviewer, supervisor, analyst):
    review = check_completed_interview(world.interview(interviewer, duration=30))
    before = timezone.now()
    proposed = approve_interview(review=review, user=supervisor, reason="录音复核无误")
    review.refresh_from_db()
    assert review.state == Review.State.PROPOSED_APPROVE == proposed.state
    assert review.proposed_by == supervisor and review.decided_by is None
    assert before <= review.proposed_at <= timezone.now()
    approve_interview(review=review, user=analyst, reason="同意")
    review.refresh_from_db()
    assert review.state == Review.State.APPROVED
    assert review.decided_by == analyst and review.reason == "同意"
    assert before <= review.decided_at <= timezone.now()
    events = list(review.events.all())
    assert [(e.from_state, e.to_state, e.actor, e.reason) for e in events[1:]] == [
        (Review.State.FLAGGED, Review.State.PROPOSED_APPROVE, supervisor, "录音复核无误"),
        (Review.State.PROPOSED_APPROVE, Review.State.APPROVED, analyst, "同意"),
    ]
    assert events[-1].rules and events[-1].rules[0]["rule"] == rules.RUSHED
    assert before - timedelta(seconds=1) <= events[-1].at <= timezone.now()


def test_reject_requires_a_reason_and_writes_nothing_without_one(world, interviewer, analyst):
    review = check_completed_interview(world.interview(interviewer))
    with pytest.raises(ValidationError):
        reject_interview(review=review, user=analyst, reason="   ")
    review.refresh_from_db()
    assert review.state == Review.State.CLEAN
    assert review.events.count() == 1


def test_final_decision_can_be_reversed_with_a_reason_and_is_audited(
    world, interviewer, supervisor, analyst
):
    second_lead = make_user("lead", Role.ANALYST)
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=supervisor)
    approve_interview(review=review, user=analyst)
    with pytest.raises(ValidationError):
        reject_interview(review=review, user=second_lead, reason="")
    reject_interview(review=review, user=second_lead, reason="回访：受访者称未接受访问")
    review.refresh_from_db()
    assert review.state == Review.State.REJECTED and review.decided_by == second_lead
    assert [(e.to_state, e.actor) for e in review.events.all()] == [
        (Review.State.CLEAN, None),
        (Review.State.PROPOSED_APPROVE, supervisor),
        (Review.State.APPROVED, analyst),
        (Review.State.REJECTED, second_lead),
    ]


def test_same_decision_twice_is_refused(world, interviewer, supervisor):
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=supervisor)
    with pytest.raises(PermissionDenied):
        # the second "approve" is the final step: a supervisor is no QC lead
        approve_interview(review=review, user=supervisor)
    assert review.events.count() == 2


@pytest.mark.parametrize("role_fixture", ["interviewer", "client_user"])
def test_only_supervisors_and_analysts_decide(request, world, other_interviewer, role_fixture):
    user = request.getfixturevalue(role_fixture)
    review = check_completed_interview(world.interview(other_interviewer))
    with pytest.raises(PermissionDenied):
        approve_interview(review=review, user=user)
    with pytest.raises(PermissionDenied):
        reject_interview(review=review, user=user, reason="不合格")
    review.refresh_from_db()
    assert review.state == Review.State.CLEAN and review.events.count() == 1


def test_supervisor_proposes_and_a_lead_decides(world, interviewer, supervisor, analyst):
    review = check_completed_interview(world.interview(interviewer))
    reject_interview(review=review, user=supervisor, reason="录音中访员代答")
    assert review.state == S.PROPOSED_REJECT
    reject_interview(review=review, user=analyst, reason="确认作废")
    review.refresh_from_db()
    assert review.state == S.REJECTED
    assert (review.proposed_by, review.decided_by) == (supervisor, analyst)
    assert states(review) == [S.CLEAN, S.PROPOSED_REJECT, S.REJECTED]


def test_lead_may_overrule_a_proposal(world, interviewer, supervisor, analyst):
    review = check_completed_interview(world.interview(interviewer))
    reject_interview(review=review, user=supervisor, reason="疑似代答")
    approve_interview(review=review, user=analyst, reason="听录音无问题")
    assert Review.objects.get(pk=review.pk).state == S.APPROVED


def test_a_supervisor_cannot_make_the_final_decision(world, interviewer, supervisor):
    other_supervisor = make_user("supervisor2", Role.SUPERVISOR)
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=supervisor)
    with pytest.raises(PermissionDenied):
        approve_interview(review=review, user=other_supervisor)
    assert Review.objects.get(pk=review.pk).state == S.PROPOSED_APPROVE


def test_the_proposer_cannot_confirm_their_own_proposal(world, interviewer, analyst, lead):
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=analyst)
    with pytest.raises(PermissionDenied, match="other than the proposer"):
        approve_interview(review=review, user=analyst)
    approve_interview(review=review, user=lead)
    assert Review.objects.get(pk=review.pk).state == S.APPROVED


def test_nobody_reviews_their_own_interview(world, analyst, lead, supervisor):
    # A supervisor who took an interview (helping out on the phones) cannot propose on it ...
    review = check_completed_interview(world.interview(supervisor))
    with pytest.raises(PermissionDenied, match="took themselves"):
        approve_interview(review=review, user=supervisor)
    # ... nor an analyst finalise their own, even when someone else proposed
    own = check_completed_interview(world.interview(lead))
    approve_interview(review=own, user=analyst)
    with pytest.raises(PermissionDenied, match="took themselves"):
        approve_interview(review=own, user=lead)
    assert Review.objects.get(pk=review.pk).state == S.CLEAN
    assert Review.objects.get(pk=own.pk).state == S.PROPOSED_APPROVE


def test_a_returned_interview_cannot_be_approved(world, interviewer, supervisor, analyst):
    review = check_completed_interview(world.interview(interviewer))
    return_interview(review=review, user=supervisor, reason="请回拨核实第3题")
    with pytest.raises(ValidationError, match="cannot go from"):
        approve_interview(review=review, user=analyst)
    assert states(review) == [S.CLEAN, S.RETURNED]


def test_return_requires_a_reason(world, interviewer, supervisor):
    interview = world.interview(interviewer)
    review = check_completed_interview(interview)
    with pytest.raises(ValidationError):
        return_interview(review=review, user=supervisor, reason=" ")
    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED
    assert Review.objects.get(pk=review.pk).state == S.CLEAN


def test_callback_keeps_answers_and_the_reinterview_is_checked_again(
    world, interviewer, supervisor
):
    interview = world.interview(interviewer, answers=straight_answers("4"), duration=400)
    review = check_completed_interview(interview)
    assert review.state == S.FLAGGED
    return_interview(review=review, user=supervisor, reason="回拨核实")
    interview.refresh_from_db()
    case = Case.objects.get(pk=interview.case_id)
    assert interview.status == Interview.Status.IN_PROGRESS
    assert interview.answers == straight_answers("4")  # a callback by the same interviewer
    assert (case.status, case.interviewer, case.disposition) == (
        Case.Status.PENDING,
        interviewer,
        "",
    )
    event = review.events.last()
    assert event.snapshot["answers"] == straight_answers("4")
    assert event.rules[0]["rule"] == "straightlining"
    # The interviewer calls back, corrects the answers and finishes: the checks run again
    fieldwork.start_interview(case=case, interviewer=interviewer, mode="phone")
    Interview.objects.filter(pk=interview.pk).update(
        answers=varied_answers(), status=Interview.Status.COMPLETED, duration_seconds=400
    )
    interview.refresh_from_db()
    review = check_completed_interview(interview)
    assert review.state == S.CLEAN
    assert states(review) == [S.FLAGGED, S.RETURNED, S.CLEAN]


def test_return_to_another_interviewer_clears_the_answers_and_flags(
    world, interviewer, other_interviewer, supervisor
):
    interview = world.interview(interviewer, answers=straight_answers("4"))
    review = check_completed_interview(interview)
    return_interview(
        review=review, user=supervisor, reason="疑似编造，重访", interviewer=other_interviewer
    )
    interview.refresh_from_db()
    assert interview.answers == {} and interview.interviewer == other_interviewer
    assert interview.case.interviewer == other_interviewer
    assert not Flag.objects.filter(interview=interview).exists()
    assert review.events.last().snapshot["interviewer_id"] == interviewer.pk


def test_rejected_case_can_be_rereleased_only_by_a_lead(
    world, interviewer, other_interviewer, supervisor, analyst
):
    interview = world.interview(interviewer)
    review = check_completed_interview(interview)
    reject_interview(review=review, user=supervisor, reason="代答")
    reject_interview(review=review, user=analyst, reason="确认")
    with pytest.raises(PermissionDenied):
        rerelease_case(review=review, user=supervisor, reason="重访", interviewer=other_interviewer)
    rerelease_case(review=review, user=analyst, reason="重访", interviewer=other_interviewer)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS
    assert interview.case.status == Case.Status.PENDING
    assert states(review)[-2:] == [S.REJECTED, S.RETURNED]


def test_rerelease_of_an_undecided_review_is_refused(
    world, interviewer, other_interviewer, analyst
):
    interview = world.interview(interviewer)
    review = check_completed_interview(interview)
    with pytest.raises(ValidationError):
        rerelease_case(review=review, user=analyst, reason="重访", interviewer=other_interviewer)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED


def test_rejected_interview_stops_counting_towards_quotas(
    world, interviewer, other_interviewer, supervisor, analyst
):
    QuotaTarget.objects.create(wave=world.wave, variable="consent", value="yes", target=3)
    kept = world.interview(interviewer)
    rejected = world.interview(interviewer)
    rereleased = world.interview(interviewer)
    for interview in (kept, rejected, rereleased):
        check_completed_interview(interview)

    def achieved() -> int:
        return int(fieldwork_frames.quota_progress(world.wave)["achieved"].iloc[0])

    assert achieved() == 3
    for expected, interview in [(2, rejected), (1, rereleased)]:
        review = Review.objects.get(interview=interview)
        reject_interview(review=review, user=supervisor, reason="代答")
        assert achieved() == expected + 1  # a proposal alone changes nothing
        reject_interview(review=review, user=analyst, reason="确认")
        assert achieved() == expected
    rerelease_case(
        review=Review.objects.get(interview=rereleased),
        user=analyst,
        reason="重访",
        interviewer=other_interviewer,
    )
    assert achieved() == 1


def test_bulk_approve_proposes_clean_only_then_a_lead_confirms(
    world, interviewer, supervisor, analyst
):
    clean = [world.interview(interviewer) for _ in range(3)]
    flagged = world.interview(interviewer, answers=straight_answers("4"), duration=45)
    for interview in [*clean, flagged]:
        check_completed_interview(interview)
    assert bulk_approve(reviews=Review.objects.all(), user=supervisor) == 3
    assert Review.objects.get(interview=flagged).state == S.FLAGGED
    assert set(Review.objects.filter(interview__in=clean).values_list("state", flat=True)) == {
        S.PROPOSED_APPROVE
    }
    assert bulk_approve(reviews=Review.objects.all(), user=analyst) == 3
    assert Review.objects.filter(state=S.APPROVED).count() == 3
    # one event per interview and step
    assert ReviewEvent.objects.filter(to_state=S.APPROVED).count() == 3
    assert ReviewEvent.objects.filter(to_state=S.PROPOSED_APPROVE, actor=supervisor).count() == 3


def test_bulk_confirm_skips_the_leads_own_proposals(world, interviewer, analyst, lead):
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=analyst)
    assert bulk_approve(reviews=Review.objects.all(), user=analyst) == 0
    assert bulk_approve(reviews=Review.objects.all(), user=lead) == 1


def _trail(interviews: list[int]) -> list[tuple]:
    """Per interview (in the list's order): its review's events by people and its audit
    records, without ids and times; a record's subject checked to be its household."""
    trail = []
    for pk in interviews:
        events = ReviewEvent.objects.filter(review__interview_id=pk, actor__isnull=False)
        household = Case.objects.values_list("unit__unit_id", flat=True).get(interview__pk=pk)
        records = AuditEvent.objects.filter(kind=Kind.REVIEW_DECIDED, detail__interview=pk)
        trail.append(
            (
                [
                    (e.from_state, e.to_state, e.actor_id, e.reason, e.reason_en, e.rules)
                    for e in events.order_by("id")
                ],
                [
                    (r.actor_id, r.wave_id, r.subject == household, r.detail | {"interview": 0})
                    for r in records.order_by("id")
                ],
            )
        )
    return trail


def test_bulk_approval_moves_each_review_exactly_as_one_approval_would(
    world, interviewer, supervisor, analyst, lead
):
    """Two like sets: one approved one by one, the other in bulk (a flagged interview proposed
    on its own, then confirmed with the clean ones). The same states, the same events (who,
    from, to, the flags standing then) and the same audit records."""
    made = []
    for _set in range(2):
        interviews = [world.interview(interviewer) for _ in range(3)]
        interviews.append(world.interview(interviewer, answers=straight_answers("4"), duration=45))
        for interview in interviews:
            check_completed_interview(interview)
        made.append([interview.pk for interview in interviews])
    one_by_one, in_bulk = made
    for pk in one_by_one:
        approve_interview(review=Review.objects.get(interview_id=pk), user=supervisor)
    for pk in one_by_one:
        approve_interview(review=Review.objects.get(interview_id=pk), user=lead)
    approve_interview(review=Review.objects.get(interview_id=in_bulk[-1]), user=supervisor)
    assert bulk_approve(reviews=Review.objects.filter(interview__in=in_bulk), user=supervisor) == 3
    assert bulk_approve(reviews=Review.objects.filter(interview__in=in_bulk), user=lead) == 4

    states_of = dict(Review.objects.values_list("interview_id", "state"))
    assert {states_of[pk] for pk in one_by_one + in_bulk} == {S.APPROVED}
    assert _trail(in_bulk) == _trail(one_by_one)
    flagged = ReviewEvent.objects.filter(review__interview_id=in_bulk[-1], to_state=S.APPROVED)
    assert {r["rule"] for r in flagged.get().rules} == {rules.RUSHED, rules.STRAIGHTLINING}
    decided = Review.objects.filter(interview__in=in_bulk)
    assert set(decided.values_list("proposed_by", "decided_by")) == {(supervisor.pk, lead.pk)}


def test_bulk_approval_costs_the_same_queries_for_3_or_30_reviews(
    world, interviewer, supervisor, django_assert_num_queries
):
    few = [world.interview(interviewer) for _ in range(3)]
    many = [world.interview(interviewer) for _ in range(30)]
    for interview in few + many:
        check_completed_interview(interview)
    with CaptureQueriesContext(connection) as three:
        assert bulk_approve(reviews=Review.objects.filter(interview__in=few), user=supervisor) == 3
    with CaptureQueriesContext(connection) as thirty:
        moved = bulk_approve(reviews=Review.objects.filter(interview__in=many), user=supervisor)
    assert moved == 30
    assert len(thirty.captured_queries) == len(three.captured_queries) <= 12


def test_bulk_approval_moves_every_chunk(world, interviewer, supervisor, monkeypatch):
    monkeypatch.setattr(reviews_service, "BULK_CHUNK", 2)
    interviews = [world.interview(interviewer) for _ in range(5)]
    for interview in interviews:
        check_completed_interview(interview)
    assert bulk_approve(reviews=Review.objects.all(), user=supervisor) == 5
    assert set(Review.objects.values_list("state", flat=True)) == {S.PROPOSED_APPROVE}
    assert ReviewEvent.objects.filter(to_state=S.PROPOSED_APPROVE).count() == 5
    assert AuditEvent.objects.filter(kind=Kind.REVIEW_DECIDED).count() == 5


def test_bulk_confirmation_follows_the_rounds_events_not_the_reviews_summary(
    world, interviewer, analyst, lead
):
    """The workflow's rule is applied from each review's round: a lead who proposed an
    approval may not confirm it in bulk, even where the review's proposer field names
    someone else."""
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=lead)  # the lead proposes
    Review.objects.filter(pk=review.pk).update(proposed_by=analyst)
    assert bulk_approve(reviews=Review.objects.all(), user=lead) == 0
    assert Review.objects.get(pk=review.pk).state == S.PROPOSED_APPROVE


def test_bulk_approve_refuses_interviewers(world, interviewer, other_interviewer):
    check_completed_interview(world.interview(other_interviewer))
    with pytest.raises(PermissionDenied):
        bulk_approve(reviews=Review.objects.all(), user=interviewer)
    assert Review.objects.get().state == S.CLEAN


def test_proposer_cannot_approve_after_a_lead_rejected_their_proposal(
    world, interviewer, analyst, lead
):
    third = make_user("lead3", Role.ANALYST)
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=analyst)  # analyst A proposes approval
    reject_interview(review=review, user=lead, reason="录音中访员代答")  # lead B rejects
    with pytest.raises(PermissionDenied, match="other than the proposer"):
        approve_interview(review=review, user=analyst, reason="我认为没问题")
    with pytest.raises(PermissionDenied, match="other than the person who made it"):
        approve_interview(review=review, user=lead, reason="改主意")
    assert Review.objects.get(pk=review.pk).state == S.REJECTED
    approve_interview(review=review, user=third, reason="复听录音无代答")
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (S.APPROVED, third)


def test_approval_is_reversed_only_by_a_third_lead(world, interviewer, supervisor, analyst, lead):
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=supervisor)
    approve_interview(review=review, user=analyst)
    with pytest.raises(PermissionDenied, match="other than the person who made it"):
        reject_interview(review=review, user=analyst, reason="改判")
    with pytest.raises(PermissionDenied):
        reject_interview(review=review, user=supervisor, reason="改判")  # no QC lead
    reject_interview(review=review, user=lead, reason="回访：受访者称未接受访问")
    # the first approver may now reverse the reversal: it is no longer their decision
    approve_interview(review=review, user=analyst, reason="回访记录有误")
    assert states(review)[-3:] == [S.APPROVED, S.REJECTED, S.APPROVED]


def test_proposer_of_an_approval_cannot_reverse_it(world, interviewer, analyst, lead):
    review = check_completed_interview(world.interview(interviewer))
    approve_interview(review=review, user=analyst)
    approve_interview(review=review, user=lead)
    with pytest.raises(PermissionDenied, match="other than the proposer"):
        reject_interview(review=review, user=analyst, reason="改判")
    assert Review.objects.get(pk=review.pk).state == S.APPROVED


def test_a_finally_rejected_interview_is_not_a_complete_for_the_response_rates(
    world, interviewer, supervisor, analyst
):
    from fieldwork.rates import rate_table as rates

    kept, rejected = world.interview(interviewer), world.interview(interviewer)
    for interview in (kept, rejected):
        interview.case.disposition = "1.1"
        interview.case.save(update_fields=["disposition"])
        check_completed_interview(interview)
    review = Review.objects.get(interview=rejected)
    reject_interview(review=review, user=supervisor, reason="代答")
    proposed = fieldwork_frames.disposition_frame(world.wave)
    reject_interview(review=review, user=analyst, reason="确认")

    cases = fieldwork_frames.disposition_frame(world.wave).set_index("case_id")
    assert proposed.set_index("case_id").loc[rejected.case_id, "disposition"] == "1.1"
    assert cases.loc[rejected.case_id, "disposition"] == "2.36"
    assert cases.loc[kept.case_id, "disposition"] == "1.1"
    counts = rates(cases.reset_index(), ["wave"]).iloc[0]
    assert (counts["I"], counts["O"]) == (1, 1)
    # the counts the results' methodology rates from: the same final code per case
    counted = fieldwork_frames.disposition_counts(world.wave).set_index("disposition")["count"]
    assert counted.to_dict() == cases["disposition"].value_counts().to_dict()
    assert counted["2.36"] == 1
    assert fieldwork_frames.voided_case_ids(world.wave) == {rejected.case_id}


def test_the_case_page_says_its_interview_was_rejected(
    client, world, interviewer, supervisor, analyst
):
    interview = world.interview(interviewer)
    review = check_completed_interview(interview)
    url = reverse("fieldwork:case_detail", args=[interview.case_id])
    client.force_login(supervisor)
    before = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    reject_interview(review=review, user=supervisor, reason="代答")
    reject_interview(review=Review.objects.get(pk=review.pk), user=analyst, reason="确认")
    after = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "rejected in quality control" not in before
    assert "rejected in quality control" in after
