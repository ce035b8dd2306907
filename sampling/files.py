"""Reading the tables people hand to sampling (locality trees, frames, prefix blocks) as text.

Every cell is read as str ("" for empty) so that codes and phone numbers keep their leading
zeros; a CSV saved by Excel in China (GB18030/GBK) is read as well as UTF-8.
"""

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO
from zipfile import BadZipFile

import pandas as pd
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from sampling.errors import SamplingInputError

Progress = Callable[[float, str], None]
READ_CHUNK_ROWS = 200_000


def read_any_table(
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
        return read_csv(raw, lambda fraction, message: None)
    except (ValueError, OSError, KeyError, BadZipFile, InvalidFileException) as exc:
        raise ValueError(_("the file could not be read: %(detail)s") % {"detail": exc}) from exc


def read_csv(raw: bytes, report: Progress) -> pd.DataFrame:
    """A CSV file's bytes as str columns, blank lines kept; `report` hears the share read so
    far, scaled to 0–0.4 (reading is the first 40% of a frame import)."""
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


def read_frame_file(path: str | Path) -> pd.DataFrame:
    """A CSV, XLSX or Parquet frame file as str columns, for
    :func:`sampling.services.draws.draw_file_sample` (and RDD prefix blocks)."""
    try:
        return read_any_table(path, str(path), (".csv", ".xlsx", ".parquet"))
    except ValueError as exc:
        raise SamplingInputError([f"{Path(path).name}: {exc}"]) from exc
