"""The frame attributes of sampled units (SampledUnit.attributes: the frame's own extra
columns), registered with common.personal.registry.

A frame from another system may carry anything beside the standard columns: a householder's
name, an ID number, a second address. Those rest sealed (SampledUnit.sealed_attributes, see
sampling.services.attributes); the purge removes them, and clears every plain attribute of the
wave's units except those the results and the design rest on, which scoring knows: the attribute the
nonresponse adjustment splits strata by (of any wave drawn from the same sample), the quota
variables, and the draw's strata and sort columns. What stays describes the household's kind
(building type, area type), not who lives there, and keeps the results byte-identical (the
purge checks their inputs' checksum)."""

from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.personal.registry import Holder, Scope, register
from fieldwork.models import QuotaTarget, Wave
from fieldwork.personal_data import wave_units
from sampling.models import Draw, SampledUnit
from scoring.models import WaveWeighting


def kept_attributes(scope: Scope) -> set[str]:
    """The attribute names the wave's results and design need."""
    wave = Wave.objects.filter(pk=scope.wave_id).select_related("draw").first()
    if wave is None:
        return set()
    same_sample = (
        Q(wave_id=wave.pk) | Q(wave__draw_id=wave.draw_id) if wave.draw_id else Q(wave_id=wave.pk)
    )
    kept = set(
        WaveWeighting.objects.filter(same_sample)
        .exclude(attribute="")
        .values_list("attribute", flat=True)
    )
    kept |= set(QuotaTarget.objects.filter(wave_id=wave.pk).values_list("variable", flat=True))
    if wave.draw is not None:
        kept |= {*wave.draw.strata_columns, *wave.draw.sort_columns}
    return kept


def _excess(scope: Scope) -> Iterator[tuple[int, dict]]:
    """(unit id, its plain attributes without the ones to go) of each unit that has some to
    go: sealed attributes, or plain ones the results do not use. The sealed part is not
    opened: that it is there is enough."""
    kept = kept_attributes(scope)
    rows = wave_units(scope).annotate(sealed=Q(sealed_attributes__isnull=False))
    for pk, attributes, sealed in rows.values_list("pk", "attributes", "sealed").iterator(
        chunk_size=2000
    ):
        if sealed or set(attributes or {}) - kept:
            yield pk, {k: v for k, v in (attributes or {}).items() if k in kept}


def _purge(scope: Scope) -> int:
    changed = [
        SampledUnit(pk=pk, attributes=kept, sealed_attributes=None) for pk, kept in _excess(scope)
    ]
    SampledUnit.objects.bulk_update(changed, ["attributes", "sealed_attributes"], batch_size=2000)
    _forget_sealed_columns(scope)
    return len(changed)


def _forget_sealed_columns(scope: Scope) -> None:
    """Once no unit of the wave's draw keeps a sealed column, the draw no longer names any,
    so the weighting page stops offering columns that are gone (a draw shared with a wave
    not purged keeps them)."""
    draw_id = Wave.objects.filter(pk=scope.wave_id).values_list("draw_id", flat=True).first()
    sealed_left = SampledUnit.objects.filter(draw_id=draw_id, sealed_attributes__isnull=False)
    if draw_id is not None and not sealed_left.exists():
        Draw.objects.filter(pk=draw_id).update(sealed_columns=[])


def register_holders() -> None:
    """Called from ScoringConfig.ready()."""
    register(
        Holder(
            key="sample.frame_attributes",
            what=_("Other columns of the sampling frame (names, ID numbers, addresses, …)"),
            where=_("Sampled units (database, the personal columns encrypted)"),
            count=lambda scope: sum(1 for _unit in _excess(scope)),
            purge=_purge,
            fields=("sampling.SampledUnit.attributes", "sampling.SampledUnit.sealed_attributes"),
            kept=_(
                "The columns the weights, quotas and strata use stay (the kind of household, "
                "not who lives there)."
            ),
        )
    )
