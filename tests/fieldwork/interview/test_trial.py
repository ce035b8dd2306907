"""Test mode: a designer runs a questionnaire version's pages, and nothing is written."""

import pytest
from django.apps import apps
from django.urls import reverse

from tests.factories import PASSWORD
from tests.fieldwork.interview.test_wizard_rich import RICH, make_version


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def designer(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    return client


@pytest.fixture
def version(db):
    return make_version(RICH)


def page_url(version) -> str:
    return reverse("fieldwork:trial_page", args=[version.pk])


def submit(client, version, step: str, fields: dict, **extra):
    data = {f"{step}-{name}": value for name, value in fields.items()}
    return client.post(page_url(version), {**data, **extra})


def current(client, version):
    response = client.get(page_url(version))
    assert response.status_code == 200
    return response.context["state"], response.context["form"], response


def test_a_whole_test_run_writes_nothing_to_the_database(designer, version):
    # Given a designer starting a test run of a version
    response = designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    assert response.url == page_url(version)
    before = row_counts()
    # When they answer every page, rosters and grid included
    pages = [
        ("intro", {"consent": "yes"}),
        ("person", {"age": "70", "household_size": "1", "has_car": "no"}),
        ("place", {"region": "south"}),
        ("town_page", {"town": "s1"}),
        ("household", {"roster_rows": "1", "member_age__0": "70"}),
        ("friends", {"roster_rows": "0"}),
        ("ratings", {"sat_a": "5", "sat_b": "3", "sat_c": "1"}),
    ]
    for step, fields in pages:
        state, form, _ = current(designer, version)
        assert state["step"] == step
        assert submit(designer, version, step, fields).status_code == 302
    # Then the run ends with its answers and outcome shown, and no row was added or removed
    state, _, response = current(designer, version)
    assert state["done"]
    assert response.context["outcome"] == "1.1"
    assert dict(response.context["answers"])["age_group"] == "old"
    assert dict(response.context["answers"])["household"] == [{"member_age": 70}]
    assert row_counts() == before


def test_test_mode_enforces_the_same_rules_as_the_interview(designer, version):
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    submit(designer, version, "intro", {"consent": "yes"})
    response = submit(designer, version, "person", {"age": "12"})
    assert response.status_code == 200
    assert response.context["form"].errors["age"] == ["年龄须在16到99之间"]
    assert response.context["state"]["step"] == "person"


def test_back_returns_to_the_previous_page_with_its_answers(designer, version):
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    submit(designer, version, "intro", {"consent": "yes"})
    submit(designer, version, "person", {"age": "30"}, trial_back="1")
    state, form, _ = current(designer, version)
    assert state["step"] == "intro"
    assert form.initial["consent"] == "yes"


def test_declining_consent_ends_the_run_as_a_refusal(designer, version):
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    submit(designer, version, "intro", {"consent": "no"})
    state, _, response = current(designer, version)
    assert state["done"] and response.context["outcome"] == "2.112"


def test_starting_again_forgets_the_previous_run(designer, version):
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    submit(designer, version, "intro", {"consent": "yes"})
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    state, _, _ = current(designer, version)
    assert state == {"answers": {}, "history": [], "step": "intro", "done": False}


def test_the_questionnaire_language_can_be_switched_in_test_mode(designer, version):
    designer.get(reverse("fieldwork:trial_start", args=[version.pk]))
    response = submit(
        designer, version, "intro", {}, switch_language="1", questionnaire_language="en"
    )
    assert "consent (en)" in response.content.decode()
    assert "consent (en)" in current(designer, version)[2].content.decode()


def test_interviewers_cannot_use_test_mode(client, interviewer, version):
    client.login(username=interviewer.username, password=PASSWORD)
    assert client.get(reverse("fieldwork:trial_start", args=[version.pk])).status_code == 403


def test_the_standard_questionnaire_runs_in_test_mode(designer, standard_version, tree):
    designer.get(reverse("fieldwork:trial_start", args=[standard_version.pk]))
    state, form, response = current(designer, standard_version)
    assert state["step"] == "opening"
    assert "consent" in form.fields
    submit(designer, standard_version, "opening", {"consent": "yes"})
    submit(designer, standard_version, "screening", {"age": "40", "resident_6m": "yes"})
    state, form, _ = current(designer, standard_version)
    assert state["step"] == "locality"
    assert ("D1", "城东区") in form.fields["district"].choices


def test_the_locality_lists_cascade_in_test_mode(designer, standard_version, tree):
    """Choosing a district in a test run asks for its streets, as in an interview."""
    designer.get(reverse("fieldwork:trial_start", args=[standard_version.pk]))
    submit(designer, standard_version, "opening", {"consent": "yes"})
    submit(designer, standard_version, "screening", {"age": "40", "resident_6m": "yes"})
    _state, form, _response = current(designer, standard_version)
    attrs = form.fields["district"].widget.attrs
    assert attrs["hx-get"].startswith(reverse("fieldwork:locality_options"))
    param = form.add_prefix("district")
    body = designer.get(f"{attrs['hx-get']}&{param}=D2").content.decode()  # as htmx sends it
    assert "青山镇" in body and "东湖街道" not in body
