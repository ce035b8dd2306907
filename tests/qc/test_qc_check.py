"""manage.py qc_check: the rules on a CSV and the shipped standard XLSForm, without the DB."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from qc import rules

FORM = str(
    Path(__file__).resolve().parents[2]
    / "questionnaires"
    / "standard"
    / "standard_questionnaire.xlsx"
)
SCALE = ["safety_overall", "safety_night"] + [
    f"sat_{name}"
    for name in (
        "public_order patrol crime_crackdown mediation petition traffic_order "
        "traffic_enforcement info_protection anti_fraud police_service law_enforcement "
        "judicial community_governance grid_work"
    ).split()
]
HEADER = [
    "interview_id",
    "interviewer",
    "started_at",
    "ended_at",
    "locality",
    "consent",
    "street",
    "speech_share",
]


def vector(k: int) -> dict:
    """Differentiated answers; different k differ on every item."""
    return {item: str(1 + (i + k) % 5) for i, item in enumerate(SCALE)}


def row(interview_id, who, start, end, answers, locality="S1", street="S1", **extra) -> dict:
    day = "2025-05-01T"
    return (
        {
            "interview_id": interview_id,
            "interviewer": who,
            "started_at": f"{day}{start}+08:00",
            "ended_at": f"{day}{end}+08:00",
            "locality": locality,
            "consent": "yes",
            "street": street,
        }
        | answers
        | extra
    )


ROWS = [
    row(1, "王", "10:00", "10:07", vector(1)),  # overlaps 2
    row(2, "王", "10:05", "10:12", vector(2)),  # overlaps 1
    # 李 works another street: his copy of 王's answers is no team's (duplicate_across)
    row(3, "李", "22:00", "22:07", vector(1), "S9", "S9"),  # off hours
    row(4, "李", "12:00", "12:07", {item: "9" for item in SCALE}, "S9", "S9"),  # all don't know
    # said another street (answers unlike everyone's: copying between interviewers aside)
    row(
        5, "张", "12:00", "12:07", {x: str(1 + 2 * i % 5) for i, x in enumerate(SCALE)}, street="S2"
    ),
    row(6, "张", "13:00", "13:07", vector(3)),  # same answers as 7
    row(7, "张", "14:00", "14:07", vector(3)),
    row(8, "张", "15:00", "15:00:30", vector(0)),  # 30 seconds
]
EXPECTED = [
    (1, rules.OVERLAPPING),
    (2, rules.OVERLAPPING),
    (3, rules.OFF_HOURS),
    (4, rules.ITEM_NONRESPONSE),
    (5, rules.LOCALITY_MISMATCH),
    (6, rules.DUPLICATE_ANSWERS),
    (7, rules.DUPLICATE_ANSWERS),
    (8, rules.RUSHED),
]


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> str:
    header = header or HEADER + SCALE + ["sat_patrol__seconds"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(tmp_path: Path, rows=ROWS, **options) -> list[dict]:
    interviews = write_csv(tmp_path / "interviews.csv", rows)
    call_command(
        "qc_check",
        interviews=interviews,
        questionnaire=FORM,
        out=str(tmp_path / "flags.csv"),
        **options,
    )
    return read_csv(tmp_path / "flags.csv")


def test_qc_check_flags_each_rule_with_severity_reason_and_details(tmp_path):
    flags = run(tmp_path)
    assert [(int(f["interview_id"]), f["rule"]) for f in flags] == EXPECTED
    assert list(flags[0]) == ["interview_id", "rule", "severity", "reason", "details"]
    by_id = {int(f["interview_id"]): f for f in flags}
    assert by_id[1]["severity"] == "high" and "#2" in by_id[1]["reason"]
    assert json.loads(by_id[4]["details"]) == {"n_items": 16, "n_dont_know": 16, "share": 1.0}
    assert json.loads(by_id[5]["details"])["said_locality"] == "S2"
    assert json.loads(by_id[6]["details"])["other_interview"] == "7"  # ids are text
    assert by_id[3]["severity"] == "low" and "22:00" in by_id[3]["reason"]


def test_qc_check_writes_interviewer_risk(tmp_path):
    run(tmp_path, interviewers_out=str(tmp_path / "interviewers.csv"), language="en")
    table = {r["interviewer"]: r for r in read_csv(tmp_path / "interviewers.csv")}
    assert set(table) == {"王", "李", "张"}
    zhang = table["张"]
    assert (zhang["interviews"], zhang["flagged_interviews"]) == ("4", "4")
    assert float(zhang["flag_rate"]) == 1.0
    assert float(zhang["median_duration_seconds"]) == 420.0  # of 420, 420, 420, 30
    assert zhang["flags_duplicate_answers"] == "2" and zhang["flags_rushed"] == "1"
    assert table["王"]["flags_overlapping"] == "2" and table["王"]["flags_off_hours"] == "0"
    assert "Overlaps" in read_csv(tmp_path / "flags.csv")[0]["reason"]


def test_qc_check_config_overrides_thresholds(tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text(
        'working_hours_end = "23:00"\nrushed_relative_min_interviews = 5\n', encoding="utf-8"
    )
    flags = run(tmp_path, config=str(config))
    pairs = [(int(f["interview_id"]), f["rule"]) for f in flags]
    assert (3, rules.OFF_HOURS) not in pairs
    # median of 8 durations is 420 s: 30 s is under 40% of it.
    assert (8, rules.RUSHED_RELATIVE) in pairs
    assert (8, rules.RUSHED) in pairs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("duplicate_share = 0.9\n", "unknown setting 'duplicate_share'"),
        ('floor_seconds = "sixty"\n', "'floor_seconds' must be float"),
        ('working_hours_start = "8 am"\n', "'working_hours_start' must be a time"),
        ("floor_seconds = [\n", "not valid TOML"),
    ],
)
def test_qc_check_refuses_a_bad_config(tmp_path, text, message):
    config = tmp_path / "rules.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(tmp_path, config=str(config))
    assert not (tmp_path / "flags.csv").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sat_patrol": "7"}, r"row 4, column 'sat_patrol': '7' is not a choice of list 'sat5'"),
        ({"started_at": "yesterday"}, r"row 4, column 'started_at': 'yesterday' is not an ISO"),
        ({"ended_at": "2025-05-01T09:00:00+08:00"}, r"row 4, column 'ended_at': earlier than"),
        ({"interview_id": "1"}, r"row 4, column 'interview_id': 1 repeats row 2"),
        ({"interview_id": " "}, r"row 4, column 'interview_id': empty"),
        ({"speech_share": "1.5"}, r"row 4, column 'speech_share': '1.5' is not a share"),
        ({"sat_patrol__seconds": "-2"}, r"row 4, column 'sat_patrol__seconds'"),
    ],
)
def test_qc_check_names_the_row_and_column_of_a_bad_cell(tmp_path, change, message):
    rows = [dict(r) for r in ROWS]
    rows[2] |= change
    with pytest.raises(CommandError, match=message):
        run(tmp_path, rows=rows)
    assert not (tmp_path / "flags.csv").exists()


def test_qc_check_names_ignored_columns_once_and_refuses_missing_ones(tmp_path):
    interviews = write_csv(
        tmp_path / "bad.csv",
        [row(1, "王", "10:00", "10:07", {}) | {"sat_x": "3", "deviceid": "d1"}],
        header=[*HEADER, "sat_x", "deviceid"],
    )
    out = StringIO()
    call_command(
        "qc_check",
        interviews=interviews,
        questionnaire=FORM,
        out=str(tmp_path / "f.csv"),
        language="en",
        stdout=out,
    )
    assert "Ignored 2 column(s), neither ours nor a question of the form: sat_x, deviceid" in (
        out.getvalue()
    )
    (tmp_path / "f.csv").unlink()
    interviews = write_csv(
        tmp_path / "bad.csv",
        [{"interview_id": 1, "started_at": "2025-05-01T10:00"}],
        header=["interview_id", "started_at"],
    )
    with pytest.raises(CommandError, match="missing column"):
        call_command(
            "qc_check", interviews=interviews, questionnaire=FORM, out=str(tmp_path / "f.csv")
        )
    assert not (tmp_path / "f.csv").exists()


def test_qc_check_takes_naive_times_as_local_time(tmp_path):
    rows = [row(1, "王", "10:00", "10:07", vector(1))]
    rows[0] |= {"started_at": "2025-05-01T07:30:00", "ended_at": "2025-05-01T07:37:00"}
    flags = run(tmp_path, rows=rows)
    assert [(f["interview_id"], f["rule"]) for f in flags] == [("1", rules.OFF_HOURS)]


def test_qc_check_runs_with_database_access_blocked(tmp_path):
    # No db fixture: pytest-django raises on any query, so this passing shows none is made.
    assert len(run(tmp_path)) == len(EXPECTED)


def test_qc_check_flags_shared_phones_fast_items_contradictions_and_short_answers(tmp_path):
    timed = SCALE[:6]
    header = HEADER + SCALE + ["suggestion", "phone", "household"]
    header += [f"{item}__seconds" for item in timed]
    quick = {f"{item}__seconds": "0.5" for item in timed}  # labels of 15+ characters
    slow = {f"{item}__seconds": "9" for item in timed}
    contradicting = vector(4) | {"safety_overall": "5", "safety_night": "1"}
    rows = [
        row(1, "王", "10:00", "10:07", vector(1), phone="138 0000 1111", **slow),
        row(2, "李", "11:00", "11:07", vector(2), phone="+8613800001111", **quick),
        row(3, "张", "12:00", "12:07", contradicting, household="幸福路1号", suggestion="无"),
        row(4, "王", "13:00", "13:07", vector(3), household="幸福路 1号", suggestion="多装路灯"),
    ]
    interviews = write_csv(tmp_path / "interviews.csv", rows, header=header)
    call_command(
        "qc_check", interviews=interviews, questionnaire=FORM, out=str(tmp_path / "flags.csv")
    )
    flags = read_csv(tmp_path / "flags.csv")
    assert [(int(f["interview_id"]), f["rule"]) for f in flags] == [
        (1, rules.DUPLICATE_CONTACT),
        (2, rules.FAST_ITEMS),
        (2, rules.DUPLICATE_CONTACT),
        (3, rules.CONTRADICTION),
        (3, rules.DUPLICATE_CONTACT),
        (3, rules.SHORT_OPEN_ANSWERS),
        (4, rules.DUPLICATE_CONTACT),
    ]
    text = (tmp_path / "flags.csv").read_text(encoding="utf-8")
    assert "1111" not in text and "幸福路" not in text  # contacts are compared, never written
    assert json.loads(flags[1]["details"])["n_fast"] == 6


def test_qc_check_ranks_interviewers_by_risk_against_peers(tmp_path):
    rows = []
    for k in range(60):
        who = ["王", "李", "张"][k % 3]
        answers = vector(k) if who != "张" else {item: "4" for item in SCALE}
        minute = 10 if who != "张" else 3  # 张: 3-minute interviews, everything "satisfied"
        hour = 8 + k // 5
        start, end = f"{hour:02d}:{k % 5 * 11:02d}", f"{hour:02d}:{k % 5 * 11 + minute:02d}"
        rows.append(row(k + 1, who, start, end, answers))
    run(tmp_path, rows=rows, interviewers_out=str(tmp_path / "interviewers.csv"), language="en")
    table = read_csv(tmp_path / "interviewers.csv")
    assert [r["interviewer"] for r in table][0] == "张"
    top = table[0]
    assert top["rank"] == "1" and float(top["risk"]) > 0
    assert float(top["duration_z"]) < -2 and float(top["divergence_z"]) > 2
    assert "median interview 180 s against 600 s" in top["reasons"]
    assert top["flags_straightlining"] == "20"


def deep_qc_check_form(tmp_path: Path) -> str:
    from tests.questionnaires.workbooks import rich_survey, rich_xlsx

    survey = rich_survey()
    night = next(row for row in survey if row.get("name") == "sat_night")
    night["qc_check"] = "not(" * 140 + ". = '5'" + ")" * 140
    path = tmp_path / "deep.xlsx"
    path.write_bytes(rich_xlsx(survey=survey))
    return str(path)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "nested more than 40 levels deep"), ("zh", "嵌套超过 40 层")],
)
def test_qc_check_refuses_a_form_whose_qc_check_is_nested_too_deep(tmp_path, language, expected):
    interviews = write_csv(tmp_path / "interviews.csv", ROWS)
    with pytest.raises(CommandError) as caught:
        call_command(
            "qc_check",
            interviews=interviews,
            questionnaire=deep_qc_check_form(tmp_path),
            out=str(tmp_path / "flags.csv"),
            language=language,
        )
    assert str(caught.value).startswith("Invalid questionnaire:\nsurvey")
    assert expected in str(caught.value)
    assert not (tmp_path / "flags.csv").exists()


def test_qc_check_reads_a_gbk_file_as_excel_in_china_saves_it(tmp_path):
    utf8 = Path(write_csv(tmp_path / "utf8.csv", ROWS))
    interviews = tmp_path / "gbk.csv"
    interviews.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))

    call_command(
        "qc_check", interviews=str(interviews), questionnaire=FORM, out=str(tmp_path / "f.csv")
    )

    flags = read_csv(tmp_path / "f.csv")
    assert [(int(f["interview_id"]), f["rule"]) for f in flags] == EXPECTED


@translation.override("en")
def test_qc_check_names_a_ragged_row_and_a_binary_file_in_its_own_words(tmp_path):
    interviews = tmp_path / "ragged.csv"
    interviews.write_text(",".join(HEADER) + "\n1,王,x\n", encoding="utf-8")
    out = str(tmp_path / "f.csv")

    with pytest.raises(CommandError) as raised:
        call_command("qc_check", interviews=str(interviews), questionnaire=FORM, out=out)
    assert str(raised.value) == f"{interviews}, row 2: the row has 3 cells but the first row has 8"

    interviews.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x81\x82\xfe")
    with pytest.raises(CommandError) as raised:
        call_command("qc_check", interviews=str(interviews), questionnaire=FORM, out=out)
    assert "codec" not in str(raised.value)
    assert str(raised.value).startswith(f"{interviews}, row 1: the file is not text in UTF-8")


def test_qc_check_refuses_an_interview_id_beyond_64_characters(tmp_path):
    rows = [dict(r) for r in ROWS]
    rows[2] |= {"interview_id": "9" * 400}

    with pytest.raises(
        CommandError, match=r"row 4, column 'interview_id': '9{20}…' is longer than 64 characters"
    ):
        run(tmp_path, rows=rows)
