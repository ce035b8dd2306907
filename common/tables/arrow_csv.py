"""The fast road for a large, plain CSV: read by pyarrow in one pass, or None.

Pure: no Django. `read_plain_csv` returns the file as a pyarrow Table of text when it is a
plain UTF-8 CSV the careful reader (common.tables.reader) would take without a problem and
read the same way; in every other case it returns None and the caller reads the file with the
careful reader, which names each problem. So the fast road never changes what is refused or
how: it only skips the per-cell Python work for the files that need none.

What sends a file to the careful reader: a UTF-16 byte-order mark; bytes that are not UTF-8
(GB18030 files); a carriage return not followed by a line feed; an odd number of quotes; a
header that is blank, repeated, quoted or not stripped; a row of another width (ragged rows,
blank lines); more rows than allowed; a control character or an over-long cell anywhere.
"""

import csv
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from common.tables.problems import CONTROL, Limits

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SCAN_BYTES = 1 << 20  # bytes looked at a time for control characters
BLOCK_BYTES = 8 << 20  # pyarrow parses blocks of this size on every core
# In UTF-8 these bytes are only ever those ASCII control characters (common.tables.problems'
# CONTROL): one pass over the file finds them.
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def read_plain_csv(raw: bytes, limits: Limits) -> pa.Table | None:
    """The CSV in `raw` (at most limits.max_bytes, already checked) as string columns under
    the header's names, or None when the careful reader must read it."""
    if not raw or raw.isspace() or raw.startswith(UTF16_BOMS):
        return None
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    # Most frames hold neither: `in` stops at the first, where counting reads the whole file.
    quotes = raw.count(b'"') if b'"' in raw else 0
    returns = raw.count(b"\r") if b"\r" in raw else 0
    if quotes % 2 or (returns and returns != raw.count(b"\r\n")) or _has_control_bytes(raw):
        return None
    header = _header(raw, limits)
    if header is None:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(raw),
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, block_size=BLOCK_BYTES
            ),
            # Only a quoted cell can hold a line break; looking for them costs a serial pass.
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=quotes > 0, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows > limits.max_rows or not _cells_clean(table, limits):
        return None
    return table.rename_columns(header)


def _has_control_bytes(raw: bytes) -> bool:
    """Whether `raw` holds one of CONTROL_BYTES: the bytes below 0x20 (a line's worth of
    them, mostly line feeds) are found first, then looked at."""
    data = np.frombuffer(raw, dtype=np.uint8)
    for start in range(0, len(data), SCAN_BYTES):  # a slice at a time: no file-sized mask
        part = data[start : start + SCAN_BYTES]
        low = part < 0x20
        low |= part == 0x7F
        found = part[np.flatnonzero(low)]
        if not ((found == 0x09) | (found == 0x0A) | (found == 0x0D)).all():
            return True
    return False


def _header(raw: bytes, limits: Limits) -> list[str] | None:
    end = raw.find(b"\n")
    line = raw[: end if end >= 0 else len(raw)].rstrip(b"\r")
    if b'"' in line:
        return None
    try:
        header = next(csv.reader([line.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration):
        return None
    clean = all(name and name == name.strip() for name in header)
    if not clean or len(set(header)) != len(header):
        return None
    if any(len(name) > limits.max_cell_chars or re.search(CONTROL, name) for name in header):
        return None
    return header


def _cells_clean(table: pa.Table, limits: Limits) -> bool:
    for column in table.columns:
        if (pc.max(pc.binary_length(column)).as_py() or 0) <= limits.max_cell_chars:
            continue  # no more characters than bytes
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > limits.max_cell_chars:
            return False
    return True
