"""Write the standard public-safety satisfaction questionnaire (群众安全感满意度调查) as an XLSForm.

Run from the project root to regenerate the committed spreadsheet:

    .venv/bin/python questionnaires/standard/build_standard_xlsx.py

The spreadsheet, not this script, is what the system imports; the script exists so that changes
to the standard form are reviewable as code. Question names are stable identifiers: QC rules,
scoring and demo data refer to them.

Extra columns beyond XLSForm (pyxform carries them through untouched):
- survey: `dimension` (a name from the `dimensions` choice list), `indicator` (finer scoring
  code), `locality_level` (district / street / community: answered from the locality tree).
- choices: `score` (0–100; blank for don't know) and `positive` (1 if the category counts as
  safe/satisfied for a 率, 0 otherwise; blank for don't know).
"""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUTPUT = Path(__file__).with_name("standard_questionnaire.xlsx")

ZH = "中文 (zh)"
EN = "English (en)"

# Every group after screening is shown only to eligible respondents: consented, aged 16+ and
# resident for at least 6 months.
ELIGIBLE = "${consent} = 'yes' and ${age} >= 16 and ${resident_6m} = 'yes'"

SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{ZH}",
    f"label::{EN}",
    f"hint::{ZH}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{ZH}",
    f"constraint_message::{EN}",
    "choice_filter",
    "appearance",
    "dimension",
    "indicator",
    "locality_level",
    "consent",
]

CHOICES_COLUMNS = ["list_name", "name", f"label::{ZH}", f"label::{EN}", "score", "positive"]


def row(type_: str, name: str = "", zh: str = "", en: str = "", **extra: str) -> dict:
    return {"type": type_, "name": name, f"label::{ZH}": zh, f"label::{EN}": en, **extra}


def begin(name: str, zh: str, en: str, relevant: str = "") -> dict:
    return row("begin group", name, zh, en, relevant=relevant)


END = {"type": "end group"}


def sat(name: str, dimension: str, indicator: str, zh: str, en: str) -> dict:
    return row(
        "select_one sat5", name, zh, en, required="yes", dimension=dimension, indicator=indicator
    )


