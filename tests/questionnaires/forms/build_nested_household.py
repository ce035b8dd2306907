"""Writes nested_household.xlsx beside this file: a small hand-written XLSForm with rosters
nested three deep and two languages, the committed form the nested-roster tests import.

Run `python tests/questionnaires/forms/build_nested_household.py` after changing the rows.
"""

from pathlib import Path

from openpyxl import Workbook

ZH, EN = "中文 (zh)", "English (en)"
SURVEY = [
    [
        "type",
        "name",
        f"label::{ZH}",
        f"label::{EN}",
        "required",
        "relevant",
        "constraint",
        f"constraint_message::{ZH}",
        f"constraint_message::{EN}",
        "calculation",
        "repeat_count",
        "appearance",
        "dimension",
        "consent",
    ],
    ["begin group", "intro", "开始", "Start", "", "", "", "", "", "", "", "field-list"],
    [
        "select_one yes_no",
        "consent",
        "您愿意接受访问吗？",
        "Do you agree to the interview?",
        "yes",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "yes",
    ],
    [
        "integer",
        "n_members",
        "家里有几口人？",
        "How many people live here?",
        "yes",
        "",
        ". >= 1 and . <= 4",
        "须为1到4",
        "Must be 1 to 4",
    ],
    ["end group"],
    [
        "begin repeat",
        "members",
        "家庭成员",
        "Household members",
        "",
        "${consent} = 'yes'",
        "",
        "",
        "",
        "",
        "${n_members}",
    ],
    ["text", "name", "姓名", "Name", "yes"],
    [
        "integer",
        "age",
        "年龄",
        "Age",
        "yes",
        "",
        ". >= 0 and . <= 110",
        "年龄须为0到110",
        "Age must be 0 to 110",
    ],
    ["select_one sex", "sex", "性别", "Sex", "yes"],
    ["text", "occupation", "户主的职业", "Occupation of the head", "yes", "position(..) = 1"],
    ["calculate", "first_name", "", "", "", "", "", "", "", "once(${name})"],
    [
        "select_one yes_no",
        "has_children",
        "有未成年子女吗？",
        "Any children under 18?",
        "yes",
        "${age} >= 16",
    ],
    ["begin repeat", "children", "子女", "Children", "", "${has_children} = 'yes'"],
    ["text", "child_name", "子女姓名", "Child's name", "yes"],
    [
        "integer",
        "child_age",
        "子女年龄",
        "Child's age",
        "yes",
        "",
        ". >= 0 and . < 18 and . < ${age}",
        "须小于18岁且小于父母年龄",
        "Under 18 and younger than the parent",
    ],
    ["select_one yes_no", "in_school", "在上学吗？", "In school?", "yes", "${child_age} >= 6"],
    ["begin repeat", "vaccines", "疫苗", "Vaccines", "", "${child_age} < 6"],
    ["text", "vaccine", "疫苗名称", "Vaccine", "yes"],
    ["end repeat"],
    ["end repeat"],
    ["end repeat"],
    ["begin group", "rating", "评价", "Rating", "", "${consent} = 'yes'"],
    [
        "select_one sat5",
        "safety",
        "您对本地治安满意吗？",
        "Are you satisfied with local safety?",
        "yes",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "public_order",
    ],
    ["end group"],
]
CHOICES = [
    ["list_name", "name", f"label::{ZH}", f"label::{EN}", "score", "positive"],
    ["yes_no", "yes", "是", "Yes"],
    ["yes_no", "no", "否", "No"],
    ["sex", "1", "男", "Male"],
    ["sex", "2", "女", "Female"],
    ["sat5", "5", "满意", "Satisfied", 100, 1],
    ["sat5", "3", "一般", "Neutral", 60, 0],
    ["sat5", "1", "不满意", "Dissatisfied", 0, 0],
    ["dimensions", "public_order", "社会治安", "Public order"],
]
SETTINGS = [["form_title", "form_id", "default_language"], ["家庭问卷", "nested_household", ZH]]


def build(path: Path) -> None:
    workbook = Workbook()
    for index, (title, rows) in enumerate(
        (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS))
    ):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row)
    workbook.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("nested_household.xlsx"))
