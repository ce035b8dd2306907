import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.db.models import Count

from sampling.allocation import proportional
from sampling.models import Draw, Frame, FrameStratumCount, Locality, SampledUnit
from sampling.selectors import load_frame, locality_lookup, sample_table
from sampling.services import (
    FrameImportError,
    SamplingInputError,
    allocation_preview,
    draw_sample,
    import_frame,
    import_localities,
)
from tests.sampling.conftest import FRAME_SIZES, KNOWN, LOCALITIES, MAPPING, frame_rows


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def import_csv(path: Path, name: str = "frame") -> Frame:
    with path.open("rb") as file:
        return import_frame(file=file, source_name=path.name, name=name, mapping=MAPPING)


# --- localities -----------------------------------------------------------------------------


def test_localities_import_as_a_tree(localities):
    assert localities == len(LOCALITIES)
    community = Locality.objects.get(code="320102001001")
    assert community.parent.code == "320102001"
    assert community.parent.parent.parent.code == "3201"
    assert locality_lookup() == KNOWN


def test_reimporting_localities_updates_in_place(localities):
    renamed = [dict(row, name="改名") if row["code"] == "320102" else row for row in LOCALITIES]

    import_localities(rows=renamed)

    assert Locality.objects.count() == len(LOCALITIES)
    assert Locality.objects.get(code="320102").name == "改名"


def test_locality_tree_errors_are_reported_all_at_once(db):
    rows = [
        {"code": "1", "name": "市", "parent_code": "", "level": "city"},
        {"code": "11", "name": "区", "parent_code": "9", "level": "district"},  # unknown parent
        {"code": "11", "name": "区", "parent_code": "1", "level": "district"},  # duplicate
        {"code": "111", "name": "街", "parent_code": "1", "level": "street"},  # skips a level
        {"code": "A", "name": "甲", "parent_code": "B", "level": "street"},  # A ↔ B cycle
        {"code": "B", "name": "乙", "parent_code": "A", "level": "street"},
        {"code": "X", "name": "", "parent_code": "1", "level": "town"},
    ]

    with pytest.raises(SamplingInputError) as raised:
        import_localities(rows=rows)

    text = "\n".join(raised.value.errors)
    assert "Row 2 (11): unknown parent code 9" in text
    assert "Row 3 (11): the code is already used on row 2" in text
    assert "Row 4 (111): a Street/township's parent must be a District, not a City" in text
    assert "Rows 5, 6: parent codes form a cycle (A → B → A)" in text
    assert "Row 7 (X): the name must have" in text
    assert "Row 7 (X): level 'town' is not one of" in text
    assert Locality.objects.count() == 0


# --- frames ---------------------------------------------------------------------------------


def test_good_frame_writes_parquet_and_street_counts(localities, frame_file, media_root):
    frame = import_csv(frame_file)

    assert frame.n_rows == 100
    [parquet] = stored_files(media_root)
    assert parquet.suffix == ".parquet" and parquet.parent.name == "frames"
    counts = {c.stratum: (c.n_units, c.locality.name) for c in frame.stratum_counts.all()}
    assert counts == {
        "320102001": (40, "梅园新村街道"),
        "320102002": (20, "新街口街道"),
        "320104001": (40, "夫子庙街道"),
    }
    rows = load_frame(frame)
    assert len(rows) == 100 and rows["unit_id"].is_unique
    assert list(rows.columns) == frame.columns
    assert rows.loc[rows["unit_id"] == "H00000", "phone"].item() == "13900000000"


def test_bad_frame_writes_nothing(localities, tmp_path, media_root):
    data = frame_rows(FRAME_SIZES)
    data.loc[3, "tel"] = "1234"
    data.loc[7, "loc"] = "320102"
    data.loc[9, "hh"] = data.loc[8, "hh"]
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)

    with pytest.raises(FrameImportError) as raised:
        import_csv(path)

    assert [(e.row, e.column, e.kind) for e in raised.value.errors] == [
        (5, "tel", "bad_phone"),
        (9, "loc", "coarse_locality"),
        (10, "hh", "duplicate_unit_id"),
        (11, "hh", "duplicate_unit_id"),
    ]
    assert Frame.objects.count() == 0 and FrameStratumCount.objects.count() == 0
    assert stored_files(media_root) == []


