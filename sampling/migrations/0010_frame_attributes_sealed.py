"""Sampled units' frame attributes split: in clear only the columns something queries (the
draw's strata and sort columns, the quota variables and the nonresponse adjustment's attribute
of the waves drawn from it), the rest sealed in SampledUnit.sealed_attributes and named in
Draw.sealed_columns (sampling.services.attributes). Reversible: going back puts the sealed
columns in the plain attributes again."""

from django.db import migrations, models

import common.personal.fields

BATCH = 1000


def _queried(apps, draw) -> set[str]:
    waves = apps.get_model("fieldwork", "Wave").objects.filter(draw_id=draw.pk)
    quotas = apps.get_model("fieldwork", "QuotaTarget").objects.filter(wave__in=waves)
    weighting = apps.get_model("scoring", "WaveWeighting").objects.filter(wave__in=waves)
    return {
        *draw.strata_columns,
        *draw.sort_columns,
        *quotas.values_list("variable", flat=True),
        *weighting.exclude(attribute="").values_list("attribute", flat=True),
    }


def _save(model, batch: list) -> None:
    model.objects.bulk_update(batch, ["attributes", "sealed_attributes"], batch_size=BATCH)
    batch.clear()


def seal(apps, schema_editor) -> None:
    unit_model = apps.get_model("sampling", "SampledUnit")
    for draw in apps.get_model("sampling", "Draw").objects.all():
        plain, sealed_names, batch = _queried(apps, draw), set(), []
        units = unit_model.objects.filter(draw_id=draw.pk).only("pk", "attributes")
        for unit in units.iterator(chunk_size=BATCH):
            values = unit.attributes or {}
            sealed = {k: v for k, v in values.items() if k not in plain}
            if sealed:
                sealed_names |= set(sealed)
                unit.attributes = {k: v for k, v in values.items() if k in plain}
                unit.sealed_attributes = sealed
                batch.append(unit)
            if len(batch) == BATCH:
                _save(unit_model, batch)
        _save(unit_model, batch)
        draw.sealed_columns = sorted(sealed_names)
        draw.save(update_fields=["sealed_columns"])


def unseal(apps, schema_editor) -> None:
    unit_model = apps.get_model("sampling", "SampledUnit")
    units = unit_model.objects.filter(sealed_attributes__isnull=False)
    batch = []
    for unit in units.only("pk", "attributes", "sealed_attributes").iterator(chunk_size=BATCH):
        unit.attributes = {**(unit.attributes or {}), **(unit.sealed_attributes or {})}
        unit.sealed_attributes = None
        batch.append(unit)
        if len(batch) == BATCH:
            _save(unit_model, batch)
    _save(unit_model, batch)


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0009_phone_keys_aes_cmac"),
        ("fieldwork", "0019_location_answers_sealed"),
        ("scoring", "0006_edition_round_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="draw",
            name="sealed_columns",
            field=models.JSONField(blank=True, default=list, verbose_name="sealed frame columns"),
        ),
        migrations.AddField(
            model_name="sampledunit",
            name="sealed_attributes",
            field=common.personal.fields.EncryptedJSONField(
                blank=True, null=True, verbose_name="frame attributes (sealed)"
            ),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
    ]
