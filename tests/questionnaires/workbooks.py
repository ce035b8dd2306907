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


# --- a rich two-language form using every feature the parser supports ------------------------

ZH, EN = "中文 (zh)", "English (en)"
RICH_SURVEY_HEADER = [
    "type", "name", f"label::{ZH}", f"label::{EN}", f"hint::{ZH}", "required",
    f"required_message::{ZH}", f"required_message::{EN}", "relevant", "constraint",
    f"constraint_message::{ZH}", "calculation", "default", "choice_filter", "appearance",
    "repeat_count", "repeat_max", "dimension", "indicator", "score_map", "satisfied", "qc_check",
    f"qc_check_message::{ZH}", f"qc_check_message::{EN}", "backcheck",
]  # fmt: skip
RICH_CHOICES_HEADER = ["list_name", "name", f"label::{ZH}", f"label::{EN}", "score", "positive",
                       "province"]  # fmt: skip


def rich(type_: str, name: str = "", zh: str = "", en: str = "", **columns) -> dict:
    return {"type": type_, "name": name, f"label::{ZH}": zh, f"label::{EN}": en, **columns}


def rich_survey() -> list[dict]:
    """Rows 2– of the rich form's survey sheet."""
    return [
        rich("note", "welcome", "欢迎", "Welcome"),  # outside any group: a page of its own
        rich("begin group", "household_page", "家庭", "Household", appearance="field-list"),
        rich("integer", "household_size", "家里几口人？", "How many people live here?",
             required="yes", constraint=". >= 1 and . <= 10", default="2",
             **{f"required_message::{ZH}": "请填写人数", f"required_message::{EN}": "Required",
                f"constraint_message::{ZH}": "1到10人", f"hint::{ZH}": "包括您自己"}),
        rich("date", "visit_date", "访问日期", "Visit date", default="today()",
             constraint=". <= today()"),
        rich("select_one province", "province", "省", "Province"),
        rich("select_one city", "city", "市", "City", choice_filter="province = ${province}"),
        rich("select_one goes_out", "goes_out", "晚上出门吗？", "Go out at night?"),
        rich("select_multiple media", "media", "信息来源", "News sources", default="tv web"),
        rich("calculate", "adults_hint", calculation="if(${household_size} > 1, 'many', 'one')"),
        rich("end group"),
        rich("begin repeat", "household", "家庭成员", "Household members",
             repeat_count="${household_size}", repeat_max="10", appearance="field-list"),
        rich("integer", "member_age", "年龄", "Age", required="yes"),
        rich("select_one sex", "member_sex", "性别", "Sex"),
        rich("end repeat"),
        rich("begin group", "opinions", "评价", "Opinions", appearance="table-list",
             relevant="count(${household}) >= 1"),
        rich("select_one sat5", "sat_police", "对派出所满意吗？", "Satisfied with the police?",
             required="yes", dimension="public_order", indicator="police",
             score_map="5=100 4=75 3=50 2=25 1=0 9=", satisfied="5 4 3", backcheck="yes"),
        rich("select_one sat5", "sat_night", "晚上出门安全吗？", "Safe at night?",
             dimension="public_order", indicator="night",
             qc_check="not(${goes_out} = 'never' and . = '5')",
             **{f"qc_check_message::{ZH}": "从不出门却说晚上很安全",
                f"qc_check_message::{EN}": "Never goes out but feels safe at night"}),
        rich("end group"),
        rich("calculate", "oldest", calculation="max(${member_age})"),  # joins the last page
    ]  # fmt: skip


