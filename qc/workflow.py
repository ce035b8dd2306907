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

Beyond the actor, PARTIES_BARRED says which people of the review's current round (see
round_parties) may not make a move: nobody moves a review of their own interview; nobody
decides on their own proposal; a final decision is reversed only by a lead who is neither
the interviewer, nor a proposer of the round, nor the person whose decision is reversed.
And APPROVED needs a person's proposal in the round besides the lead's decision: when a
back-check rejected the interview straight from clean/flagged, nobody proposed, so no single
lead may approve it; the lead re-releases the case instead. refusal() applies all of this.
"""

from collections.abc import Iterable, Mapping

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


# Parties of a round (the people involved since the last automatic check).
INTERVIEWER, PROPOSER, DECIDER = "interviewer", "proposer", "decider"
REVERSALS = frozenset({(APPROVED, REJECTED), (REJECTED, APPROVED)})


def _barred(frm: str, to: str, actor: str) -> frozenset[str]:
    if actor not in (REVIEWER, LEAD):
        return frozenset()  # no person makes the move
    if (frm, to) in REVERSALS:
        return frozenset({INTERVIEWER, PROPOSER, DECIDER})
    if actor == LEAD and frm in PROPOSED:
        return frozenset({INTERVIEWER, PROPOSER})
    return frozenset({INTERVIEWER})


# (from_state, to_state, actor) -> the parties of the round who may not make that move
PARTIES_BARRED: dict[tuple[str, str, str], frozenset[str]] = {
    (frm, to, actor): _barred(frm, to, actor) for actor, frm, to in _MOVES
}

# Refusal codes of refusal(), in the order they are checked.
OWN_INTERVIEW, OWN_PROPOSAL, OWN_DECISION, NO_PROPOSAL = (
    "own_interview",
    "own_proposal",
    "own_decision",
    "no_proposal",
)
_REFUSAL_FOR = {INTERVIEWER: OWN_INTERVIEW, PROPOSER: OWN_PROPOSAL, DECIDER: OWN_DECISION}


def round_parties(
    events: Iterable[tuple[str, str, int | None]], *, interviewer: int
) -> dict[str, frozenset[int]]:
    """The people of a review's current round, from its events.

    `events`: (from_state, to_state, actor id or None) in the order they happened; the round
    starts after the last event into clean/flagged (an automatic check). Returns {INTERVIEWER:
    {interviewer}, PROPOSER: actors of the round's proposals, DECIDER: the actor of the event
    that made the current state, when it is final and a person made it}.
    """
    round_events: list[tuple[str, str, int | None]] = []
    for event in events:
        if event[1] in _CHECKED:
            round_events = []
        else:
            round_events.append(event)
    proposers = frozenset(a for _f, to, a in round_events if to in PROPOSED and a is not None)
    last = round_events[-1] if round_events else None
    decider = (
        frozenset({last[2]}) if last and last[1] in FINAL and last[2] is not None else frozenset()
    )
    return {INTERVIEWER: frozenset({interviewer}), PROPOSER: proposers, DECIDER: decider}


def refusal(
    from_state: str, to_state: str, actor: str, *, person: int, parties: Mapping[str, frozenset]
) -> str | None:
    """Why `person` (a user id) may not make this move given the round's `parties` (from
    round_parties), as one of the refusal codes above; None when nothing bars them.

    Whether the actor may make the move at all is allowed()'s question, not this one's.
    """
    for party in (INTERVIEWER, PROPOSER, DECIDER):
        if party in PARTIES_BARRED.get((from_state, to_state, actor), frozenset()) and (
            person in parties.get(party, frozenset())
        ):
            return _REFUSAL_FOR[party]
    if to_state == APPROVED and actor != SYSTEM and not parties.get(PROPOSER):
        return NO_PROPOSAL
    return None


def allowed(from_state: str, to_state: str, actor: str) -> bool:
    """Whether `actor` (one of ACTORS) may move a review from `from_state` to `to_state`."""
    return actor in TRANSITIONS.get((from_state, to_state), frozenset())


def next_states(from_state: str, actor: str) -> list[str]:
    """The states `actor` may move a review to from `from_state`, in the order of STATES."""
    return [to for to in STATES if allowed(from_state, to, actor)]


def needs_reason(from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in REASON_REQUIRED
