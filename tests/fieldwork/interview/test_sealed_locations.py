"""Location answers rest sealed: a point typed in the wizard is stored in the interview's
answers as a token (the row, its paradata and the wizard's session hold no coordinate), read
back as the point by everything that uses it (a calculate's distance(), the next page's
relevance, the review page), re-sealed by key rotation, and sealed or opened again by the
migration."""

import io
import json
import math

import pytest
from django.apps import apps as django_apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from common.crypto import Sealed
from fieldwork.interview.personal_answers import seal_locations
from fieldwork.models import Interview
from privacy.rotation import stale_tokens
from questionnaires.services import import_questionnaire_version
from tests.factories import make_wave, start_first_interview
from tests.fieldwork.wizard_driver import page_of
from tests.privacy.world import new_keys
from tests.questionnaires.workbooks import make_xlsx

LAT, LON = "28.213457", "112.938761"
HALL = (28.3, 113.0)  # a fixed point the calculate measures from
HEADER = ["type", "name", "label", "calculation", "relevant"]
SURVEY = [
    {"type": "begin group", "name": "p1", "label": "位置"},
    {"type": "geopoint", "name": "where", "label": "住处位置"},
    {"type": "calculate", "name": "metres",
     "calculation": f"distance(concat(${{where}}, ';{HALL[0]} {HALL[1]}'))"},
    {"type": "end group"},
    {"type": "begin group", "name": "p2", "label": "远近"},
    {"type": "text", "name": "far", "label": "为什么住得远", "relevant": "${metres} > 5000"},
    {"type": "text", "name": "near", "label": "附近情况", "relevant": "${metres} <= 5000"},
    {"type": "end group"},
]  # fmt: skip


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on ODK's sphere (6,378,100 m), written out independently."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_378_100.0 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


@pytest.fixture
def located(db, draw, interviewer):
    workbook = make_xlsx(survey=SURVEY, survey_header=HEADER,
                         settings={"form_title": "位置", "form_id": "where"})  # fmt: skip
    version = import_questionnaire_version(data=workbook, source_name="where.xlsx")
    wave = make_wave(draw=draw, version=version)
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def _post(browser, interview, response, values: dict):
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": step}
    data.update({form.add_prefix(name): value for name, value in values.items()})
    return browser.post(reverse("fieldwork:interview", args=[interview.pk]), data)


def _raw_row(interview_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers, answers_text, paradata FROM fieldwork_interview WHERE id = %s",
            [interview_id],
        )
        return " ".join(str(value) for value in cursor.fetchone())


def _sessions_text() -> str:
    return " ".join(json.dumps(s.get_decoded(), ensure_ascii=False) for s in Session.objects.all())


def _answer_first_page(browser, located):
    url = reverse("fieldwork:interview", args=[located.pk])
    response = browser.get(url)
    return _post(browser, located, response, {"where_lat": LAT, "where_lon": LON,
                                              "where_acc": "6.5"})  # fmt: skip


def test_a_typed_point_rests_sealed_and_every_reader_sees_it(browser, located):
    response = _answer_first_page(browser, located)
    assert page_of(response)[0] == "p2"
    raw = _raw_row(located.pk)
    assert "$sealed" in raw
    assert LAT not in raw and LON not in raw and "28.21" not in raw and "112.93" not in raw
    # nor the wizard's copy of the page, kept in the session (a database table)
    assert LAT not in _sessions_text() and LON not in _sessions_text()

    located.refresh_from_db()
    assert located.answers["/p1/where"] == f"{LAT} {LON} 0 6.5"
    expected = _haversine(float(LAT), float(LON), *HALL)
    assert float(located.answers["/p1/metres"]) == pytest.approx(expected, rel=1e-9)
    assert expected > 5000  # so the far question is the one asked next

    page = browser.get(reverse("fieldwork:interview", args=[located.pk]))
    step, form = page_of(page)
    assert step == "p2" and "far" in form.fields and "near" not in form.fields


