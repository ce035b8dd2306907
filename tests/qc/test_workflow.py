"""qc.workflow: the table of allowed moves and who of a round may make them (pure)."""

import pytest

from qc import workflow
from qc.models import Review

pytestmark = pytest.mark.usefixtures("english")  # the tests read message wording


S = Review.State


def test_table_names_only_known_states_and_actors():
    for (frm, to), actors in workflow.TRANSITIONS.items():
        assert frm in ("", *workflow.STATES) and to in workflow.STATES
        assert actors and actors <= set(workflow.ACTORS)


def test_no_path_reaches_approved_without_a_proposal_and_a_lead():
    # Every move into "approved" comes from a proposal or a reversed rejection, by a lead only
    into_approved = {k: v for k, v in workflow.TRANSITIONS.items() if k[1] == S.APPROVED}
    assert set(into_approved) == {
        (S.PROPOSED_APPROVE, S.APPROVED),
        (S.PROPOSED_REJECT, S.APPROVED),
        (S.REJECTED, S.APPROVED),
    }
    assert all(actors == {workflow.LEAD} for actors in into_approved.values())
    assert not workflow.allowed(S.CLEAN, S.APPROVED, workflow.REVIEWER)
    assert not workflow.allowed(S.CLEAN, S.APPROVED, workflow.LEAD)
    assert not workflow.allowed(S.FLAGGED, S.REJECTED, workflow.REVIEWER)


def test_the_system_never_touches_a_human_decision():
    for state in (S.PROPOSED_APPROVE, S.PROPOSED_REJECT, S.APPROVED, S.REJECTED):
        assert workflow.next_states(state, workflow.SYSTEM) == []
    assert workflow.next_states(S.RETURNED, workflow.SYSTEM) == [S.CLEAN, S.FLAGGED]


def test_reasons_are_required_for_rejections_returns_and_reversals():
    assert workflow.needs_reason(S.FLAGGED, S.PROPOSED_REJECT)
    assert workflow.needs_reason(S.PROPOSED_APPROVE, S.REJECTED)
    assert workflow.needs_reason(S.CLEAN, S.RETURNED)
    assert workflow.needs_reason(S.REJECTED, S.APPROVED)
    assert not workflow.needs_reason(S.CLEAN, S.PROPOSED_APPROVE)
    assert not workflow.needs_reason(S.PROPOSED_APPROVE, S.APPROVED)


def test_table_bars_every_party_from_a_reversal():
    for frm, to in workflow.REVERSALS:
        assert workflow.allowed(frm, to, workflow.LEAD)
        assert workflow.PARTIES_BARRED[(frm, to, workflow.LEAD)] == {
            workflow.INTERVIEWER,
            workflow.PROPOSER,
            workflow.DECIDER,
        }
    assert workflow.PARTIES_BARRED[(S.PROPOSED_APPROVE, S.APPROVED, workflow.LEAD)] == {
        workflow.INTERVIEWER,
        workflow.PROPOSER,
    }


def test_round_parties_start_after_the_last_automatic_check():
    events = [
        ("", S.CLEAN, None),
        (S.CLEAN, S.PROPOSED_APPROVE, 7),  # an earlier round: returned, re-interviewed
        (S.PROPOSED_APPROVE, S.RETURNED, 8),
        (S.RETURNED, S.FLAGGED, None),
        (S.FLAGGED, S.PROPOSED_REJECT, 2),
        (S.PROPOSED_REJECT, S.REJECTED, 3),
    ]
    assert workflow.round_parties(events, interviewer=1) == {
        workflow.INTERVIEWER: {1},
        workflow.PROPOSER: {2},
        workflow.DECIDER: {3},
    }
    # a back-check's rejection has no person behind it
    by_backcheck = [("", S.CLEAN, None), (S.CLEAN, S.REJECTED, None)]
    parties = workflow.round_parties(by_backcheck, interviewer=1)
    assert parties[workflow.PROPOSER] == parties[workflow.DECIDER] == frozenset()
    assert (
        workflow.refusal(S.REJECTED, S.APPROVED, workflow.LEAD, person=9, parties=parties)
        == workflow.NO_PROPOSAL
    )
