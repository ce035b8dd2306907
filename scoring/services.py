"""Scoring's use-cases that write: the analyst's weighting choices for a wave. (The index
scheme's writes are scoring.index.services.)"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork.models import Wave
from sampling.models import SampledUnit
from scoring.models import WaveWeighting

ATTRIBUTES_SAMPLED = 2000  # units whose frame attributes name the choices


class WeightingInputError(ValueError):
    """A weighting choice that cannot be used; the message says why, in the reader's
    language."""


def frame_attributes(wave: Wave) -> list[str]:
    """The frame attributes the wave's sampled units carry (from the first units), sorted;
    one query."""
    if wave.draw_id is None:
        return []
    names: set[str] = set()
    for attributes in SampledUnit.objects.filter(draw_id=wave.draw_id).values_list(
        "attributes", flat=True
    )[:ATTRIBUTES_SAMPLED]:
        names.update(str(k) for k in (attributes or {}))
    return sorted(names)


@transaction.atomic
def set_nonresponse(*, wave: Wave, user: User, method: str, attribute: str = "") -> WaveWeighting:
    """Record how `wave`'s weights are adjusted for nonresponse (scoring.nonresponse), by
    whom; the results are recomputed under the new choice (it is part of their cache key).
    Raises WeightingInputError for an unknown method or an attribute the frame lacks."""
    if method not in WaveWeighting.Nonresponse.values:
        raise WeightingInputError(_("Unknown nonresponse adjustment."))
    if method == WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE:
        if attribute not in frame_attributes(wave):
            raise WeightingInputError(
                _("The sampling frame has no attribute “%(attribute)s”.") % {"attribute": attribute}
            )
    else:
        attribute = ""
    choice, _created = WaveWeighting.objects.update_or_create(
        wave=wave, defaults={"nonresponse": method, "attribute": attribute, "updated_by": user}
    )
    return choice