def test_going_back_shows_the_point_typed_from_its_sealed_answer(browser, located):
    _answer_first_page(browser, located)
    page = browser.get(reverse("fieldwork:interview", args=[located.pk]))  # refilled from the DB
    prefix = page.context["wizard"]["management_form"].prefix
    back = browser.post(
        reverse("fieldwork:interview", args=[located.pk]),
        {f"{prefix}-current_step": "p2", "wizard_goto_step": "p1"},
    )
    step, form = page_of(back)
    assert step == "p1"
    html = back.content.decode()
    assert f'value="{LAT}"' in html and f'value="{LON}"' in html
    assert LAT not in _sessions_text()


def test_rotation_reseals_the_points_and_the_old_key_can_go(settings, browser, located):
    _answer_first_page(browser, located)
    before = _raw_row(located.pk)
    old = settings.PERSONAL_DATA_KEYS
    new_key, _hash = new_keys()
    settings.PERSONAL_DATA_KEYS = new_key + list(old)
    assert stale_tokens() >= 1
    call_command("rotate_personal_data_keys", stdout=io.StringIO())
    assert stale_tokens() == 0
    after = _raw_row(located.pk)
    assert after != before and LAT not in after
    # a page save made against a copy read before the rotation sees it moved on
    assert Interview.objects.get(pk=located.pk).revision == 1
    settings.PERSONAL_DATA_KEYS = new_key  # the old key gone: the point still reads
    assert Interview.objects.get(pk=located.pk).answers["/p1/where"] == f"{LAT} {LON} 0 6.5"


def test_the_migration_seals_points_stored_in_clear_and_going_back_opens_them(located):
    plain = {"/p1/where": f"{LAT} {LON} 0 5", "/p1/metres": 1.0}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fieldwork_interview SET answers = %s WHERE id = %s",
            [json.dumps(plain), located.pk],
        )
    assert LAT in _raw_row(located.pk)
    migration = __import__("fieldwork.migrations.0019_location_answers_sealed", fromlist=["seal"])
    migration.seal(django_apps, None)
    assert LAT not in _raw_row(located.pk) and "$sealed" in _raw_row(located.pk)
    stored = Interview.objects.get(pk=located.pk).answers
    assert stored == plain and isinstance(stored["/p1/where"], Sealed)
    migration.unseal(django_apps, None)
    assert LAT in _raw_row(located.pk) and "$sealed" not in _raw_row(located.pk)
    assert Interview.objects.get(pk=located.pk).answers == plain


def test_a_location_in_a_roster_row_rests_sealed_and_reads_back(located):
    definition = {"groups": [{"name": "hh", "questions": [
        {"type": "repeat", "name": "plots", "path": "/hh/plots", "questions": [
            {"type": "geopoint", "name": "corner", "path": "/hh/plots/corner"},
            {"type": "text", "name": "crop", "path": "/hh/plots/crop"}]}]}]}  # fmt: skip
    answers = {"/hh/plots": [{"/hh/plots/corner": f"{LAT} {LON} 0 3", "/hh/plots/crop": "稻"},
                             {"/hh/plots/crop": "麦"}]}  # fmt: skip
    expected = json.loads(json.dumps(answers))
    located.answers = seal_locations(answers, definition)
    located.save(update_fields=["answers"])
    raw = _raw_row(located.pk)
    assert LAT not in raw and LON not in raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM fieldwork_interview WHERE id = %s", [located.pk])
        value = cursor.fetchone()[0]
    rows = (json.loads(value) if isinstance(value, str) else value)["/hh/plots"]
    assert set(rows[0]["/hh/plots/corner"]) == {"$sealed"} and rows[0]["/hh/plots/crop"] == "稻"
    stored = Interview.objects.get(pk=located.pk).answers
    assert stored == expected
    assert isinstance(stored["/hh/plots"][0]["/hh/plots/corner"], Sealed)
