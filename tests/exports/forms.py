"""A small questionnaire definition with every shape the exports handle: two questions of
the same name in two groups, a long name, a select_one with text values and one with integer
values, a select_multiple, numbers, a date, an open answer, a location, a note, and a
household roster holding a nested repeat."""

LISTS = {
    "sat": [
        {"value": "5", "label": {"zh": "非常满意", "en": "Very satisfied"}, "score": 100.0},
        {"value": "1", "label": {"zh": "不满意", "en": "Dissatisfied"}, "score": 0.0},
        {"value": "9", "label": {"zh": "不知道", "en": "Don't know"}, "score": None},
    ],
    "crime": [
        {"value": "theft", "label": {"zh": "盗窃", "en": "Theft"}},
        {"value": "fraud", "label": {"zh": "诈骗", "en": "Fraud"}},
        {"value": "other", "label": {"zh": "其他", "en": "Other"}},
    ],
    "rel": [
        {"value": "head", "label": {"zh": "户主", "en": "Head"}},
        {"value": "child", "label": {"zh": "子女", "en": "Child"}},
    ],
}


def question(path: str, type_: str, zh: str, **extra) -> dict:
    name = path.rsplit("/", 1)[-1]
    en = extra.pop("en", name)
    return {"name": name, "path": path, "type": type_, "label": {"zh": zh, "en": en}, **extra}


DEFINITION = {
    "schema": 2,
    "form_id": "shapes",
    "languages": ["zh", "en"],
    "choice_lists": LISTS,
    "groups": [
        {
            "name": "a",
            "path": "/a",
            "questions": [
                question("/a/intro", "note", "说明"),
                question("/a/q1", "select_one", "治安满意吗", list="sat", en="Order?"),
                question("/a/kind", "select_multiple", "哪类侵害", list="crime"),
                question("/a/n", "integer", "人数"),
                question("/a/when", "date", "日期"),
                question("/a/say", "text", "建议"),
                question("/a/where", "geopoint", "位置", kind="deferred"),
                question(
                    "/a/a_very_long_question_name_that_goes_on_and_on", "decimal", "很长的名字"
                ),
                question("/a/a_very_long_question_name_that_goes_on_and_on_too", "text", "又一个"),
            ],
        },
        {
            "name": "b",
            "path": "/b",
            "questions": [question("/b/q1", "select_one", "司法满意吗", list="sat")],
        },
        {
            "name": "hh",
            "path": "/hh",
            "repeat": {"count": None, "max": 20},
            "label": {"zh": "家庭成员", "en": "Household"},
            "questions": [
                question("/hh/rel", "select_one", "关系", list="rel", repeat="/hh"),
                question("/hh/age", "integer", "年龄", repeat="/hh"),
                {
                    "type": "repeat",
                    "name": "jobs",
                    "path": "/hh/jobs",
                    "label": {"zh": "工作", "en": "Jobs"},
                    "questions": [question("/hh/jobs/title", "text", "职务", repeat="/hh/jobs")],
                },
            ],
        },
    ],
}
