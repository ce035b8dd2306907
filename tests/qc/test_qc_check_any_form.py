"""manage.py qc_check on a delivered file in the shape other systems export (text ids, GBK,
UTF-16 or BOM, no seconds columns, an .xlsx) and an ordinary XLSForm without our
`dimension`/`score` columns: its battery is recognised by the shared choice list."""

import csv
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from qc import rules
from tests.questionnaires.workbooks import make_xlsx

ITEMS = [f"s{i:02d}" for i in range(1, 13)]
SURVEY_HEADER = ["type", "name", "label", "appearance"]
CHOICES_HEADER = ["list_name", "name", "label"]


def ordinary_form(path: Path) -> str:
    """Twelve satisfaction questions sharing one list, with don't know as 99 and a
    yes/no question: no dimension, no scores, nothing of ours."""
    survey = [
        {"type": "begin group", "name": "sat", "label": "满意度"},
        *({"type": "select_one agree5", "name": x, "label": f"第{i}项满意吗"} for i, x in
          enumerate(ITEMS, 1)),
        {"type": "end group"},
        {"type": "select_one yn", "name": "again", "label": "愿意再接受访问吗"},
        {"type": "text", "name": "remark", "label": "备注"},
    ]  # fmt: skip
    choices = [
        {"list_name": "agree5", "name": str(v), "label": label}
        for v, label in [(1, "很不满意"), (2, "不满意"), (3, "一般"), (4, "满意"), (5, "很满意")]
    ]
    choices += [{"list_name": "agree5", "name": "99", "label": "说不清"}]
    choices += [{"list_name": "yn", "name": "1", "label": "是"}]
    choices += [{"list_name": "yn", "name": "2", "label": "否"}]
    path.write_bytes(
        make_xlsx(
            survey,
            choices,
            {"form_title": "某区满意度", "form_id": "other_sat"},
            survey_header=SURVEY_HEADER,
            choices_header=CHOICES_HEADER,
        )
    )
    return str(path)


def answers(k: int) -> dict:
    """Differentiated answers, different for each k."""
    rng = random.Random(k)
    return {x: str(rng.randint(1, 5)) for x in ITEMS}


def rows() -> list[dict]:
    """Another system's export: text ids, a metadata column, durations instead of times,
    no seconds per question."""
    out = []
    for k in range(1, 21):
        out.append(
            {"interview_id": f"I{k:04d}", "interviewer": f"访员{k % 4}", "SubmissionDate": "x"}
            | {"duration_seconds": "600", "again": "1", "remark": "没有其他意见"}
            | answers(k)
        )
    out[3] |= {x: "4" for x in ITEMS}  # all twelve identical: straight-lined
    out[5] |= {x: "99" for x in ITEMS[:10]}  # mostly don't know
    out[8] |= {"duration_seconds": "20"}
    return out


def write(path: Path, table: list[dict], encoding: str) -> str:
    header = list(table[0])
    if path.suffix == ".xlsx":
        book = Workbook()
        book.active.append(header)
        for row in table:
            book.active.append([row.get(c) for c in header])
        book.save(path)
        return str(path)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header)
    writer.writeheader()
    writer.writerows(table)
    path.write_bytes(text.getvalue().encode(encoding))
    return str(path)


def check(tmp_path: Path, interviews: str, **options) -> tuple[list[dict], str]:
    out = io.StringIO()
    call_command(
        "qc_check",
        interviews=interviews,
        questionnaire=ordinary_form(tmp_path / "form.xlsx"),
        out=str(tmp_path / "flags.csv"),
        stdout=out,
        **options,
    )
    with open(tmp_path / "flags.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle)), out.getvalue()


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("gbk.csv", "gbk"), ("bom.csv", "utf-8-sig"), ("utf16.csv", "utf-16"), ("x.xlsx", None)],
)
def test_qc_check_finds_straight_lining_in_an_ordinary_form_on_another_systems_file(
    tmp_path, name, encoding
):
    flags, _ = check(tmp_path, write(tmp_path / name, rows(), encoding))
    fired = {(f["interview_id"], f["rule"]) for f in flags}
    assert ("I0004", rules.STRAIGHTLINING) in fired
    assert ("I0006", rules.ITEM_NONRESPONSE) in fired  # 99 "说不清" is don't know
    assert ("I0009", rules.RUSHED) in fired
    straight = next(f for f in flags if f["rule"] == rules.STRAIGHTLINING)
    assert json.loads(straight["details"])["count"] == 12
    # The yes/no question is no battery; interviews differing only there are not flagged.
    assert {i for i, _ in fired} == {"I0004", "I0006", "I0009"}


def test_qc_check_says_once_which_rules_the_file_and_form_cannot_feed(tmp_path):
    _, said = check(tmp_path, write(tmp_path / "gbk.csv", rows(), "gbk"), language="en")
    lines = said.splitlines()
    assert "Ignored 1 column(s), neither ours nor a question of the form: SubmissionDate" in lines
    assert "Scale items: 12 in 1 battery(ies)." in lines
    expected = {
        "Not run: Outside interviewing hours (off_hours): no start times.",
        "Not run: Overlaps another interview (overlapping): no start and end times.",
        "Not run: Questions read too fast (fast_items): no seconds per question "
        "(<question>__seconds columns).",
        "Not run: Other street than sampled (locality_mismatch): no sampled street and no "
        "street answered.",
        "Not run: Almost no speech in the recording (no_speech): no speech share of recordings "
        "(speech_share column).",
        "Not run: Overall rating contradicts items (contradiction): no overall rating question "
        "in the form.",
        "Not run: Questions not read out (reading_speed): no per-question paradata (times and "
        "answer changes the interview page records).",
    }
    assert expected <= set(lines)
    assert all(lines.count(line) == 1 for line in expected)
    assert not any("(straightlining)" in line for line in lines)
    assert not any("(rushed)" in line for line in lines)
    _, chinese = check(tmp_path, write(tmp_path / "gbk.csv", rows(), "gbk"), language="zh-hans")
    assert any(
        line.startswith("未运行：") and "(off_hours)" in line and "没有开始时间" in line
        for line in chinese.splitlines()
    )


def test_qc_check_flags_a_door_interview_with_almost_no_speech(tmp_path):
    table = rows()
    for row in table:
        row["speech_share"] = "0.6"
    table[10]["speech_share"] = "0.02"
    table[11]["speech_share"] = ""  # not recorded: not judged
    flags, said = check(tmp_path, write(tmp_path / "s.csv", table, "utf-8"), language="en")
    assert [f["interview_id"] for f in flags if f["rule"] == rules.NO_SPEECH] == ["I0011"]
    assert "no_speech" not in said
