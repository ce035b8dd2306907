"""The audit log's events of this app (tests/audit holds the log itself)."""

import pytest

from audit.kinds import Kind
from audit.models import AuditEvent
from qc.services.checks import check_completed_interview
from qc.services.reviews import approve_interview

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def test_a_review_decision_is_recorded_for_its_wave(world, interviewer, supervisor, english):
    review = check_completed_interview(world.interview(interviewer, duration=30))
    approve_interview(review=review, user=supervisor, reason="录音复核无误")
    [decided] = events(Kind.REVIEW_DECIDED)
    assert decided.actor == supervisor
    assert decided.wave_id == review.interview.case.wave_id
    assert decided.detail["to"] == "Approval proposed"
    assert decided.detail["reason"] == "录音复核无误"
