"""Sampling use-cases: load the locality tree, import a frame, preview an allocation, draw.

Each function validates everything first and reports every problem at once; nothing partial
is ever written.
"""

import io
import math
import numbers
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO
from zipfile import BadZipFile

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from sampling import rdd
from sampling.allocation import METHODS, allocate, allocation_table, reserve_sizes
from sampling.draw import missing_stratum_rows, sort_for_draw, stratified_srswor, stratum_labels
from sampling.frame_validation import OUTPUT_COLUMNS, FrameError, validate_frame
from sampling.models import (
    LEVEL_ORDER,
    AreaType,
    Draw,
    Frame,
    FrameStratumCount,
    ImportJob,
    Level,
    Locality,
    ReplicateRelease,
    SampledUnit,
)
from sampling.presenters import errors_csv
from sampling.selectors import (
    area_types,
    load_frame,
    locality_lookup,
    recent_draw_units,
    stratum_names,
)

Progress = Callable[[float, str], None]
STRATUM_COLUMN = "street_code"  # strata are streets (街道/乡镇)
MAX_SEED = 2**63 - 1  # Draw.seed is a signed 64-bit integer
READ_CHUNK_ROWS = 200_000
IMPORT_ERRORS_KEPT = 50  # on the job; the downloadable report has them all


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
def import_localities(*, rows: list[dict], first_row: int = 1, errors: Sequence[str] = ()) -> int:
    """Create or update localities; returns how many rows were written.

    rows: dicts with code, name, parent_code ("" or None for a city), level (city, district,
    street, community, or their Chinese names 市/区县/街道/社区 …), area_type ("" , an AreaType
    value or 中心城区/城乡结合部/农村) and population ({"M|16-29": 1200, …}). Parents may be
    earlier rows, later rows or localities already stored. Row numbers in errors count the list
    from `first_row` (2 for a spreadsheet under its header) unless a row carries its own "row".
    `errors`: problems the caller already found (e.g. unreadable cells), reported with these.
    An existing code is updated in place but may not change level. Optional latitude and
    longitude (WGS-84 degrees, both or neither; blank: unknown): rows without these keys keep
    the coordinates already stored.
    """
    parsed, found = _parse_locality_rows(rows, first_row)
    errors = list(errors) + found
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
            if "latitude" in row:  # coordinates given (blank: unknown); else kept as stored
                locality.latitude, locality.longitude = row["latitude"], row["longitude"]
            locality.parent = by_code[row["parent_code"]] if row["parent_code"] else None
            (changed if locality.pk else new).append(locality)
        Locality.objects.bulk_create(new)
        Locality.objects.bulk_update(
            changed,
            ["name", "level", "area_type", "population", "parent", "latitude", "longitude"],
            batch_size=500,
        )
        by_code.update({locality.code: locality for locality in new})
    return len(parsed)


# Chinese names people type in a locality file, for the stored values.
LEVEL_ALIASES = {
    "市": "city",
    "区县": "district",
    "区": "district",
    "县": "district",
    "街道": "street",
    "乡镇": "street",
    "街道/乡镇": "street",
    "社区": "community",
    "村": "community",
    "社区/村": "community",
}
AREA_TYPE_ALIASES = {"中心城区": "central", "城乡结合部": "peri_urban", "农村": "rural"}


