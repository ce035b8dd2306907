"""read_table: one CSV, XLSX or Parquet file as a DataFrame of text, or every problem it has.
Pure: no Django (see the package's docstring for what is refused)."""

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO

import pandas as pd

from common.tables.problems import (
    CONTROL,
    Limits,
    Problems,
    TableError,
    TableProblem,
    column_letter,
    fail,
    short,
)
from common.tables.workbooks import read_parquet, read_xlsx, text_columns

# The csv module refuses a field over 128 KiB with an error of its own; cells are measured
# against the cell cap here instead, so its limit is lifted (once, for the process).
csv.field_size_limit(2**31 - 1)

CHUNK_ROWS = 200_000  # rows become columns in chunks: a big file never exists as lists

Progress = Callable[[float], None]  # hears the share of the file read so far, 0 to 1


@dataclass(frozen=True)
class Table:
    """`frame`: one column per header name (stripped), one row per data row, all str;
    `file` the file's name; `sheet` the worksheet read (None for CSV and Parquet)."""

    frame: pd.DataFrame
    file: str
    sheet: str | None = None


def read_table(
    source: bytes | str | Path | IO[bytes],
    *,
    name: str,
    limits: Limits,
    suffixes: tuple[str, ...] = (".csv", ".xlsx"),
    progress: Progress | None = None,
    first_column_name: str = "",
    sheet: str | None = None,
) -> Table:
    """The table in `source` (bytes, a path or a binary file object), whose type is the
    extension of `name` (one of `suffixes`). Raises TableError with every problem found.
    An XLSX is read from its sheet named `sheet`, or its first sheet.

    `first_column_name` names the first column when its header cell is blank, as it is above
    the row labels of a matrix."""
    report = progress or (lambda fraction: None)
    suffix = PurePath(name).suffix.lower()
    if suffix not in suffixes:
        raise fail("file_type", name, suffix=suffix or "?", allowed=", ".join(suffixes))
    raw = read_bytes(source, name, limits)
    if not raw or raw.isspace():
        raise fail("empty", name)
    if suffix != ".xlsx":
        sheet = None
    if suffix == ".xlsx":
        header, frame, sheet = read_xlsx(raw, name, limits, CHUNK_ROWS, sheet)
    elif suffix == ".parquet":
        header, frame = read_parquet(raw, name, limits)
    else:
        header, frame = _read_csv(raw, name, limits, report)
    problems = Problems(name, sheet)
    if first_column_name and header and not str(header[0]).strip():
        header = [first_column_name, *header[1:]]
    frame = _named_columns(header, frame, problems)
    _check_cells(frame, limits, problems)
    problems.raise_if_any()
    report(1.0)
    return Table(frame=frame, file=name, sheet=sheet)


def read_text(source: bytes | str | Path | IO[bytes], *, name: str, limits: Limits) -> str:
    """A small text file read line by line by its caller (e.g. "stratum,value" lists), with
    the same caps, encodings and refusals as a table's cells: a line is a row. Raises
    TableError."""
    raw = read_bytes(source, name, limits)
    text = _decode(raw, name)
    problems = Problems(name, None)
    lines = text.splitlines()
    if len(lines) > limits.max_rows + 1:
        raise fail("too_many_rows", name, max_rows=f"{limits.max_rows:,}")
    for number, line in enumerate(lines, start=1):
        if found := re.search(CONTROL, line):
            problems.add("control_character", row=number, code=f"U+{ord(found.group()):04X}")
        if len(line) > limits.max_cell_chars:
            problems.add(
                "cell_too_long",
                row=number,
                length=f"{len(line):,}",
                max_length=f"{limits.max_cell_chars:,}",
                start=f"“{short(line)}”",
            )
    problems.raise_if_any()
    return text


def read_bytes(source: bytes | str | Path | IO[bytes], name: str, limits: Limits) -> bytes:
    """At most max_bytes + 1 bytes are ever read: a larger file is refused unread."""
    try:
        if isinstance(source, bytes):
            raw = source
        elif isinstance(source, str | Path):
            with open(source, "rb") as handle:
                raw = handle.read(limits.max_bytes + 1)
        else:
            raw = source.read(limits.max_bytes + 1)
    except OSError as error:
        raise fail("cannot_open", name) from error
    if len(raw) > limits.max_bytes:
        raise fail("too_large", name, max_mb=limits.max_mb)
    return raw


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 first (a byte-order mark is dropped), as it fails loudly on GBK bytes; then
    GB18030, a superset of GBK; UTF-16 with its byte-order mark."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    first_failure = None
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as error:
            first_failure = first_failure or error
    row = raw[: first_failure.start].count(b"\n") + 1 if first_failure else None
    raise fail("not_text", name, row=row)