def test_xlsx_frame_reads_numeric_phones_as_text(localities, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["hh", "tel", "loc", "addr"])
    sheet.append(["0001", 13812345678, "320102002", "A"])  # a number cell, as Excel keeps it
    sheet.append(["0002", "139 1234 5678", "320102002", "B"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    frame = import_frame(file=buffer, source_name="f.xlsx", name="x", mapping=MAPPING)

    rows = load_frame(frame)
    assert rows["unit_id"].tolist() == ["0001", "0002"]  # leading zeros kept
    assert rows["phone"].tolist() == ["13812345678", "13912345678"]


def test_gbk_csv_from_excel_is_read(localities, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("hh,tel,loc,addr\n1,13812345678,320102002,中山路1号\n".encode("gbk"))

    frame = import_csv(path)

    assert load_frame(frame)["address"].tolist() == ["中山路1号"]


def test_unsupported_or_broken_files_are_refused(localities, tmp_path):
    with pytest.raises(FrameImportError, match="1 problems"):
        import_frame(file=io.BytesIO(b"x"), source_name="f.xls", name="x", mapping=MAPPING)
    with pytest.raises(FrameImportError) as raised:
        import_frame(file=io.BytesIO(b"not a zip"), source_name="f.xlsx", name="x", mapping=MAPPING)
    assert raised.value.errors[0].kind == "unreadable"
    assert Frame.objects.count() == 0


def test_progress_is_reported_up_to_done(localities, frame_file):
    seen = []

    with frame_file.open("rb") as file:
        import_frame(
            file=file,
            source_name="frame.csv",
            name="x",
            mapping=MAPPING,
            progress=lambda fraction, message: seen.append(fraction),
        )

    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


# --- draws ----------------------------------------------------------------------------------


def test_draw_stores_the_proportional_sample_with_its_seed(frame):
    draw = draw_sample(frame=frame, n=10, seed=123)

    assert (draw.seed, draw.n_total, draw.stratum_column) == (123, 10, "street_code")
    per_street = pd.Series(
        list(SampledUnit.objects.filter(draw=draw).values_list("stratum", flat=True))
    ).value_counts()
    # 40/20/40 of 100 → 4/2/4
    assert per_street.to_dict() == {"320102001": 4, "320104001": 4, "320102002": 2}
    unit = SampledUnit.objects.filter(draw=draw, stratum="320104001").first()
    assert unit.inclusion_probability == 0.1 and unit.design_weight == 10.0
    assert unit.locality.code == "320104001001" and unit.street.code == "320104001"
    assert len(unit.phone) == 11


def test_same_seed_draws_the_same_units(frame):
    first = draw_sample(frame=frame, n=15, seed=7)
    second = draw_sample(frame=frame, n=15, seed=7)
    other = draw_sample(frame=frame, n=15, seed=8)

    def units(draw: Draw) -> set[str]:
        return set(draw.units.values_list("unit_id", flat=True))

    assert units(first) == units(second)
    assert units(first) != units(other)


def test_draw_without_seed_records_one_that_reproduces_it(frame):
    draw = draw_sample(frame=frame, n=15)

    again = draw_sample(frame=frame, n=15, seed=draw.seed)

    assert set(draw.units.values_list("unit_id", flat=True)) == set(
        again.units.values_list("unit_id", flat=True)
    )


def test_minimum_per_stratum_is_honoured(frame):
    draw = draw_sample(frame=frame, n=10, seed=1, minimum_per_stratum=3)

    counts = dict(draw.units.values_list("stratum").annotate(n=Count("pk")))
    assert counts == {"320102001": 4, "320102002": 3, "320104001": 3}


def test_impossible_draw_writes_nothing(frame):
    with pytest.raises(SamplingInputError, match="larger than the frame"):
        draw_sample(frame=frame, n=101, seed=1)
    with pytest.raises(SamplingInputError, match="minimum of 5 per stratum needs 15 units"):
        draw_sample(frame=frame, n=10, seed=1, minimum_per_stratum=5)

    assert Draw.objects.count() == 0 and SampledUnit.objects.count() == 0


def test_allocation_preview_lists_streets_with_margins(frame):
    rows = allocation_preview(frame=frame, n=30)

    assert [(r["name"], r["population"], r["sample_size"]) for r in rows] == [
        ("梅园新村街道", 40, 12),
        ("新街口街道", 20, 6),
        ("夫子庙街道", 40, 12),
    ]
    # 1.96·√(0.25/12 · (1 − 12/40))
    assert rows[0]["margin_of_error"] == pytest.approx(1.96 * (0.25 / 12 * 0.7) ** 0.5)
    assert rows[0]["fraction"] == pytest.approx(0.3)


def test_allocation_preview_matches_the_draw(frame):
    rows = allocation_preview(frame=frame, n=17, minimum_per_stratum=2)
    sizes = pd.Series({r["stratum"]: r["population"] for r in rows})

    assert [r["sample_size"] for r in rows] == proportional(sizes, 17, minimum=2).tolist()


def test_sample_table_keeps_frame_columns_and_design_figures(frame):
    draw = draw_sample(frame=frame, n=10, seed=3)

    table = sample_table(draw)

    assert len(table) == 10
    assert set(frame.columns) | {"stratum", "inclusion_probability", "design_weight"} <= set(
        table.columns
    )
    assert (table["stratum"] == table["street_code"]).all()
    assert table["phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_draw_keeps_the_frames_extra_columns_on_each_unit(localities, tmp_path):
    rows = frame_rows(FRAME_SIZES)
    rows["building_type"] = ["平房" if i % 3 else "楼房" for i in range(len(rows))]
    path = tmp_path / "frame.csv"
    rows.to_csv(path, index=False)
    frame = import_csv(path)

    draw = draw_sample(frame=frame, n=10, seed=5)

    expected = {
        row["hh"]: {"note": "", "building_type": row["building_type"]}
        for row in rows.fillna("").to_dict("records")
    }
    units = list(draw.units.values_list("unit_id", "attributes"))
    assert len(units) == 10
    assert all(attributes == expected[unit_id] for unit_id, attributes in units)