SURVEY = [
    begin("opening", "访问开场", "Introduction"),
    row(
        "note",
        "intro",
        "您好，我们受XX市委政法委委托开展群众安全感满意度调查，想耽误您几分钟时间，"
        "听听您对本地平安建设的看法。您的回答仅用于统计分析，我们将严格保密。",
        "Hello, on behalf of the XX City Political and Legal Affairs Commission we are "
        "conducting a survey on residents' sense of safety and satisfaction. It takes a few "
        "minutes; your answers are used only for statistics and are kept confidential.",
    ),
    row(
        "select_one yes_no",
        "consent",
        "您是否愿意接受访问？",
        "Are you willing to take part?",
        required="yes",
        consent="yes",  # its "yes" allows recording, monitoring and audio audits
    ),
    END,
    begin("screening", "甄别", "Screening", relevant="${consent} = 'yes'"),
    row(
        "integer",
        "age",
        "请问您今年多少周岁？",
        "How old are you (in completed years)?",
        required="yes",
        constraint=". >= 0 and . <= 120",
        **{
            f"constraint_message::{ZH}": "年龄应在0到120岁之间",
            f"constraint_message::{EN}": "Age must be between 0 and 120",
        },
    ),
    row(
        "select_one yes_no",
        "resident_6m",
        "您在本地居住满6个月了吗？",
        "Have you lived here for at least 6 months?",
        required="yes",
    ),
    END,
    begin("locality", "居住地", "Where you live", relevant=ELIGIBLE),
    row(
        "select_one_from_file localities.csv",
        "district",
        "您现在居住在哪个区县？",
        "Which district or county do you live in?",
        required="yes",
        locality_level="district",
    ),
    row(
        "select_one_from_file localities.csv",
        "street",
        "您居住在哪个街道（乡镇）？",
        "Which street or township?",
        required="yes",
        choice_filter="parent = ${district}",
        locality_level="street",
    ),
    row(
        "select_one_from_file localities.csv",
        "community",
        "您居住在哪个社区（村）？",
        "Which community or village?",
        required="yes",
        choice_filter="parent = ${street}",
        locality_level="community",
    ),
    END,
    begin("safety", "安全感", "Sense of safety", relevant=ELIGIBLE),
    row(
        "select_one safe5",
        "safety_overall",
        "总体来说，您觉得您所在地区安全吗？",
        "Overall, how safe do you feel in your area?",
        required="yes",
        dimension="sense_of_safety",
        indicator="safety_overall",
    ),
    row(
        "select_one safe5",
        "safety_night",
        "您晚上独自在外行走时，觉得安全吗？",
        "How safe do you feel walking alone at night?",
        required="yes",
        dimension="sense_of_safety",
        indicator="safety_night",
    ),
    END,
    begin("satisfaction", "满意度", "Satisfaction", relevant=ELIGIBLE),
    sat(
        "sat_public_order",
        "public_order",
        "public_order_overall",
        "您对本地社会治安状况是否满意？",
        "Satisfaction with public order in your area",
    ),
    sat(
        "sat_patrol",
        "public_order",
        "patrol_prevention",
        "您对本地街面巡逻防控工作是否满意？",
        "Satisfaction with street patrols",
    ),
    sat(
        "sat_crime_crackdown",
        "public_order",
        "crime_crackdown",
        "您对打击违法犯罪工作是否满意？",
        "Satisfaction with the fight against crime",
    ),
    sat(
        "sat_mediation",
        "dispute_resolution",
        "mediation",
        "您对社区（村）矛盾纠纷调解工作是否满意？",
        "Satisfaction with dispute mediation in your community",
    ),
    sat(
        "sat_petition",
        "dispute_resolution",
        "petition_handling",
        "您对信访问题的解决情况是否满意？",
        "Satisfaction with how petitions are handled",
    ),
    sat(
        "sat_traffic_order",
        "traffic_order",
        "road_order",
        "您对本地道路交通秩序是否满意？",
        "Satisfaction with road traffic order",
    ),
    sat(
        "sat_traffic_enforcement",
        "traffic_order",
        "traffic_enforcement",
        "您对交通安全管理（如查处酒驾、电动车管理）是否满意？",
        "Satisfaction with traffic safety enforcement (drink-driving, e-bikes)",
    ),
    sat(
        "sat_info_protection",
        "info_protection",
        "personal_info",
        "您对个人信息保护工作是否满意？",
        "Satisfaction with personal information protection",
    ),
    sat(
        "sat_anti_fraud",
        "info_protection",
        "anti_fraud",
        "您对防范和打击电信网络诈骗工作是否满意？",
        "Satisfaction with preventing telecom and online fraud",
    ),
    sat(
        "sat_police_service",
        "police_conduct",
        "police_service",
        "您对公安机关的服务态度和办事效率是否满意？",
        "Satisfaction with police service and efficiency",
    ),
    sat(
        "sat_law_enforcement",
        "police_conduct",
        "law_enforcement_integrity",
        "您对政法队伍公正廉洁执法是否满意？",
        "Satisfaction with fair and clean law enforcement",
    ),
    sat(
        "sat_judicial",
        "police_conduct",
        "judicial_fairness",
        "您对法院审判工作是否满意？",
        "Satisfaction with the courts",
    ),
    sat(
        "sat_community_governance",
        "grassroots_governance",
        "community_governance",
        "您对社区（村）基层治理工作是否满意？",
        "Satisfaction with community governance",
    ),
    sat(
        "sat_grid_work",
        "grassroots_governance",
        "grid_work",
        "您对网格员的工作是否满意？",
        "Satisfaction with your grid worker",
    ),
    END,
    begin("victimisation", "受侵害情况", "Victimisation", relevant=ELIGIBLE),
    row(
        "select_one yes_no",
        "victim_past_year",
        "过去一年里，您或您的家人是否遭受过违法犯罪侵害？",
        "In the past year, were you or your family a victim of crime?",
        required="yes",
    ),
    END,
    begin(
        "victimisation_detail",
        "受侵害详情",
        "Victimisation details",
        relevant=f"{ELIGIBLE} and ${{victim_past_year}} = 'yes'",
    ),
    row(
        "select_multiple victim_type",
        "victim_type",
        "遭受的是哪类侵害？（可多选）",
        "What kind of crime? (select all that apply)",
        required="yes",
    ),
    row(
        "select_one yes_no",
        "reported_to_police",
        "您（或家人）是否报警？",
        "Was it reported to the police?",
        required="yes",
    ),
    END,
    begin("suggestions", "意见建议", "Suggestions", relevant=ELIGIBLE),
    row(
        "text",
        "suggestion",
        "您对本地平安建设还有什么意见或建议？",
        "Any suggestions for improving safety in your area?",
        required="no",
    ),
    END,
    begin("demographics", "基本情况", "About you", relevant=ELIGIBLE),
    row("select_one sex", "sex", "性别（访员记录）", "Sex (interviewer records)", required="yes"),
    row(
        "select_one years_residence",
        "years_residence",
        "您在本地居住了多长时间？",
        "How long have you lived here?",
        required="yes",
    ),
    row("select_one occupation", "occupation", "您的职业是？", "Your occupation?", required="yes"),
    row(
        "select_one hukou",
        "hukou",
        "您的户籍是？",
        "Your household registration (hukou)?",
        required="yes",
    ),
    END,
]


