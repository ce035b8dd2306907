"""Frame import: validation, Parquet storage, per-street counts and the readers."""

import io
from pathlib import Path

import openpyxl
import pytest

from sampling.errors import FrameImportError
from sampling.models import Frame, FrameStratumCount
from sampling.presenters import describe
from sampling.selectors import load_frame
from sampling.services.frames import import_frame
from tests.sampling.conftest import FRAME_SIZES, MAPPING, frame_rows


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def import_csv(path: Path, name: str = "frame") -> Frame:
    with path.open("rb") as file:
        return import_frame(file=file, source_name=path.name, name=name, mapping=MAPPING)


def test_good_frame_writes_parquet_and_street_counts(localities, frame_file, media_root):
    frame = import_csv(frame_file)

    assert frame.n_rows == 100
    parquet, sealed = sorted(stored_files(media_root))  # the numbers are sealed beside it
    assert parquet.suffix == ".parquet" and parquet.parent.name == "frames"
    assert sealed.name == parquet.name + ".sealed"
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


def test_the_parquet_file_is_moved_into_place_and_no_temporary_file_is_left(
    localities, frame_file, media_root, settings, tmp_path
):
    # given temporary files made in a folder of their own
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    # when a frame is imported
    frame = import_csv(frame_file)
    # then the stored Parquet file is whole and readable by others, as the storage's files
    # are, and nothing is left where it was written
    parquet = media_root / frame.path
    assert parquet.stat().st_mode & 0o777 == settings.FILE_UPLOAD_PERMISSIONS
    assert len(load_frame(frame)) == 100
    assert list(settings.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


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
    assert raised.value.errors[0].params["kind"] == "not_xlsx"
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


def problems_of(data: bytes, source_name: str = "f.csv") -> list[tuple]:
    with pytest.raises(FrameImportError) as raised:
        import_frame(file=io.BytesIO(data), source_name=source_name, name="x", mapping=MAPPING)
    assert Frame.objects.count() == 0
    return [(e.row, e.column, describe(e)) for e in raised.value.errors]


def test_a_ragged_first_row_is_refused_instead_of_shifting_the_columns(localities):
    data = b"hh,tel,loc,addr\nH1,13812345678,320102002,A,extra\nH2,13812345679,320102002,B\n"

    assert problems_of(data) == [(2, "", "the row has 5 cells but the first row has 4")]


def test_a_short_row_is_refused_instead_of_read_with_empty_cells(localities):
    data = b"hh,tel,loc,addr\nH1,13812345678,320102002,A\nH2,13812345679\n"

    assert problems_of(data) == [(3, "", "the row has 2 cells but the first row has 4")]


def test_a_duplicate_header_is_named(localities):
    data = b"hh,tel,loc,tel\nH1,13812345678,320102002,13812345679\n"

    assert problems_of(data) == [(1, "D", "the column name “tel” is used twice (also column B)")]


def test_a_broken_workbook_is_described_in_our_words(localities):
    [(row, column, problem)] = problems_of(b"PK\x03\x04 truncated", "f.xlsx")

    assert (row, column) == (None, "")
    assert problem == "the file is not an Excel workbook (.xlsx), or it is damaged"


def test_a_file_with_a_thousand_bad_rows_counts_them_all(localities):
    data = b"hh,tel,loc,addr\n" + b"H1,13812345678\n" * 1000

    with pytest.raises(FrameImportError) as raised:
        import_frame(file=io.BytesIO(data), source_name="f.csv", name="x", mapping=MAPPING)

    assert (len(raised.value.errors), raised.value.total) == (50, 1000)
