"""Storing a wave's checked objective indicators and values: the one write that the files'
import (scoring.index.services.import_objective_indicators) and the API share."""

from django.db import transaction

from fieldwork.models import Wave
from sampling.models import Locality
from scoring.index import objective
from scoring.models import ObjectiveIndicator, ObjectiveValue


@transaction.atomic
def store_objective_indicators(
    *,
    wave: Wave,
    specs: dict[str, objective.IndicatorSpec],
    values: list[tuple[str, str, float]],
    rules_name: str,
    values_name: str,
) -> int:
    """Store checked indicators and values of `wave` (the files' import and the API share
    it): `specs` creates or updates the indicators they name; `values` (locality code,
    indicator code, value), every locality known and every indicator ruled, replaces every
    value of the indicators it contains. Returns the number of values stored."""
    for code, spec in specs.items():
        ObjectiveIndicator.objects.update_or_create(
            wave=wave,
            code=code,
            defaults={
                "name": spec.name,
                "unit": spec.unit,
                "weight": spec.weight,
                "rule": spec.rule.as_dict(),
                "source_name": rules_name,
            },
        )
    by_code = {i.code: i for i in ObjectiveIndicator.objects.filter(wave=wave)}
    codes = list(dict.fromkeys(code for _place, code, _value in values))
    ObjectiveValue.objects.filter(indicator__wave=wave, indicator__code__in=codes).delete()
    locality_id = dict(
        Locality.objects.filter(code__in={place for place, _c, _v in values}).values_list(
            "code", "pk"
        )
    )
    ObjectiveValue.objects.bulk_create(
        ObjectiveValue(indicator=by_code[code], locality_id=locality_id[place], value=float(value))
        for place, code, value in values
    )
    ObjectiveIndicator.objects.filter(wave=wave, code__in=codes).update(source_name=values_name)
    return len(values)
