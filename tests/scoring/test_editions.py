"""Frozen, signed editions: freeze, sign-off by a second person, clients read signed
editions only, a later approval makes a new draft (never a silent change), comparison."""

import hashlib
import json

import pytest
from django.urls import reverse

from scoring.edition_diff import compare_reports
from scoring.editions import EditionError, freeze_edition, input_hash, sign_off
from scoring.models import Edition
from tests.scoring.factories import answers
from tests.scoring.test_views import login, scored_wave  # noqa: F401  (fixture)


def test_freezing_keeps_the_results_weights_files_and_a_hash_of_the_inputs(
    scored_wave,  # noqa: F811
    analyst,
    english,
):
    # when
    edition = freeze_edition(wave=scored_wave, user=analyst)
    # then
    assert (edition.number, edition.state, edition.frozen_by) == (1, "draft", analyst)
    assert bytes(edition.pdf).startswith(b"%PDF") and bytes(edition.xlsx).startswith(b"PK")
    assert len(edition.weights) == 2 and sorted(edition.weights.values()) == [1.0, 3.0]
    assert len(edition.input_hash) == 64 and edition.input_hash == input_hash(wave=scored_wave)[0]
    stored = Edition.objects.get(pk=edition.pk).report
    assert {d["name"]: d["satisfaction_score"] for d in stored["districts"]} == {
        "城东区": 90.0,
        "西山县": 40.0,
    }
    # the same inputs again: nothing to freeze
    with pytest.raises(EditionError, match="Nothing changed since edition 1"):
        freeze_edition(wave=scored_wave, user=analyst)


def test_the_hash_changes_with_an_approved_interview(
    scored_wave,  # noqa: F811
    places,
    make_interview,
):
    # given
    before, _ = input_hash(wave=scored_wave)
    # when
    make_interview(scored_wave, places["east_a"], answers(safety="2", order="2"))
    # then
    after, weights = input_hash(wave=scored_wave)
    assert before != after and len(weights) == 3
    assert before != hashlib.sha256(b"").hexdigest()


def test_a_second_person_signs_off(
    scored_wave,  # noqa: F811
    analyst,
    supervisor,
    client_user,
    english,
):
    # given
    edition = freeze_edition(wave=scored_wave, user=analyst)
    # then: not the one who froze it, not a client
    with pytest.raises(EditionError, match="second person"):
        sign_off(edition=edition, user=analyst)
    with pytest.raises(EditionError, match="analyst or a supervisor"):
        sign_off(edition=edition, user=client_user)
    # when
    signed = sign_off(edition=edition, user=supervisor)
    # then
    assert (signed.state, signed.signed_by) == ("signed", supervisor) and signed.signed_at
    with pytest.raises(EditionError, match="already signed off"):
        sign_off(edition=signed, user=supervisor)


def test_only_an_analyst_freezes(scored_wave, supervisor, english):  # noqa: F811
    with pytest.raises(EditionError, match="Only an analyst"):
        freeze_edition(wave=scored_wave, user=supervisor)


def test_clients_read_signed_editions_only_and_a_later_approval_makes_a_new_draft(
    client,
    scored_wave,  # noqa: F811
    analyst,
    supervisor,
    client_user,
    places,
    make_interview,
):
    # given: nothing signed yet
    login(client, client_user)
    page = client.get(reverse("scoring:results"))
    assert 'id="no-edition"' in page.content.decode()
    assert client.get(reverse("scoring:report_pdf", args=[scored_wave.pk])).status_code == 404
    # when: frozen and signed off
    first = sign_off(edition=freeze_edition(wave=scored_wave, user=analyst), user=supervisor)
    page = client.get(reverse("scoring:results"))
    # then
    assert page.context["report"]["headline"]["n_interviews"] == 2
    pdf = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    assert pdf.content == bytes(first.pdf)
    # when: one more interview is approved
    make_interview(scored_wave, places["east_a"], answers(safety="1", order="1"))
    # then: the client still reads edition 1 (no silent change)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 2
    # and the analyst is told, freezes a new draft and compares
    login(client, analyst)
    url = reverse("scoring:editions", args=[scored_wave.pk])
    assert 'id="inputs-changed"' in client.get(url).content.decode()
    client.post(url, {"action": "freeze"})
    page = client.get(url)
    comparison = page.context["comparison"]
    assert (comparison["a"].number, comparison["b"].number) == (1, 2)
    assert comparison["b"].state == "draft"
    east = next(row for row in comparison["districts"] if row["name"] == "城东区")
    assert (east["old"]["satisfaction_score"], east["new"]["satisfaction_score"]) == (90.0, 45.0)
    assert ("n_interviews", 2, 3) in comparison["headline"]
    # the client still reads edition 1 until edition 2 is signed off
    login(client, client_user)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 2
    login(client, supervisor)
    client.post(url, {"action": "sign", "edition": 2})
    login(client, client_user)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 3


def test_compare_reports_lists_every_place_and_marks_what_changed():
    # given
    old = {
        "headline": {"satisfaction_score": 80.0, "safety_score": 85.0, "n_interviews": 10},
        "districts": [
            {"code": "A", "name": "甲", "satisfaction_score": 80.0, "rank": 1, "n": 5},
            {"code": "B", "name": "乙", "satisfaction_score": 70.0, "rank": 2, "n": 5},
        ],
        "streets": [],
    }
    new = {
        "headline": {"satisfaction_score": 79.0, "safety_score": 85.0, "n_interviews": 11},
        "districts": [
            {"code": "A", "name": "甲", "satisfaction_score": 80.0, "rank": 1, "n": 5},
            {"code": "C", "name": "丙", "satisfaction_score": 60.0, "rank": 2, "n": 6},
        ],
        "streets": [],
    }
    # when
    diff = compare_reports(old, new)
    # then: A unchanged, C new, B gone
    rows = {row["name"]: row for row in diff["districts"]}
    assert not rows["甲"]["changed"]
    assert rows["丙"]["changed"] and rows["丙"]["old"] is None
    assert rows["乙"]["changed"] and rows["乙"]["new"] is None
    assert diff["headline"][0] == ("satisfaction_score", 80.0, 79.0)


def test_a_report_with_missing_figures_is_stored_as_valid_json(
    scored_wave,  # noqa: F811
    analyst,
):
    """西岭镇's police score is missing (don't know): NaN in the figures is stored as null."""
    # when
    edition = freeze_edition(wave=scored_wave, user=analyst)
    # then
    stored = Edition.objects.get(pk=edition.pk).report
    assert "NaN" not in json.dumps(stored)
