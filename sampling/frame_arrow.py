"""A clean frame checked and normalised on Arrow columns, or None. Pure: pyarrow only.

`clean_frame` gives the same frame as frame_validation.validate_frame followed by
draw.sort_for_draw, for a file in which validate_frame would find no problem; for any other
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
from sampling.phones import MOBILE_PATTERN

ASCII_SPACE = " \t\n\r"
# Characters str.strip() removes beyond ASCII's (control characters are refused earlier).
OTHER_SPACES = "[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
EDGE_SPACE = f"^{OTHER_SPACES}|{OTHER_SPACES}$"
PACKED_BYTES = 32  # unit ids up to this many bytes are sorted as 64-bit words


def clean_frame(
    table: pa.Table,
    *,
    known_localities: dict[str, dict],
    mapping: dict[str, str],
    max_unit_id_length: int,
    max_address_length: int,
) -> pa.Table | None:
    """The validated frame in draw order (street, unit id), as validate_frame and
    sort_for_draw would make it, or None when validate_frame must look at the file."""
    mapping = {role: column for role, column in mapping.items() if column}
    if any(column not in table.column_names for column in mapping.values()):
        return None
    cells = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        # One chunk: taking rows in draw order from many chunks costs several times more.
        column = pc.utf8_trim(column, ASCII_SPACE).combine_chunks()
        if not pc.all(pc.string_is_ascii(column)).as_py():
            if pc.any(pc.match_substring_regex(column, EDGE_SPACE)).as_py():
                return None
        cells[name] = column
    blank = None
    for column in cells.values():
        empty = pc.equal(column, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank)
        cells = {name: pc.filter(column, keep) for name, column in cells.items()}
    standard = _standard_columns(
        cells, known_localities, mapping, max_unit_id_length, max_address_length
    )
    if standard is None:
        return None
    mapped = set(mapping.values())
    for name, column in cells.items():
        if name not in mapped:
            standard[f"source_{name}" if name in OUTPUT_COLUMNS else name] = column
    streets, districts, positions = standard.pop("places")
    order = _draw_order(standard["unit_id"], streets, positions)
    if order is None:  # a unit id used twice
        return None
    sorted_positions = pc.take(positions, order)
    columns = {n: pc.take(c, order) for n, c in standard.items() if c is not None}
    columns["street_code"] = pc.take(streets, sorted_positions)
    columns["district_code"] = pc.take(districts, sorted_positions)
    return pa.table({name: columns[name] for name in standard})


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
    Short ids are sorted as numbers: their bytes packed big-endian into 64-bit words,
    which order as the strings do, several times faster than sorting strings."""
    words = _packed(unit_id)
    if words is None:
        by_unit = pc.sort_indices(unit_id).to_numpy()
        ids = pc.take(unit_id, by_unit)
        repeats = len(ids) > 1 and pc.any(pc.equal(ids[:-1], ids[1:])).as_py()
        return None if repeats else by_unit
    by_unit = np.lexsort(words[::-1]) if len(words) > 1 else np.argsort(words[0], kind="stable")
    ordered = [word[by_unit] for word in words]
    same = np.ones(max(len(by_unit) - 1, 0), dtype=bool)
    for word in ordered:
        same &= word[1:] == word[:-1]
    return None if same.any() else by_unit


def _packed(unit_id: pa.Array) -> list[np.ndarray] | None:
    """The ids' bytes as big-endian 64-bit words (the first eight bytes, the next eight, …;
    shorter ids padded with zero bytes, which sort first since no id holds a NUL), or None
    for ids longer than PACKED_BYTES or an array this does not read."""
    if unit_id.type != pa.string() or unit_id.null_count or len(unit_id) == 0:
        return None
    _validity, offsets, data = unit_id.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[
        unit_id.offset : unit_id.offset + len(unit_id) + 1
    ]
    lengths = np.diff(starts)
    width = int(lengths.max())
    if width > PACKED_BYTES or data is None:
        return None
    data = np.frombuffer(data, dtype=np.uint8)
    if (lengths != width).any() and (data[starts[0] : starts[-1]] == 0).any():
        return None  # a NUL would sort as padding
    words = [np.zeros(len(lengths), dtype=np.uint64) for _ in range(-(-width // 8))]
    last = len(data) - 1
    for j in range(width):
        byte = data[np.minimum(starts[:-1] + j, last)].astype(np.uint64)
        byte[lengths <= j] = 0
        word = words[j // 8]
        word <<= np.uint64(8)
        word |= byte
    return words


def _standard_columns(cells, known, mapping, max_unit_id_length, max_address_length):
    unit_id = cells[mapping["unit_id"]]
    phone = cells[mapping["phone"]]
    locality = cells[mapping["locality_code"]]
    rows = len(unit_id)
    if rows == 0:
        return None
    if not _all(pc.less_equal(pc.utf8_length(unit_id), max_unit_id_length)):
        return None
    if pc.any(pc.equal(unit_id, "")).as_py():  # repeats: found while sorting
        return None
    if not _all(pc.match_substring_regex(phone, f"^{MOBILE_PATTERN}$")):
        return None
    address = cells.get(mapping.get("address", ""))
    if address is None:
        address = pa.array([""] * rows, pa.string())
    elif not _all(pc.less_equal(pc.utf8_length(address), max_address_length)):
        return None
    places = _places(locality, known)
    if places is None:
        return None
    return {
        "unit_id": unit_id,
        "phone": phone,
        "locality_code": locality,
        "street_code": None,  # filled in draw order from `places`
        "district_code": None,
        "address": address,
        "places": places,
    }


def _places(locality, known: dict[str, dict]):
    """The street and district code of each distinct locality and each row's position among
    them, or None if a code is empty, unknown or coarse."""
    distinct = pc.unique(locality)
    streets, districts = [], []
    for code in distinct.to_pylist():
        place = known.get(code)
        if not code or place is None or place.get("level") not in ACCEPTED_LEVELS:
            return None
        streets.append("" if place.get("street_code") is None else str(place["street_code"]))
        districts.append("" if place.get("district_code") is None else str(place["district_code"]))
    positions = pc.index_in(locality, value_set=distinct)
    return pa.array(streets, pa.string()), pa.array(districts, pa.string()), positions


def _all(mask) -> bool:
    return bool(pc.all(mask).as_py())
