"""Releasing a draw's reserve replicates into fieldwork, in order, each with who and why."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from sampling.errors import SamplingInputError
from sampling.models import Draw, ReplicateRelease


@transaction.atomic
def record_release(*, draw: Draw, replicate: int, user: User, reason: str) -> ReplicateRelease:
    """Record that reserve replicate `replicate` of `draw` goes into fieldwork, by whom and why.

    Replicates are released in order (1, then 2, …) because the design weights of replicate r
    assume 1…r−1 are out too. Call it in the same transaction as
    fieldwork.services.waves.release_replicate, which makes the cases. Raises SamplingInputError for
    replicate 0 (the main sample is never "released"), an unknown or already released
    replicate, one out of order, or an empty reason.
    """
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    reason = reason.strip()
    problems = []
    if not reason:
        problems.append(_("Say why the reserve is released."))
    if not 1 <= replicate <= draw.reserve_replicates:
        problems.append(
            _("This draw has reserve replicates 1 to %(r)s; %(replicate)s is not one of them.")
            % {"r": draw.reserve_replicates, "replicate": replicate}
            if draw.reserve_replicates
            else _("This draw has no reserve replicates.")
        )
    else:
        released = set(draw.releases.values_list("replicate", flat=True))
        if replicate in released:
            problems.append(_("Replicate %(r)s is already released.") % {"r": replicate})
        elif replicate > 1 and replicate - 1 not in released:
            problems.append(
                _("Release replicate %(previous)s first.") % {"previous": replicate - 1}
            )
    if problems:
        raise SamplingInputError(problems)
    return ReplicateRelease.objects.create(
        draw=draw,
        replicate=replicate,
        released_by=user,
        reason=reason[:500],
        n_units=draw.units.filter(replicate=replicate).count(),
    )


def next_reserve(draw: Draw) -> int | None:
    """The next replicate to release, or None when every reserve is out."""
    released = draw.releases.count()
    return released + 1 if released < draw.reserve_replicates else None
