import io

import pandas as pd
import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.errors import FrameImportError
from sampling.frame_validation import KINDS, LEGACY_KINDS, FrameError, validate_frame
from sampling.models import Level
from sampling.presenters import FRAME_ERROR_MESSAGES, describe, errors_csv
from sampling.services.frames import import_frame
from tests.sampling.conftest import KNOWN, MAPPING, every_kind_of_validation_error

ENGLISH_HEADER = "Row,Column,Value,Problem"


def read_errors() -> list[FrameError]:
    """The errors of reading a file: wrong type, unreadable, no data rows."""
    errors = []
    for name, content in [
        ("f.xls", b"x"),
        ("f.xlsx", b"not a zip"),
        ("f.csv", b"hh,tel,loc,addr\n"),
    ]:
        with pytest.raises(FrameImportError) as raised:
            import_frame(file=io.BytesIO(content), source_name=name, name="x", mapping=MAPPING)
        errors += raised.value.errors
    return errors


def coarse_locality_error() -> FrameError:
    rows = [("H1", "13812345678", "320102")]
    data = validate_frame(
        pd.DataFrame(rows, columns=["hh", "tel", "loc"]),
        known_localities=KNOWN,
        mapping={"unit_id": "hh", "phone": "tel", "locality_code": "loc"},
    )
    [error] = data.errors
    return error


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_kind_has_a_filled_in_message(db, language):
    errors = every_kind_of_validation_error() + read_errors()

    with translation.override(language):
        described = [describe(e) for e in errors]

    assert {e.kind for e in errors} == KINDS - set(LEGACY_KINDS)
    # a reader's problem ("table") is worded by common.tables.texts
    assert set(FRAME_ERROR_MESSAGES) | {"table"} == KINDS
    assert all(text.strip() and "%(" not in text for text in described), described


def test_duplicate_message_names_the_count_and_first_row():
    errors = [e for e in every_kind_of_validation_error() if e.kind == "duplicate_unit_id"]

    with translation.override("en"):
        texts = {describe(e) for e in errors}

    assert texts == {"unit id appears on 2 rows (first on row 4)"}


def test_level_is_named_by_its_translated_label():
    error = coarse_locality_error()

    with translation.override("en"):
        english = describe(error)
    with translation.override("zh-hans"):
        chinese, label = describe(error), str(Level.DISTRICT.label)

    assert english == "locality code is at District level; use a street or community code"
    assert label in chinese and "district" not in chinese


def test_file_errors_name_roles_and_the_file_columns():
    unmapped = FrameError(None, "phone", "", "", "unmapped_role", {"role": "phone"})
    no_columns = FrameError(None, "tel", "", "", "no_column", {"available": []})
    some_columns = FrameError(None, "tel", "", "", "no_column", {"available": ["a", "b"]})

    with translation.override("en"):
        texts = [describe(unmapped), describe(no_columns), describe(some_columns)]

    assert texts == [
        "no column chosen for the phone number",
        "column not found in the file (it has: no columns)",
        "column not found in the file (it has: a, b)",
    ]


def test_unknown_kind_falls_back_to_the_english_problem():
    error = FrameError(3, "x", "", "something odd", "not_a_kind")

    assert describe(error) == "something odd"


def test_error_report_header_and_problems_follow_the_language():
    errors = [coarse_locality_error()]

    with translation.override("en"):
        english = errors_csv(errors).decode("utf-8-sig").splitlines()
    with translation.override("zh-hans"):
        chinese = errors_csv(errors).decode("utf-8-sig").splitlines()
        header = ",".join(_(word) for word in ENGLISH_HEADER.split(","))
        problem, label = describe(errors[0]), str(Level.DISTRICT.label)

    assert english == [
        ENGLISH_HEADER,
        "2,loc,320102,locality code is at District level; use a street or community code",
    ]
    assert chinese == [header, f"2,loc,320102,{problem}"]
    assert header != ENGLISH_HEADER and label in problem and label != "District"
