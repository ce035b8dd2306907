"""`{% version_rows wave as rows %}` and `{% version_switch_form wave as form %}` for the wave
page's questionnaire-version table (fieldwork.rollout)."""

from django import template

from fieldwork import rollout
from fieldwork.models import Wave

register = template.Library()


@register.simple_tag
def version_rows(wave: Wave) -> list[dict]:
    return rollout.version_rows(wave)


@register.simple_tag
def version_switch_form(wave: Wave) -> rollout.VersionSwitchForm:
    return rollout.VersionSwitchForm(wave=wave)
