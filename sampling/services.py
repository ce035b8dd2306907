"""Sampling use-cases: load the locality tree, import a frame, preview an allocation, draw.

Each function validates everything first and reports every problem at once; nothing partial
is ever written.
"""

import io
import numbers
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO
from zipfile import BadZipFile

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from sampling.allocation import margin_of_error, proportional
from sampling.draw import sort_for_draw, stratified_srswor
from sampling.frame_validation import FrameError, validate_frame
from sampling.models import (
    LEVEL_ORDER,
    AreaType,
    Draw,
    Frame,
    FrameStratumCount,
    Level,
    Locality,
    SampledUnit,
)
from sampling.selectors import load_frame, locality_lookup

Progress = Callable[[float, str], None]
STRATUM_COLUMN = "street_code"  # strata are streets (街道/乡镇)
MAX_SEED = 2**63 - 1  # Draw.seed is a signed 64-bit integer
READ_CHUNK_ROWS = 200_000


class SamplingInputError(Exception):
    """Input that cannot be used; `errors` lists every problem found, each a readable sentence."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors[:5]) + (" …" if len(self.errors) > 5 else ""))


class FrameImportError(Exception):
    """A frame file with problems; `errors` holds every problem, phone numbers masked."""

    def __init__(self, errors: list[FrameError], source_name: str = ""):
        self.errors = list(errors)
        self.source_name = source_name
        super().__init__(f"{len(self.errors)} problems in {source_name or 'the frame file'}")


# --- the locality tree ----------------------------------------------------------------------


@transaction.atomic
def import_localities(*, rows: list[dict]) -> int:
    """Create or update localities; returns how many rows were written.

    rows: dicts with code, name, parent_code ("" or None for a city), level (city, district,
    street, community), area_type ("" or an AreaType value) and population ({"M|16-29": 1200,
    …}). Parents may be earlier rows, later rows or localities already stored. Row numbers in
    errors count the list from 1. An existing code is updated in place but may not change level.
    """
    parsed, errors = _parse_locality_rows(rows)
    codes = {row["code"] for row in parsed}
    parent_codes = {row["parent_code"] for row in parsed if row["parent_code"]}
    stored = Locality.objects.in_bulk(codes | parent_codes, field_name="code")
    errors += _locality_tree_errors(parsed, stored)
    if errors:
        raise SamplingInputError(errors)

    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    by_code = dict(stored)
    for level in LEVEL_ORDER:  # parents before children
        level_rows = [row for row in parsed if rank[row["level"]] == rank[level]]
        new, changed = [], []
        for row in level_rows:
            locality = by_code.get(row["code"]) or Locality(code=row["code"])
            locality.name = row["name"]
            locality.level = row["level"]
            locality.area_type = row["area_type"]
            locality.population = row["population"]
            locality.parent = by_code[row["parent_code"]] if row["parent_code"] else None
            (changed if locality.pk else new).append(locality)
        Locality.objects.bulk_create(new)
        Locality.objects.bulk_update(
            changed, ["name", "level", "area_type", "population", "parent"], batch_size=500
        )
        by_code.update({locality.code: locality for locality in new})
    return len(parsed)


def _parse_locality_rows(rows: list[dict]) -> tuple[list[dict], list[str]]:
    levels = [level.value for level in LEVEL_ORDER]
    area_types = {"", *AreaType.values}
    parsed, errors, first_row = [], [], {}
    for number, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        level = str(row.get("level") or "").strip()
        area_type = str(row.get("area_type") or "").strip()
        population = row.get("population") or {}
        where = _("Row %(row)s (%(code)s)") % {"row": number, "code": code or "?"}
        if not code:
            errors.append(_("Row %(row)s: the code is empty.") % {"row": number})
        elif len(code) > 32:
            errors.append(_("%(where)s: the code is longer than 32 characters.") % {"where": where})
        elif code in first_row:
            errors.append(
                _("%(where)s: the code is already used on row %(first)s.")
                % {"where": where, "first": first_row[code]}
            )
        else:
            first_row[code] = number
        if not name or len(name) > 100:
            errors.append(
                _("%(where)s: the name must have 1 to 100 characters.") % {"where": where}
            )
        if level not in levels:
            errors.append(
                _("%(where)s: level %(level)r is not one of %(levels)s.")
                % {"where": where, "level": level, "levels": ", ".join(levels)}
            )
        if area_type not in area_types:
            errors.append(
                _("%(where)s: area type %(area)r is not one of %(areas)s.")
                % {"where": where, "area": area_type, "areas": ", ".join(AreaType.values)}
            )
        if not _is_population(population):
            errors.append(
                _("%(where)s: population must map group names to counts of 0 or more.")
                % {"where": where}
            )
        parsed.append(
            {
                "row": number,
                "code": code,
                "name": name,
                "parent_code": str(row.get("parent_code") or "").strip(),
                "level": level,
                "area_type": area_type,
                # numpy integers (from generated data) are not JSON: store plain ints.
                "population": {k: int(v) for k, v in population.items()}
                if _is_population(population)
                else {},
            }
        )
    return parsed, errors


def _is_population(population: object) -> bool:
    return isinstance(population, dict) and all(
        isinstance(key, str)
        and isinstance(count, numbers.Integral)
        and not isinstance(count, bool)
        and count >= 0
        for key, count in population.items()
    )


def _locality_tree_errors(parsed: list[dict], stored: dict[str, Locality]) -> list[str]:
    rank = {level.value: i for i, level in enumerate(LEVEL_ORDER)}
    label = dict(Level.choices)  # levels are named in messages by their translated labels
    in_rows = {}
    for row in parsed:
        in_rows.setdefault(row["code"], row)
    errors = []
    for row in parsed:
        where = _("Row %(row)s (%(code)s)") % {"row": row["row"], "code": row["code"] or "?"}
        existing = stored.get(row["code"])
        if existing is not None and row["level"] in rank and existing.level != row["level"]:
            errors.append(
                _("%(where)s: this locality is stored as %(old)s and cannot become %(new)s.")
                % {"where": where, "old": label[existing.level], "new": label[row["level"]]}
            )
        parent_code = row["parent_code"]
        if not parent_code:
            if row["level"] in rank and row["level"] != Level.CITY:
                errors.append(_("%(where)s: only a city may have no parent.") % {"where": where})
            continue
        if parent_code == row["code"]:
            errors.append(_("%(where)s: a locality cannot be its own parent.") % {"where": where})
            continue
        parent = in_rows.get(parent_code)
        stored_parent = stored.get(parent_code)
        parent_level = parent["level"] if parent else getattr(stored_parent, "level", None)
        if parent_level is None:
            errors.append(
                _("%(where)s: unknown parent code %(parent)s.")
                % {"where": where, "parent": parent_code}
            )
        elif row["level"] in rank and parent_level in rank:
            if rank[parent_level] != rank[row["level"]] - 1:
                expected = LEVEL_ORDER[rank[row["level"]] - 1] if rank[row["level"]] else None
                errors.append(
                    _("%(where)s: a %(level)s's parent must be a %(expected)s, not a %(actual)s.")
                    % {
                        "where": where,
                        "level": label[row["level"]],
                        "expected": expected.label if expected else _("nothing"),
                        "actual": label[parent_level],
                    }
                )
    errors += _cycle_errors(in_rows)
    return errors


def _cycle_errors(in_rows: dict[str, dict]) -> list[str]:
    """One error per cycle of parent codes among the rows (A → B → A)."""
    errors, settled = [], set()
    for start in in_rows:
        path, code = [], start
        while code in in_rows and code not in settled and code not in path:
            path.append(code)
            code = in_rows[code]["parent_code"]
        if code in path and code != in_rows[code]["parent_code"]:  # self-parents reported above
            cycle = path[path.index(code) :] + [code]
            errors.append(
                _("Rows %(rows)s: parent codes form a cycle (%(cycle)s).")
                % {
                    "rows": ", ".join(str(in_rows[c]["row"]) for c in cycle[:-1]),
                    "cycle": " → ".join(cycle),
                }
            )
        settled.update(path)
    return errors


# --- frames ---------------------------------------------------------------------------------


def import_frame(
    *,
    file: IO[bytes] | str | Path,
    source_name: str,
    name: str,
    mapping: dict[str, str],
    user=None,
    progress: Progress | None = None,
) -> Frame:
    """Validate a CSV or XLSX frame file and store it as Parquet with per-street counts.

    file: a path or a binary file object (an upload); source_name: the file's name, whose
    extension (.csv, .xlsx) picks the reader; mapping: role → column (see
    sampling.frame_validation.ROLES). Every column is read as text. Raises FrameImportError with
    every problem and writes nothing (no rows, no file) if anything is wrong.

    Not wrapped in one transaction on purpose: validation takes seconds on a large file and
    needs no lock; the Parquet file is removed if the short write transaction fails.
    """
    report = progress or (lambda fraction, message: None)
    report(0.0, _("Reading file"))
    table = _read_table(file, source_name, report)
    report(0.4, _("Checking rows"))
    validation = validate_frame(
        table,
        known_localities=locality_lookup(),
        mapping=mapping,
        max_unit_id_length=SampledUnit._meta.get_field("unit_id").max_length,
        max_address_length=SampledUnit._meta.get_field("address").max_length,
    )
    if not validation.ok:
        raise FrameImportError(validation.errors, source_name)
    if validation.frame.empty:
        raise FrameImportError(
            [FrameError(None, "", "", "the file has no data rows", "no_rows")], source_name
        )

    report(0.6, _("Writing Parquet"))
    frame_rows = sort_for_draw(validation.frame, stratum_column=STRATUM_COLUMN)
    buffer = io.BytesIO()
    frame_rows.to_parquet(buffer, index=False)
    path = default_storage.save(
        f"frames/{uuid.uuid4().hex}.parquet", ContentFile(buffer.getvalue())
    )
    report(0.9, _("Saving counts"))
    try:
        frame = _save_frame(
            path=path, rows=frame_rows, source_name=source_name, name=name, user=user
        )
    except BaseException:
        default_storage.delete(path)
        raise
    report(1.0, _("Done"))
    return frame


@transaction.atomic
def _save_frame(*, path: str, rows: pd.DataFrame, source_name: str, name: str, user) -> Frame:
    frame = Frame.objects.create(
        name=name,
        path=path,
        source_name=source_name,
        n_rows=len(rows),
        columns=list(rows.columns),
        created_by=user,
    )
    counts = rows[STRATUM_COLUMN].value_counts().sort_index()
    streets = Locality.objects.in_bulk(list(counts.index), field_name="code")
    FrameStratumCount.objects.bulk_create(
        FrameStratumCount(frame=frame, stratum=code, locality=streets[code], n_units=int(count))
        for code, count in counts.items()
    )
    return frame


def _read_table(file: IO[bytes] | str | Path, source_name: str, report: Progress) -> pd.DataFrame:
    suffix = Path(source_name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FrameImportError(
            [FrameError(None, "", suffix, "unsupported file type: use .csv or .xlsx", "file_type")],
            source_name,
        )
    raw = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
    try:
        if suffix == ".xlsx":
            table = pd.read_excel(
                io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl"
            )
        else:
            table = _read_csv(raw, report)
    except (ValueError, OSError, KeyError, BadZipFile, InvalidFileException) as exc:
        problem = f"the file could not be read: {exc}"
        error = FrameError(None, "", "", problem, "unreadable", params={"detail": str(exc)})
        raise FrameImportError([error], source_name) from exc
    table.columns = [str(column).strip() for column in table.columns]
    return table


def _read_csv(raw: bytes, report: Progress) -> pd.DataFrame:
    # Excel in China saves CSV as GB18030/GBK unless told otherwise; UTF-8 (with or without a
    # byte-order mark) is tried first because it fails loudly on GBK bytes.
    try:
        raw.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    buffer = io.BytesIO(raw)
    chunks = []
    # Blank lines are kept so that row numbers match the file; validation skips them.
    for chunk in pd.read_csv(
        buffer,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        encoding=encoding,
        chunksize=READ_CHUNK_ROWS,
    ):
        chunks.append(chunk)
        report(0.4 * buffer.tell() / max(len(raw), 1), _("Reading file"))
    return pd.concat(chunks, ignore_index=True)


def keep_error_report(*, user, report: bytes) -> str:
    """Store the user's latest failed-import report (replacing the previous one); its path.

    report: the CSV file, as sampling.presenters.errors_csv writes it in the user's language."""
    path = error_report_path(user)
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(report))


