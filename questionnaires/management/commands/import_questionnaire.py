from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from common.translatable import translated
from questionnaires.services import import_questionnaire_version
from questionnaires.xlsform import XLSFormError


class Command(BaseCommand):
    help = (
        "Import an XLSForm (.xlsx or .xls) as the next version of a questionnaire, with its media "
        "and data files (--attach): a draft, or published with --publish. Every problem is listed "
        "with its sheet, row and column; nothing is saved when there is one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the XLSForm workbook (.xlsx or .xls)")
        parser.add_argument(
            "--attach",
            action="append",
            default=[],
            metavar="FILE",
            help="a media or data file the form uses (select_one_from_file, pulldata, images); "
            "repeat for several",
        )
        parser.add_argument(
            "--code", help="questionnaire code, e.g. safety-2025 (default: the form's form_id)"
        )
        parser.add_argument("--title", help="title (default: the form's form_title)")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the version at once (default: a draft that waves cannot use yet)",
        )

    def handle(
        self,
        *args,
        path: str,
        code: str | None = None,
        title: str | None = None,
        publish: bool = False,
        attach: list[str] | None = None,
        **options,
    ) -> None:
        source = Path(path)
        files = {}
        try:
            data = source.read_bytes()
            for attached in attach or []:
                files[Path(attached).name] = Path(attached).read_bytes()
        except OSError as err:
            raise CommandError(f"Cannot read {err.filename}: {err.strerror or err}") from err
        try:
            version = import_questionnaire_version(
                data=data, source_name=source.name, code=code, title=title, publish=publish,
                attachments=files,
            )  # fmt: skip
        except XLSFormError as err:
            with translation.override(settings.LANGUAGE_CODE):
                problems = "\n".join(translated(error, gettext) for error in err.errors)
            raise CommandError(f"{source.name} was not imported:\n{problems}") from err
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from err
        groups = version.definition["groups"]
        questions = sum(len(group["questions"]) for group in groups)
        state = "published" if version.is_published else "draft (publish it to use it in a wave)"
        self.stdout.write(
            f"Imported {version.questionnaire.code} version {version.number} ({version.title}): "
            f"{len(groups)} pages, {questions} questions; {state}."
        )
