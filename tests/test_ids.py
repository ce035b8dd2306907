"""No id in a URL or a query string makes a server error: ids beyond 64 bits are not found."""

import pytest
from django.urls import resolve, reverse

from qc.models import Review
from tests.factories import PASSWORD
from tests.test_access import MATRIX, TWILIO_WEBHOOKS, _url_params

HUGE = "9" * 30  # no database id is this large: SQLite cannot even compare with it
ID_PARAMS = {"wave_id", "case_id", "interview_id", "frame_id", "draw_id", "pk", "call_id",
             "job_id", "interviewer_id", "number", "purge_id", "token_id"}  # fmt: skip


def urls_with_ids() -> list[tuple[str, str]]:
    urls = []
    for name, params in sorted(_url_params().items()):
        if name.startswith("api-v1:"):
            continue  # the API answers 422 naming the field (tests/api/test_matrix.py)
        if not set(params) & ID_PARAMS:
            continue
        plain = {"table", "kind", "code", "name", "language"}  # words, not ids
        assert set(params) <= ID_PARAMS | plain, f"{name}: a new parameter {params}"
        kwargs = {param: HUGE if param in ID_PARAMS else "districts" for param in params}
        method = "post" if name in TWILIO_WEBHOOKS else MATRIX[name][0]
        urls.append((method, reverse(name, kwargs=kwargs)))
    return urls


def test_every_url_with_an_id_is_covered():
    assert len(urls_with_ids()) >= 50


@pytest.mark.parametrize(("method", "url"), urls_with_ids(), ids=lambda value: value)
def test_an_id_beyond_64_bits_is_not_found_for_a_logged_in_analyst(client, analyst, method, url):
    client.login(username=analyst.username, password=PASSWORD)
    response = client.post(url) if method == "post" else client.get(url)
    assert response.status_code == 404


def test_the_largest_id_still_reaches_the_view(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    url = reverse("qc:review_detail", kwargs={"interview_id": 2**63 - 1})
    assert resolve(url).kwargs == {"interview_id": 2**63 - 1}
    assert client.get(url).status_code == 404  # the view's own: no such review


def test_the_call_list_ignores_a_case_beyond_64_bits(client, supervisor):
    client.login(username=supervisor.username, password=PASSWORD)
    response = client.get(reverse("fieldwork:telephony:call_list"), {"case": HUGE})
    assert response.status_code == 200
    assert response.context["case_id"] is None


def test_a_poll_for_a_job_beyond_64_bits_reloads_the_page(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    response = client.get(reverse("scoring:results"), {"job": HUGE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_an_import_page_ignores_a_job_beyond_64_bits(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    for name in ("sampling:locality_upload", "sampling:frame_upload"):
        assert client.get(reverse(name), {"job": HUGE}).status_code == 200


def test_review_filters_with_ids_beyond_64_bits_show_an_empty_list(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    query = {"wave": HUGE, "interviewer": HUGE, "street": HUGE}
    response = client.get(reverse("qc:review_list"), query)
    assert response.status_code == 200


def test_bulk_approval_of_a_review_beyond_64_bits_approves_nothing(client, analyst):
    client.login(username=analyst.username, password=PASSWORD)
    response = client.post(reverse("qc:review_bulk_approve"), {"reviews": [HUGE, "1"]})
    assert response.status_code == 302
    assert not Review.objects.filter(state=Review.State.APPROVED).exists()


def test_drawing_back_checks_with_a_checker_beyond_64_bits_is_refused(client, analyst, wave):
    client.login(username=analyst.username, password=PASSWORD)
    response = client.post(reverse("qc:backchecks", args=[wave.pk]), {"checkers": [HUGE]})
    assert response.status_code == 200
    assert response.context["form"].errors["checkers"]
