"""Drives the interview wizard through Django's test client, page by page."""

from django.urls import reverse

DEFAULTS = {"consent": "yes", "age": "45", "resident_6m": "yes", "victim_past_year": "no"}


def page_of(response) -> tuple[str, object]:
    wizard = response.context["wizard"]
    return wizard["steps"].current, wizard["form"]


def page_data(response, answers: dict | None = None) -> dict:
    """POST data answering every question on the current page.

    Uses `answers` where given, else the question's initial value, else its first choice.
    """
    answers = {**DEFAULTS, **(answers or {})}
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": step}
    for field, question in form.rows():
        name = question["name"]
        if name in answers:
            value = answers[name]
        elif form.initial.get(name) is not None:
            value = form.initial[name]
        elif hasattr(field.field, "choices"):
            value = next(v for v, _ in field.field.choices if v)
        elif question["type"] == "integer":
            value = "3"
        else:
            value = "希望多巡逻"
        if question["type"] == "select_multiple" and not isinstance(value, list):
            value = [value]
        data[form.add_prefix(name)] = value
    return data


def submit_page(client, interview, response, answers: dict | None = None):
    url = reverse("fieldwork:interview", args=[interview.pk])
    return client.post(url, page_data(response, answers))


def run_to_end(client, interview, answers: dict | None = None, max_pages: int = 30):
    url = reverse("fieldwork:interview", args=[interview.pk])
    response = client.get(url)
    for _ in range(max_pages):
        if response.status_code == 302:
            return response
        assert response.status_code == 200
        form = response.context["wizard"]["form"]
        assert not form.errors, form.errors
        response = client.post(url, page_data(response, answers))
    raise AssertionError("the wizard did not finish")
