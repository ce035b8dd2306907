"""Reads: the locality tree as a lookup, frames from Parquet, a draw's sample as a table.

The one place where sampling turns querysets and stored files into plain data or DataFrames.
"""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.storage import default_storage

from common.crypto import phone_key, phone_keys
from common.personal import keyring
from sampling import frame_crypto
from sampling.draw import STRATUM_SEPARATOR
from sampling.models import AreaType, Draw, Frame, Level, Locality, SampledUnit


def locality_lookup() -> dict[str, dict]:
    """Locality code → {"level", "street_code", "district_code"} for the whole tree.

    The street and district are the locality's own ancestors at those levels (or itself), None
    above them. One query; the tree is thousands of rows, not millions.
    """
    nodes = {
        pk: (code, level, parent_id)
        for pk, code, level, parent_id in Locality.objects.values_list(
            "pk", "code", "level", "parent_id"
        )
    }
    lookup = {}
    for code, level, parent_id in nodes.values():
        found = {level: code}
        while parent_id is not None:
            parent_code, parent_level, parent_id = nodes[parent_id]
            found[parent_level] = parent_code
        lookup[code] = {
            "level": level,
            "street_code": found.get(Level.STREET),
            "district_code": found.get(Level.DISTRICT),
        }
    return lookup


def load_frame(frame: Frame, columns: list[str] | None = None) -> pd.DataFrame:
    """The frame's validated rows: columns `frame.columns` (or just `columns`, in that order),
    all str, in (street, unit id) order; phone, address and the frame's extra columns
    decrypted from the sealed file (empty once the frame's personal data was purged).
    `phone_key`, the number's keyed hash, is there only when asked for."""
    key = frame_crypto.KEY_COLUMN
    wanted = list(frame.columns) if columns is None else list(columns)
    with default_storage.open(frame.path, "rb") as stored:
        schema = pq.read_schema(stored)
        sealed = frame_crypto.is_sealed(schema.names)
        # Keys of a former scheme are recomputed from the numbers, never compared.
        keys_current = frame_crypto.keys_current(schema)
        in_file = [c for c in schema.names if c != key or keys_current]
        stored.seek(0)
        if not sealed:  # stored before encryption (sampling 0007 seals such files)
            plain = [c for c in wanted if c != key]
            extra = ["phone"] if key in wanted and "phone" not in plain else []
            rows = pd.read_parquet(stored, columns=plain + extra)
        else:
            rows = pd.read_parquet(stored, columns=[c for c in wanted if c in in_file])
    stale = key in wanted and key not in in_file
    personal = [c for c in wanted if c not in in_file and c != key]
    if sealed and stale and "phone" not in personal:
        personal.append("phone")
    if sealed and personal:
        opened = _sealed_columns(frame, len(rows), tuple(personal))
        for name in personal:
            rows[name] = opened.column(name).to_pylist()
    if stale:
        rows[key] = phone_keys(keyring(), rows["phone"].tolist())
    return rows[wanted]


def _sealed_columns(frame: Frame, n_rows: int, names: tuple[str, ...]):
    """The frame's sealed columns (empty ones once purged)."""
    path = frame_crypto.sealed_path(frame.path)
    if not default_storage.exists(path):
        return frame_crypto.empty_personal(n_rows, names)
    with default_storage.open(path, "rb") as stored:
        opened = frame_crypto.open_sealed(stored.read(), keyring())
    missing = [name for name in names if name not in opened.column_names]
    for name in missing:  # a column the frame lists but never had a value for
        opened = opened.append_column(name, pa.array([""] * n_rows, pa.string()))
    return opened


def area_types() -> dict[str, str]:
    """Locality code → area type, the locality's own or else its nearest ancestor's ("" if
    none has one). One query."""
    nodes = {
        pk: (code, area, parent_id)
        for pk, code, area, parent_id in Locality.objects.values_list(
            "pk", "code", "area_type", "parent_id"
        )
    }
    found = {}
    for code, area, parent_id in nodes.values():
        while not area and parent_id is not None:
            _, area, parent_id = nodes[parent_id]
        found[code] = area
    return found


def recent_draw_units(n_draws: int) -> tuple[list[int], set[str], set[str]]:
    """The last `n_draws` draws (newest first, any frame): their ids, and the unit ids and the
    phone numbers' keyed hashes of every unit they sampled (reserves included: they may have
    been called). Frames are matched against them by `phone_key`, never by number."""
    draw_ids, unit_ids, phones = _recent_units(n_draws)
    ring = keyring()
    return draw_ids, unit_ids, {phone_key(ring, phone) for phone in phones} - {None}


def recent_draw_phones(n_draws: int) -> set[str]:
    """The numbers themselves, decrypted: only for RDD, which must leave them out of the
    blocks it generates from (sampling.rdd counts what each block still holds)."""
    return _recent_units(n_draws)[2]


def _recent_units(n_draws: int) -> tuple[list[int], set[str], set[str]]:
    draw_ids = list(
        Draw.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)[:n_draws]
    )
    units = SampledUnit.objects.filter(draw_id__in=draw_ids).values_list("unit_id", "phone")
    unit_ids, phones = set(), set()
    for unit_id, phone in units.iterator(chunk_size=5000):
        unit_ids.add(unit_id)
        if phone:
            phones.add(phone)
    return draw_ids, unit_ids, phones


def stratum_names(labels: list[str], columns: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Stratum label → a readable name: locality codes become names, area types their labels,
    other values stay as they are; parts joined by " · "."""
    parts = [label.split(STRATUM_SEPARATOR) for label in labels]
    codes = {
        part[i]
        for part in parts
        for i, column in enumerate(columns)
        if column in ("locality_code", "street_code", "district_code") and i < len(part)
    }
    names = dict(Locality.objects.filter(code__in=codes).values_list("code", "name"))
    areas = dict(AreaType.choices)
    readable = {}
    for label, part in zip(labels, parts, strict=True):
        words = []
        for i, value in enumerate(part):
            column = columns[i] if i < len(columns) else ""
            words.append(
                str(areas.get(value, value)) if column == "area_type" else names.get(value, value)
            )
        readable[label] = " · ".join(words)
    return readable


def sample_table(draw: Draw) -> pd.DataFrame:
    """The drawn units with every frame column plus stratum, replicate and the design figures.

    One row per sampled unit, ordered by stratum and unit id. Contains real phone numbers:
    only for analysts' downloads, never for a page.
    """
    units = pd.DataFrame.from_records(
        draw.units.values(
            "unit_id", "stratum", "replicate", "inclusion_probability", "design_weight"
        ),
        columns=["unit_id", "stratum", "replicate", "inclusion_probability", "design_weight"],
    )
    frame = load_frame(draw.frame)
    # A frame column that happens to share a name with the draw's figures keeps a suffix.
    table = frame.merge(
        units, on="unit_id", how="inner", validate="one_to_one", suffixes=("_frame", "")
    )
    return table.sort_values(["stratum", "unit_id"], kind="stable").reset_index(drop=True)