def _read_csv(
    raw: bytes, name: str, limits: Limits, report: Progress
) -> tuple[list[str], pd.DataFrame]:
    text = _decode(raw, name)
    if not text.strip():
        raise fail("empty", name)
    first_line = text[: text.find("\n")] if "\n" in text else text
    # Excel's "Unicode text" (UTF-16) is tab-separated: so is such a file's first row with
    # tabs and no commas.
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    delimiter = "\t" if utf16 and "," not in first_line and "\t" in first_line else ","
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    problems = Problems(name, None)
    chunks, rows = [], []
    try:
        header = next(reader)
        if not any(cell.strip() for cell in header):
            raise fail("blank_header_row", name, row=1)
        width, number, record = len(header), 1, header
        for number, record in enumerate(reader, start=2):
            if number - 1 > limits.max_rows:
                raise fail("too_many_rows", name, max_rows=f"{limits.max_rows:,}")
            rows.append(record if len(record) == width else _fit(record, width, number, problems))
            if len(rows) >= CHUNK_ROWS:
                chunks.append(text_columns(rows, width))
                rows = []
                report(0.9 * stream.tell() / len(text))
    except csv.Error as error:  # only a stray carriage return inside a cell gets here
        raise fail("bad_csv", name, row=reader.line_num) from error
    # A quote never closed swallows the rest of the file into the cell where it opened.
    if text.count('"') % 2 and any("\n" in cell or "\r" in cell for cell in record):
        problems.add("unclosed_quote", row=number)
    problems.raise_if_any()
    chunks.append(text_columns(rows, width))
    return header, pd.concat(chunks, ignore_index=True)


def _fit(record: list[str], width: int, number: int, problems: Problems) -> list[str]:
    """A record of another width than the header's, as `width` cells: a blank line is a
    blank row, empty cells past the last column are dropped, anything else is a problem."""
    if not any(cell.strip() for cell in record):
        return [""] * width
    if len(record) > width and not any(cell.strip() for cell in record[width:]):
        return record[:width]
    problems.add("ragged_row", row=number, cells=len(record), expected=width)
    return (record + [""] * width)[:width]


def _named_columns(header: list[str], frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """The frame under the header's names (stripped). An unnamed column without values is
    dropped (Excel writes one for a cell that was only formatted); one with values, or a
    name used twice, is a problem."""
    names = [str(name).strip() for name in header]
    if not any(names):
        problems.add("blank_header_row", row=1)
        problems.raise_if_any()
    names += [""] * (frame.shape[1] - len(names))
    keep, first = [], {}
    for position, name in enumerate(names):
        if not name:
            filled = frame[position].str.strip().ne("").to_numpy() if position in frame else []
            if any(filled):
                problems.add("blank_header", row=int(filled.argmax()) + 2, column=position)
        elif name in first:
            other = column_letter(first[name])
            problems.add(
                "duplicate_header",
                row=1,
                column=position,
                name=f"“{short(name)}”",
                first_column=other,
            )
        else:
            first[name] = position
            keep.append(position)
    problems.raise_if_any()
    named = frame.reindex(columns=keep, fill_value="")
    named.columns = [names[position] for position in keep]
    return named.astype("str")


def _check_cells(frame: pd.DataFrame, limits: Limits, problems: Problems) -> None:
    """Control characters and over-long cells, the header's names included (row 1)."""
    header = pd.Series(list(frame.columns), dtype="str")
    for position, column in enumerate(frame.columns):
        values = pd.concat([header.iloc[[position]], frame[column]], ignore_index=True)
        for index in values.index[values.str.contains(CONTROL, regex=True).to_numpy()]:
            character = re.search(CONTROL, values.iloc[index]).group()
            problems.add(
                "control_character",
                row=index + 1,
                column=position,
                column_name=column,
                code=f"U+{ord(character):04X}",
            )
        lengths = values.str.len()
        for index in values.index[(lengths > limits.max_cell_chars).to_numpy()]:
            problems.add(
                "cell_too_long",
                row=index + 1,
                column=position,
                column_name=column,
                length=f"{int(lengths.iloc[index]):,}",
                max_length=f"{limits.max_cell_chars:,}",
                start=f"“{short(values.iloc[index])}”",
            )


__all__ = [
    "Progress",
    "Table",
    "TableError",
    "TableProblem",
    "read_bytes",
    "read_table",
    "read_text",
]
