"""The fast road of the frame import gives what the careful road gives, or steps aside.

For clean files, read_plain_csv + clean_frame must equal read_table + validate_frame +
sort_for_draw cell for cell; for every file with something the careful road would report or
read differently, the fast road returns None (and the careful road names the problem).
"""

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from common.tables import Limits, read_plain_csv, read_table
from sampling import frame_arrow
from sampling.draw import sort_for_draw
from sampling.frame_arrow import clean_frame
from sampling.frame_validation import validate_frame
from sampling.phones import MOBILE_PATTERN

LIMITS = Limits(max_bytes=10**7, max_rows=10_000, max_cell_chars=200)
KNOWN = {
    "S1": {"level": "street", "street_code": "S1", "district_code": "D1"},
    "S1C1": {"level": "community", "street_code": "S1", "district_code": "D1"},
    "S2C1": {"level": "community", "street_code": "S2", "district_code": "D2"},
    "D1": {"level": "district", "street_code": None, "district_code": "D1"},
}
MAPPING = {"unit_id": "id", "phone": "tel", "locality_code": "place", "address": "addr"}
LENGTHS = {"max_unit_id_length": 12, "max_address_length": 30}


def careful(raw: bytes, mapping=MAPPING) -> pd.DataFrame:
    table = read_table(raw, name="f.csv", limits=LIMITS).frame
    validation = validate_frame(table, known_localities=KNOWN, mapping=mapping, **LENGTHS)
    assert validation.ok, validation.errors
    return sort_for_draw(validation.frame, stratum_column="street_code")


def fast(raw: bytes, mapping=MAPPING):
    table = read_plain_csv(raw, LIMITS)
    if table is None:
        return None
    columns = dict(zip(table.column_names, table.columns, strict=True))
    got = clean_frame(columns, known_localities=KNOWN, mapping=mapping, **LENGTHS)
    assert got is None or not columns  # every column taken over
    return got


