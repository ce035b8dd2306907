"""A frame or a locality tree from a workbook with several sheets: the user names the sheet,
on the page and in the command."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sampling.models import Frame, Locality
from tests.sampling.conftest import FRAME_SIZES, MAPPING, frame_rows


def workbook(**sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def frame_book() -> bytes:
    rows = frame_rows(FRAME_SIZES)
    return workbook(
        说明=[["本表为抽样框"]],
        抽样框=[list(rows.columns), *rows.astype(str).values.tolist()],
    )


LOCALITY_BOOK = workbook(
    README=[["see the next sheet"]],
    tree=[["code", "name", "parent_code", "level"], ["1", "市", "", "city"],
          ["11", "区", "1", "district"]],
)  # fmt: skip


def frame_post(data: bytes, sheet: str = "") -> dict:
    return {
        "file": SimpleUploadedFile("frame.xlsx", data),
        "sheet": sheet,
        "name": "南京 2026",
        "unit_id_column": MAPPING["unit_id"],
        "phone_column": MAPPING["phone"],
        "locality_column": MAPPING["locality_code"],
        "address_column": MAPPING["address"],
    }


def test_frame_page_asks_which_sheet_then_imports_it(client, analyst, localities):
    client.force_login(analyst)
    url = reverse("sampling:frame_upload")

    unchosen = client.post(url, frame_post(frame_book())).content.decode()
    wrong = client.post(url, frame_post(frame_book(), "Frame")).content.decode()
    chosen = client.post(url, frame_post(frame_book(), "抽样框"))

    assert "The workbook has several sheets: “说明”、“抽样框”" in unchosen
    assert "The workbook has no sheet “Frame”. Its sheets: “说明”、“抽样框”." in wrong
    assert chosen.status_code == 302
    frame = Frame.objects.get()
    assert frame.n_rows == sum(FRAME_SIZES.values())


def test_locality_page_imports_the_named_sheet(client, analyst, db):
    client.force_login(analyst)
    url = reverse("sampling:locality_upload")

    refused = client.post(url, {"file": SimpleUploadedFile("t.xlsx", LOCALITY_BOOK)})
    imported = client.post(url, {"file": SimpleUploadedFile("t.xlsx", LOCALITY_BOOK),
                                 "sheet": "tree"})  # fmt: skip

    assert "The workbook has several sheets: “README”、“tree”" in refused.content.decode()
    assert imported.status_code == 302
    assert sorted(Locality.objects.values_list("code", flat=True)) == ["1", "11"]


def test_commands_take_the_sheet(db, tmp_path, localities):
    trees, frames = tmp_path / "tree.xlsx", tmp_path / "frame.xlsx"
    trees.write_bytes(workbook(
        README=[["x"]],
        tree=[["code", "name", "parent_code", "level"], ["9", "新市", "", "city"]],
    ))  # fmt: skip
    frames.write_bytes(frame_book())

    call_command("import_localities", str(trees), sheet="tree")
    with pytest.raises(CommandError, match="no sheet “Frame”"):
        call_command("import_frame", str(frames), name="f", unit_id="hh", phone="tel",
                     locality="loc", address="addr", sheet="Frame")  # fmt: skip
    call_command("import_frame", str(frames), name="f", unit_id="hh", phone="tel",
                 locality="loc", address="addr", sheet="抽样框")  # fmt: skip

    assert Locality.objects.filter(code="9", name="新市").exists()
    assert Frame.objects.get().n_rows == sum(FRAME_SIZES.values())