def error_report_path(user) -> str:
    return f"frame-errors/user-{user.pk}.csv"


# --- allocation and the draw ----------------------------------------------------------------


def allocation_preview(*, frame: Frame, n: int, minimum_per_stratum: int = 0) -> list[dict]:
    """Per-street proportional allocation, for a look before drawing.

    One dict per stratum in code order: stratum, name (the street's), population (N_h),
    sample_size (n_h), fraction (n_h/N_h) and margin_of_error (half-width of a 95% interval
    for a proportion near 50%, with finite-population correction; None where n_h = 0).
    """
    counts = list(frame.stratum_counts.select_related("locality"))
    sizes = pd.Series({c.stratum: c.n_units for c in counts}, dtype="int64")
    allocation = _allocate(sizes, n, minimum_per_stratum)
    moe = margin_of_error(allocation, sizes)
    return [
        {
            "stratum": c.stratum,
            "name": c.locality.name if c.locality else c.stratum,
            "population": c.n_units,
            "sample_size": int(allocation[c.stratum]),
            "fraction": allocation[c.stratum] / c.n_units if c.n_units else 0.0,
            "margin_of_error": None if np.isnan(moe[c.stratum]) else float(moe[c.stratum]),
        }
        for c in counts
    ]


def draw_sample(
    *,
    frame: Frame,
    n: int,
    seed: int | None = None,
    name: str = "",
    minimum_per_stratum: int = 0,
    user=None,
) -> Draw:
    """Draw a stratified (by street) proportional sample of n units and store it.

    The seed is recorded on the Draw (a random one is chosen if None): the same frame, n,
    minimum and seed always give the same units. The draw itself runs before the write
    transaction opens, so a large frame never holds the database's write lock.
    """
    if seed is None:
        seed = secrets.randbelow(2**31)  # short enough to read out and type back in
    if not 0 <= seed <= MAX_SEED:
        raise SamplingInputError([_("The seed must be a whole number from 0 to %s.") % MAX_SEED])
    rows = load_frame(frame)
    sizes = rows[STRATUM_COLUMN].value_counts().sort_index()
    allocation = _allocate(sizes, n, minimum_per_stratum)
    sample = stratified_srswor(
        rows, stratum_column=STRATUM_COLUMN, allocation=allocation, seed=seed
    )
    return _save_draw(frame=frame, sample=sample, n=n, seed=seed, name=name, user=user)