def choices(list_name: str, items: list[tuple]) -> list[dict]:
    """items: (name, zh, en[, score, positive]); score/positive None for don't know."""
    out = []
    for item in items:
        name, zh, en, *rest = item
        score, positive = (rest + [None, None])[:2]
        out.append(
            {
                "list_name": list_name,
                "name": name,
                f"label::{ZH}": zh,
                f"label::{EN}": en,
                "score": score,
                "positive": positive,
            }
        )
    return out


CHOICES = [
    *choices("yes_no", [("yes", "是", "Yes"), ("no", "否", "No")]),
    # 安全率 counts 很安全 + 安全 + 基本安全 as safe.
    *choices(
        "safe5",
        [
            ("5", "很安全", "Very safe", 100, 1),
            ("4", "安全", "Safe", 80, 1),
            ("3", "基本安全", "Fairly safe", 60, 1),
            ("2", "不太安全", "Not very safe", 40, 0),
            ("1", "不安全", "Unsafe", 0, 0),
            ("9", "不知道", "Don't know"),
        ],
    ),
    # 满意率 counts 非常满意 + 满意 as satisfied.
    *choices(
        "sat5",
        [
            ("5", "非常满意", "Very satisfied", 100, 1),
            ("4", "满意", "Satisfied", 80, 1),
            ("3", "一般", "Neutral", 60, 0),
            ("2", "不满意", "Dissatisfied", 40, 0),
            ("1", "非常不满意", "Very dissatisfied", 0, 0),
            ("9", "不知道/说不清", "Don't know"),
        ],
    ),
    *choices(
        "victim_type",
        [
            ("theft", "盗窃", "Theft"),
            ("fraud", "诈骗", "Fraud"),
            ("robbery", "抢劫抢夺", "Robbery"),
            ("assault", "人身伤害", "Assault"),
            ("other", "其他", "Other"),
        ],
    ),
    *choices("sex", [("male", "男", "Male"), ("female", "女", "Female")]),
    *choices(
        "years_residence",
        [
            ("lt1", "不满1年", "Less than 1 year"),
            ("1to5", "1–5年", "1–5 years"),
            ("5to10", "5–10年", "5–10 years"),
            ("10plus", "10年以上", "More than 10 years"),
        ],
    ),
    *choices(
        "occupation",
        [
            ("public_sector", "党政机关/事业单位人员", "Government or public institution"),
            ("enterprise", "企业职工", "Company employee"),
            ("self_employed", "个体经营者", "Self-employed"),
            ("farmer", "农民", "Farmer"),
            ("migrant_worker", "进城务工人员", "Migrant worker"),
            ("student", "学生", "Student"),
            ("retired", "离退休人员", "Retired"),
            ("unemployed", "无业/待业", "Unemployed"),
            ("other", "其他", "Other"),
        ],
    ),
    *choices(
        "hukou", [("local", "本地户籍", "Local hukou"), ("migrant", "外地户籍", "Non-local hukou")]
    ),
    *choices(
        "dimensions",
        [
            ("sense_of_safety", "安全感", "Sense of safety"),
            ("public_order", "社会治安", "Public order"),
            ("dispute_resolution", "矛盾纠纷化解", "Dispute resolution"),
            ("traffic_order", "交通秩序", "Traffic order"),
            ("info_protection", "个人信息保护/反诈", "Personal information and anti-fraud"),
            ("police_conduct", "公安/政法队伍", "Police and legal affairs staff"),
            ("grassroots_governance", "基层治理", "Grassroots governance"),
        ],
    ),
]

SETTINGS = {
    "form_title": "群众安全感满意度调查（标准版）",
    "form_id": "safety_standard",
    "version": "1",
    "default_language": ZH,
    "style": "pages",
}


def write_sheet(sheet, columns: list[str], rows: list[dict]) -> None:
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for data in rows:
        sheet.append([data.get(column) if data.get(column) != "" else None for column in columns])


def build(path: Path = OUTPUT) -> Path:
    workbook = Workbook()
    write_sheet(workbook.active, SURVEY_COLUMNS, SURVEY)
    workbook.active.title = "survey"
    write_sheet(workbook.create_sheet("choices"), CHOICES_COLUMNS, CHOICES)
    write_sheet(workbook.create_sheet("settings"), list(SETTINGS), [SETTINGS])
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(build())
