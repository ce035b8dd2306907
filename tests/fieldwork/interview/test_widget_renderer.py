"""Form widgets render through Django's Jinja2 renderer (settings.FORM_RENDERER), which is
faster than the template language on a page of many choices; the page an interviewer sees must
be the same either way: every kind of question, its errors, a grid, a list box and the
stop-interview form."""

import re

import pytest
from django.urls import reverse

from questionnaires.services import import_questionnaire_version
from tests.factories import make_wave, start_first_interview
from tests.questionnaires.workbooks import make_xlsx

HEADER = ["type", "name", "label", "hint", "parameters", "required", "appearance"]
SURVEY = [
    {"type": "begin group", "name": "p1", "label": "各种题型"},
    {"type": "note", "name": "intro", "label": "请如实回答"},
    {"type": "select_one yn", "name": "safe", "label": "安全吗", "hint": "单选",
     "required": "yes"},
    {"type": "select_multiple worry", "name": "worries", "label": "担心什么"},
    {"type": "select_one town", "name": "town", "label": "哪个镇"},
    {"type": "integer", "name": "age", "label": "年龄", "required": "yes"},
    {"type": "decimal", "name": "km", "label": "距离"},
    {"type": "text", "name": "remark", "label": "意见"},
    {"type": "text", "name": "story", "label": "经过", "appearance": "multiline"},
    {"type": "date", "name": "day", "label": "哪天"},
    {"type": "time", "name": "t", "label": "几点"},
    {"type": "datetime", "name": "dt", "label": "何时"},
    {"type": "range", "name": "score", "label": "打分", "parameters": "start=0 end=10 step=2"},
    {"type": "acknowledge", "name": "ack", "label": "已告知", "required": "yes"},
    {"type": "select_one yn or_other", "name": "pick", "label": "选"},
    {"type": "geopoint", "name": "where", "label": "位置"},
    {"type": "end group"},
    {"type": "begin group", "name": "p2", "label": "满意度", "appearance": "table-list"},
    {"type": "select_one sat", "name": "police", "label": "派出所"},
    {"type": "select_one sat", "name": "patrol", "label": "巡逻"},
    {"type": "end group"},
]  # fmt: skip
CHOICES = (
    [{"list_name": "yn", "name": v, "label": label} for v, label in (("yes", "是"), ("no", "否"))]
    + [{"list_name": "worry", "name": f"w{i}", "label": f"担心{i}"} for i in range(4)]
    + [{"list_name": "town", "name": f"t{i}", "label": f"镇{i}"} for i in range(15)]
    + [{"list_name": "sat", "name": str(i), "label": f"等级{i}"} for i in range(1, 6)]
)


@pytest.fixture
def interview(db, draw, interviewer):
    workbook = make_xlsx(survey=SURVEY, choices=CHOICES, survey_header=HEADER,
                         choices_header=["list_name", "name", "label"],
                         settings={"form_title": "题型", "form_id": "kinds"})  # fmt: skip
    version = import_questionnaire_version(data=workbook, source_name="kinds.xlsx")
    wave = make_wave(draw=draw, version=version)
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def _page(response) -> str:
    """The page's HTML without what differs between two renders: the masked CSRF token."""
    html = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", html)


def _both(browser, settings, request) -> tuple[str, str]:
    """The same request rendered by the configured renderer, then by the template language."""
    configured = _page(request())
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    return configured, _page(request())


def _spaced(html: str) -> str:
    """Whitespace between tags is not rendered; Jinja2 drops a few blank lines and writes an
    apostrophe as &#39; where Django writes &#x27;."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).replace("&#x27;", "&#39;")


def test_the_configured_renderer_is_jinja2(settings):
    assert settings.FORM_RENDERER == "django.forms.renderers.Jinja2"


def test_every_kind_of_question_renders_the_same_with_either_renderer(browser, settings, interview):
    url = reverse("fieldwork:interview", args=[interview.pk])
    configured, templates = _both(browser, settings, lambda: browser.get(url))
    for marker in (
        'type="radio"',
        'type="checkbox"',
        "<select",
        "<textarea",
        'type="number"',
        'type="date"',
        'type="time"',
        'type="datetime-local"',
        'id="stop-interview"',
    ):
        assert marker in configured, marker
    assert _spaced(configured) == _spaced(templates)


def test_a_refused_page_and_its_errors_render_the_same_with_either_renderer(
    browser, settings, interview
):
    url = reverse("fieldwork:interview", args=[interview.pk])
    prefix = browser.get(url).context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": "p1", "p1-age": "many", "p1-score": "5", "p1-pick": "other"}
    configured, templates = _both(browser, settings, lambda: browser.post(url, data))
    assert 'class="errorlist' in configured and "pick_other" in configured
    assert _spaced(configured) == _spaced(templates)


def test_a_grid_page_renders_the_same_with_either_renderer(browser, settings, interview):
    url = reverse("fieldwork:interview", args=[interview.pk])
    prefix = browser.get(url).context["wizard"]["management_form"].prefix
    data = {f"{prefix}-current_step": "p1", "p1-safe": "yes", "p1-age": "40", "p1-ack": "on"}
    assert 'data-list="sat"' in browser.post(url, data).content.decode()  # the next page
    configured, templates = _both(browser, settings, lambda: browser.get(url))
    assert 'data-list="sat"' in configured
    assert _spaced(configured) == _spaced(templates)
