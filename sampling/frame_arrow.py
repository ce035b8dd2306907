"""A clean frame checked and normalised on Arrow columns, or None. Pure: pyarrow only.

`clean_frame` gives the same frame as frame_validation.validate_frame followed by
draw.sort_for_draw (its locality codes as dictionary arrays of the same values), for a file
in which validate_frame would find no problem; for any other
file it returns None and the caller runs validate_frame, which names every problem. It never
decides that a file is bad: at worst a clean file takes the slower road.

What sends a file to validate_frame: a mapped column missing; an empty, over-long or repeated
unit id; a phone number that is not already 11 plain digits (validate_frame normalises
+86, spaces and full-width digits); an empty, unknown or too coarse locality code; an
over-long address; a cell beginning or ending with a space other than ASCII's (str.strip and
Arrow's trimming may disagree on those).
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sampling.frame_validation import ACCEPTED_LEVELS, OUTPUT_COLUMNS

ASCII_SPACE = " \t\n\r"
ASCII_SPACE_BYTES = np.frombuffer(ASCII_SPACE.encode("ascii"), dtype=np.uint8)
IS_ASCII_SPACE = np.isin(np.arange(256), ASCII_SPACE_BYTES)  # by the byte: one lookup a cell
# Characters str.strip() removes beyond ASCII's (control characters are refused earlier).
OTHER_SPACES = "[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
EDGE_SPACE = f"^{OTHER_SPACES}|{OTHER_SPACES}$"
SPACE_LEADS = np.array([0xC2, 0xE1, 0xE2, 0xE3], dtype=np.uint8)  # OTHER_SPACES' first bytes
MOBILE_DIGITS = 11
PACKED_BYTES = 32  # unit ids up to this many bytes are sorted as 64-bit words
_WORDS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # cells gathered as numbers


def clean_frame(
    columns: dict[str, pa.ChunkedArray],
    *,
    known_localities: dict[str, dict],
    mapping: dict[str, str],
    max_unit_id_length: int,
    max_address_length: int,
) -> pa.Table | None:
    """The validated frame in draw order (street, unit id), as validate_frame and
    sort_for_draw would make it, or None when validate_frame must look at the file.

    columns: the file's columns by header name, in the file's order; emptied as they are
    used, so that a caller who keeps no other reference to them has each one let go once
    it is sorted (the file's columns and the sorted frame are never held whole at once).
    The locality, street and district codes come as dictionary arrays (a few thousand
    distinct codes and a position a row) with the same values."""
    mapping = {role: column for role, column in mapping.items() if column}
    if any(column not in columns for column in mapping.values()):
        return None
    cells = _checked_cells(columns)
    if cells is None:
        return None
    standard = _standard_columns(
        cells, known_localities, mapping, max_unit_id_length, max_address_length
    )
    if standard is None:
        return None
    mapped = set(mapping.values())
    for name in list(cells):
        column = cells.pop(name)
        if name not in mapped:
            standard[f"source_{name}" if name in OUTPUT_COLUMNS else name] = column
    localities, streets, districts, positions = standard.pop("places")
    order = _draw_order(standard["unit_id"], streets, positions)
    if order is None:  # a unit id used twice
        return None
    sorted_positions = np.take(positions.to_numpy(), order)
    places = {
        "locality_code": pa.DictionaryArray.from_arrays(sorted_positions, localities),
        "street_code": _coded(streets, sorted_positions),
        "district_code": _coded(districts, sorted_positions),
    }
    rows = {}
    for name in list(standard):  # each column let go once it is sorted
        column = standard.pop(name)
        rows[name] = places[name] if column is None else _taken(column, order)
        del column
    return pa.table(rows)


def _checked_cells(columns: dict[str, pa.ChunkedArray]) -> dict[str, pa.Array] | None:
    """Each column as one trimmed array, rows blank in every column left out; None if a
    cell begins or ends with a space str.strip would remove but Arrow's trimming would not.
    Takes the columns out of `columns` one by one."""
    cells = {}
    for name in list(columns):
        chunks = columns.pop(name)
        # One chunk: taking rows in draw order from many chunks costs several times more.
        # A column read as one already is used as it is (combining would copy it).
        column = chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()
        del chunks
        # The column as read, let go, goes back to the system now: the next column's copy
        # then takes memory the system has at hand rather than memory it must find afresh.
        pa.default_memory_pool().release_unused()
        column = _trimmed(column)
        if not pc.all(pc.string_is_ascii(column)).as_py() and _edge_space(column):
            return None
        cells[name] = column
    blank = None
    for column in cells.values():
        empty = pc.equal(column, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank)
        cells = {name: pc.filter(column, keep) for name, column in cells.items()}
    return cells


def _coded(values: pa.Array, positions: np.ndarray) -> pa.DictionaryArray:
    """`values` (one a distinct locality) taken at `positions`, as a dictionary array of
    the distinct values."""
    encoded = pc.dictionary_encode(values)
    indices = np.take(encoded.indices.to_numpy(), positions)
    return pa.DictionaryArray.from_arrays(indices, encoded.dictionary)


def _taken(column: pa.Array, order: np.ndarray) -> pa.Array:
    """pc.take(column, order). A text column whose cells are all one width (unit ids, mobile
    numbers) is gathered by numpy as fixed-size rows of bytes: its offsets need no reading.
    np.take, not indexing: for rows of bytes it copies each row whole, half the time of
    `cells[order]`, and a third of Arrow's take."""
    bounds = _bounds(column)
    if bounds is None or len(column) == 0:
        return pc.take(column, order)
    starts, data = bounds
    rows, width = len(column), int(starts[1] - starts[0])
    if not 0 < width <= PACKED_BYTES or int(starts[-1] - starts[0]) != width * rows:
        return pc.take(column, order)
    if (np.diff(starts) != width).any():
        return pc.take(column, order)
    cells = data[starts[0] : starts[-1]]
    cells = cells.view(_WORDS[width]) if width in _WORDS else cells.view(f"V{width}")
    offsets = np.arange(0, width * (len(order) + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(order), pa.py_buffer(offsets), pa.py_buffer(np.take(cells, order))
    )


def _draw_order(unit_id, streets, positions) -> np.ndarray | None:
    """Row positions in (street, unit id) order, as sort_for_draw orders them; None if a unit
    id repeats. One sort of the unit ids (which then shows repeats side by side) and a
    stable sort of the streets' ranks (a radix sort on 16 bits)."""
    by_unit = _unit_order(unit_id)
    if by_unit is None:
        return None
    # The rank of each distinct locality's street among the streets, in code order.
    ranks = pc.rank(streets, sort_keys="ascending", tiebreaker="dense").to_numpy()
    dtype = np.uint16 if len(ranks) < 2**16 else np.uint32
    street_rank = ranks.astype(dtype)[positions.to_numpy()]
    return by_unit[np.argsort(street_rank[by_unit], kind="stable")]


def _unit_order(unit_id: pa.Array) -> np.ndarray | None:
    """Row positions in unit-id order (Arrow's: by UTF-8 bytes), or None if an id repeats.
    Short ids are sorted as numbers, several times faster than sorting strings: the bytes
    that differ between ids, each less the smallest at its place, packed into one 64-bit
    key (radix-sorted 16 bits at a time) or, for longer ids, into big-endian words."""
    columns = _byte_columns(unit_id)
    if columns is None:
        by_unit = pc.sort_indices(unit_id).to_numpy()
        ids = pc.take(unit_id, by_unit)
        repeats = len(ids) > 1 and pc.any(pc.equal(ids[:-1], ids[1:])).as_py()
        return None if repeats else by_unit
    lows = [int(column.min()) for column in columns]
    bits = [(int(column.max()) - int(column.min())).bit_length() for column in columns]
    if sum(bits) <= 64:
        key = np.zeros(len(unit_id), dtype=np.uint64)
        for column, low, width in zip(columns, lows, bits, strict=True):
            key <<= np.uint64(width)
            key |= (column - np.uint8(low)).astype(np.uint64)
        words = [key]
        by_unit = _radix_order(key, sum(bits))
    else:
        words = [np.zeros(len(unit_id), dtype=np.uint64) for _ in range(-(-len(columns) // 8))]
        for j, column in enumerate(columns):
            word = words[j // 8]
            word <<= np.uint64(8)
            word |= column.astype(np.uint64)
        by_unit = np.lexsort(words[::-1])
    same = np.ones(max(len(by_unit) - 1, 0), dtype=bool)
    for word in words:
        ordered = word[by_unit]
        same &= ordered[1:] == ordered[:-1]
    return None if same.any() else by_unit


def _radix_order(key: np.ndarray, bits: int) -> np.ndarray:
    """A stable order of `key` (bits wide), sorting 16 bits at a time from the lowest: numpy
    sorts 16-bit numbers stably by radix, in linear time."""
    order = np.arange(len(key))
    for shift in range(0, bits, 16):
        digit = ((key >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint16)
        order = order[np.argsort(digit[order], kind="stable")]
    return order


def _byte_columns(unit_id: pa.Array) -> list[np.ndarray] | None:
    """The ids' bytes, place by place (shorter ids padded with zero bytes, which sort first
    since no id holds a NUL), leaving out each place at which every id has the same byte
    (the "H" of H00012345: it decides no order); None for ids longer than PACKED_BYTES or
    an array this does not read."""
    bounds = _bounds(unit_id)
    if bounds is None or len(unit_id) == 0:
        return None
    starts, data = bounds
    lengths = np.diff(starts)
    width, shortest = int(lengths.max()), int(lengths.min())
    if width > PACKED_BYTES or len(data) == 0:
        return None
    if shortest != width and (data[starts[0] : starts[-1]] == 0).any():
        return None  # a NUL would sort as padding
    last = len(data) - 1
    # Ids of one width lie side by side: a matrix whose columns are the places.
    matrix = data[starts[0] : starts[-1]].reshape(-1, width) if shortest == width else None
    columns = []
    for j in range(width):
        byte = data[np.minimum(starts[:-1] + j, last)] if matrix is None else matrix[:, j]
        if j < shortest and (byte == byte[0]).all():
            continue
        columns.append(byte if j < shortest else np.where(lengths > j, byte, np.uint8(0)))
    return columns


def _standard_columns(cells, known, mapping, max_unit_id_length, max_address_length):
    unit_id = cells[mapping["unit_id"]]
    phone = cells[mapping["phone"]]
    locality = cells[mapping["locality_code"]]
    rows = len(unit_id)
    if rows == 0:
        return None
    if not _at_most_chars(unit_id, max_unit_id_length):
        return None
    if pc.any(pc.equal(unit_id, "")).as_py():  # repeats: found while sorting
        return None
    if not _mobile_numbers(phone):
        return None
    address = cells.get(mapping.get("address", ""))
    if address is None:
        address = pa.array([""] * rows, pa.string())
    elif not _at_most_chars(address, max_address_length):
        return None
    places = _places(locality, known)
    if places is None:
        return None
    return {
        "unit_id": unit_id,
        "phone": phone,
        "locality_code": None,  # filled in draw order from `places`
        "street_code": None,  # filled in draw order from `places`
        "district_code": None,
        "address": address,
        "places": places,
    }


def _places(locality, known: dict[str, dict]):
    """The street and district code of each distinct locality and each row's position among
    them, or None if a code is empty, unknown or coarse. One pass of hashing gives both."""
    encoded = pc.dictionary_encode(locality)
    distinct, positions = encoded.dictionary, encoded.indices
    streets, districts = [], []
    for code in distinct.to_pylist():
        place = known.get(code)
        if not code or place is None or place.get("level") not in ACCEPTED_LEVELS:
            return None
        streets.append("" if place.get("street_code") is None else str(place["street_code"]))
        districts.append("" if place.get("district_code") is None else str(place["district_code"]))
    return distinct, pa.array(streets, pa.string()), pa.array(districts, pa.string()), positions


def _mobile_numbers(phone: pa.Array) -> bool:
    """Whether every number matches MOBILE_PATTERN (1, then 3 to 9, then 9 ASCII digits),
    checked on the bytes: 11 bytes a number, each a digit."""
    bounds = _bounds(phone)
    if bounds is None or (np.diff(bounds[0]) != MOBILE_DIGITS).any():
        return False
    starts, data = bounds
    digits = data[starts[0] : starts[-1]]
    if len(digits) == 0 or int((digits - np.uint8(ord("0"))).max()) > 9:  # below "0" wraps
        return False
    numbers = digits.reshape(-1, MOBILE_DIGITS)
    return bool((numbers[:, 0] == ord("1")).all() and (numbers[:, 1] >= ord("3")).all())


def _trimmed(column: pa.Array) -> pa.Array:
    """The cells without ASCII spaces at their ends: a new array only if a cell has one."""
    bounds = _bounds(column)
    if bounds is None:
        return pc.utf8_trim(column, ASCII_SPACE)
    starts, data = bounds
    if len(data) == 0:
        return column
    matrix = _one_width(starts, data)
    if matrix is not None:  # each cell's first and last byte read in place
        spaced = IS_ASCII_SPACE[matrix[:, 0]]
        spaced |= IS_ASCII_SPACE[matrix[:, -1]]
    else:
        last = len(data) - 1
        spaced = IS_ASCII_SPACE[data[np.minimum(starts[:-1], last)]]
        spaced |= IS_ASCII_SPACE[data[np.maximum(starts[1:] - 1, 0)]]
        spaced &= starts[1:] > starts[:-1]
    return pc.utf8_trim(column, ASCII_SPACE) if spaced.any() else column


def _one_width(starts: np.ndarray, data: np.ndarray) -> np.ndarray | None:
    """The cells as the rows of a matrix of bytes (a view, nothing copied) when every cell
    is as many bytes long and not empty, else None: their ends are then columns of it,
    read in order, where cells of many widths need a gather each."""
    rows = len(starts) - 1
    width = int(starts[1] - starts[0]) if rows else 0
    if width == 0 or int(starts[-1] - starts[0]) != width * rows:
        return None
    if (np.diff(starts) != width).any():
        return None
    return data[starts[0] : starts[-1]].reshape(rows, width)


def _bounds(column: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(where each cell starts, and the last one ends; the bytes) of a string column without
    nulls, or None."""
    if column.type != pa.string() or column.null_count:
        return None
    _validity, offsets, data = column.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    return starts, np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(
        0, np.uint8
    )


def _edge_space(column: pa.Array) -> bool:
    """Whether a cell begins or ends with one of OTHER_SPACES. Their UTF-8 forms begin with
    the byte C2, E1, E2 or E3: only cells beginning, or ending with a character beginning,
    with one of these are matched against the pattern."""
    bounds = _bounds(column)
    if bounds is None:
        return bool(pc.any(pc.match_substring_regex(column, EDGE_SPACE)).as_py())
    starts, data = bounds
    if len(data) == 0:
        return False
    matrix = _one_width(starts, data)
    if matrix is not None:
        lead = np.isin(matrix[:, 0], SPACE_LEADS)
        if matrix.shape[1] >= 2:
            lead |= matrix[:, -2] == SPACE_LEADS[0]
        if matrix.shape[1] >= 3:
            lead |= np.isin(matrix[:, -3], SPACE_LEADS[1:])
        return bool(lead.any()) and _edge_space_among(column, lead)
    begin, end = starts[:-1], starts[1:]
    lengths = end - begin
    last = len(data) - 1
    first = data[np.minimum(begin, last)]
    two_back = data[np.clip(end - 2, 0, last)]
    three_back = data[np.clip(end - 3, 0, last)]
    lead = np.isin(first, SPACE_LEADS)
    lead |= (lengths >= 2) & (two_back == SPACE_LEADS[0])
    lead |= (lengths >= 3) & np.isin(three_back, SPACE_LEADS[1:])
    lead &= lengths > 0
    return bool(lead.any()) and _edge_space_among(column, lead)


def _edge_space_among(column: pa.Array, suspects: np.ndarray) -> bool:
    """Whether one of the suspected cells matches EDGE_SPACE."""
    cells = pc.filter(column, pa.array(suspects))
    return bool(pc.any(pc.match_substring_regex(cells, EDGE_SPACE)).as_py())


def _at_most_chars(column: pa.Array, limit: int) -> bool:
    """Whether no cell is longer than `limit` characters: counted only if some cell has more
    bytes than that (a character is at least a byte)."""
    if (pc.max(pc.binary_length(column)).as_py() or 0) <= limit:
        return True
    return _all(pc.less_equal(pc.utf8_length(column), limit))


def _all(mask) -> bool:
    return bool(pc.all(mask).as_py())
