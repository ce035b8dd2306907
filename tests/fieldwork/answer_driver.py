"""Drives any questionnaire through the interview wizard by HTTP, as an interviewer would,
with valid answers made up per type: the answer generator.

Each field the page shows gets the first of its type's candidate answers; where the server
refuses one (a constraint, a conditional required, a question that a page's own answers bring
on), the next candidate is tried for the fields it names, and fields that appeared are filled.
The server decides what is valid: the driver only reads the page it is given, never the
definition. What each accepted page posted is kept, to compare with what was stored.
"""

import base64
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.urls import reverse
from PIL import Image

from fieldwork.interview import rosters
from fieldwork.interview.fields import OkField, RangeField
from fieldwork.interview.media import GeopointField, MediaField

TEXTS = ["测试答案", "Test answer", "1", "0123456789", "012345678", "01234567890", "a1", "xyz"]
INTEGERS = ["1", "2", "0", "3", "5", "10", "18", "25", "30", "45", "60", "99", "100", "2000", "-1"]
DECIMALS = [*INTEGERS[:12], "1.5", "0.5"]
TIMES = ["09:30", "14:00", "00:00", "23:59"]


POINT = "30.5 114.25 0 5"  # latitude longitude altitude accuracy, as ODK stores a point


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _recording() -> bytes:
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\0\0" * 800)
    return buffer.getvalue()


CAPTURES = {"image": ("image/png", _photo()), "audio": ("audio/wav", _recording())}


def _data_url(kind: str) -> str:
    content_type, content = CAPTURES[kind]
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _dates(today: date) -> list[str]:
    days = [today - timedelta(days=30), date(2000, 1, 1), date(1990, 6, 15), today,
            today - timedelta(days=1), date(2020, 1, 1), today + timedelta(days=1),
            date(1960, 1, 1)]  # fmt: skip
    return [day.isoformat() for day in days]


def candidates(form_field: forms.Field, today: date) -> list:
    """The answers tried for a field, in order: what its type takes."""
    if isinstance(form_field, GeopointField):
        return [POINT]  # the whole point under the question's name, as a saved page gives it
    if isinstance(form_field, MediaField):
        return [_data_url(form_field.kind)]  # what the browser sends for a photo or recording
    if isinstance(form_field, OkField):
        return ["on"]
    if isinstance(form_field, RangeField):
        step = abs(form_field.step) or Decimal(1)
        low = min(form_field.start, form_field.end)
        values = [low + step * n for n in range(6)]
        return [str(v) for v in values if v <= max(form_field.start, form_field.end)]
    if isinstance(form_field, forms.MultipleChoiceField):
        values = [str(value) for value, _ in form_field.choices if value != ""]
        return [[v] for v in values] + ([values[:2]] if len(values) > 1 else [])
    if isinstance(form_field, forms.ChoiceField):
        return [str(value) for value, _ in form_field.choices if value != ""]
    if isinstance(form_field, forms.IntegerField):
        return INTEGERS
    if isinstance(form_field, forms.DecimalField):
        return DECIMALS
    if isinstance(form_field, forms.DateTimeField):
        return [f"{day}T10:00" for day in _dates(today)]
    if isinstance(form_field, forms.DateField):
        return _dates(today)
    if isinstance(form_field, forms.TimeField):
        return TIMES
    return TEXTS


@dataclass
class Run:
    """One interview driven to its end: the fields each accepted page posted, by step."""

    pages: dict[str, dict] = field(default_factory=dict)  # step → {field: (field, value)}
    attempts: int = 0
    finished: bool = False


def page_of(response):
    wizard = response.context["wizard"]
    return wizard["steps"].current, wizard["form"]


def _question_name(field_name: str) -> str:
    """A field's question name: a roster cell's `<nested>.<name>__<rows>` → name."""
    return field_name.rpartition(rosters.ROW_SEPARATOR)[0].rpartition(".")[2] or field_name


def _post_data(response, tried: dict, today: date, hints: dict, rows: dict) -> tuple[dict, dict]:
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    data: dict = {f"{prefix}-current_step": step}
    if form.roster:
        for roster in rosters.each_roster(form.tree):
            count = roster.count if roster.fixed else rows.get(roster.repeat["name"], roster.count)
            data[form.add_prefix(roster.rows_name)] = str(count)
    posted = {}
    for name, form_field in form.fields.items():
        options = candidates(form_field, today)
        if not form_field.required:
            options = [*options, ""]  # a constraint may want it left empty ("leave one empty")
        hint = hints.get(_question_name(name))
        if hint is not None:
            options = [hint, *(option for option in options if option != hint)]
        if not options:
            continue  # nothing to choose (a list filtered empty): the server says if it matters
        value = options[tried.get((step, name), 0) % len(options)]
        data[form.add_prefix(name)] = value
        posted[name] = (form_field, value)
    return data, posted


def drive(client, interview, *, today: date, language: str | None = None,
          answers: dict | None = None, rows: dict | None = None,
          max_posts: int = 400) -> Run:  # fmt: skip
    """Answer every page of `interview` until the wizard ends it; the run's record.

    `answers` ({question name: value}) are tried first where the page asks that question;
    `rows` ({repeat name: count}) sizes the rosters whose count is free (else as shown)."""
    url = reverse("fieldwork:interview", args=[interview.pk])
    response = client.get(url)
    run = Run()
    if language:
        step, _form = page_of(response)
        prefix = response.context["wizard"]["management_form"].prefix
        response = client.post(url, {f"{prefix}-current_step": step,
                                     "questionnaire_language": language,
                                     "switch_language": "1"})  # fmt: skip
    tried: dict = {}
    for _ in range(max_posts):
        assert response.status_code == 200, response.status_code
        step, _form = page_of(response)
        data, posted = _post_data(response, tried, today, answers or {}, rows or {})
        response = client.post(url, data)
        run.attempts += 1
        if response.status_code == 302:
            run.pages[step] = posted
            run.finished = True
            return run
        now, form = page_of(response)
        if now != step or not form.errors:
            run.pages[step] = posted
            continue
        for name in form.errors:
            if name in posted:  # refused: its next candidate (one that appeared gets its first)
                tried[(step, name)] = tried.get((step, name), 0) + 1
    step, form = page_of(response)
    raise AssertionError(f"the wizard did not finish; last page {step}: {dict(form.errors)}")


def expected(form_field: forms.Field, value):
    """What the interview stores for a posted value, computed from the type alone (None:
    left unanswered)."""
    if value in ("", []):
        return None
    if isinstance(form_field, MediaField):  # stored under its content's hash
        content_type, content = CAPTURES[form_field.kind]
        extension = {"image/png": "png", "audio/wav": "wav"}[content_type]
        return f"{hashlib.sha256(content).hexdigest()}.{extension}"
    if isinstance(form_field, OkField):
        return "OK"
    if isinstance(form_field, forms.MultipleChoiceField):
        return list(value)
    if isinstance(form_field, RangeField):
        number = Decimal(value)
        return int(number) if form_field.whole else float(number)
    if isinstance(form_field, forms.IntegerField):
        return int(value)
    if isinstance(form_field, forms.DecimalField):
        return float(value)
    if isinstance(form_field, forms.DateTimeField):
        return value  # compared by its first 16 characters
    return value
