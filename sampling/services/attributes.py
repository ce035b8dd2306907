"""A sampled unit's frame attributes (the frame's own extra columns): in clear only the columns
something queries, the rest sealed.

Another system's frame may carry a householder's name, an ID number, a second address beside
the columns a survey needs. A draw keeps in `SampledUnit.attributes` (plain JSON, read by the
queue's quota checks, the quota progress and the nonresponse adjustment on hot paths) only the
columns its strata and sort order use, and seals the rest in `SampledUnit.sealed_attributes`
(one token per unit), naming them in `Draw.sealed_columns`. A column becomes plain when a
quota cell or the nonresponse adjustment comes to use it (`make_plain`): its values move out of
the sealed part, unit by unit, in the same transaction as the choice that needs them.
"""

from collections.abc import Iterable, Set

from django.db import transaction

from sampling.models import Draw, SampledUnit

BATCH = 2000


def split(values: dict, plain: Set[str]) -> tuple[dict, dict | None]:
    """(the plain attributes, the sealed ones or None) of one unit's `values`."""
    sealed = {k: v for k, v in values.items() if k not in plain}
    return {k: v for k, v in values.items() if k in plain}, sealed or None


def plain_columns(*, strata: Iterable[str], sort: Iterable[str]) -> set[str]:
    """The extra columns a new draw keeps plain: those its strata and sort order use."""
    return {*strata, *sort}


@transaction.atomic
def make_plain(*, draw_id: int | None, names: Iterable[str]) -> int:
    """Move the columns `names` of a draw's units from their sealed attributes into the plain
    ones (a quota cell or the nonresponse adjustment now reads them); returns how many units
    changed. Names the draw does not keep sealed (questions, columns already plain) cost one
    read of the draw."""
    if draw_id is None:
        return 0
    draw = Draw.objects.select_for_update().filter(pk=draw_id).first()
    moving = set(names) & set(draw.sealed_columns) if draw else set()
    if not moving:
        return 0
    changed = []
    units = SampledUnit.objects.filter(draw_id=draw_id, sealed_attributes__isnull=False)
    for unit in units.only("pk", "attributes", "sealed_attributes").iterator(chunk_size=BATCH):
        sealed = unit.sealed_attributes or {}
        if moving & set(sealed):
            unit.attributes = {**unit.attributes, **{k: sealed[k] for k in moving if k in sealed}}
            unit.sealed_attributes = {k: v for k, v in sealed.items() if k not in moving} or None
            changed.append(unit)
    SampledUnit.objects.bulk_update(changed, ["attributes", "sealed_attributes"], batch_size=BATCH)
    draw.sealed_columns = [c for c in draw.sealed_columns if c not in moving]
    draw.save(update_fields=["sealed_columns"])
    return len(changed)
