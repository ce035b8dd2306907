"""SPSS and Stata files written and read back with pyreadstat: labels, types and values."""

import pandas as pd
import pyreadstat
import pytest

from exports.codebook import CATEGORICAL, NUMERIC, STRING, Variable, build_levels
from exports.formats.labelled import write_dta, write_sav
from exports.shaping import level_frames, unlisted_values
from tests.exports.forms import DEFINITION
from tests.exports.test_shaping import ANSWERS

WORDS = {"not_selected": "未选", "selected": "已选"}
OWN = [
    Variable(name="interview_id", label={"zh": "访问编号", "en": "Interview id"}, kind=NUMERIC,
             source="key"),
    Variable(name="interviewer", label={"zh": "访员", "en": "Interviewer"}, kind=STRING,
             source="interview"),
    Variable(name="mode", label={"zh": "方式", "en": "Mode"}, kind=CATEGORICAL, source="interview",
             values=[{"code": 1, "value": "phone", "label": {"zh": "电话", "en": "Phone"}},
                     {"code": 2, "value": "door", "label": {"zh": "入户", "en": "Door"}}]),
]  # fmt: skip


def _written(tmp_path, writer, suffix, language="zh"):
    levels = build_levels(DEFINITION, reserved=[v.name for v in OWN])
    own = pd.DataFrame(
        {"interview_id": [11, 12], "interviewer": ["I-AB12", "I-CD34"], "mode": ["door", "phone"]}
    )
    frames = level_frames(levels, own, ANSWERS, tz="Asia/Shanghai")
    unlisted_values(levels, frames)
    variables = OWN + levels[0].variables
    path = tmp_path / f"interviews{suffix}"
    writer(frames["interviews"], variables, path, language=language, words=WORDS, file_label="W")
    read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
    return read(str(path)), frames, levels


@pytest.mark.parametrize(("writer", "suffix"), [(write_sav, ".sav"), (write_dta, ".dta")])
def test_choices_come_back_as_integer_codes_with_their_labels(tmp_path, writer, suffix):
    (data, meta), _, _ = _written(tmp_path, writer, suffix)
    # codes: 5 stays 5; 7, outside the list, got the next free code (10) and keeps its value
    assert data["q1"].tolist() == [5, 10]
    labels = meta.variable_value_labels
    assert labels["q1"] == {5: "非常满意", 1: "不满意", 9: "不知道", 10: "7"}
    assert data["q1_2"].iloc[0] == 9 and pd.isna(data["q1_2"].iloc[1])
    assert data["mode"].tolist() == [2, 1] and labels["mode"] == {1: "电话", 2: "入户"}
    assert labels["kind_fraud"] == {0: "未选", 1: "已选"}
    assert data["kind_fraud"].tolist() == [0, 1]


@pytest.mark.parametrize(("writer", "suffix"), [(write_sav, ".sav"), (write_dta, ".dta")])
def test_variable_labels_types_and_values_survive(tmp_path, writer, suffix):
    (data, meta), frames, _ = _written(tmp_path, writer, suffix)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q1"] == "治安满意吗" and labels["interviewer"] == "访员"
    assert labels["kind_theft"] == "哪类侵害: 盗窃"
    assert data["interviewer"].tolist() == ["I-AB12", "I-CD34"]
    assert data["kind"].tolist() == ["theft other", "fraud"]
    assert data["n"].iloc[0] == 3 and pd.isna(data["n"].iloc[1])
    assert pd.Timestamp(data["when"].iloc[0]) == pd.Timestamp("2026-03-01")
    assert data["say"].iloc[0] == "call me on [phone] please"
    assert list(data.columns) == list(frames["interviews"].columns)


def test_each_form_language_labels_its_own_file(tmp_path):
    (_, meta), _, _ = _written(tmp_path, write_sav, ".sav", language="en")
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q1"] == "Order?" and meta.variable_value_labels["q1"][5] == "Very satisfied"


@pytest.mark.parametrize(("writer", "suffix"), [(write_sav, ".sav"), (write_dta, ".dta")])
def test_long_open_answers_come_back_whole(tmp_path, writer, suffix):
    text = "满" * 3000  # 9,000 bytes in UTF-8: more than Stata's str# holds
    frame = pd.DataFrame({"say": [text]})
    variables = [Variable(name="say", label={"zh": "建议"}, kind="open", source="answer")]
    path = tmp_path / f"long{suffix}"
    writer(frame, variables, path, language="zh", words=WORDS)
    read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
    data, _ = read(str(path))
    assert data["say"].iloc[0] == text


def test_spss_and_stata_files_are_dated_as_asked_with_the_rest_unchanged(tmp_path):
    from datetime import UTC, datetime

    from exports.formats.stamps import stamp_dta, stamp_sav

    frame = pd.DataFrame({"q1": [1.0, 2.0], "city": ["东城", "西城"]})
    moment = datetime(2024, 7, 3, 9, 41, 27, tzinfo=UTC)  # written as the wall clock reads
    for suffix, write, read, stamp in (
        (".sav", pyreadstat.write_sav, pyreadstat.read_sav, stamp_sav),
        (".dta", pyreadstat.write_dta, pyreadstat.read_dta, stamp_dta),
    ):
        path = tmp_path / f"f{suffix}"
        write(frame, str(path), file_label="第二季度")
        before = path.read_bytes()
        stamp(path, moment)
        data, meta = read(str(path))
        # the file says the moment asked (Stata to the minute), its label and data intact
        expected = moment.replace(tzinfo=None, second=moment.second if suffix == ".sav" else 0)
        assert meta.creation_time == expected
        assert meta.file_label == "第二季度" and data.equals(frame)
        after = path.read_bytes()
        assert len(after) == len(before)
        assert sum(a != b for a, b in zip(before, after, strict=True)) <= 17  # the stamp only
        with pytest.raises(ValueError):
            (stamp_dta if suffix == ".sav" else stamp_sav)(path, moment)
