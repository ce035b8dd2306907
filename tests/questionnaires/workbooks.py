"""Small XLSForm workbooks built in memory for tests."""

from io import BytesIO

from openpyxl import Workbook

SURVEY_HEADER = ["type", "name", "label", "relevant", "constraint", "dimension", "indicator",
                 "locality_level"]  # fmt: skip
CHOICES_HEADER = ["list_name", "name", "label", "score", "positive"]


def survey_row(type_: str, name: str = "", label: str = "", **columns) -> dict:
    return {"type": type_, "name": name, "label": label, **columns}


def valid_survey() -> list[dict]:
    """Rows 2–5 of the survey sheet: one page with a scored item and an age question."""
    return [
        survey_row("begin group", "page1", "第一页"),
        survey_row("select_one sat5", "q1", "满意吗", dimension="public_order", indicator="order"),
        survey_row("integer", "age", "年龄", constraint=". >= 0 and . <= 120"),
        survey_row("end group"),
    ]


def valid_choices() -> list[dict]:
    """Rows 2–5 of the choices sheet."""
    return [
        {"list_name": "sat5", "name": "5", "label": "满意", "score": 100, "positive": 1},
        {"list_name": "sat5", "name": "1", "label": "不满意", "score": 0, "positive": 0},
        {"list_name": "sat5", "name": "9", "label": "不知道"},
        {"list_name": "dimensions", "name": "public_order", "label": "社会治安"},
    ]


def make_xlsx(
    survey: list[dict] | None = None,
    choices: list[dict] | None = None,
    settings: dict | None = None,
    survey_header: list[str] = SURVEY_HEADER,
    choices_header: list[str] = CHOICES_HEADER,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(survey_header)
    for row in valid_survey() if survey is None else survey:
        sheet.append([row.get(column) for column in survey_header])
    sheet = workbook.create_sheet("choices")
    sheet.append(choices_header)
    for row in valid_choices() if choices is None else choices:
        sheet.append([row.get(column) for column in choices_header])
    settings = {"form_title": "测试问卷", "form_id": "test_form"} if settings is None else settings
    sheet = workbook.create_sheet("settings")
    sheet.append(list(settings))
    sheet.append(list(settings.values()))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