def rich_choices() -> list[dict]:
    def choice(list_name, name, zh, en, **extra):
        return {"list_name": list_name, "name": name, f"label::{ZH}": zh, f"label::{EN}": en,
                **extra}  # fmt: skip

    return [
        choice("province", "hn", "湖南", "Hunan"),
        choice("province", "gd", "广东", "Guangdong"),
        choice("city", "cs", "长沙", "Changsha", province="hn"),
        choice("city", "yy", "岳阳", "Yueyang", province="hn"),
        choice("city", "gz", "广州", "Guangzhou", province="gd"),
        choice("media", "tv", "电视", "TV"),
        choice("media", "web", "网络", "Internet"),
        choice("media", "paper", "报纸", "Newspaper"),
        choice("sex", "1", "男", "Male"),
        choice("sex", "2", "女", "Female"),
        choice("sat5", "5", "非常满意", "Very satisfied", score=100, positive=1),
        choice("sat5", "4", "满意", "Satisfied", score=80, positive=1),
        choice("sat5", "3", "一般", "Neutral", score=60, positive=0),
        choice("sat5", "2", "不满意", "Dissatisfied", score=40, positive=0),
        choice("sat5", "1", "非常不满意", "Very dissatisfied", score=0, positive=0),
        choice("sat5", "9", "不知道", "Don't know"),
        choice("goes_out", "often", "经常", "Often"),
        choice("goes_out", "never", "从不", "Never"),
        choice("dimensions", "public_order", "社会治安", "Public order"),
    ]


def rich_xlsx(survey: list[dict] | None = None, choices: list[dict] | None = None) -> bytes:
    return make_xlsx(
        survey=rich_survey() if survey is None else survey,
        choices=rich_choices() if choices is None else choices,
        settings={
            "form_title": "丰富问卷",
            "form_id": "rich_form",
            "version": "2026112201",
            "default_language": ZH,
        },  # fmt: skip
        survey_header=RICH_SURVEY_HEADER,
        choices_header=RICH_CHOICES_HEADER,
    )


# --- a form the way KoboToolbox exports one ---------------------------------------------------

KOBO_SURVEY_HEADER = ["type", "name", "label::English (en)", "label::中文 (zh)",
                      "hint::English (en)", "required", "relevant", "appearance", "calculation",
                      "$kuid", "$autoname"]  # fmt: skip
KOBO_CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::中文 (zh)", "$kuid"]


def kobo_xlsx(survey: list[dict] | None = None) -> bytes:
    """English first, `begin_group` and `begin group` spellings, true()/yes/false, metadata rows,
    questions outside groups, Kobo's own $kuid/$autoname columns."""

    def row(type_, name="", en="", zh="", **columns):
        return {"type": type_, "name": name, "label::English (en)": en, "label::中文 (zh)": zh,
                "$kuid": f"k{len(name)}", "$autoname": name, **columns}  # fmt: skip

    rows = survey if survey is not None else [
        row("start", "start"),
        row("end", "end"),
        row("today", "today"),
        row("deviceid", "deviceid"),
        row("select_one yn", "consent", "Do you agree?", "您同意吗？", required="true()"),
        row("begin_group", "about", "About you", "关于您", relevant="${consent} = 'yes'"),
        row("integer", "age", "Age", "年龄", required="yes", **{"hint::English (en)": "Years"}),
        row("text", "comment", "Comment", "意见", required="false"),
        row("end_group"),
        row("begin group", "more", "More", "更多"),
        row("select_multiple topics", "topics", "Topics", "话题", appearance="minimal"),
        row("end group"),
        row("calculate", "age_next", calculation="${age} + 1"),
    ]  # fmt: skip
    return make_xlsx(
        survey=rows,
        choices=[
            {
                "list_name": "yn",
                "name": "yes",
                "label::English (en)": "Yes",
                "label::中文 (zh)": "是",
            },
            {
                "list_name": "yn",
                "name": "no",
                "label::English (en)": "No",
                "label::中文 (zh)": "否",
            },
            {
                "list_name": "topics",
                "name": "crime",
                "label::English (en)": "Crime",
                "label::中文 (zh)": "治安",
            },
            {
                "list_name": "topics",
                "name": "traffic",
                "label::English (en)": "Traffic",
                "label::中文 (zh)": "交通",
            },
        ],  # fmt: skip
        settings={
            "form_title": "Kobo form",
            "form_id": "aXbCdEf123",
            "version": "vDuE7x",
            "default_language": "English (en)",
        },  # fmt: skip
        survey_header=KOBO_SURVEY_HEADER,
        choices_header=KOBO_CHOICES_HEADER,
    )