def as_text(table: pa.Table) -> pd.DataFrame:
    """The table as a DataFrame of text: dictionary columns (the locality codes) decoded."""
    return pa.table(
        {
            name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
    ).to_pandas()


CLEAN = [
    "id,tel,place,addr,phone\nH2,13800000002,S2C1,东湖路2号,x\nH1,13800000001,S1C1,东湖路1号,y\n",
    # a byte-order mark, CRLF, padded cells, quoted commas and a quoted line break
    '\ufeffid,tel,place,addr\r\n H3 ,13900000003, S1 ,"路, 3号"\r\n'
    'H1,13900000001,S2C1,"一\n二"\r\n',
    # a blank row (skipped) and an unmapped column
    "id,tel,place,addr,note\nB,15000000002,S1C1,,n1\n,,,,\nA,15000000001,S1C1,甲,n2\n",
    # an empty line (a blank row to the careful road; both skip it)
    "id,tel,place,addr\nH1,13800000001,S1C1,a\n\nH2,13800000002,S1C1,b\n",
]


@pytest.mark.parametrize("text", CLEAN)
def test_a_clean_file_comes_out_as_the_careful_road_makes_it(text):
    raw = text.encode("utf-8")
    got = fast(raw)
    assert got is not None
    pd.testing.assert_frame_equal(as_text(got), careful(raw).reset_index(drop=True))


def test_without_an_address_column_the_address_is_blank_as_before():
    raw = b"id,tel,place\nH1,13800000001,S1C1\n"
    mapping = {"unit_id": "id", "phone": "tel", "locality_code": "place"}
    got = fast(raw, mapping)
    pd.testing.assert_frame_equal(as_text(got), careful(raw, mapping))


STEP_ASIDE = {
    "phone with +86": "id,tel,place,addr\nH1,+86 13800000001,S1C1,a\n",
    "unknown place": "id,tel,place,addr\nH1,13800000001,X9,a\n",
    "district-level place": "id,tel,place,addr\nH1,13800000001,D1,a\n",
    "empty place": "id,tel,place,addr\nH1,13800000001,,a\n",
    "repeated id": "id,tel,place,addr\nH1,13800000001,S1C1,a\nH1,13800000002,S1C1,b\n",
    "empty id": "id,tel,place,addr\n,13800000001,S1C1,a\n",
    "long id": "id,tel,place,addr\nH1234567890123,13800000001,S1C1,a\n",
    "long address": "id,tel,place,addr\nH1,13800000001,S1C1," + "路" * 31 + "\n",
    "no-break space edge": "id,tel,place,addr\nH1,13800000001,S1C1,a\u00a0\n",
    "ideographic space edge": "id,tel,place,addr\nH1,13800000001,S1C1,\u3000a\n",
    "ragged row": "id,tel,place,addr\nH1,13800000001,S1C1,a,extra\n",
    "lone carriage return": "id,tel,place,addr\nH1,13800000001,S1C1,a\rb\n",
    "quote left open": 'id,tel,place,addr\nH1,13800000001,S1C1,"a\n',
    "control character": "id,tel,place,addr\nH1,13800000001,S1C1,a\x07\n",
    "over-long cell": "id,tel,place,addr,note\nH1,13800000001,S1C1,a," + "x" * 201 + "\n",
    "repeated header": "id,tel,place,addr,addr\nH1,13800000001,S1C1,a,b\n",
    "blank header": "id,tel,place,addr,\nH1,13800000001,S1C1,a,\n",
    "missing column": "id,tel,addr\nH1,13800000001,a\n",
    "no data rows": "id,tel,place,addr\n",
}


@pytest.mark.parametrize("text", STEP_ASIDE.values(), ids=STEP_ASIDE.keys())
def test_anything_the_careful_road_reports_or_reads_otherwise_steps_aside(text):
    assert fast(text.encode("utf-8")) is None


def test_gbk_and_utf16_files_step_aside():
    text = "id,tel,place,addr\nH1,13800000001,S1C1,东湖路\n"
    assert fast(text.encode("gb18030")) is None
    assert fast(text.encode("utf-16")) is None


@pytest.mark.parametrize("widths", ["equal", "mixed", "long", "prefixed", "wide"])
def test_unit_ids_are_ordered_as_arrow_orders_strings_and_repeats_are_found(widths):
    # given random ids of one width, of several, and beyond what is packed into words,
    # ASCII and multi-byte, in a slice of a larger array; ids with places every id shares
    # (H0…, a "-" in the middle), short and long; and ids of many distinct bytes at each
    # place (more than 64 bits of difference: sorted as words)
    rng = np.random.default_rng(len(widths))
    alphabet = [*"AB09xyz-Z", "街", "é"]
    for _ in range(60):
        n = int(rng.integers(2, 300))
        top = {"equal": 12, "mixed": 12, "long": 60, "prefixed": 12, "wide": 30}[widths]
        lengths = (
            np.full(n, int(rng.integers(1, top)))
            if widths in ("equal", "prefixed", "wide")
            else rng.integers(1, top, size=n)
        )
        values = ["".join(rng.choice(alphabet, size=length)) for length in lengths]
        if widths == "prefixed":
            values = [f"H0{v[:2]}-{v[2:]}" for v in values]
        if widths == "wide":
            values = ["".join(chr(c) for c in rng.integers(33, 127, size=len(v))) for v in values]
        ids = pa.array(["pad", *values], pa.string()).slice(1)
        expected = pc.sort_indices(ids).to_numpy()
        in_order = pc.take(ids, expected)
        repeats = pc.any(pc.equal(in_order[:-1], in_order[1:])).as_py()
        # when
        order = frame_arrow._unit_order(ids)
        # then
        if repeats:
            assert order is None
        else:
            assert order.tolist() == expected.tolist()
        # and a repeated id is always found
        doubled = pa.array([*values, values[0]], pa.string())
        assert frame_arrow._unit_order(doubled) is None


NUMBERS = ["13800000001", "19999999999", "12800000001", "23800000001", "1380000000",
           "138000000012", "1380000000a", "1380000000٣", "138 0000000", "",
           "１3800000001", "10000000000"]  # fmt: skip


@pytest.mark.parametrize("number", NUMBERS)
def test_the_byte_check_of_numbers_agrees_with_the_mobile_pattern(number):
    column = pa.array(["pad", "13912345678", number], pa.string()).slice(1)
    expected = all(re.fullmatch(MOBILE_PATTERN, value) for value in ["13912345678", number])
    assert frame_arrow._mobile_numbers(column) is bool(expected)


CELLS = ["东湖路", "\u3000东湖路", "东湖路\u00a0", "a\u2009", "\u0085b", "\u1680", "、东湖路、",
         "东湖路\u205f", "é", "é\u202f", "\u2028x", "x\u3000y", "\u00e9\u00a0z", ""]  # fmt: skip


@pytest.mark.parametrize("cell", CELLS)
def test_the_edge_space_check_agrees_with_the_pattern(cell):
    column = pa.array(["pad", "路", cell, "号"], pa.string()).slice(1)
    expected = bool(re.search(frame_arrow.EDGE_SPACE, cell))
    assert frame_arrow._edge_space(column) is expected


@pytest.mark.parametrize("cell", CELLS)
def test_the_edge_space_check_of_cells_of_one_width_agrees_with_the_pattern(cell):
    # given cells all as many bytes long as this one (read in place, as a matrix of bytes)
    plain = "x" * len(cell.encode("utf-8"))
    column = pa.array(["pad", plain, cell, plain], pa.string()).slice(1)
    # then: the same answer as the pattern
    expected = bool(re.search(frame_arrow.EDGE_SPACE, cell))
    assert frame_arrow._edge_space(column) is expected


@pytest.mark.parametrize(
    "cells",
    [
        ["ab", " b", "cd"],  # one width, a space first
        ["ab", "cd", "e\t"],  # one width, a tab last
        ["ab", "cd", "ef"],  # one width, nothing to trim
        ["a", "", "\rb\n"],  # widths of every kind, an empty cell
        ["abc", "d ", "ef"],
        ["abc", "de", "fg"],
    ],
)
def test_trimming_agrees_with_arrows_trim(cells):
    column = pa.array(["pad", *cells], pa.string()).slice(1)
    got = frame_arrow._trimmed(column)
    assert got.to_pylist() == pc.utf8_trim(column, frame_arrow.ASCII_SPACE).to_pylist()


@pytest.mark.parametrize("byte", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
def test_every_control_character_sends_the_file_to_the_careful_road(byte):
    raw = b"id,tel,place,addr\nH1,13800000001,S1C1,a" + bytes([byte]) + b"b\n"
    assert fast(raw) is None


def test_tabs_and_line_breaks_are_not_control_characters_and_long_cells_count_characters():
    # given a tab in a cell, a quoted line break, CRLF ends and a cell of 200 characters
    # (600 bytes: the cap counts characters)
    raw = ('id,tel,place,addr,note\r\nH1,13800000001,S1C1,"a\tb\nc",' + "路" * 200 + "\r\n").encode(
        "utf-8"
    )
    # then the fast road reads it as the careful road does
    got = fast(raw)
    assert got is not None
    pd.testing.assert_frame_equal(as_text(got), careful(raw).reset_index(drop=True))
    # and one character more steps aside
    assert fast(raw.replace(b"\xe8\xb7\xaf\r\n", b"\xe8\xb7\xaf\xe8\xb7\xaf\r\n")) is None


@pytest.mark.parametrize("width", [1, 2, 3, 4, 8, 9, 11, 12, 32, 33])
def test_taking_rows_of_one_width_gives_arrows_take(width):
    # given cells all `width` bytes (ASCII; Chinese characters of three bytes each when the
    # width allows), as a slice of a larger array, and cells of mixed widths
    rng = np.random.default_rng(width)
    ascii_cells = ["".join(rng.choice(list("0123456789AZaz"), size=width)) for _ in range(300)]
    chinese = ["".join(rng.choice(list("幸福路号"), size=width // 3)) for _ in range(300)]
    mixed = [cell[: 1 + k % width] for k, cell in enumerate(ascii_cells)]
    columns = [pa.array(["pad", *ascii_cells], pa.string()).slice(1), pa.array(mixed)]
    if width % 3 == 0:
        columns.append(pa.array(chinese))
    order = rng.permutation(300)[:250]
    # then: the same cells in the same order as pyarrow's take
    for values in columns:
        taken = frame_arrow._taken(values, order)
        assert taken.type == pa.string()
        assert taken.to_pylist() == pc.take(values, pa.array(order)).to_pylist()
