"""Every page, as every role, in Chinese and in English: no raw codes, no untranslated text.

The crawl starts from every URL pattern the resolver knows (with the access matrix's arguments
from the demo, so pages that later changes add are crawled too) and follows each page's links
and htmx fetches within the site. tests/visible_text.py says what a person reads and which
tokens are codes.

In Chinese a page fails on snake_case words, the demo form's raw choice values, dotted codes
that are not numbers and English words outside a short list of names and abbreviations. The
data's own texts are not the page's: people's login names, file names as uploaded, the frame's
household ids, the questionnaire's labels. In English a page fails on Chinese characters that
are not part of a text the database holds (names of places and people, the questionnaire's
Chinese labels, the waves' names).
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from jobs.models import Job
from questionnaires.models import QuestionnaireVersion
from sampling.models import Frame, SampledUnit
from tests import test_access
from tests.test_access import MATRIX, _url
from tests.visible_text import (
    CHINESE,
    VisibleText,
    raw_tokens,
    read_page,
    untranslated,
    wrong_language,
)

pytestmark = pytest.mark.slow
# The access matrix's demo world and its arguments for every URL pattern.
world = pytest.fixture(test_access.demo_world.__wrapped__, name="world")

PASSWORD = "demo-pass-2026"
ROLES = ("interviewer01", "supervisor", "analyst", "client")
# At most this many addresses of one URL pattern per role (cases, reviews, query strings):
# the templates are what is checked, and one more case page shows nothing new.
PER_PATTERN = 3
# Files, not pages: downloads are left out (their texts are the exports' tests').
FILE_PATH = re.compile(r"\.(pdf|xlsx|xls|csv|zip|parquet|wav|mp3)$")
FILE_QUERY = re.compile(r"(^|&)format=(xlsx|csv|pdf)\b")
LABEL_KEYS = {
    "label", "labels", "hint", "hints", "title", "constraint_message", "guidance", "language_names",
}  # fmt: skip


def _choice_values() -> set[str]:
    """The demo form's choice values that are not numbers (a number is not a code)."""
    values = set()
    for version in QuestionnaireVersion.objects.all():
        for choices in version.definition.get("choice_lists", {}).values():
            for choice in choices:
                value = str(choice.get("value", ""))
                if not re.fullmatch(r"[\d.-]+", value):
                    values.add(value)
    return values


def _labels(value, into: set[str], inside: bool = False) -> None:
    """Every text under a label-like key of a questionnaire definition, in every language."""
    if isinstance(value, str):
        if inside:
            into.add(" ".join(value.split()))
    elif isinstance(value, dict):
        for key, item in value.items():
            _labels(item, into, inside or key in LABEL_KEYS)
    elif isinstance(value, list):
        for item in value:
            _labels(item, into, inside)


def _shown_on_purpose() -> set[str]:
    """Texts of the data a Chinese page shows as they are."""
    shown = set(User.objects.values_list("username", flat=True))
    shown |= set(QuestionnaireVersion.objects.values_list("source_name", flat=True))
    shown |= set(Frame.objects.values_list("source_name", flat=True))
    shown |= set(Frame.objects.values_list("name", flat=True))
    shown |= set(Job.objects.values_list("subject", flat=True))
    shown |= set(SampledUnit.objects.values_list("unit_id", flat=True))
    for definition in QuestionnaireVersion.objects.values_list("definition", flat=True):
        _labels(definition, shown)
    return {value for value in shown if value}


def _chinese_in(value, into: set[str]) -> None:
    if isinstance(value, str):
        if CHINESE.search(value):
            into.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _chinese_in(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _chinese_in(item, into)


def _data() -> str:
    """Every Chinese text the database holds, in any text or JSON column of any model, joined
    by NUL."""
    texts: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            _chinese_in(list(model.objects.values_list(*fields)), texts)
    return "\0".join(texts)


def _pattern_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(client, starts: list[str], *, language: str) -> dict[str, VisibleText]:
    """{address: what it shows} of every HTML page reachable from `starts` within
    the site, at most PER_PATTERN addresses of a URL pattern."""
    client.cookies["django_language"] = language
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque(starts)
    pages = {}
    while queue:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or url in seen:
            continue
        if FILE_PATH.search(parts.path) or FILE_QUERY.search(parts.query):
            continue
        seen.add(url)
        name = _pattern_of(parts.path)
        if name is None or name == "logout" or name.startswith("admin:"):
            continue
        per_pattern[name] = per_pattern.get(name, 0) + 1
        if per_pattern[name] > PER_PATTERN:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = read_page(response.content.decode(), language=language)
        pages[url] = page
        queue.extend(page.links)
    return pages | _error_pages(client, language=language)


def _error_pages(client, *, language: str) -> dict[str, VisibleText]:
    pages = {}
    for label, url, status in (
        ("404 page", "/this-page-does-not-exist/", 404),
        ("403 page", reverse("jobs:job_list"), 403),  # the analyst's: refused to the others
    ):
        response = client.get(url)
        if response.status_code == status:
            pages[label] = read_page(response.content.decode(), language=language)
    return pages


def _start_addresses(world: dict, username: str) -> list[str]:
    """Home, then every page of the access matrix this role may open."""
    return [reverse("home")] + [
        _url(name, world)
        for name, (method, roles) in MATRIX.items()
        if method == "get" and username in roles
    ]


def _report(problems: dict[tuple[str, str], list[str]]) -> str:
    count = sum(len(set(tokens)) for tokens in problems.values())
    lines = [f"{count} tokens (distinct per page and role):"]
    for (role, url), tokens in sorted(problems.items()):
        lines.append(f"  {role} {url}: {', '.join(sorted(set(tokens)))}")
    return "\n".join(lines)


def test_no_page_shows_a_raw_code_in_chinese(client, world):
    choice_values = _choice_values()
    shown_on_purpose = _shown_on_purpose()
    problems: dict[tuple[str, str], list[str]] = {}
    crawled = set()
    for username in ROLES:
        client.login(username=username, password=PASSWORD)
        pages = crawl(client, _start_addresses(world, username), language="zh-hans")
        crawled |= {(username, url) for url in pages}
        for url, page in pages.items():
            tokens = wrong_language(page) + raw_tokens(
                page.pieces, choice_values=choice_values, shown_on_purpose=shown_on_purpose
            )
            if tokens:
                problems[(username, url)] = tokens
        client.logout()
    # the crawl reached every role's pages and the error pages, not only a login page
    assert {"404 page", "403 page"} <= {url for role, url in crawled if role == "client"}
    assert len(crawled) > 100
    assert not problems, _report(problems)


def test_no_english_page_shows_untranslated_chinese(client, world):
    data = _data()
    problems: dict[tuple[str, str], list[str]] = {}
    for username in ("supervisor", "interviewer01"):
        client.login(username=username, password=PASSWORD)
        pages = crawl(client, _start_addresses(world, username), language="en")
        for url, page in pages.items():
            if found := wrong_language(page) + untranslated(page.pieces, data=data):
                problems[(username, url)] = found
        client.logout()
    assert not problems, _report(problems)
