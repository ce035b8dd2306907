import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.models import Draw, Frame
from tests.sampling.conftest import FRAME_SIZES, frame_rows

COLUMNS = ["--unit-id", "hh", "--phone", "tel", "--locality", "loc", "--address", "addr"]


def test_import_frame_command_imports_and_shows_progress(localities, frame_file):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_frame", str(frame_file), "--name", "南京", *COLUMNS, stdout=out, stderr=err
    )

    frame = Frame.objects.get()
    assert f"Frame {frame.pk}: 100 units in 3 streets." in out.getvalue()
    assert "[##############################] 100% Done" in err.getvalue()


def test_import_frame_command_writes_the_error_report(localities, tmp_path):
    data = frame_rows(FRAME_SIZES)
    data.loc[[0, 1, 2], "tel"] = "12345678901"
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)

    with pytest.raises(CommandError, match="3 problems in bad.csv") as raised:
        call_command("import_frame", str(path), "--name", "x", *COLUMNS, stderr=io.StringIO())

    assert "row 2, tel: not a mainland mobile number" in str(raised.value)
    report = pd.read_csv(tmp_path / "bad.csv.errors.csv", dtype=str, encoding="utf-8-sig")
    assert report["Row"].tolist() == ["2", "3", "4"]
    assert report["Value"].tolist() == ["123****8901"] * 3
    assert Frame.objects.count() == 0


def test_import_frame_command_speaks_the_site_language(localities, tmp_path, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "loc"] = "320102"  # a district
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)

    with pytest.raises(CommandError) as raised:
        call_command("import_frame", str(path), "--name", "x", *COLUMNS, stderr=io.StringIO())

    report = (tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    with translation.override("zh-hans"):
        header = ",".join(str(_(word)) for word in ("Row", "Column", "Value", "Problem"))
    assert report[0] == header != "Row,Column,Value,Problem"
    assert "区县" in report[1] and "区县" in str(raised.value)  # the district level, translated


def test_draw_sample_command_writes_the_sample(localities, frame_file, tmp_path):
    call_command("import_frame", str(frame_file), "--name", "f", *COLUMNS, stderr=io.StringIO())
    frame = Frame.objects.get()
    out_path = tmp_path / "sample.csv"
    out = io.StringIO()

    call_command(
        "draw_sample",
        "--frame", str(frame.pk), "--n", "10", "--seed", "4", "--min-per-stratum", "3",
        "--out", str(out_path),
        stdout=out,
    )  # fmt: skip

    sample = pd.read_csv(out_path, dtype=str, encoding="utf-8-sig")
    draw = Draw.objects.get()
    assert f"Draw {draw.pk}: 10 units, seed 4" in out.getvalue()
    assert len(sample) == 10
    assert {"unit_id", "phone", "note", "stratum", "inclusion_probability", "design_weight"} <= set(
        sample.columns
    )
    assert sample["stratum"].value_counts().to_dict() == {
        "320102001": 4,
        "320104001": 3,
        "320102002": 3,
    }


def test_draw_sample_command_names_bad_input(localities, frame_file, tmp_path):
    call_command("import_frame", str(frame_file), "--name", "f", *COLUMNS, stderr=io.StringIO())
    frame = Frame.objects.get()

    with pytest.raises(CommandError, match="larger than the frame"):
        call_command("draw_sample", "--frame", str(frame.pk), "--n", "500", "--out", "x.csv")
    with pytest.raises(CommandError, match="No frame with id 999"):
        call_command("draw_sample", "--frame", "999", "--n", "5", "--out", "x.csv")
