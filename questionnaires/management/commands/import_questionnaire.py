from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaires.services import import_questionnaire_version
from questionnaires.xlsform import XLSFormError


class Command(BaseCommand):
    help = "Import an XLSForm (.xlsx) as the next published version of a questionnaire."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the XLSForm workbook (.xlsx)")
        parser.add_argument("--code", required=True, help="questionnaire code, e.g. safety-2025")
        parser.add_argument("--title", help="title (default: the form's form_title)")

    def handle(self, *args, path: str, code: str, title: str | None = None, **options) -> None:
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as err:
            raise CommandError(f"Cannot read {path}: {err.strerror or err}") from err
        try:
            version = import_questionnaire_version(
                data=data, source_name=source.name, code=code, title=title
            )
        except XLSFormError as err:
            raise CommandError(f"{source.name} was not imported:\n{err}") from err
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from err
        groups = version.definition["groups"]
        questions = sum(len(group["questions"]) for group in groups)
        self.stdout.write(
            f"Imported {code} version {version.number} ({version.title}): "
            f"{len(groups)} pages, {questions} questions."
        )
