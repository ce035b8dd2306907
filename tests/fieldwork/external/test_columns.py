"""fieldwork.external.columns and rows: another system's columns and cells, on a literal form
(no database)."""

from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from fieldwork.external.columns import map_columns
from fieldwork.external.rows import read_rows
from tests.factories import choice, question, question_group

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _q(path: str, type_: str = "text", list_: str | None = None, **fields) -> dict:
    return question(path.rsplit("/", 1)[-1], type_, list_, path=path, **fields)


DEFINITION = {
    "choice_lists": {
        "sat": [choice("5", "非常满意", "Very satisfied"), choice("4", "满意", "Satisfied")],
        "crime": [choice("theft", "盗窃", "Theft"), choice("fraud", "诈骗", "Fraud")],
    },
    "groups": [
        question_group("g", [
            _q("/g/start", "start"),
            _q("/g/q1", "select_one", "sat", label={"zh": "巡逻满意吗", "en": "Patrols"}),
            _q("/g/crime", "select_multiple", "crime"),
            _q("/g/age", "integer"),
            _q("/g/born", "date"),
            _q("/g/gps", "geopoint"),
            _q("/g/note1", "note"),
        ]),
        question_group("hh", [_q("/hh/name")], repeat={"count": None}),
    ],
}  # fmt: skip


def targets(header: list[str], **chosen) -> dict[str, tuple]:
    mapping, problems = map_columns(header, DEFINITION, **chosen)
    assert problems == []
    return {c: (t.kind, t.key, t.choice) for c, t in mapping.targets.items()}


def test_group_paths_dashes_names_and_labels_find_the_question():
    assert targets(["g/q1", "_uuid"])["g/q1"] == ("answer", "/g/q1", "")
    assert targets(["g-age", "_uuid"])["g-age"] == ("answer", "/g/age", "")
    assert targets(["born", "_uuid"])["born"] == ("answer", "/g/born", "")
    assert targets(["巡逻满意吗", "_uuid"])["巡逻满意吗"] == ("answer", "/g/q1", "")
    assert targets(["Patrols", "_uuid"])["Patrols"] == ("answer", "/g/q1", "")


def test_choice_flags_geopoint_parts_and_the_systems_columns():
    found = targets([
        "g/crime/theft", "g-crime-fraud", "g/gps", "g/_gps_latitude", "gps-Longitude", "KEY",
        "meta/instanceID", "_id", "SubmissionDate", "duration", "username", "_submitted_by",
        "_validation_status", "_index",
    ])  # fmt: skip
    assert found["g/crime/theft"] == ("choice_flag", "/g/crime", "theft")
    assert found["g-crime-fraud"] == ("choice_flag", "/g/crime", "fraud")
    assert found["g/_gps_latitude"][0] == found["gps-Longitude"][0] == "ignored"
    assert found["KEY"][0] == "id"  # SurveyCTO's KEY is preferred to the others
    assert found["meta/instanceID"][0] == found["_id"][0] == "ignored"
    assert (found["SubmissionDate"][0], found["duration"][0]) == ("submitted", "duration")
    assert found["username"][0] == "interviewer" and found["_submitted_by"][0] == "ignored"


def test_chosen_columns_win_and_missing_ones_are_named():
    found = targets(["g/q1", "编号", "访员", "_uuid"], id_column="编号", interviewer_column="访员")
    assert found["编号"][0] == "id" and found["_uuid"][0] == "ignored"
    assert found["访员"][0] == "interviewer"
    _mapping, problems = map_columns(["g/q1", "_uuid"], DEFINITION, locality_column="村居")
    assert problems == ["The file has no column 村居."]


def test_unknown_repeat_and_doubled_columns_are_refused():
    _mapping, problems = map_columns(["g/q1", "q1", "hh[1]/name", "extra", "g/note1"], DEFINITION)
    assert problems == [
        "Columns g/q1 and q1 both hold /g/q1.",
        "The file has no interview id column (KEY, meta/instanceID, _uuid or _id): choose the "
        "column that identifies each interview.",
        "These columns are not questions of the questionnaire nor columns the collecting system "
        "adds: hh[1]/name, extra, g/note1. Import the questionnaire the data was collected with, "
        "or leave them out.",
    ]


def _read(header: list[str], *rows: list[str], **options):
    mapping, problems = map_columns(header, DEFINITION)
    assert problems == []
    return read_rows(pd.DataFrame(list(rows), columns=header), mapping, zone=SHANGHAI, **options)


def test_cells_become_stored_answers_and_times():
    rows, problems = _read(
        ["_uuid", "g/start", "_submission_time", "g/q1", "g/crime", "g/crime/theft", "g/age",
         "g/born"],
        ["a", "2026-11-01T10:00:00+08:00", "2026-11-01T02:30:00", "满意", "fraud", "1", "41",
         "3/4/1985"],
        ["b", "", "2026-11-01T03:00:00", "n/a", "", "1", "", ""],
    )  # fmt: skip
    assert problems == []
    first, second = rows
    assert first.answers == {"/g/start": "2026-11-01T10:00:00+08:00", "/g/q1": "4",
                             "/g/crime": ["fraud"], "/g/age": 41,
                             "/g/born": "1985-03-04"}  # fmt: skip
    assert first.started_at.isoformat() == "2026-11-01T02:00:00+00:00"
    assert first.completed_at.isoformat() == "2026-11-01T02:30:00+00:00"  # _submission_time: UTC
    assert first.duration_seconds == 1800
    assert second.answers == {"/g/crime": ["theft"]}  # from the 0/1 column alone
    assert second.started_at == second.completed_at


def test_day_first_reads_slashed_dates_the_other_way():
    rows, _ = _read(["_uuid", "g/born"], ["a", "3/4/1985"], day_first=True)
    assert rows[0].answers["/g/born"] == "1985-04-03"


@pytest.mark.parametrize(
    "column, value, problem",
    [
        ("g/q1", "7", "Row 2, column g/q1: 7 is not a choice of question q1"),
        (
            "g/crime",
            "theft arson",
            "Row 2, column g/crime: arson is not a choice of question crime",
        ),
        ("g/age", "41.5", "Row 2, column g/age: 41.5 is not a whole number"),
        ("g/born", "1985-13-01", "Row 2, column g/born: 1985-13-01 is not a date"),
        ("g/crime/theft", "maybe", "Row 2, column g/crime/theft: maybe is neither 1 nor 0"),
        ("g/start", "yesterday", "Row 2, column g/start: yesterday is not a date and time"),
        # a number typed where a whole number was asked is quoted masked
        ("g/age", "138-1234-5678", "Row 2, column g/age: 138****5678 is not a whole number"),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(column, value, problem):
    _rows, problems = _read(["_uuid", column], ["a", value])
    assert problems == [problem]


def test_ids_are_strings_and_must_be_unique_and_present():
    rows, problems = _read(["_id"], ["I0018"], ["I0018"], [""])
    assert rows[0].external_id == "I0018"
    assert problems == [
        "Row 3 repeats the interview id I0018 of row 2.",
        "Row 4 has no interview id.",
    ]
