"""Within-household selection on a door-to-door visit: the roster entered row by row, Kish
grid and birthday methods among the members of the wave's eligible ages."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork.interview import submissions
from fieldwork.models import ContactAttempt, RespondentSelection
from fieldwork.services import interviews, respondents
from sampling.household import KISH_TABLES, kish_table
from tests.factories import PASSWORD

SH = ZoneInfo("Asia/Shanghai")


def rows(*members: str) -> list[dict]:
    """Roster rows as a page posts them, from "name, sex, age[, birthday]"."""
    out = []
    for member in members:
        fields = [f.strip() for f in member.split(",")] + ["", "", "", ""]
        out.append(dict(zip(("name", "sex", "age", "birthday"), fields[:4], strict=True)))
    return out


ROSTER = rows(
    "王强, M, 52, 03-14", "李娜, F, 45, 11-02", "王小明, M, 23, 07-30", "王芳, F, 20, 01-05"
)
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
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )

    chosen = KISH_CHOICE[kish_table(serial=my_case.pk)]
    assert (selection.selected_label, selection.selected_index) == (chosen, LINE[chosen])
    assert selection.adults[1] == {"name": "李娜", "sex": "F", "age": 45, "birthday": "11-02"}
    assert selection.roster[1] == {**selection.adults[1], "eligible": True}


def test_kish_is_the_same_on_a_second_listing_of_the_household(my_case, interviewer):
    first = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    second = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER[::-1]
    )
    assert first.selected_label == second.selected_label
    assert second.selected_index == 5 - first.selected_index


def test_last_birthday_picks_the_most_recent_one(my_case, interviewer, visit_on):
    visit_on(datetime(2026, 7, 1, 10, 0, tzinfo=SH))
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="last_birthday", members=ROSTER
    )
    # Days since the last birthday on 1 July: 王强 109, 李娜 241, 王小明 336, 王芳 177.
    assert (selection.selected_label, selection.selected_index) == ("王强", 1)


def test_next_birthday_picks_the_soonest_one(my_case, interviewer, visit_on):
    visit_on(datetime(2026, 7, 1, 10, 0, tzinfo=SH))
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="next_birthday", members=ROSTER
    )
    # Days to the next birthday after 1 July: 王小明 29, 李娜 124, 王芳 188, 王强 256.
    assert (selection.selected_label, selection.selected_index) == ("王小明", 3)


def test_birthday_uses_the_beijing_date_of_the_visit(my_case, interviewer, visit_on):
    # 17:00 UTC on 30 June is already 1 July in Beijing: 王芳's birthday is today.
    visit_on(datetime(2026, 6, 30, 17, 0, tzinfo=ZoneInfo("UTC")))
    roster = rows("王强, M, 52, 03-14", "王芳, F, 20, 07-01")
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="last_birthday", members=roster
    )
    assert selection.selected_label == "王芳"


def test_bad_rows_are_named_and_nothing_is_stored(my_case, interviewer, english):
    roster = rows(
        "王强, M, 52",
        ", , , ",  # a row left blank is skipped, but keeps its number
        "李娜, X, 45",
        "王小明, M, abc",
        "王芳, F, 20, 13-40",
        ", F, 30",
        "老人, F, 121",
    )
    with pytest.raises(ValidationError) as raised:
        respondents.select_respondent(
            case=my_case, interviewer=interviewer, method="kish", members=roster
        )
    messages = raised.value.messages
    assert [m.split(":")[0] for m in messages] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7"]
    assert "male or female" in messages[0] and "abc" in messages[1] and "13-40" in messages[2]
    assert "name" in messages[3] and "121" in messages[4]
    assert not RespondentSelection.objects.exists() and not ContactAttempt.objects.exists()


def test_children_are_listed_but_only_the_wave_ages_can_be_chosen(my_case, interviewer):
    # Given a wave interviewing people aged 18 to 70
    my_case.wave.min_age, my_case.wave.max_age = 18, 70
    my_case.wave.save(update_fields=["min_age", "max_age"])
    roster = rows("爷爷, M, 75", "王强, M, 52", "小明, M, 17", "李娜, F, 45", "小红, F, 9")
    # When Kish selects
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=roster
    )
    # Then everyone is on the roster, the listing holds the two eligible adults only
    assert [m["eligible"] for m in selection.roster] == [False, True, False, True, False]
    assert [a["name"] for a in selection.adults] == ["王强", "李娜"]
    # and the case's table picks among them in Kish's order (王强, 李娜): line 1 or 2
    expected = "王强" if kish_table(serial=my_case.pk) in ("A", "B1", "B2", "C") else "李娜"
    assert selection.selected_label == expected
    assert selection.selected["name"] == expected


def test_a_household_without_an_eligible_member_is_refused(my_case, interviewer, english):
    my_case.wave.min_age = 18
    my_case.wave.save(update_fields=["min_age"])
    with pytest.raises(ValidationError, match="aged 18 or older"):
        respondents.select_respondent(
            case=my_case, interviewer=interviewer, method="kish", members=rows("小明, M, 17")
        )
    with pytest.raises(ValidationError, match="one row each"):
        respondents.select_respondent(
            case=my_case, interviewer=interviewer, method="kish", members=rows(", , , ")
        )
    assert not RespondentSelection.objects.exists()


def test_birthday_methods_need_every_birthday(my_case, interviewer, english):
    with pytest.raises(ValidationError, match="missing: 李娜"):
        respondents.select_respondent(
            case=my_case,
            interviewer=interviewer,
            method="next_birthday",
            members=rows("王强, M, 52, 03-14", "李娜, F, 45", "小红, F, 9"),
        )
    assert not RespondentSelection.objects.exists()


def test_a_roster_sent_twice_from_the_tablet_selects_once(my_case, interviewer):
    key = submissions.parse_key("6f1c2a3e-1111-4222-8333-444455556666")
    respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER, key=key
    )
    with pytest.raises(submissions.DuplicateSubmission):
        respondents.select_respondent(
            case=my_case, interviewer=interviewer, method="kish", members=ROSTER, key=key
        )
    assert RespondentSelection.objects.count() == 1


def test_only_the_case_interviewer_may_select(my_case, other_interviewer):
    with pytest.raises(PermissionDenied):
        respondents.select_respondent(
            case=my_case, interviewer=other_interviewer, method="kish", members=ROSTER
        )


def post_rows(roster: list[dict]) -> dict:
    return {f"member_{field}": [row[field] for row in roster] for field in roster[0]}


def test_the_selection_is_recorded_on_a_door_visit(my_case, interviewer, client):
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:select_respondent", args=[my_case.pk]),
        {"method": "kish", **post_rows(ROSTER)},
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
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    assert selection.attempt == open_attempt and ContactAttempt.objects.count() == 1


def test_another_interviewer_gets_404(my_case, other_interviewer, client):
    client.login(username=other_interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:select_respondent", args=[my_case.pk]),
        {"method": "kish", **post_rows(ROSTER)},
    )
    assert response.status_code == 404
    assert not RespondentSelection.objects.exists()


def test_a_refused_roster_is_shown_again_with_its_rows_and_problems(
    my_case, interviewer, client, english
):
    client.login(username=interviewer.username, password=PASSWORD)
    roster = rows("王强, M, 52", "李娜, F, abc")
    response = client.post(
        reverse("fieldwork:select_respondent", args=[my_case.pk]),
        {"method": "kish", **post_rows(roster)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="roster-errors"' in page and "Row 2: the age must be a whole number" in page
    assert 'value="王强"' in page and 'value="abc"' in page
    assert not RespondentSelection.objects.exists()


def test_the_case_page_shows_the_roster_and_the_chosen_member(my_case, interviewer, client):
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    client.login(username=interviewer.username, password=PASSWORD)
    url = reverse("fieldwork:case_detail", args=[my_case.pk])
    page = client.get(f"{url}?mode=door").content.decode()
    section = page[page.index('id="respondent-selection"') :]
    assert section.count('<tr class="selected">') == 1
    chosen = section[section.index('<tr class="selected">') :]
    assert selection.selected_label in chosen[: chosen.index("</tr>")]
    # the form to list the household again starts from this roster, with the case's Kish
    # table beside it, as the interviewer would have it on paper
    response = client.get(f"{url}?mode=door")
    assert [row["name"] for row in response.context["roster_rows"]] == [r["name"] for r in ROSTER]
    grid = [cell["line"] for cell in response.context["kish_grid"]]
    assert tuple(grid) == KISH_TABLES[kish_table(serial=my_case.pk)]


def test_selections_typed_before_rosters_read_as_rosters(my_case, interviewer):
    # Given a selection stored from the typed listing, with no roster
    from importlib import import_module

    from django.apps import apps

    migration = import_module("fieldwork.migrations.0011_household_roster")
    listing = [
        {"name": "王强", "sex": "M", "age": 52, "birthday": "03-14"},
        {"name": "李娜", "sex": "F", "age": 45, "birthday": ""},
    ]
    old = RespondentSelection.objects.create(
        case=my_case,
        interviewer=interviewer,
        method="kish",
        adults=listing,
        selected_index=2,
        selected_label="李娜",
    )
    new = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    roster_before = list(new.roster)
    # When the migration runs
    migration.roster_from_listing(apps, None)
    # Then the old listing is its roster, everyone eligible; the new roster is untouched
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.roster == [{**adult, "eligible": True} for adult in listing]
    assert new.roster == roster_before
    assert old.selected == listing[1]


def test_weighting_counts_the_eligible_members_the_selection_chose_among(my_case, interviewer):
    # Given a household of two adults and two children, Kish choosing among the adults
    from sampling.household import kish_probability
    from scoring.cases import case_frame

    roster = rows("王强, M, 52", "小明, M, 12", "李娜, F, 45", "小红, F, 3")
    selection = respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=roster
    )
    # When scoring loads the case
    row = case_frame(my_case.wave).set_index("case_id").loc[my_case.pk]
    # Then the household has two adults, the chosen one on her Kish line among them
    assert row["adults"] == 2 and row["selection"] == "kish"
    expected_line = 1 if selection.selected_label == "王强" else 2  # men first, then women
    assert row["line"] == expected_line
    assert kish_probability(int(row["adults"]), int(row["line"])) == pytest.approx(0.5)
