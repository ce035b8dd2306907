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
    assert f"Draw {draw.pk}: 10 units, 0 in reserve, seed 4" in out.getvalue()
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


def test_import_localities_command_imports_and_reports_problems(db, tmp_path):
    good = tmp_path / "tree.csv"
    good.write_text("code,name,parent_code,level\n1,市,,city\n11,区,1,district\n", "utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code,level\n1,市,,city\n11,区,9,district\n", "utf-8")
    out = io.StringIO()

    call_command("import_localities", str(good), stdout=out)

    assert "2 localities imported." in out.getvalue()
    with pytest.raises(CommandError, match="1 problems in bad.csv") as raised:
        call_command("import_localities", str(bad))
    assert "Row 3 (11): unknown parent code 9" in str(raised.value)
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_localities", str(tmp_path / "none.csv"))


def test_draw_sample_command_from_a_file_with_allocation_out(db, tmp_path):
    frame = pd.DataFrame(
        {
            "hh": [f"h{i:03d}" for i in range(60)],
            "district": ["east"] * 40 + ["west"] * 20,
            "phone": [f"139{i:08d}" for i in range(60)],
        }
    )
    path = tmp_path / "frame.parquet"
    frame.to_parquet(path)
    out_path, alloc_path = tmp_path / "s.csv", tmp_path / "a.csv"
    out = io.StringIO()

    call_command(
        "draw_sample",
        "--frame", str(path), "--strata", "district", "--n", "12", "--allocation", "equal",
        "--min-per-stratum", "2", "--reserve", "2", "--reserve-fraction", "0.5",
        "--unit-id", "hh", "--seed", "8", "--out", str(out_path),
        "--allocation-out", str(alloc_path),
        stdout=out,
    )  # fmt: skip

    sample = pd.read_csv(out_path, dtype=str, encoding="utf-8-sig")
    assert list(sample.columns) == [
        "hh", "district", "phone", "stratum", "inclusion_probability", "design_weight",
        "replicate",
    ]  # fmt: skip
    assert sample["replicate"].value_counts().to_dict() == {"0": 12, "1": 6, "2": 6}
    assert sample["phone"].str.fullmatch(r"139\d{8}").all()  # full numbers, as text
    allocation = pd.read_csv(alloc_path, encoding="utf-8-sig")
    assert allocation[["stratum", "N_h", "n_h", "reserve_h"]].values.tolist() == [
        ["east", 40, 6, 6],
        ["west", 20, 6, 6],
    ]
    assert "frame.parquet: 12 units, 12 in reserve, seed 8" in out.getvalue()


def test_draw_sample_command_reads_sd_and_size_files(db, tmp_path):
    frame = pd.DataFrame({"id": [str(i) for i in range(30)], "g": ["a"] * 20 + ["b"] * 10})
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    sizes = tmp_path / "sizes.csv"
    sizes.write_text("stratum,n\na,2\nb,7\n", "utf-8")
    sds = tmp_path / "sds.csv"
    sds.write_text("a,1\nb,4\n", "utf-8")
    fixed_out, neyman_out = tmp_path / "fixed.csv", tmp_path / "neyman.csv"

    call_command(
        "draw_sample", "--frame", str(path), "--strata", "g", "--allocation", "fixed",
        "--sizes-file", str(sizes), "--seed", "1", "--out", str(fixed_out), stdout=io.StringIO(),
    )  # fmt: skip
    call_command(
        "draw_sample", "--frame", str(path), "--strata", "g", "--allocation", "neyman",
        "--sd-file", str(sds), "--n", "6", "--seed", "1", "--out", str(neyman_out),
        stdout=io.StringIO(),
    )  # fmt: skip

    fixed = pd.read_csv(fixed_out, dtype=str, encoding="utf-8-sig")
    neyman = pd.read_csv(neyman_out, dtype=str, encoding="utf-8-sig")
    assert fixed["stratum"].value_counts().to_dict() == {"b": 7, "a": 2}
    # Weights 20·1 and 10·4 → 2 and 4.
    assert neyman["stratum"].value_counts().to_dict() == {"b": 4, "a": 2}