@transaction.atomic
def _save_draw(*, frame: Frame, sample: pd.DataFrame, n: int, seed: int, name: str, user) -> Draw:
    codes = set(sample["locality_code"]) | set(sample[STRATUM_COLUMN])
    locality_ids = dict(Locality.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = sorted(codes - set(locality_ids))
    if missing:
        raise SamplingInputError(
            [_("Localities deleted since the frame was imported: %s.") % ", ".join(missing[:20])]
        )
    draw = Draw.objects.create(
        frame=frame,
        name=name or _("%(frame)s: n=%(n)s") % {"frame": frame, "n": n},
        stratum_column=STRATUM_COLUMN,
        n_total=n,
        allocation=Draw.Allocation.PROPORTIONAL,
        seed=seed,
        created_by=user,
    )
    columns = ["unit_id", "phone", "address", STRATUM_COLUMN, "locality_code"]
    columns += ["inclusion_probability", "design_weight"]
    SampledUnit.objects.bulk_create(
        (
            SampledUnit(
                draw=draw,
                unit_id=unit_id,
                phone=phone,
                address=address,
                stratum=stratum,
                locality_id=locality_ids[locality_code],
                street_id=locality_ids[stratum],
                replicate=0,
                inclusion_probability=probability,
                design_weight=weight,
            )
            for unit_id, phone, address, stratum, locality_code, probability, weight in sample[
                columns
            ].itertuples(index=False, name=None)
        ),
        batch_size=2000,
    )
    return draw


def _allocate(sizes: pd.Series, n: int, minimum_per_stratum: int) -> pd.Series:
    # The usual mistakes get a translated message here; allocation's own checks stay as the
    # last word for anything else.
    total, needed = int(sizes.sum()), int(sizes.clip(upper=minimum_per_stratum).sum())
    if n < 1:
        raise SamplingInputError([_("The sample size must be at least 1.")])
    if n > total:
        raise SamplingInputError(
            [
                _("The sample size %(n)s is larger than the frame (%(total)s units).")
                % {"n": n, "total": total}
            ]
        )
    if n < needed:
        raise SamplingInputError(
            [
                _(
                    "A minimum of %(minimum)s per street needs %(needed)s units, more than the "
                    "sample size %(n)s."
                )
                % {"minimum": minimum_per_stratum, "needed": needed, "n": n}
            ]
        )
    try:
        return proportional(sizes, n, minimum=minimum_per_stratum)
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc
