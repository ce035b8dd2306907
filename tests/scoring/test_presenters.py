from datetime import date

import pandas as pd
from django.utils import translation

from accounts.models import Organisation
from fieldwork.models import Wave
from scoring.loaders import LONG_COLUMNS, AnswersMeta
from scoring.presenters import present_results
from scoring.score_tables import summarize
from tests.scoring.factories import DEFINITION

NAN = float("nan")

META = AnswersMeta(
    definition=DEFINITION,
    dimensions=DEFINITION["dimensions"],
    localities={
        "C01": {"name": "城东区", "level": "district", "parent": None},
        "C0101": {"name": "东华街道", "level": "street", "parent": "C01"},
        "C0102": {"name": "东兴街道", "level": "street", "parent": "C01"},
        "C02": {"name": "西山县", "level": "district", "parent": None},
        "C0201": {"name": "西岭镇", "level": "street", "parent": "C02"},
    },
    n_interviews=3,
)


def long_frame() -> pd.DataFrame:
    rows = [
        (1, 1.0, "C01", "C0101", "central", "safety_overall", "sense_of_safety", 80.0, True),
        (1, 1.0, "C01", "C0101", "central", "police_q1", "police", 100.0, True),
        (1, 1.0, "C01", "C0101", "central", "order_q1", "public_order", 60.0, False),
        (2, 2.0, "C01", "C0102", "central", "police_q1", "police", 40.0, False),
        (2, 2.0, "C01", "C0102", "central", "order_q1", "public_order", NAN, None),
        (3, 1.0, "C02", "C0201", "rural", "police_q1", "police", 0.0, False),
        (3, 1.0, "C02", "C0201", "rural", "order_q1", "public_order", 20.0, False),
    ]
    return pd.DataFrame.from_records(rows, columns=LONG_COLUMNS)


def present(language: str) -> dict:
    wave = Wave(pk=7, name="2024年第二季度", client=Organisation(name="测试市委政法委"))
    with translation.override(language):
        return present_results(
            wave=wave,
            tables=summarize(long_frame()),
            meta=META,
            language=language,
            generated_on=date(2024, 7, 1),
        )


def test_dimension_labels_follow_the_language_in_questionnaire_order():
    # when
    zh = present("zh-hans")
    en = present("en")
    # then
    assert [d["label"] for d in zh["dimensions"]] == ["安全感", "社会治安", "公安工作"]
    assert [d["label"] for d in en["dimensions"]] == [
        "Sense of safety",
        "Public order",
        "Police work",
    ]


def test_numbers_are_rounded_to_one_decimal_and_missing_ones_are_none():
    # when
    data = present("en")
    # then: satisfaction, respondents 1 (80, w 1), 2 (40, w 2), 3 (10, w 1) → 170 / 4
    assert data["headline"]["satisfaction_score"] == 42.5
    # rate: respondent 1 has 1 of 2 positive → (0.5 + 0 + 0) / 4 = 12.5 %
    assert data["headline"]["satisfaction_rate"] == 12.5
    # police: (100 + 2·40 + 0) / 4 = 45
    police = next(d for d in data["dimensions"] if d["code"] == "police")
    assert police["score"] == 45.0 and police["rate"] == 25.0
    order = next(d for d in data["dimensions"] if d["code"] == "public_order")
    assert order["score"] == round((60 + 20) / 2, 1)
    assert order["item_nonresponse"] == 33.3
    west = next(d for d in data["districts"] if d["name"] == "西山县")
    assert west["safety_score"] is None


def test_streets_carry_names_and_their_district():
    # when
    data = present("zh-hans")
    # then
    streets = [(s["district"], s["name"], s["satisfaction_score"]) for s in data["streets"]]
    assert streets == [
        ("城东区", "东华街道", 80.0),
        ("城东区", "东兴街道", 40.0),
        ("西山县", "西岭镇", 10.0),
    ]
    assert all(s["unreliable"] for s in data["streets"])


def test_heat_table_has_a_cell_per_district_and_dimension():
    # when
    heat = present("zh-hans")["heat"]
    # then
    assert [row["name"] for row in heat["rows"]] == ["城东区", "西山县"]
    west = heat["rows"][1]["cells"]
    assert [cell["score"] for cell in west] == [None, 20.0, 0.0]