def test_draw_sample_command_names_file_problems(db, tmp_path):
    path = tmp_path / "frame.csv"
    pd.DataFrame({"id": ["1", "2"], "g": ["a", ""]}).to_csv(path, index=False)

    with pytest.raises(CommandError, match="frame.csv: Column g is empty on 1 rows \\(rows 3\\)"):
        call_command(
            "draw_sample", "--frame", str(path), "--strata", "g", "--n", "1", "--out", "x.csv"
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("draw_sample", "--frame", "nope.csv", "--n", "1", "--out", "x.csv")
    with pytest.raises(CommandError, match="unsupported file type .txt"):
        (tmp_path / "f.txt").write_text("x")
        call_command("draw_sample", "--frame", str(tmp_path / "f.txt"), "--n", "1", "--out", "x")


def test_draw_sample_command_on_a_stored_frame_saves_the_plan(localities, frame_file, tmp_path):
    call_command("import_frame", str(frame_file), "--name", "f", *COLUMNS, stderr=io.StringIO())
    frame = Frame.objects.get()
    alloc_path = tmp_path / "a.csv"

    call_command(
        "draw_sample", "--frame", str(frame.pk), "--strata", "district_code", "--n", "10",
        "--reserve", "1", "--sort", "address", "--seed", "2", "--out", str(tmp_path / "s.csv"),
        "--allocation-out", str(alloc_path), stdout=io.StringIO(),
    )  # fmt: skip

    draw = Draw.objects.get()
    assert (draw.strata_columns, draw.reserve_replicates, draw.sort_columns) == (
        ["district_code"], 1, ["address"],
    )  # fmt: skip
    allocation = pd.read_csv(alloc_path, dtype={"stratum": str}, encoding="utf-8-sig")
    assert allocation[["stratum", "N_h", "n_h"]].values.tolist() == [
        ["320102", 60, 6],
        ["320104", 40, 4],
    ]


def test_rdd_command_writes_numbers_and_never_prints_them(localities, frame_file, tmp_path):
    call_command("import_frame", str(frame_file), "--name", "f", *COLUMNS, stderr=io.StringIO())
    frame = Frame.objects.get()
    blocks = tmp_path / "blocks.csv"
    # Block 1390000 holds the frame's numbers 13900000000–13900000099.
    blocks.write_text("prefix,locality_code\n1390000,3201\n1380001,3201\n", "utf-8")
    targets = tmp_path / "targets.csv"
    targets.write_text("locality_code,count\n3201,40\n", "utf-8")
    out_path = tmp_path / "rdd.csv"
    out = io.StringIO()

    call_command(
        "rdd_numbers", "--blocks", str(blocks), "--targets", str(targets), "--seed", "3",
        "--exclude-frame", str(frame.pk), "--out", str(out_path), stdout=out,
    )  # fmt: skip

    numbers = pd.read_csv(out_path, dtype=str, encoding="utf-8-sig")
    frame_phones = {f"139{k:08d}" for k in range(100)}
    assert len(numbers) == 40 and numbers["phone"].is_unique
    assert frame_phones.isdisjoint(numbers["phone"])
    assert set(numbers["phone"].str[:7]) <= {"1390000", "1380001"}
    assert "40 numbers for 1 localities, seed 3" in out.getvalue()
    assert not any(phone in out.getvalue() for phone in numbers["phone"])
    # List-assisted: the only listed bank (139000000) is the frame itself, all excluded.
    with pytest.raises(CommandError, match="locality 3201 has 0 eligible numbers"):
        call_command(
            "rdd_numbers", "--blocks", str(blocks), "--targets", str(targets),
            "--exclude-frame", str(frame.pk), "--min-listed", "5", "--out", str(out_path),
        )  # fmt: skip
    with pytest.raises(CommandError, match="No frame with id 999"):
        call_command(
            "rdd_numbers", "--blocks", str(blocks), "--targets", str(targets),
            "--exclude-frame", "999", "--out", str(out_path),
        )  # fmt: skip


def test_draw_sample_command_reads_a_gbk_sd_file_and_names_bad_frames(db, tmp_path):
    frame = pd.DataFrame({"id": [str(i) for i in range(30)], "g": ["东"] * 20 + ["西"] * 10})
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    sds = tmp_path / "sds.csv"
    sds.write_bytes("东,1\n西,4\n".encode("gbk"))  # as Excel in China saves it
    out = tmp_path / "neyman.csv"

    call_command(
        "draw_sample", "--frame", str(path), "--strata", "g", "--allocation", "neyman",
        "--sd-file", str(sds), "--n", "6", "--seed", "1", "--out", str(out), stdout=io.StringIO(),
    )  # fmt: skip

    sample = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert sample["stratum"].value_counts().to_dict() == {"西": 4, "东": 2}
    path.write_bytes(b"id,g,id\n1,a,2\n")
    with pytest.raises(CommandError) as raised:
        call_command("draw_sample", "--frame", str(path), "--n", "1", "--out", str(out))
    assert (
        str(raised.value)
        == "frame.csv, row 1, column C: the column name “id” is used twice (also column A)"
    )
