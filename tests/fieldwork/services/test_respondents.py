"""Within-household selection on a door-to-door visit: Kish grid and birthday methods."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import ContactAttempt, RespondentSelection
from fieldwork.services import interviews, respondents
from sampling.household import kish_table
from tests.factories import PASSWORD

SH = ZoneInfo("Asia/Shanghai")
LISTING = "王强, M, 52, 03-14\n李娜，女，45，11-02\n王小明, M, 23, 07-30\n王芳, F, 20, 01-05"
# Kish order: 王强 (M 52), 王小明 (M 23), 李娜 (F 45), 王芳 (F 20). With four adults the tables
# pick lines A 1, B1 1, B2 2, C 2, D 3, E1 3, E2 4, F 4 of that order (Kish 1949).
KISH_CHOICE = {
    "A": "王强",
    "B1": "王强",
    "B2": "王小明",
    "C": "王小明",
    "D": "李娜",
    "E1": "李娜",
    "E2": "王芳",
    "F": "王芳",
}
LINE = {"王强": 1, "李娜": 2, "王小明": 3, "王芳": 4}


@pytest.fixture
def visit_on(monkeypatch):
    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def test_kish_picks_the_line_of_the_case_table(my_case, interviewer):
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", adults=LISTING
    )

    chosen = KISH_CHOICE[kish_table(serial=my_case.pk)]
    assert (selection.selected_label, selection.selected_index) == (chosen, LINE[chosen])
    assert selection.adults[1] == {"name": "李娜", "sex": "F", "age": 45, "birthday": "11-02"}


def test_kish_is_the_same_on_a_second_listing_of_the_household(my_case, interviewer):
    first = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", adults=LISTING
    )
    reordered = "\n".join(reversed(LISTING.splitlines()))
    second = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", adults=reordered
    )
    assert first.selected_label == second.selected_label
    assert second.selected_index == 5 - first.selected_index


def test_last_birthday_picks_the_most_recent_one(my_case, interviewer, visit_on):
    visit_on(datetime(2026, 7, 1, 10, 0, tzinfo=SH))
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="last_birthday", adults=LISTING
    )
    # Days since the last birthday on 1 July: 王强 109, 李娜 241, 王小明 336, 王芳 177.
    assert (selection.selected_label, selection.selected_index) == ("王强", 1)


def test_next_birthday_picks_the_soonest_one(my_case, interviewer, visit_on):
    visit_on(datetime(2026, 7, 1, 10, 0, tzinfo=SH))
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="next_birthday", adults=LISTING
    )
    # Days to the next birthday after 1 July: 王小明 29, 李娜 124, 王芳 188, 王强 256.
    assert (selection.selected_label, selection.selected_index) == ("王小明", 3)


def test_birthday_uses_the_beijing_date_of_the_visit(my_case, interviewer, visit_on):
    # 17:00 UTC on 30 June is already 1 July in Beijing: 王芳's birthday is today.
    visit_on(datetime(2026, 6, 30, 17, 0, tzinfo=ZoneInfo("UTC")))
    listing = "王强, M, 52, 03-14\n王芳, F, 20, 07-01"
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="last_birthday", adults=listing
    )
    assert selection.selected_label == "王芳"


def test_bad_listing_lines_are_named_and_nothing_is_stored(my_case, interviewer, english):
    listing = "王强, M, 52\n\n李娜, X, 45\n王小明, M, abc\n王芳, F, 20, 13-40\n张三\n老人, F, 121"
    with pytest.raises(ValidationError) as raised:
        respondents.select_respondent(
            case=my_case, interviewer=interviewer, method="kish", adults=listing
        )
    messages = raised.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert "'X'" in messages[0] and "'abc'" in messages[1] and "'13-40'" in messages[2]
    assert not RespondentSelection.objects.exists() and not ContactAttempt.objects.exists()


def test_birthday_methods_need_every_birthday(my_case, interviewer, english):
    with pytest.raises(ValidationError, match="adult 2"):
        respondents.select_respondent(
            case=my_case,
            interviewer=interviewer,
            method="next_birthday",
            adults="王强, M, 52, 03-14\n李娜, F, 45",
        )
    assert not RespondentSelection.objects.exists()


def test_only_the_case_interviewer_may_select(my_case, other_interviewer):
    with pytest.raises(PermissionDenied):
        respondents.select_respondent(
            case=my_case, interviewer=other_interviewer, method="kish", adults=LISTING
        )


def test_the_selection_is_recorded_on_a_door_visit(my_case, interviewer, client):
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:select_respondent", args=[my_case.pk]),
        {"method": "kish", "adults": LISTING},
    )
    assert response.status_code == 302
    selection = RespondentSelection.objects.get()
    assert (selection.case, selection.interviewer, selection.method) == (
        my_case,
        interviewer,
        "kish",
    )
    assert len(selection.adults) == 4
    attempt = selection.attempt
    assert (attempt.case, attempt.mode, attempt.disposition) == (my_case, "door", "")
    assert attempt.ended_at is not None
    my_case.refresh_from_db()
    assert my_case.attempts == 0 and my_case.status == "pending"
    url = reverse("fieldwork:case_detail", args=[my_case.pk])
    page = client.get(f"{url}?mode=door").content.decode()
    assert 'id="respondent-selection"' in page and selection.selected_label in page


def test_a_selection_during_an_interview_joins_its_open_attempt(my_case, interviewer):
    interviews.start_interview(case=my_case, interviewer=interviewer, mode="door")
    open_attempt = ContactAttempt.objects.get(case=my_case)
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", adults=LISTING
    )
    assert selection.attempt == open_attempt and ContactAttempt.objects.count() == 1


def test_another_interviewer_gets_404(my_case, other_interviewer, client):
    client.login(username=other_interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:select_respondent", args=[my_case.pk]),
        {"method": "kish", "adults": LISTING},
    )
    assert response.status_code == 404
    assert not RespondentSelection.objects.exists()
