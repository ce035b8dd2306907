"""Literal test data for scoring: a questionnaire definition and answer dicts.

The definition follows questionnaires.xlsform's documented shape, so these tests do not
depend on the XLSForm parser.
"""


def _choice(value, zh, en, score, positive):
    return {
        "value": value,
        "label": {"zh": zh, "en": en},
        "score": score,
        "positive": positive,
        "extra": {},
    }


def _question(name, zh, *, type="select_one", list=None, dimension=None, level=None):
    return {
        "name": name,
        "type": type,
        "list": list,
        "label": {"zh": zh, "en": name},
        "hint": None,
        "required": True,
        "relevant": None,
        "constraint": None,
        "constraint_message": None,
        "appearance": None,
        "dimension": dimension,
        "indicator": None,
        "locality_level": level,
    }


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
            _choice("yes", "是", "Yes", None, None),
            _choice("no", "否", "No", None, None),
        ],
        "safe5": [
            _choice("5", "很安全", "Very safe", 100.0, True),
            _choice("4", "安全", "Safe", 80.0, True),
            _choice("3", "基本安全", "Fairly safe", 60.0, False),
            _choice("2", "不太安全", "Not very safe", 40.0, False),
            _choice("1", "不安全", "Unsafe", 0.0, False),
            _choice("9", "说不清", "Don't know", None, None),
        ],
        "sat5": [
            _choice("5", "非常满意", "Very satisfied", 100.0, True),
            _choice("4", "满意", "Satisfied", 80.0, True),
            _choice("3", "一般", "Neutral", 60.0, False),
            _choice("2", "不满意", "Dissatisfied", 40.0, False),
            _choice("1", "非常不满意", "Very dissatisfied", 0.0, False),
            _choice("9", "不知道/拒答", "Don't know/refused", None, None),
        ],
    },
    "groups": [
        {
            "name": "screen",
            "label": {"zh": "甄别", "en": "Screening"},
            "relevant": None,
            "questions": [
                _question("eligible", "是否在本地居住满半年", list="yesno"),
                _question("age", "年龄", type="integer"),
                _question("live_street", "居住街道", type="locality", level="street"),
            ],
        },
        {
            "name": "main",
            "label": {"zh": "主体", "en": "Main"},
            "relevant": "${eligible} = 'yes'",
            "questions": [
                _question(
                    "safety_overall", "总体安全感", list="safe5", dimension="sense_of_safety"
                ),
                _question("order_q1", "社会治安满意度", list="sat5", dimension="public_order"),
                _question("police_q1", "派出所工作满意度", list="sat5", dimension="police"),
                _question("police_q2", "民警服务满意度", list="sat5", dimension="police"),
            ],
        },
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
