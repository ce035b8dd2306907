"""The error pages (400, 403, 403 for a refused form, 404, 500): in the reader's language, in
the site's look, with a way back to the home page."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path, reverse

from accounts.models import Role
from config.urls import urlpatterns as site_urls
from tests.factories import make_user


def _fails(request):
    raise RuntimeError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("a forged request")


# The site's URLs and two that fail: the error pages are the site's own (config.urls).
urlpatterns = [path("fails/", _fails), path("suspicious/", _suspicious), *site_urls]

TEXTS = {
    404: ("页面不存在", "Page not found"),
    403: ("无权访问", "Not allowed"),
    500: ("出错了", "Something went wrong"),
    400: ("无法识别的请求", "Request not understood"),
}


def _assert_error_page(response, status: int, heading: str, language: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in body
    assert f"<h1>{heading}</h1>" in body
    assert 'href="/"' in body  # the way back
    assert "/static/css/app.css" in body  # the site's look


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("status", [404, 403, 500, 400])
@pytest.mark.parametrize(("language", "index"), [("zh-hans", 0), ("en", 1)])
def test_error_pages_speak_the_readers_language(db, status, language, index):
    client = Client(raise_request_exception=False)
    client.force_login(make_user("interviewer", Role.INTERVIEWER))
    client.cookies["django_language"] = language
    urls = {404: "/no-such-page/", 403: reverse("jobs:job_list"), 500: "/fails/"}
    response = client.get(urls.get(status, "/suspicious/"))
    _assert_error_page(response, status, TEXTS[status][index], language)


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "表单已失效"), ("en", "The form has expired")]
)
def test_a_form_sent_without_its_token_is_refused_in_words(db, language, heading):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    _assert_error_page(response, 403, heading, language)
    assert ("未保存任何内容" if language == "zh-hans" else "Nothing was saved") in response.text
