from sampling.exports import errors_csv
from sampling.frame_validation import FrameError


def test_error_report_has_a_bom_and_blank_row_for_file_errors():
    errors = [
        FrameError(None, "tel", "", "column not found", "no_column"),
        FrameError(7, "loc", "999", "unknown locality code", "unknown_locality"),
    ]

    data = errors_csv(errors)

    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == [
        "row,column,value,problem",
        ",tel,,column not found",
        "7,loc,999,unknown locality code",
    ]


def test_error_report_takes_its_header_and_problems_from_the_caller():
    errors = [FrameError(7, "loc", "999", "unknown locality code", "unknown_locality")]

    data = errors_csv(errors, describe=lambda e: f"{e.kind}!", header=["行", "列", "值", "问题"])

    assert data.decode("utf-8-sig").splitlines() == ["行,列,值,问题", "7,loc,999,unknown_locality!"]
