"""Questionnaire use-cases: importing XLSForms as immutable versions, drafts and publishing.

A version's content is never edited: changing a questionnaire means importing a new version, and
interviews keep pointing at the version they were taken with. An import is either published at
once (the default) or kept as a draft, which can be previewed and tried but not used by a wave;
publishing a draft only stamps who and when. No function here changes a version's content.
"""

import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.translatable import Translatable, gettext_noop, translated
from questionnaires.files import check_attachments, remove_stored, store_attachments
from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.xlsform import XLSFormError, parse_xlsform

STANDARD_CODE = "safety-standard"
STANDARD_XLSX = Path(__file__).resolve().parent / "standard" / "standard_questionnaire.xlsx"

_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


def import_questionnaire_version(
    *,
    data: bytes,
    source_name: str,
    code: str | None = None,
    title: str | None = None,
    user: User | None = None,
    publish: bool = True,
    attachments: Mapping[str, bytes] | None = None,
) -> QuestionnaireVersion:
    """Parse an XLSForm and store it as the next version of questionnaire `code`, with its
    attached media and data files (`attachments`: file name → bytes) in the file storage.

    Published at once unless `publish` is false (then a draft: see publish_questionnaire_version).
    `code` defaults to the form's form_id. Creates the questionnaire on its first import. Raises
    XLSFormError (nothing written) when the spreadsheet is not a form we can run,
    ValidationError for a bad code.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _import_version(data=data, source_name=source_name, code=code, title=title,
                                   user=user, publish=publish, attachments=attachments,
                                   stored=stored)  # fmt: skip
    except BaseException:
        remove_stored(stored)  # nothing partial: the rows went with the rollback, the files too
        raise


def _import_version(*, data: bytes, source_name: str, code: str | None, title: str | None,
                    user: User | None, publish: bool, attachments: Mapping[str, bytes] | None,
                    stored: list[str]) -> QuestionnaireVersion:  # fmt: skip
    if code is not None:
        _check_code(code)
    parsed = parse_xlsform(data, source_name)
    definition = parsed.definition
    attachments = dict(attachments or {})
    default_name = (definition.get("language_names") or {}).get(definition["languages"][0])
    problems = check_attachments(attachments, default_language=default_name)
    if problems:
        raise XLSFormError(problems)
    if code is None:
        code = str(definition["form_id"])
        _check_code(code)
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
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=previous + 1,
        title=title or form_title,
        definition=definition,
        source_name=source_name,
        source_xlsx=data,
        xform_xml=parsed.xform_xml,
        published_at=timezone.now() if publish else None,
        published_by=user if publish else None,
    )
    try:
        store_attachments(version=version, files=attachments, stored=stored)
    except OSError as error:
        raise XLSFormError(
            [
                Translatable(
                    gettext_noop(
                        "The attached files could not be stored; nothing was imported. Try again."
                    )
                )
            ]  # fmt: skip
        ) from error
    version.import_warnings = [translated(warning, _) for warning in parsed.warnings]  # shown
    return version


def _check_code(code: str) -> None:
    if not _CODE.match(code or "") or len(code) > 60:
        raise ValidationError(
            _("Code %(code)s: use up to 60 letters, digits, hyphens or underscores.")
            % {"code": repr(code)}
        )


@transaction.atomic
def publish_questionnaire_version(
    *, version: QuestionnaireVersion, user: User | None = None
) -> QuestionnaireVersion:
    """Publish a draft: from now on waves may use it and it never changes.

    Raises ValidationError when the version is already published.
    """
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(
            _("Version %(number)s of %(code)s is already published.")
            % {"number": version.number, "code": version.questionnaire.code}
        )
    version.published_at = timezone.now()
    version.published_by = user
    version.save(update_fields=["published_at", "published_by"])
    return version


@transaction.atomic
def discard_draft_version(*, version: QuestionnaireVersion) -> None:
    """Delete a draft that will not be published. Published versions are kept forever."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(
            _("Version %(number)s of %(code)s is published and cannot be discarded.")
            % {"number": version.number, "code": version.questionnaire.code}
        )
    names = list(version.attachments.values_list("file", flat=True))
    version.delete()
    transaction.on_commit(partial(remove_stored, names))


def find_questionnaire_version(*, code: str, number: int | None = None) -> QuestionnaireVersion:
    """Version `number` of questionnaire `code` (default: the latest). Raise ValidationError."""
    versions = QuestionnaireVersion.objects.filter(questionnaire__code=code)
    version = (
        versions.filter(number=number).first()
        if number is not None
        else versions.order_by("-number").first()
    )
    if version is None and number is None:
        raise ValidationError(_("There is no questionnaire %(code)s.") % {"code": code})
    if version is None:
        raise ValidationError(
            _("Questionnaire %(code)s has no version %(number)s.")
            % {"code": code, "number": number}
        )
    return version


@transaction.atomic
def load_standard_questionnaire(*, user: User | None = None) -> QuestionnaireVersion:
    """The latest published version of the shipped standard questionnaire, imported the first
    time."""
    existing = (
        QuestionnaireVersion.objects.filter(
            questionnaire__code=STANDARD_CODE, published_at__isnull=False
        )
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
