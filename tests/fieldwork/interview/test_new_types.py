"""The wizard runs the XForm types pyxform accepts beyond the basic ones: range with its
parameters, time, datetime, acknowledge, select_one_from_file from the form's attached file,
and or_other with its text box; a location (typed here) is asked too (media questions:
test_media.py)."""

import pytest
from django.urls import reverse

from questionnaires.models import QuestionnaireAttachment
from questionnaires.services import import_questionnaire_version
from questionnaires.xlsform import XLSFormError
from tests.factories import make_wave, start_first_interview
from tests.fieldwork.wizard_driver import page_of
from tests.questionnaires.workbooks import make_xlsx

HEADER = ["type", "name", "label", "parameters", "required"]
SURVEY = [
    {"type": "begin group", "name": "p1", "label": "新题型"},
    {"type": "range", "name": "score", "label": "打分", "parameters": "start=0 end=10 step=2",
     "required": "yes"},
    {"type": "time", "name": "t", "label": "几点"},
    {"type": "datetime", "name": "dt", "label": "何时"},
    {"type": "acknowledge", "name": "ack", "label": "已告知", "required": "yes"},
    {"type": "select_one_from_file towns.csv", "name": "town", "label": "哪个镇"},
    {"type": "select_one yn or_other", "name": "pick", "label": "选"},
    {"type": "geopoint", "name": "where", "label": "位置"},
    {"type": "end group"},
]  # fmt: skip
CHOICES = [
    {"list_name": "yn", "name": "yes", "label": "是"},
    {"list_name": "yn", "name": "no", "label": "否"},
]
TOWNS = "name,label\nt1,东镇\nt2,西镇\n".encode()


def workbook() -> bytes:
    return make_xlsx(survey=SURVEY, choices=CHOICES, survey_header=HEADER,
                     choices_header=["list_name", "name", "label"],
                     settings={"form_title": "新题型", "form_id": "types"})  # fmt: skip


@pytest.fixture
def types_interview(db, draw, interviewer):
    version = import_questionnaire_version(
        data=workbook(), source_name="types.xlsx", attachments={"towns.csv": TOWNS}
    )
    wave = make_wave(draw=draw, version=version)
    return start_first_interview(wave=wave, interviewer=interviewer, mode="phone")


def post(browser, interview, response, values: dict):
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": step}
    data.update({form.add_prefix(name): value for name, value in values.items()})
    return browser.post(reverse("fieldwork:interview", args=[interview.pk]), data)


def test_the_attached_file_is_stored_with_the_version_through_the_storage(db):
    version = import_questionnaire_version(
        data=workbook(), source_name="types.xlsx", attachments={"towns.csv": TOWNS}
    )
    [attachment] = QuestionnaireAttachment.objects.filter(version=version)
    assert attachment.name == "towns.csv" and attachment.size == len(TOWNS)
    with attachment.file.open("rb") as stored:
        assert stored.read() == TOWNS


def test_an_attached_data_file_that_gives_no_choices_is_refused_naming_it(db):
    with pytest.raises(XLSFormError) as refused:
        import_questionnaire_version(
            data=workbook(), source_name="types.xlsx", attachments={"towns.csv": b"code\nt1\n"}
        )
    assert refused.value.errors == ["towns.csv: the first row has no 'name' column"]
    assert not QuestionnaireAttachment.objects.exists()


def test_every_new_type_is_asked_checked_and_stored(browser, types_interview):
    url = reverse("fieldwork:interview", args=[types_interview.pk])
    response = browser.get(url)
    _, form = page_of(response)
    assert set(form.fields) == {"score", "t", "dt", "ack", "town", "pick", "where"}
    assert form.fields["town"].choices == [("t1", "东镇"), ("t2", "西镇")]
    # or_other's choice, which pyxform labels "Other", in the interview's language
    assert form.fields["pick"].choices == [("yes", "是"), ("no", "否"), ("other", "其他")]
    attrs = form.fields["score"].widget.attrs
    assert (attrs["min"], attrs["max"], attrs["step"]) == ("0", "10", "2")

    # a value off the range's steps, and no acknowledgement, are refused on the page
    values = {"score": "5", "t": "09:30", "dt": "2026-05-01T10:15", "town": "t2",
              "pick": "other", "where_lat": "28.2", "where_lon": "112.93"}  # fmt: skip
    response = post(browser, types_interview, response, values)
    _, form = page_of(response)
    assert set(form.errors) >= {"score", "ack"}
    assert "pick_other" in form.fields  # "other" chosen: its text box is on the page now

    response = post(browser, types_interview, response,
                    values | {"score": "4", "ack": "on", "pick_other": "别的"})  # fmt: skip
    assert response.status_code == 302
    types_interview.refresh_from_db()
    saved = types_interview.answers
    assert saved["/p1/score"] == 4 and saved["/p1/t"] == "09:30"
    assert saved["/p1/dt"].startswith("2026-05-01T10:15")
    assert saved["/p1/ack"] == "OK" and saved["/p1/town"] == "t2"
    assert (saved["/p1/pick"], saved["/p1/pick_other"]) == ("other", "别的")
    assert saved["/p1/where"] == "28.2 112.93 0 0"


def test_a_question_sharing_or_others_list_shows_its_other_in_the_interviews_language(
    db, draw, interviewer, browser
):
    # pyxform adds "other" to the list itself, so every question of the list offers it
    survey = [
        {"type": "begin group", "name": "p1", "label": "共用选项"},
        {"type": "select_one yn or_other", "name": "pick", "label": "选"},
        {"type": "select_one yn", "name": "again", "label": "再选"},
        {"type": "end group"},
    ]
    data = make_xlsx(survey=survey, choices=CHOICES, survey_header=HEADER,
                     choices_header=["list_name", "name", "label"],
                     settings={"form_title": "共用", "form_id": "shared"})  # fmt: skip
    version = import_questionnaire_version(data=data, source_name="shared.xlsx")
    interview = start_first_interview(
        wave=make_wave(draw=draw, version=version), interviewer=interviewer, mode="phone"
    )
    _, form = page_of(browser.get(reverse("fieldwork:interview", args=[interview.pk])))
    offered = [("yes", "是"), ("no", "否"), ("other", "其他")]
    assert form.fields["pick"].choices == form.fields["again"].choices == offered
