"""Questionnaire use-cases: importing XLSForms as published, immutable versions.

A published version is never edited: changing a questionnaire means importing a new version, and
interviews keep pointing at the version they were taken with. No function here updates a
QuestionnaireVersion.
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.xlsform import parse_xlsform

STANDARD_CODE = "safety-standard"
STANDARD_XLSX = Path(__file__).resolve().parent / "standard" / "standard_questionnaire.xlsx"

_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


@transaction.atomic
def import_questionnaire_version(
    *,
    data: bytes,
    source_name: str,
    code: str,
    title: str | None = None,
    user: User | None = None,
) -> QuestionnaireVersion:
    """Parse an XLSForm and publish it as the next version of questionnaire `code`.

    Creates the questionnaire on its first import. Raises XLSFormError (nothing written) when the
    spreadsheet is not a form we can run, ValidationError for a bad code.
    """
    if not _CODE.match(code or "") or len(code) > 60:
        raise ValidationError(
            _("Code %(code)s: use up to 60 letters, digits, hyphens or underscores.")
            % {"code": repr(code)}
        )
    parsed = parse_xlsform(data, source_name)
    definition = parsed.definition
    form_title = definition["title"].get(definition["languages"][0]) or code
    title = (title or "").strip() or None

    questionnaire, created = Questionnaire.objects.select_for_update().get_or_create(
        code=code, defaults={"title": title or form_title}
    )
    if not created and title and questionnaire.title != title:
        questionnaire.title = title
        questionnaire.save(update_fields=["title"])
    # The questionnaire row is locked, so two imports of one code cannot take the same number.
    previous = questionnaire.versions.aggregate(number=Max("number"))["number"] or 0
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=previous + 1,
        title=title or form_title,
        definition=definition,
        source_name=source_name,
        source_xlsx=data,
        xform_xml=parsed.xform_xml,
        published_by=user,
    )


@transaction.atomic
def load_standard_questionnaire(*, user: User | None = None) -> QuestionnaireVersion:
    """The latest version of the shipped standard questionnaire, importing it the first time."""
    existing = (
        QuestionnaireVersion.objects.filter(questionnaire__code=STANDARD_CODE)
        .order_by("-number")
        .first()
    )
    if existing is not None:
        return existing
    return import_questionnaire_version(
        data=STANDARD_XLSX.read_bytes(),
        source_name=STANDARD_XLSX.name,
        code=STANDARD_CODE,
        user=user,
    )
