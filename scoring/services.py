"""Scoring's use-cases that write: the analyst's weighting choices and satisfaction targets
for a wave. (The index scheme's writes are scoring.index.services; editions'
scoring.editions.)"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork.models import Wave
from sampling.models import Draw, SampledUnit
from sampling.services.attributes import make_plain
from scoring import refresh
from scoring.models import WaveTarget, WaveWeighting

ATTRIBUTES_SAMPLED = 2000  # units whose frame attributes name the choices


class WeightingInputError(ValueError):
    """A weighting choice that cannot be used; the message says why, in the reader's
    language."""


def frame_attributes(wave: Wave) -> list[str]:
    """The frame attributes the wave's sampled units carry (the plain ones from the first
    units, and the columns the draw keeps sealed), sorted; two queries."""
    if wave.draw_id is None:
        return []
    names: set[str] = set(
        Draw.objects.filter(pk=wave.draw_id).values_list("sealed_columns", flat=True).first() or []
    )
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
    make_plain(draw_id=wave.draw_id, names=[attribute] if attribute else [])
    choice, _created = WaveWeighting.objects.update_or_create(
        wave=wave, defaults={"nonresponse": method, "attribute": attribute, "updated_by": user}
    )
    transaction.on_commit(lambda: refresh.refresh_results(wave.pk))
    return choice


@transaction.atomic
def set_targets(*, wave: Wave, user: User, targets: dict[str, float | None]) -> int:
    """Record the wave's satisfaction targets (scoring.models.WaveTarget), by whom: a
    measure with None has no target. Returns how many targets the wave has now. The results
    are recomputed with them (they are part of the results' state)."""
    measures = set(WaveTarget.MEASURES)
    for measure, value in targets.items():
        if measure not in measures and not measure.startswith(WaveTarget.DIMENSION):
            raise WeightingInputError(_("Unknown measure for a target."))
        if value is not None and not 0 <= value <= 100:
            raise WeightingInputError(_("A target lies between 0 and 100."))
    WaveTarget.objects.filter(
        wave=wave, measure__in=[m for m, v in targets.items() if v is None]
    ).delete()
    for measure, value in targets.items():
        if value is None:
            continue
        current = WaveTarget.objects.filter(wave=wave, measure=measure).first()
        if current is None:
            WaveTarget.objects.create(wave=wave, measure=measure, value=value, updated_by=user)
        elif current.value != value:
            current.value, current.updated_by = value, user
            current.save(update_fields=["value", "updated_by", "updated_at"])
    transaction.on_commit(lambda: refresh.refresh_results(wave.pk))
    return WaveTarget.objects.filter(wave=wave).count()
