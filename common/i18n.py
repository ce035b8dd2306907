"""The language of the request being served."""

from django.conf import settings
from django.utils.translation import get_language

from common.labels import primary_subtag

__all__ = ["ui_language", "ui_language_code"]


def ui_language_code() -> str:
    """The active Django language code ("zh-hans", "en"), the site's default outside a request."""
    return get_language() or settings.LANGUAGE_CODE


def ui_language() -> str:
    """The active language as a questionnaire's label key: "zh" under any Chinese locale,
    "en" under English."""
    return primary_subtag(ui_language_code())