def _parse_locality_rows(rows: list[dict], start: int = 1) -> tuple[list[dict], list[str]]:
    levels = [level.value for level in LEVEL_ORDER]
    area_types = {"", *AreaType.values}
    parsed, errors, first_row = [], [], {}
    for number, row in enumerate(rows, start=start):
        number = row.get("row", number)  # a file's own row number, if the caller knows it
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        level = str(row.get("level") or "").strip()
        level = LEVEL_ALIASES.get(level, level)
        area_type = str(row.get("area_type") or "").strip()
        area_type = AREA_TYPE_ALIASES.get(area_type, area_type)
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
        coordinates = _coordinates(row, where, errors)
        parsed.append(
            {
                **coordinates,
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


def _coordinates(row: dict, where: str, errors: list[str]) -> dict:
    """{"latitude", "longitude"} (floats, or None for blank) when the row has them, else {}."""
    if "latitude" not in row and "longitude" not in row:
        return {}
    values, bad = {}, False
    for name, limit in (("latitude", 90), ("longitude", 180)):
        cell = row.get(name)
        text = "" if cell is None else str(cell).strip()
        if text.lower() in ("", "nan"):
            values[name] = None
            continue
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not -limit <= value <= limit:
            errors.append(
                _("%(where)s: %(name)s %(value)r is not a number from -%(limit)d to %(limit)d.")
                % {"where": where, "name": name, "value": text, "limit": limit}
            )
            value, bad = None, True
        values[name] = value
    if not bad and (values["latitude"] is None) != (values["longitude"] is None):
        errors.append(
            _("%(where)s: give both latitude and longitude, or neither.") % {"where": where}
        )
    return values


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


LOCALITY_COLUMNS = ("code", "name", "parent_code", "level", "area_type")
COORDINATE_COLUMNS = ("latitude", "longitude")  # optional, WGS-84 degrees
POPULATION_COLUMN = re.compile(r"^[MF]\|\d+(?:-\d+|\+)$")  # M|16-29, F|60+


def import_locality_file(*, file: IO[bytes] | str | Path, source_name: str) -> int:
    """Import a locality tree from a CSV or XLSX file; returns how many rows were written.

    Columns: code, name, parent_code, level, area_type, and one column per sex × age group
    named like ``M|16-29`` or ``F|60+`` holding resident counts (empty = 0); optionally
    latitude and longitude (WGS-84 degrees, for checking door-to-door visits). Every problem
    (unknown column values, unknown parents, cycles, duplicate codes, levels out of order, bad
    counts) is reported at once, by spreadsheet row; nothing is written on error.
    """
    try:
        table = _read_any_table(file, source_name, (".csv", ".xlsx"))
    except ValueError as exc:
        raise SamplingInputError([f"{source_name}: {exc}"]) from exc
    table.columns = [str(column).strip() for column in table.columns]
    missing = [c for c in ("code", "name", "parent_code", "level") if c not in table.columns]
    if missing:
        raise SamplingInputError(
            [
                _("%(file)s: missing columns %(columns)s (it has: %(available)s).")
                % {
                    "file": source_name,
                    "columns": ", ".join(missing),
                    "available": ", ".join(table.columns),
                }
            ]
        )
    population_columns = [c for c in table.columns if POPULATION_COLUMN.match(c)]
    unknown = [
        c
        for c in table.columns
        if c not in LOCALITY_COLUMNS and c not in COORDINATE_COLUMNS and c not in population_columns
    ]
    errors = []
    if unknown:
        errors.append(
            _(
                "%(file)s: columns %(columns)s are neither locality fields nor population "
                "groups like M|16-29."
            )
            % {"file": source_name, "columns": ", ".join(unknown)}
        )
    rows = []
    for number, record in enumerate(table.to_dict("records"), start=2):
        if all(str(value).strip() == "" for value in record.values()):
            continue  # a blank line
        population = {}
        for column in population_columns:
            cell = str(record[column]).strip()
            if cell == "":
                continue
            try:
                count = int(float(cell)) if float(cell).is_integer() else None
            except ValueError:
                count = None
            if count is None or count < 0:
                errors.append(
                    _("Row %(row)s, column %(column)s: %(value)r is not a count of 0 or more.")
                    % {"row": number, "column": column, "value": cell}
                )
            else:
                population[column] = count
        rows.append(
            {
                "row": number,
                **{c: str(record.get(c, "")).strip() for c in LOCALITY_COLUMNS},
                **{c: record[c] for c in COORDINATE_COLUMNS if c in record},
                "population": population,
            }
        )
    # Row numbers must stay those of the file even when blank lines were skipped.
    return _import_numbered_localities(rows, errors)


def _import_numbered_localities(rows: list[dict], errors: list[str]) -> int:
    if not rows:
        raise SamplingInputError([*errors, _("The file has no data rows.")])
    return import_localities(rows=rows, errors=errors)


def _read_any_table(
    file: IO[bytes] | str | Path, source_name: str, suffixes: tuple[str, ...]
) -> pd.DataFrame:
    """A CSV, XLSX or Parquet file as a DataFrame of str ("" for empty cells). Raises
    ValueError with a readable reason."""
    suffix = Path(source_name).suffix.lower()
    if suffix not in suffixes:
        raise ValueError(
            _("unsupported file type %(suffix)s: use %(allowed)s")
            % {"suffix": suffix or "?", "allowed": ", ".join(suffixes)}
        )
    raw = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
    try:
        if suffix == ".xlsx":
            return pd.read_excel(
                io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl"
            )
        if suffix == ".parquet":
            table = pd.read_parquet(io.BytesIO(raw))
            return table.astype(str).where(table.notna(), "")
        return _read_csv(raw, lambda fraction, message: None)
    except (ValueError, OSError, KeyError, BadZipFile, InvalidFileException) as exc:
        raise ValueError(_("the file could not be read: %(detail)s") % {"detail": exc}) from exc


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


# Imports the web starts run in a thread each; the page polls the job's progress row.
_import_threads: dict[int, threading.Thread] = {}


def start_frame_import(
    *,
    file: IO[bytes],
    source_name: str,
    name: str,
    mapping: dict[str, str],
    user,
    background: bool = True,
) -> ImportJob:
    """Keep the upload and import it as :func:`import_frame` does, recording progress, result
    and problems on an ImportJob. With background=True the import runs in a thread and the job
    is returned at once (status "running"); otherwise it has finished when this returns.

    The thread is in-process: if the server stops mid-import the job stays "running" and the
    page reports it as interrupted once it has not moved for IMPORT_STALE_AFTER.
    """
    upload_path = default_storage.save(f"uploads/{uuid.uuid4().hex}", ContentFile(file.read()))
    job = ImportJob.objects.create(
        name=name,
        source_name=source_name,
        upload_path=upload_path,
        mapping=mapping,
        created_by=user,
        message=_("Waiting"),
        language=translation.get_language() or "",
    )
    if not background:
        run_import_job(job_id=job.pk)
        job.refresh_from_db()
        return job
    thread = threading.Thread(
        target=run_import_job, kwargs={"job_id": job.pk}, name=f"frame-import-{job.pk}"
    )
    thread.daemon = True
    _import_threads[job.pk] = thread
    thread.start()
    return job


def run_import_job(*, job_id: int) -> None:
    """Run one ImportJob to the end; never raises (the job records what went wrong)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    last = {"fraction": -1.0, "message": ""}

    def progress(fraction: float, message: str) -> None:
        # A write per chunk of a million rows is cheap; per row it would not be.
        if fraction - last["fraction"] >= 0.01 or message != last["message"]:
            last.update(fraction=fraction, message=message)
            ImportJob.objects.filter(pk=job_id).update(
                fraction=fraction, message=str(message)[:200], updated_at=timezone.now()
            )

    try:
        with translation.override(job.language or None):
            try:
                with default_storage.open(job.upload_path, "rb") as upload:
                    frame = import_frame(
                        file=upload,
                        source_name=job.source_name,
                        name=job.name,
                        mapping=job.mapping,
                        user=job.created_by,
                        progress=progress,
                    )
            except FrameImportError as error:
                if job.created_by is not None:
                    keep_error_report(user=job.created_by, report=errors_csv(error.errors))
                _finish_job(job_id, status=ImportJob.Status.FAILED, errors=error.errors)
            except Exception as exc:  # noqa: BLE001 - a thread has no one else to tell
                problem = f"the import stopped: {exc.__class__.__name__}: {exc}"
                error = FrameError(None, "", "", problem, "unreadable", {"detail": str(exc)})
                _finish_job(job_id, status=ImportJob.Status.FAILED, errors=[error])
            else:
                _finish_job(job_id, status=ImportJob.Status.DONE, frame=frame)
    finally:
        if job.upload_path and default_storage.exists(job.upload_path):
            default_storage.delete(job.upload_path)
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a thread's connection is not closed by a request cycle


def _finish_job(
    job_id: int, *, status: str, frame: Frame | None = None, errors: Sequence[FrameError] = ()
) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        fraction=1.0 if status == ImportJob.Status.DONE else F("fraction"),
        message="",
        frame=frame,
        errors=[asdict(error) for error in list(errors)[:IMPORT_ERRORS_KEPT]],
        n_errors=len(errors),
        upload_path="",
        updated_at=timezone.now(),
    )


def wait_for_import(*, job_id: int, timeout: float = 60.0) -> ImportJob:
    """The job once its thread (if started here) has ended or `timeout` seconds passed."""
    thread = _import_threads.pop(job_id, None)
    if thread is not None:
        thread.join(timeout)
    return ImportJob.objects.get(pk=job_id)


def keep_error_report(*, user, report: bytes) -> str:
    """Store the user's latest failed-import report (replacing the previous one); its path.

    report: the CSV file, as sampling.presenters.errors_csv writes it in the user's language."""
    path = error_report_path(user)
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(report))


def error_report_path(user) -> str:
    return f"frame-errors/user-{user.pk}.csv"


# --- plans, allocation and the draw ---------------------------------------------------------

# Columns a locality tree adds to any stored frame, for strata: the unit's area type.
DERIVED_COLUMNS = ("area_type",)
LOCALITY_CODE_COLUMNS = ("locality_code", "street_code", "district_code")


@dataclass(frozen=True)
class Plan:
    """What a draw will do, before it is done. `strata`: frame columns whose combinations are
    the strata (default: the street). `method`: one of sampling.allocation.METHODS, with `sds`
    (stratum → prior S_h) for Neyman, `exponent` for power and `fixed_sizes` (stratum → n_h)
    for fixed. `reserves` replicates of ⌈reserve_fraction·n_h⌉ units each per stratum.
    `sort_columns`: systematic selection in that order. `exclude_recent_draws`: leave out
    units (by unit id or phone) sampled in the last N draws."""

    n: int | None
    strata: tuple[str, ...] = (STRATUM_COLUMN,)
    method: str = "proportional"
    minimum_per_stratum: int = 0
    sds: dict[str, float] | None = None
    exponent: float | None = None
    fixed_sizes: dict[str, int] | None = None
    reserves: int = 0
    reserve_fraction: float = 1.0
    sort_columns: tuple[str, ...] = ()
    exclude_recent_draws: int = 0

    def allocation_params(self) -> dict:
        if self.method == "neyman":
            return {"sds": dict(self.sds or {})}
        if self.method == "power":
            return {"exponent": self.exponent}
        if self.method == "fixed":
            return {"sizes": {k: int(v) for k, v in (self.fixed_sizes or {}).items()}}
        return {}


@dataclass
class PreparedFrame:
    """A frame's units ready for allocation: `rows` (str columns plus `stratum`), the stratum
    sizes N_h (Series by label, sorted) and what the exclusion removed."""

    rows: pd.DataFrame
    sizes: pd.Series
    excluded_draw_ids: list[int]
    n_excluded: int


def frame_sort_columns(frame: Frame) -> list[str]:
    """Columns systematic selection may sort by: any but the phone number."""
    return [c for c in frame.columns if c != "phone"] + [
        c for c in DERIVED_COLUMNS if c not in frame.columns
    ]


def frame_strata_columns(frame: Frame) -> list[str]:
    """Columns a plan may stratify or sort by: the frame's own columns (but the unit id and
    phone, which are unique per unit) and the derived ones."""
    own = [c for c in frame.columns if c not in ("unit_id", "phone", "address")]
    return own + [c for c in DERIVED_COLUMNS if c not in own]


def allocation_preview(
    *,
    frame: Frame,
    n: int | None = None,
    minimum_per_stratum: int = 0,
    plan: Plan | None = None,
) -> list[dict]:
    """The allocation a draw with this plan would make, for a look before drawing.

    One dict per stratum in label order: stratum (the label), name (locality names and area
    types spelled out), population (N_h, after exclusions), sample_size (n_h), fraction
    (n_h/N_h), margin_of_error (half-width of a 95% interval for a proportion near 50%, with
    finite-population correction; None where n_h = 0) and reserve (units held in reserve).
    """
    plan = plan or Plan(n=n, minimum_per_stratum=minimum_per_stratum)
    prepared = prepare_frame(frame=frame, plan=plan, columns=())
    allocation = _allocate(prepared.sizes, plan)
    table = allocation_table(
        prepared.sizes, allocation, reserves=plan.reserves, reserve_fraction=plan.reserve_fraction
    )
    names = stratum_names(list(table.index), plan.strata)
    return [
        {
            "stratum": stratum,
            "name": names[stratum],
            "population": int(row.N_h),
            "sample_size": int(row.n_h),
            "fraction": float(row.fraction),
            "margin_of_error": None if np.isnan(row.moe) else float(row.moe),
            "reserve": int(getattr(row, "reserve_h", 0)),
        }
        for stratum, row in table.iterrows()
    ]


def prepare_frame(
    *, frame: Frame, plan: Plan, columns: Sequence[str] | None = None
) -> PreparedFrame:
    """Load the frame (only the columns the plan needs, plus `columns`; None = all), derive
    area types, leave out recently sampled units and label strata. Raises SamplingInputError
    naming unknown columns and units with an empty strata value."""
    usable = set(frame_strata_columns(frame)) | set(frame.columns)
    unknown = [c for c in (*plan.strata, *plan.sort_columns) if c not in usable]
    if not plan.strata:
        raise SamplingInputError([_("Choose at least one strata column.")])
    if unknown:
        raise SamplingInputError(
            [
                _("The frame has no column %(columns)s; it has: %(available)s.")
                % {"columns": ", ".join(unknown), "available": ", ".join(sorted(usable))}
            ]
        )
    needed = {"unit_id", "phone", "locality_code", *plan.strata, *plan.sort_columns}
    wanted = None if columns is None else needed | set(columns)
    stored = [c for c in frame.columns if wanted is None or c in wanted]
    rows = load_frame(frame, columns=stored)
    if "area_type" in needed and "area_type" not in frame.columns:
        rows["area_type"] = rows["locality_code"].map(area_types()).fillna("")
    excluded_ids: list[int] = []
    n_excluded = 0
    if plan.exclude_recent_draws:
        excluded_ids, unit_ids, phones = recent_draw_units(plan.exclude_recent_draws)
        used = rows["unit_id"].isin(unit_ids) | rows["phone"].isin(phones)
        n_excluded = int(used.sum())
        rows = rows[~used].reset_index(drop=True)
    rows = with_strata(rows, plan)
    sizes = rows["stratum"].value_counts().sort_index()
    return PreparedFrame(rows, sizes, excluded_ids, n_excluded)


def with_strata(rows: pd.DataFrame, plan: Plan, *, where: str = "") -> pd.DataFrame:
    """`rows` with a `stratum` column; SamplingInputError for units missing a strata value
    (rows counted as in a spreadsheet: header row 1). `where` names the file, if any."""
    problems = []
    for column, positions in missing_stratum_rows(rows, plan.strata).items():
        shown = ", ".join(str(p + 2) for p in positions[:10])
        problems.append(
            _("%(where)sColumn %(column)s is empty on %(n)s rows (rows %(rows)s%(more)s).")
            % {
                "where": f"{where}: " if where else "",
                "column": column,
                "n": len(positions),
                "rows": shown,
                "more": " …" if len(positions) > 10 else "",
            }
        )
    if problems:
        raise SamplingInputError(problems)
    labels = stratum_labels(rows, list(plan.strata))
    too_long = labels.str.len() > SampledUnit._meta.get_field("stratum").max_length
    if too_long.any():
        raise SamplingInputError(
            [
                _("Stratum %(label)s is too long; use fewer columns.")
                % {"label": labels[too_long].iloc[0]}
            ]
        )
    return rows.assign(stratum=labels)


def draw_sample(
    *,
    frame: Frame,
    n: int | None = None,
    seed: int | None = None,
    name: str = "",
    minimum_per_stratum: int = 0,
    plan: Plan | None = None,
    user=None,
) -> Draw:
    """Draw a stratified sample from a stored frame and store it with its plan and seed.

    Without a plan: n units, strata = streets, proportional allocation, `minimum_per_stratum`.
    The seed is recorded on the Draw (a random one is chosen if None): the same frame, plan and
    seed always give the same units. The draw itself runs before the write transaction opens,
    so a large frame never holds the database's write lock.
    """
    plan = plan or Plan(n=n, minimum_per_stratum=minimum_per_stratum)
    seed = _checked_seed(seed)
    extra = frame_attribute_columns(frame)
    prepared = prepare_frame(frame=frame, plan=plan, columns=("address", STRATUM_COLUMN, *extra))
    allocation = _allocate(prepared.sizes, plan)
    sample = _select(prepared.rows, allocation, plan, seed)
    return _save_draw(
        frame=frame,
        sample=sample,
        plan=plan,
        n=int(allocation.sum()),
        seed=seed,
        name=name,
        user=user,
        excluded=(prepared.excluded_draw_ids, prepared.n_excluded),
        attribute_columns=extra,
    )


def frame_attribute_columns(frame: Frame) -> list[str]:
    """The frame's own extra columns (beyond the standard ones), in file order: each drawn
    unit keeps its values as SampledUnit.attributes."""
    return [c for c in frame.columns if c not in OUTPUT_COLUMNS]


def draw_file_sample(
    *, table: pd.DataFrame, plan: Plan, seed: int | None, unit_column: str = "", where: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Draw from a frame held in a file (nothing is stored): the analysts' command line.

    table: the file's rows, str columns. unit_column: the unit id column; empty = the row
    number. Returns (sample, allocation table, seed): the sample keeps every column of the file
    and adds stratum, inclusion_probability, design_weight and replicate; the allocation table
    is :func:`sampling.allocation.allocation_table` with a stratum column. Area types cannot be
    derived here and recent draws are excluded by the unit column and a `phone` column if any.
    """
    seed = _checked_seed(seed)
    where = where or _("The file")
    for column in (*plan.strata, *plan.sort_columns, *([unit_column] if unit_column else [])):
        if column not in table.columns:
            raise SamplingInputError(
                [
                    _("%(where)s has no column %(column)s; it has: %(available)s.")
                    % {"where": where, "column": column, "available": ", ".join(table)}
                ]
            )
    rows = table.reset_index(drop=True)
    unit = "__unit"
    rows[unit] = rows[unit_column] if unit_column else (np.arange(len(rows)) + 2).astype(str)
    if unit_column and rows[unit].duplicated().any():
        first = rows.index[rows[unit].duplicated()][0] + 2
        raise SamplingInputError(
            [_("%(where)s: unit id %(id)s is repeated (row %(row)s).")
             % {"where": where, "id": rows[unit].iloc[first - 2], "row": first}]
        )  # fmt: skip
    if plan.exclude_recent_draws:
        __, unit_ids, phones = recent_draw_units(plan.exclude_recent_draws)
        used = rows[unit].isin(unit_ids)
        if "phone" in rows.columns:
            used |= rows["phone"].isin(phones)
        rows = rows[~used].reset_index(drop=True)
    rows = with_strata(rows, plan, where=where)
    sizes = rows["stratum"].value_counts().sort_index()
    allocation = _allocate(sizes, plan)
    sample = _select(rows, allocation, plan, seed, unit_column=unit).drop(columns=[unit])
    sample = sample[[c for c in sample.columns if c != "replicate"] + ["replicate"]]
    alloc = allocation_table(
        sizes, allocation, reserves=plan.reserves, reserve_fraction=plan.reserve_fraction
    ).reset_index()
    return sample, alloc, seed


def read_frame_file(path: str | Path) -> pd.DataFrame:
    """A CSV, XLSX or Parquet frame file as str columns, for :func:`draw_file_sample`."""
    try:
        return _read_any_table(path, str(path), (".csv", ".xlsx", ".parquet"))
    except ValueError as exc:
        raise SamplingInputError([f"{Path(path).name}: {exc}"]) from exc


def read_stratum_values(*, text: str, what: str, integer: bool) -> dict:
    """Parse "stratum,value" lines (a CSV with or without a header; the header, if any, is
    skipped) into {stratum: value}. `what` names the values in messages (e.g. "sample size").
    Raises SamplingInputError naming each bad line."""
    values, problems = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.replace("\t", ",").split(",")]
        if not line.strip():
            continue
        if len(cells) != 2:
            problems.append(
                _("Line %(line)s: expected stratum,%(what)s.") % {"line": number, "what": what}
            )
            continue
        stratum, raw = cells
        try:
            value = float(raw)
        except ValueError:
            if number == 1:
                continue  # a header
            problems.append(
                _("Line %(line)s: %(value)r is not a number.") % {"line": number, "value": raw}
            )
            continue
        if value < 0 or (integer and not value.is_integer()):
            kind = _("a whole number") if integer else _("a number")
            problems.append(
                _("Line %(line)s: the %(what)s must be %(kind)s of 0 or more.")
                % {"line": number, "what": what, "kind": kind}
            )
            continue
        if stratum in values:
            problems.append(
                _("Line %(line)s: stratum %(stratum)s is listed twice.")
                % {"line": number, "stratum": stratum}
            )
        values[stratum] = int(value) if integer else value
    if problems:
        raise SamplingInputError(problems)
    return values


def _checked_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(2**31)  # short enough to read out and type back in
    if not 0 <= seed <= MAX_SEED:
        raise SamplingInputError([_("The seed must be a whole number from 0 to %s.") % MAX_SEED])
    return seed


def _select(
    rows: pd.DataFrame, allocation: pd.Series, plan: Plan, seed: int, unit_column: str = "unit_id"
) -> pd.DataFrame:
    try:
        return stratified_srswor(
            rows,
            stratum_column="stratum",
            allocation=allocation,
            seed=seed,
            unit_column=unit_column,
            reserves=plan.reserves,
            reserve_allocation=reserve_sizes(allocation, plan.reserve_fraction)
            if plan.reserves
            else None,
            sort_columns=list(plan.sort_columns),
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc


@transaction.atomic
def _save_draw(
    *,
    frame: Frame,
    sample: pd.DataFrame,
    plan: Plan,
    n: int,
    seed: int,
    name: str,
    user,
    excluded: tuple[list[int], int],
    attribute_columns: Sequence[str] = (),
) -> Draw:
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
        stratum_column="+".join(plan.strata)[:100],
        strata_columns=list(plan.strata),
        n_total=n,
        allocation=plan.method,
        allocation_params=plan.allocation_params(),
        minimum_per_stratum=plan.minimum_per_stratum,
        reserve_replicates=plan.reserves,
        reserve_fraction=plan.reserve_fraction,
        sort_columns=list(plan.sort_columns),
        exclude_recent_draws=plan.exclude_recent_draws,
        excluded_draw_ids=excluded[0],
        n_excluded=excluded[1],
        seed=seed,
        created_by=user,
    )
    columns = ["unit_id", "phone", "address", "stratum", STRATUM_COLUMN, "locality_code"]
    columns += ["replicate", "inclusion_probability", "design_weight"]
    attributes = sample[list(attribute_columns)].fillna("").to_dict("records")
    SampledUnit.objects.bulk_create(
        (
            SampledUnit(
                draw=draw,
                unit_id=unit_id,
                phone=phone,
                address=address,
                stratum=stratum,
                locality_id=locality_ids[locality_code],
                street_id=locality_ids[street],
                replicate=int(replicate),
                inclusion_probability=probability,
                design_weight=weight,
                attributes=unit_attributes,
            )
            for (
                unit_id,
                phone,
                address,
                stratum,
                street,
                locality_code,
                replicate,
                probability,
                weight,
            ), unit_attributes in zip(
                sample[columns].itertuples(index=False, name=None), attributes, strict=True
            )
        ),
        batch_size=2000,
    )
    return draw


def _allocate(sizes: pd.Series, plan: Plan) -> pd.Series:
    # The usual mistakes get a translated message here; allocation's own checks stay as the
    # last word for anything else.
    total = int(sizes.sum())
    n, minimum = plan.n, plan.minimum_per_stratum
    if plan.method not in METHODS:
        raise SamplingInputError(
            [_("Unknown allocation method %(method)s.") % {"method": plan.method}]
        )
    if plan.reserves < 0 or plan.reserve_fraction <= 0:
        raise SamplingInputError(
            [_("Reserves need a number of replicates of 0 or more and a positive size.")]
        )
    if plan.method != "fixed":
        needed = int(sizes.clip(upper=minimum).sum())
        if n is None or n < 1:
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
                        "A minimum of %(minimum)s per stratum needs %(needed)s units, more than "
                        "the sample size %(n)s."
                    )
                    % {"minimum": minimum, "needed": needed, "n": n}
                ]
            )
    try:
        return allocate(
            sizes,
            n,
            method=plan.method,
            minimum=minimum,
            sds=pd.Series(plan.sds, dtype="float64") if plan.sds is not None else None,
            exponent=plan.exponent,
            fixed_sizes=pd.Series(plan.fixed_sizes, dtype="int64")
            if plan.fixed_sizes is not None
            else None,
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc


# --- reserves -------------------------------------------------------------------------------


@transaction.atomic
def record_release(*, draw: Draw, replicate: int, user, reason: str) -> ReplicateRelease:
    """Record that reserve replicate `replicate` of `draw` goes into fieldwork, by whom and why.

    Replicates are released in order (1, then 2, …) because the design weights of replicate r
    assume 1…r−1 are out too. Call it in the same transaction as
    fieldwork.services.release_replicate, which makes the cases. Raises SamplingInputError for
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


# --- RDD ------------------------------------------------------------------------------------


def generate_phone_numbers(
    *,
    blocks: pd.DataFrame,
    targets: dict[str, int],
    seed: int | None = None,
    exclude_frames: Sequence[Frame] = (),
    exclude_recent_draws: int = 0,
    exclude_numbers: Sequence[str] = (),
    min_listed: int = 0,
) -> tuple[pd.DataFrame, int]:
    """RDD mobile numbers for each locality from its 号段 blocks (see sampling.rdd).

    blocks: columns prefix, locality_code. Numbers in `exclude_frames`, sampled in the last
    `exclude_recent_draws` draws or in `exclude_numbers` are never generated. min_listed ≥ 1:
    list-assisted, the frames' numbers are the listed ones. Returns (numbers, seed).
    """
    seed = _checked_seed(seed)
    exclude = {str(number) for number in exclude_numbers}
    listed = [load_frame(frame, columns=["phone"])["phone"] for frame in exclude_frames]
    for phones in listed:
        exclude.update(phones)
    if exclude_recent_draws:
        exclude.update(recent_draw_units(exclude_recent_draws)[2])
    try:
        numbers = rdd.generate(
            blocks,
            pd.Series(targets, dtype="int64"),
            seed=seed,
            exclude=exclude,
            listed=pd.concat(listed) if listed else None,
            min_listed=min_listed,
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc
    return numbers, seed
