import pytest
from django.urls import reverse
from django.utils import translation

from fieldwork.models import Wave
from qc.models import Review
from tests.conftest import PASSWORD
from tests.scoring.factories import answers
from tests.scoring.test_pdf import pdf_text


@pytest.fixture
def scored_wave(wave, places, make_interview):
    """Two approved interviews in 东华街道 and 西岭镇, a rejected one in 东兴街道."""
    make_interview(wave, places["east_a"], answers(safety="5", order="4", police1="5"))
    make_interview(wave, places["west_a"], answers(safety="3", order="2", police1="9"), weight=3)
    make_interview(
        wave, places["east_b"], answers(safety="1", order="1"), state=Review.State.REJECTED
    )
    return wave


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["analyst", "supervisor", "client_user"])
def test_results_readers_see_the_results_page(role, request, client, scored_wave):
    # given
    login(client, request.getfixturevalue(role))
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "东华街道" in page and "西岭镇" in page
    assert "东兴街道" not in page  # only its rejected interview was there
    assert 'class="unreliable"' in page  # two respondents are far below 30
    assert reverse("scoring:report_pdf", args=[scored_wave.pk]) in page


def test_interviewer_is_refused_the_results(client, interviewer, scored_wave):
    # given
    login(client, interviewer)
    # when / then
    assert client.get(reverse("scoring:results")).status_code == 403
    pdf_url = reverse("scoring:report_pdf", args=[scored_wave.pk])
    assert client.get(pdf_url).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, scored_wave):
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_results_page_shows_no_interview_level_data(client, client_user, scored_wave):
    # given the respondents' phones are 138…, the interviewer is "field"
    login(client, client_user)
    # when
    page = client.get(reverse("scoring:results")).content.decode()
    # then
    assert "138000" not in page
    assert "field" not in page


def test_results_show_the_weighted_scores(client, analyst, scored_wave):
    # given satisfaction: 东华 (w 1) order 80, police 100 → 90; 西岭 (w 3) order 40,
    # police don't know → 40; so (90 + 3·40) / 4 = 52.5; rate (1·1 + 3·0) / 4 = 25 %
    login(client, analyst)
    # when
    report = client.get(reverse("scoring:results")).context["report"]
    # then
    assert report["headline"]["satisfaction_score"] == 52.5
    assert report["headline"]["satisfaction_rate"] == 25.0
    assert report["headline"]["safety_score"] == (100 + 3 * 60) / 4
    assert report["n_interviews"] == 2


def test_default_wave_is_the_newest_with_approved_interviews(client, analyst, scored_wave, version):
    # given a newer wave with only a flagged interview
    Wave.objects.create(name="2024年第三季度", client="x", questionnaire_version=version)
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.context["wave"].pk == scored_wave.pk


def test_a_wave_without_results_is_not_found(client, analyst, scored_wave, version):
    # given
    empty = Wave.objects.create(name="空", client="x", questionnaire_version=version)
    login(client, analyst)
    # when / then
    assert client.get(reverse("scoring:results"), {"wave": empty.pk}).status_code == 404
    assert client.get(reverse("scoring:results"), {"wave": "abc"}).status_code == 404


def test_no_approved_interviews_shows_an_empty_state(client, analyst, db):
    # given
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200 and response.context["report"] is None


def test_unscorable_answer_is_reported_on_the_page(client, analyst, wave, places, make_interview):
    # given
    interview = make_interview(wave, places["east_a"], answers(order="7"))
    login(client, analyst)
    # when
    response = client.get(reverse("scoring:results"))
    # then
    assert response.status_code == 200
    assert f"#{interview.pk}" in response.content.decode()
    pdf = client.get(reverse("scoring:report_pdf", args=[wave.pk]))
    assert pdf.status_code == 302


def test_results_page_query_count(client, analyst, scored_wave, django_assert_num_queries):
    # given
    login(client, analyst)
    client.get(reverse("scoring:results"))  # warm caches (content types, sessions)
    # when / then: session, user, waves, definition, interviews, localities
    with django_assert_num_queries(6):
        response = client.get(reverse("scoring:results"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["analyst", "supervisor", "client_user"])
def test_report_pdf_is_an_attachment(role, request, client, scored_wave):
    # given
    login(client, request.getfixturevalue(role))
    # when
    response = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="results-wave-{scored_wave.pk}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_report_pdf_lists_the_streets_in_chinese(client, analyst, scored_wave, tmp_path):
    # given
    login(client, analyst)
    # when
    with translation.override("zh-hans"):
        response = client.get(reverse("scoring:report_pdf", args=[scored_wave.pk]))
    # then
    text = pdf_text(response.content, tmp_path)
    assert "东华街道" in text and "西岭镇" in text and "2024年第二季度" in text


def test_report_pdf_of_a_missing_wave_is_not_found(client, analyst, db):
    login(client, analyst)
    assert client.get(reverse("scoring:report_pdf", args=[999])).status_code == 404


def test_a_client_reads_only_the_waves_it_commissioned(client, django_user_model, scored_wave):
    # given a client of another commissioning body
    other = django_user_model.objects.create_user(
        username="other-client", password=PASSWORD, role="client", organisation="别的市委政法委"
    )
    login(client, other)
    # when / then: no wave to pick and no report to download
    response = client.get(reverse("scoring:results"))
    assert response.status_code == 200
    assert response.context["waves"] == []
    assert "东华街道" not in response.content.decode()
    pdf_url = reverse("scoring:report_pdf", args=[scored_wave.pk])
    assert client.get(pdf_url).status_code == 404
