"""The review workflow's state machine, as one table. Pure: no Django.

States (the values of qc.models.Review.State):

    ""                 no review yet
    clean / flagged    after the automatic checks (no rule fired / some rule fired)
    returned           sent back for a callback or re-interview; the next automatic check
                       (after the re-interview) moves it to clean/flagged again
    proposed_approve   a supervisor proposes approval ─┐ the supervisor's step
    proposed_reject    a supervisor proposes rejection ┘
    approved           final (QC lead): the only state that reaches scoring
    rejected           final (QC lead): excluded from scoring; the case may be re-released

Who moves a review is one of ACTORS:

    system     the automatic checks (no person)
    reviewer   a supervisor or analyst, not the interview's own interviewer
    lead       a QC lead (an analyst), not the interviewer and, on a proposal, not its proposer
    backcheck  a back-check whose discrepancy rate is above the wave's threshold

Every (from, to) pair not in TRANSITIONS is refused, so no state is skipped: a clean
interview cannot become approved without a proposal, nor a proposal final without a lead.
"""

CLEAN, FLAGGED, RETURNED = "clean", "flagged", "returned"
PROPOSED_APPROVE, PROPOSED_REJECT = "proposed_approve", "proposed_reject"
APPROVED, REJECTED = "approved", "rejected"
STATES = (CLEAN, FLAGGED, RETURNED, PROPOSED_APPROVE, PROPOSED_REJECT, APPROVED, REJECTED)

SYSTEM, REVIEWER, LEAD, BACKCHECK = "system", "reviewer", "lead", "backcheck"
ACTORS = (SYSTEM, REVIEWER, LEAD, BACKCHECK)

UNDECIDED = (CLEAN, FLAGGED)  # the automatic checks may still move these
PROPOSED = (PROPOSED_APPROVE, PROPOSED_REJECT)
FINAL = (APPROVED, REJECTED)

_CHECKED = (CLEAN, FLAGGED)

_MOVES: list[tuple[str, str, str]] = [
    # automatic checks: first outcome, re-checks of undecided reviews, re-interviews
    *((SYSTEM, "", to) for to in _CHECKED),
    *((SYSTEM, frm, to) for frm in _CHECKED for to in _CHECKED),
    *((SYSTEM, RETURNED, to) for to in _CHECKED),
    # the supervisor's step
    *((REVIEWER, frm, to) for frm in _CHECKED for to in (*PROPOSED, RETURNED)),
    # the QC lead's final decision on a proposal, or sending it back for a callback
    *((LEAD, frm, to) for frm in PROPOSED for to in (*FINAL, RETURNED)),
    # the QC lead may reverse a final decision (with a reason), or re-release a rejected case
    (LEAD, APPROVED, REJECTED),
    (LEAD, REJECTED, APPROVED),
    (LEAD, REJECTED, RETURNED),
    # a failed back-check overrides anything but a rejection already made
    *(
        (BACKCHECK, frm, to)
        for frm in (*_CHECKED, *PROPOSED, APPROVED)
        for to in (REJECTED, RETURNED)
    ),
]

# (from_state, to_state) -> the actors who may make that move
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (frm, to): frozenset(actor for actor, f, t in _MOVES if (f, t) == (frm, to))
    for _actor, frm, to in _MOVES
}

# Moves that need a written reason.
REASON_REQUIRED = frozenset(
    (frm, to)
    for (frm, to), actors in TRANSITIONS.items()
    if actors & {REVIEWER, LEAD} and (to in (PROPOSED_REJECT, REJECTED, RETURNED) or frm in FINAL)
)


def allowed(from_state: str, to_state: str, actor: str) -> bool:
    """Whether `actor` (one of ACTORS) may move a review from `from_state` to `to_state`."""
    return actor in TRANSITIONS.get((from_state, to_state), frozenset())


def next_states(from_state: str, actor: str) -> list[str]:
    """The states `actor` may move a review to from `from_state`, in the order of STATES."""
    return [to for to in STATES if allowed(from_state, to, actor)]


def needs_reason(from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in REASON_REQUIRED
