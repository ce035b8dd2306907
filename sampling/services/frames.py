"""Importing a frame file: validate it, store its units as Parquet and its per-street counts.

Also keeps the full problem report of a user's last failed import for download.
"""

import uuid
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.tables import TableError, read_bytes, read_plain_csv, read_table
from common.tables.texts import limits
from jobs.models import Job
from sampling import frame_crypto
from sampling.draw import sort_for_draw
from sampling.errors import FrameImportError
from sampling.frame_arrow import clean_frame
from sampling.frame_validation import FrameError, table_frame_error, validate_frame
from sampling.models import Frame, FrameStratumCount, Locality, SampledUnit
from sampling.selectors import locality_lookup
from sampling.services.frame_files import store_sealed

Progress = Callable[[float, str], None]

STRATUM_COLUMN = "street_code"  # strata are streets (街道/乡镇)


def import_frame(
    *,
    file: IO[bytes] | str | Path,
    source_name: str,
    name: str,
    mapping: dict[str, str],
    user: User | None = None,
    progress: Progress | None = None,
    job: Job | None = None,
    sheet: str | None = None,
) -> Frame:
    """Validate a CSV or XLSX frame file and store it as Parquet with per-street counts.

    file: a path or a binary file object (an upload); source_name: the file's name, whose
    extension (.csv, .xlsx) picks the reader; `sheet` the workbook's sheet (default: its first);
    mapping: role → column (see
    sampling.frame_validation.ROLES). Every column is read as text. Raises FrameImportError with
    every problem and writes nothing (no rows, no file) if anything is wrong. A plain CSV
    without a problem takes the fast road (common.tables.read_plain_csv and
    sampling.frame_arrow on Arrow columns, one read of the file); any other file the careful
    one (common.tables.read_table and validate_frame), which names every problem.

    Not wrapped in one transaction on purpose: validation takes seconds on a large file and
    needs no lock; the Parquet file is removed if the short write transaction fails. `job`, the
    background job importing it, is recorded on the frame (one frame per job).
    """
    report = progress or (lambda fraction, message: None)
    report(0.0, _("Reading file"))
    if not isinstance(file, str | Path) and not (hasattr(file, "seek") and file.seekable()):
        file = _read_bytes(file, source_name)  # a stream read once, for either road
    rows = _fast_frame(file, source_name, mapping)
    if rows is None:  # anything but a plain, clean CSV: the careful road names every problem
        rows = _checked_frame(_rewound(file), source_name, mapping, report, sheet)
    report(0.6, _("Writing Parquet"))
    pa.default_memory_pool().release_unused()  # the file's unsorted columns, freed: to the OS
    path = store_sealed(rows, f"frames/{uuid.uuid4().hex}.parquet")  # no number in clear
    report(0.9, _("Saving counts"))
    by_stratum = _counts(rows[STRATUM_COLUMN])
    try:
        frame = _save_frame(
            path=path,
            n_rows=rows.num_rows,
            columns=rows.column_names,
            counts=by_stratum,
            source_name=source_name,
            name=name,
            user=user,
            job=job,
        )
    except BaseException:
        default_storage.delete(path)
        default_storage.delete(frame_crypto.sealed_path(path))
        raise
    report(1.0, _("Done"))
    return frame


def _max_lengths() -> dict[str, int]:
    return {
        "max_unit_id_length": SampledUnit._meta.get_field("unit_id").max_length,
        "max_address_length": SampledUnit._meta.get_field("address").max_length,
    }


