"""The preview and the changes page follow the form's tree: groups and rosters at any depth,
rosters nested in roster rows and their questions, compared by path."""

import copy
from io import BytesIO
from pathlib import Path

from django.urls import reverse
from openpyxl import Workbook

from questionnaires.services import import_questionnaire_version
from tests.questionnaires.forms import build_nested_household as form
from tests.questionnaires.test_views import login

FORM = Path(form.__file__).with_name("nested_household.xlsx")


def workbook(survey: list[list]) -> bytes:
    book = Workbook()
    for index, (title, rows) in enumerate(
        (("survey", survey), ("choices", form.CHOICES), ("settings", form.SETTINGS))
    ):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_preview_shows_the_tree_and_the_rosters_nested_in_roster_rows(client, analyst):
    version = import_questionnaire_version(data=FORM.read_bytes(), source_name=FORM.name)
    login(client, analyst)
    response = client.get(reverse("questionnaires:version_detail", args=[version.pk]))
    page = response.content.decode()
    detail = response.context["version"]
    # the outline: members › children › vaccines, each with its questions, linked to its page
    [intro, members, rating] = detail["tree"]
    children = next(n for n in members["children"] if n["name"] == "children")
    vaccines = next(n for n in children["children"] if n["name"] == "vaccines")
    assert (members["kind"], children["kind"], vaccines["kind"]) == ("repeat",) * 3
    assert [q["path"] for q in vaccines["children"]] == ["/members/children/vaccines/vaccine"]
    assert vaccines["children"][0]["page"] == "members"
    assert '<code class="muted">/members/children/vaccines</code>' in page
    # the members page lists the nested rosters and their questions, one level deeper each
    [members_page] = [g for g in detail["groups"] if g["name"] == "members"]
    rows = [(q["name"], q["type"], q["depth"]) for q in members_page["questions"]]
    assert rows[-6:] == [("children", "repeat", 0), ("child_name", "text", 1),
                         ("child_age", "integer", 1), ("in_school", "select_one", 1),
                         ("vaccines", "repeat", 1), ("vaccine", "text", 2)]  # fmt: skip
    assert 'data-roster="vaccines"' in page and 'class="depth-2"' in page
    assert detail["question_count"] == 13  # consent, size; 10 in the rosters; the rating


def test_the_changes_page_follows_the_tree_by_path(client, analyst):
    import_questionnaire_version(data=FORM.read_bytes(), source_name=FORM.name)
    survey = copy.deepcopy(form.SURVEY)
    begin = next(row for row in survey if row[:2] == ["begin repeat", "children"])
    begin[1] = "kids"  # the nested roster renamed: its questions move with it
    child_age = next(row for row in survey if row[1:2] == ["child_age"])
    child_age[6] = ". >= 0 and . < 16"  # and one of its questions' logic changed
    changed = import_questionnaire_version(data=workbook(survey), source_name=FORM.name)
    login(client, analyst)
    response = client.get(reverse("questionnaires:version_changes", args=[changed.pk]))
    diff = response.context["changes"]["diff"]
    assert [g["name"] for g in diff["groups_added"]] == ["/members/kids", "/members/kids/vaccines"]
    assert [g["name"] for g in diff["groups_removed"]] == [
        "/members/children", "/members/children/vaccines"
    ]  # fmt: skip
    assert diff["groups_added"][0]["label"] == "子女"
    moved = {c["name"]: c for c in diff["questions_changed"]}
    assert set(moved) == {"/members/kids/child_name", "/members/kids/child_age",
                          "/members/kids/in_school", "/members/kids/vaccines/vaccine"}  # fmt: skip
    assert moved["/members/kids/child_age"]["fields"] == ["constraint"]
    assert moved["/members/kids/child_age"]["moved"] == {
        "from": "members › /members/children", "to": "members › /members/kids"
    }  # fmt: skip
    assert not diff["questions_added"] and not diff["questions_removed"]
    assert 'id="group-changes"' in response.content.decode()
