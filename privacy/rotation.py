"""Key rotation: everything encrypted re-encrypted under the newest key of PERSONAL_DATA_KEYS,
and every keyed hash recomputed under PERSONAL_DATA_HASH_KEY (docs/runbook.md).

Every model field of the encrypted kind (common.personal.EncryptedTextField), wherever it is,
every sealed value in a JSON field (common.personal.SealedJSONField: location answers), and
every stored frame file. Rows are rewritten in batches, each batch in its own transaction:
a rotation stopped half-way is simply run again (the old keys still decrypt what it did not
reach).
"""

from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from common.personal import EncryptedJSONField, EncryptedTextField, SealedJSONField, keyring
from common.personal.fields import SEALED, sealed_tokens
from fieldwork.models import Interview
from sampling.models import Frame
from sampling.services import frame_files

BATCH = 1000


def encrypted_fields(kind: type | tuple = (EncryptedTextField, EncryptedJSONField)):
    """(model, [its fields of `kind`]) for every model that has one."""
    found: list[tuple[type[models.Model], list[str]]] = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, kind)]
        if names:
            found.append((model, names))
    return found


def _sealed_rows(model: type[models.Model], name: str) -> models.QuerySet:
    """The rows whose JSON field `name` holds a sealed value (its text names the mark)."""
    raw = Cast(name, models.TextField())
    return model.objects.annotate(_raw=raw).filter(_raw__contains=SEALED)


def stale_tokens() -> int:
    """How many stored tokens the newest key cannot decrypt (0 once a rotation has run)."""
    ring, stale = keyring(), 0
    for model, names in encrypted_fields():
        raw = {f"raw_{name}": Cast(name, models.TextField()) for name in names}
        for row in model.objects.annotate(**raw).values_list(*raw).iterator(chunk_size=BATCH):
            stale += sum(1 for token in row if token and not ring.is_newest(token))
    for model, names in encrypted_fields(SealedJSONField):
        for name in names:
            raw = _sealed_rows(model, name).values_list("_raw", flat=True)
            for text in raw.iterator(chunk_size=BATCH):
                stale += sum(1 for t in sealed_tokens(text) if not ring.is_newest(t))
    return stale


def reencrypt_all(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Re-encrypt every encrypted field and frame file; returns {what: rows rewritten}."""
    report = progress or (lambda message: None)
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        label = model._meta.label
        report(label)
        counts[label] = _rewrite(model, names)
    for model, names in encrypted_fields(SealedJSONField):
        for name in names:
            label = f"{model._meta.label}.{name}"
            report(label)
            counts[label] = _rewrite(model, [name], _sealed_rows(model, name))
    report("frames")
    counts["frames"] = sum(1 for frame in Frame.objects.all() if frame_files.reencrypt(frame))
    return counts


def _rewrite(
    model: type[models.Model], names: list[str], rows: models.QuerySet | None = None
) -> int:
    """Each row read (decrypted with any key) and written back (encrypted with the newest)."""
    done, last = 0, 0
    rows = model.objects.all() if rows is None else rows
    while True:
        with transaction.atomic():
            batch = list(
                rows.select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .only("pk", *names)[:BATCH]
            )
            if not batch:
                return done
            model.objects.bulk_update(batch, [*names, *_moved_on(model, batch)])
        done += len(batch)
        last = batch[-1].pk


def _moved_on(model: type[models.Model], batch: list[models.Model]) -> list[str]:
    """An interview's revision moves on with its re-sealed answers, so a page save read
    before does not write back the old seal (fieldwork.services.interviews.apply_page)."""
    if model is not Interview:
        return []
    for row in batch:
        row.revision = models.F("revision") + 1
    return ["revision"]
