"""The language of the request being served."""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language

from common.labels import primary_subtag

__all__ = ["in_chinese_and_english", "ui_language", "ui_language_code"]


def ui_language_code() -> str:
    """The active Django language code ("zh-hans", "en"), the site's default outside a request."""
    return get_language() or settings.LANGUAGE_CODE


def ui_language() -> str:
    """The active language as a questionnaire's label key: "zh" under any Chinese locale,
    "en" under English."""
    return primary_subtag(ui_language_code())


def in_chinese_and_english(render: Callable[[], str]) -> tuple[str, str]:
    """(Chinese, English) of a text `render` writes with gettext: a stored record written in
    both languages (an automatic check's reason), so that each reader reads their own."""
    with translation.override("zh-hans"):
        chinese = render()
    with translation.override("en"):
        english = render()
    return chinese, english
