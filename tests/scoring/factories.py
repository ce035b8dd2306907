"""Literal test data only scoring uses: the safety survey's definition and its answer dicts.

Built with tests/factories.py's pieces, so these tests do not depend on the XLSForm parser.
"""

from tests.factories import choice, question, question_group

DEFINITION = {
    "form_id": "safety_test",
    "title": {"zh": "群众安全感满意度调查", "en": "Safety and satisfaction survey"},
    "languages": ["zh", "en"],
    "dimensions": {
        "sense_of_safety": {"zh": "安全感", "en": "Sense of safety"},
        "public_order": {"zh": "社会治安", "en": "Public order"},
        "police": {"zh": "公安工作", "en": "Police work"},
    },
    "choice_lists": {
        "yesno": [
            choice("yes", "是", "Yes"),
            choice("no", "否", "No"),
        ],
        "safe5": [
            choice("5", "很安全", "Very safe", 100.0, positive=True),
            choice("4", "安全", "Safe", 80.0, positive=True),
            choice("3", "基本安全", "Fairly safe", 60.0, positive=False),
            choice("2", "不太安全", "Not very safe", 40.0, positive=False),
            choice("1", "不安全", "Unsafe", 0.0, positive=False),
            choice("9", "说不清", "Don't know"),
        ],
        "sat5": [
            choice("5", "非常满意", "Very satisfied", 100.0, positive=True),
            choice("4", "满意", "Satisfied", 80.0, positive=True),
            choice("3", "一般", "Neutral", 60.0, positive=False),
            choice("2", "不满意", "Dissatisfied", 40.0, positive=False),
            choice("1", "非常不满意", "Very dissatisfied", 0.0, positive=False),
            choice("9", "不知道/拒答", "Don't know/refused"),
        ],
    },
    "groups": [
        question_group(
            "screen",
            [
                question(
                    "eligible",
                    "select_one",
                    "yesno",
                    label={"zh": "是否在本地居住满半年", "en": "eligible"},
                    required=True,
                ),
                question("age", "integer", label={"zh": "年龄", "en": "age"}, required=True),
                question(
                    "live_street",
                    "locality",
                    label={"zh": "居住街道", "en": "live_street"},
                    required=True,
                    locality_level="street",
                ),
            ],
            label={"zh": "甄别", "en": "Screening"},
        ),
        question_group(
            "main",
            [
                question(
                    "safety_overall",
                    "select_one",
                    "safe5",
                    label={"zh": "总体安全感", "en": "safety_overall"},
                    required=True,
                    dimension="sense_of_safety",
                ),
                question(
                    "order_q1",
                    "select_one",
                    "sat5",
                    label={"zh": "社会治安满意度", "en": "order_q1"},
                    required=True,
                    dimension="public_order",
                ),
                question(
                    "police_q1",
                    "select_one",
                    "sat5",
                    label={"zh": "派出所工作满意度", "en": "police_q1"},
                    required=True,
                    dimension="police",
                ),
                question(
                    "police_q2",
                    "select_one",
                    "sat5",
                    label={"zh": "民警服务满意度", "en": "police_q2"},
                    required=True,
                    dimension="police",
                ),
            ],
            relevant="${eligible} = 'yes'",
            label={"zh": "主体", "en": "Main"},
        ),
    ],
}


def answers(safety=None, order=None, police1=None, police2=None, **extra) -> dict:
    """An answers dict with the four scale items (None: not asked)."""
    values = {
        "eligible": "yes",
        "age": 40,
        "safety_overall": safety,
        "order_q1": order,
        "police_q1": police1,
        "police_q2": police2,
    }
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}
