import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command


def run(tmp_path, text: str, *args: str) -> pd.DataFrame:
    source = tmp_path / "dispositions.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "rates.csv"
    call_command("response_rates", "--dispositions", str(source), "--out", str(out), *args)
    return pd.read_csv(out, dtype={"street": str})


def test_one_row_per_case_by_street(tmp_path):
    table = run(
        tmp_path,
        "case,street,disposition\n1,A,1.1\n2,A,2.112\n3,B,3.13\n4,B,4.30\n5,B,1.1\n",
        "--by",
        "street",
    )
    assert table.columns.tolist()[:2] == ["street", "RR1"]
    assert table.columns.tolist()[-8:] == ["I", "P", "R", "NC", "O", "UH", "UO", "NE"]
    a, b = table.iloc[0], table.iloc[1]
    assert (a["street"], a["RR1"], a["REF1"]) == ("A", 0.5, 0.5)  # I=1, R=1: 1/2 each
    # B: I=1, UH=1, NE=1 → E=1, U=1, e = 1/(1+1) = 0.5 → RR1 = 1/2, RR3 = 1/(1+0.5)
    assert b["RR1"] == 0.5 and b["RR3"] == pytest.approx(1 / 1.5, abs=1e-6)


def test_counts_per_code_and_a_given_e(tmp_path):
    table = run(tmp_path, "disposition,count\n1.1,30\n2.10,10\n3.10,40\n", "--e", "0.25")
    row = table.iloc[0]
    # E = 30 + 10 = 40, eU = 0.25 · 40 = 10 → RR3 = 30/50
    assert (row["I"], row["R"], row["UH"], row["e"]) == (30, 10, 40, 0.25)
    assert row["RR3"] == pytest.approx(0.6)


def test_a_bad_code_names_the_file_row_and_column(tmp_path):
    with pytest.raises(CommandError, match=r"dispositions.csv: row 3, column disposition"):
        run(tmp_path, "disposition\n1.1\nrefused\n")
    with pytest.raises(CommandError, match="row 2, column count"):
        run(tmp_path, "disposition,count\n1.1,many\n")
    with pytest.raises(CommandError, match="missing column.*disposition"):
        run(tmp_path, "code\n1.1\n")
    assert not (tmp_path / "rates.csv").exists()


def test_a_gbk_file_is_read_and_the_output_opens_in_excel_without_formulas(tmp_path):
    source = tmp_path / "dispositions.csv"
    text = "case,street,disposition\n1,东街,1.1\n2,=HYPERLINK(1),2.112\n"
    source.write_bytes(text.encode("gbk"))  # as Excel in China saves it
    out = tmp_path / "rates.csv"

    call_command(
        "response_rates", "--dispositions", str(source), "--out", str(out), "--by", "street"
    )

    written = out.read_bytes()
    assert written.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(written), encoding="utf-8-sig", dtype=str)
    assert table["street"].tolist() == ["'=HYPERLINK(1)", "东街"]
    assert table["RR1"].tolist() == ["0.000000", "1.000000"]


def test_a_count_of_400_digits_is_named_not_a_crash(tmp_path):
    with pytest.raises(CommandError, match="row 2, column count: '9{400}' is not a non-negative"):
        run(tmp_path, f"disposition,count\n1.1,{'9' * 400}\n")