def _fast_frame(
    file: IO[bytes] | bytes | str | Path, source_name: str, mapping: dict[str, str]
) -> pa.Table | None:
    """A plain CSV with no problem, read, checked and sorted on Arrow columns; else None.
    The file's bytes are let go once pyarrow has read them."""
    if PurePath(source_name).suffix.lower() != ".csv":
        return None
    table = read_plain_csv(_read_bytes(file, source_name), limits("frame"))
    if table is None:
        return None
    columns = dict(zip(table.column_names, table.columns, strict=True))
    del table  # clean_frame lets each column go once it is sorted
    return clean_frame(
        columns,
        known_localities=locality_lookup(),
        mapping=mapping,
        **_max_lengths(),
    )


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    """How many rows hold each value of a text or dictionary column. A dictionary column
    (the fast road's) is counted by its indices, not by hashing a million strings."""
    chunk = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if pa.types.is_dictionary(chunk.type):
        counts = np.bincount(chunk.indices.to_numpy(), minlength=len(chunk.dictionary))
        values = chunk.dictionary.to_pylist()
        return {values[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}
    counts = pc.value_counts(chunk)
    return dict(
        zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)
    )


def _rewound(file: IO[bytes] | bytes | str | Path) -> IO[bytes] | bytes | str | Path:
    """The file from its start again, for the careful road after the fast one declined."""
    if hasattr(file, "seek"):
        file.seek(0)
    return file


def _checked_frame(
    raw: bytes | IO[bytes] | str | Path,
    source_name: str,
    mapping: dict[str, str],
    report: Progress,
    sheet: str | None = None,
) -> pa.Table:
    """Any frame file through the careful reader and validate_frame: every problem, or the
    validated frame in draw order."""
    table = _read_table(raw, source_name, report, sheet)
    report(0.4, _("Checking rows"))
    validation = validate_frame(
        table, known_localities=locality_lookup(), mapping=mapping, **_max_lengths()
    )
    if not validation.ok:
        raise FrameImportError(validation.errors, source_name)
    if validation.frame.empty:
        raise FrameImportError(
            [FrameError(None, "", "", "the file has no data rows", "no_rows")], source_name
        )
    sorted_rows = sort_for_draw(validation.frame, stratum_column=STRATUM_COLUMN)
    return pa.Table.from_pandas(sorted_rows, preserve_index=False)


def _read_bytes(file: IO[bytes] | bytes | str | Path, source_name: str) -> bytes:
    try:
        return read_bytes(file, source_name, limits("frame"))
    except TableError as error:
        problems = [table_frame_error(problem) for problem in error.problems]
        raise FrameImportError(problems, source_name, error.total) from error


@transaction.atomic
def _save_frame(
    *,
    path: str,
    n_rows: int,
    columns: list[str],
    counts: dict[str, int],
    source_name: str,
    name: str,
    user: User | None,
    job: Job | None,
) -> Frame:
    frame = Frame.objects.create(
        name=name,
        path=path,
        source_name=source_name,
        n_rows=n_rows,
        columns=list(columns),
        created_by=user,
        import_job=job,
    )
    streets = dict(Locality.objects.filter(code__in=counts).values_list("code", "pk"))
    FrameStratumCount.objects.bulk_create(
        FrameStratumCount(frame=frame, stratum=code, locality_id=streets[code], n_units=int(count))
        for code, count in sorted(counts.items())
    )
    return frame


def _read_table(
    file: bytes | IO[bytes] | str | Path, source_name: str, report: Progress, sheet: str | None
) -> pd.DataFrame:
    """The file's table (reading is the first 40% of the import); FrameImportError with the
    reader's problems, each a FrameError of kind "table"."""
    try:
        table = read_table(
            file,
            name=source_name,
            limits=limits("frame"),
            progress=lambda fraction: report(0.4 * fraction, _("Reading file")),
            sheet=sheet,
        )
    except TableError as error:
        problems = [table_frame_error(problem) for problem in error.problems]
        raise FrameImportError(problems, source_name, error.total) from error
    return table.frame


def keep_error_report(*, user: User, report: bytes) -> str:
    """Store the user's latest failed-import report (replacing the previous one); its path.

    report: the CSV file, as sampling.presenters.errors_csv writes it in the user's language."""
    path = error_report_path(user)
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(report))


def error_report_path(user: User) -> str:
    return f"frame-errors/user-{user.pk}.csv"
