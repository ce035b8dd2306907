"""What made an automatic draft (scoring.edition_jobs): the changes of the inputs since the
edition before it, recorded on the draft so that a reader sees who and what caused it.

An automatic draft has no one who froze it; its `cause` names instead the review decisions
that approved an interview or took an approval back since the edition before it (each
with the interview, the two states, who decided and when: the newest CAUSE_DECISIONS, and
how many there were in all), and whether the analyst's weighting choice or the wave's
targets changed since then, and by whom. A change that none of these records (a frame, a
released reserve, a new locality file) leaves `other` true.
"""

from datetime import datetime

from django.db.models import Q

from accounts.models import User
from fieldwork.models import Wave
from qc.models import Review, ReviewEvent
from scoring.models import WaveTarget, WaveWeighting

CAUSE_DECISIONS = 20  # the newest decisions listed on a draft; the rest are counted


def draft_cause(*, wave: Wave, since: datetime | None) -> dict:
    """{"decisions": [{"event", "interview", "from", "to", "by", "by_name", "at"}] newest
    first, "n_decisions", "weighting" and "targets" ({"by", "by_name", "at"} or None),
    "other"} of the changes to `wave`'s results inputs after `since` (the previous
    edition's freezing time)."""
    approved = Review.State.APPROVED
    events = ReviewEvent.objects.filter(review__interview__case__wave=wave).filter(
        Q(to_state=approved) | Q(from_state=approved)
    )
    if since is not None:
        events = events.filter(at__gt=since)
    decisions = [
        {
            "event": event.pk,
            "interview": event.review.interview_id,
            "from": event.from_state,
            "to": event.to_state,
            "by": event.actor_id,
            "by_name": _name(event.actor),
            "at": event.at.isoformat(),
        }
        for event in events.select_related("actor", "review").order_by("-at", "-id")[
            :CAUSE_DECISIONS
        ]
    ]
    cause = {
        "decisions": decisions,
        "n_decisions": events.count() if len(decisions) == CAUSE_DECISIONS else len(decisions),
        "weighting": _changed(WaveWeighting.objects.filter(wave=wave), since),
        "targets": _changed(WaveTarget.objects.filter(wave=wave), since),
    }
    cause["other"] = not (decisions or cause["weighting"] or cause["targets"])
    return cause


def _changed(rows, since: datetime | None) -> dict | None:
    """Who changed `rows` (a weighting or the targets) last, and when, if after `since`."""
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    last = rows.select_related("updated_by").order_by("-updated_at").first()
    if last is None:
        return None
    return {
        "by": last.updated_by_id,
        "by_name": _name(last.updated_by),
        "at": last.updated_at.isoformat(),
    }


def _name(user: User | None) -> str:
    """The person's name as pages show it; "" for the automatic checks."""
    return (user.get_full_name() or user.username) if user is not None else ""
