from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaires.services import find_questionnaire_version
from questionnaires.xlsform_export import export_workbook


class Command(BaseCommand):
    help = (
        "Write a questionnaire version as an XLSForm workbook (survey, choices and settings "
        "sheets) that imports back to the same definition."
    )

    def add_base_argument(self, parser, *args, **kwargs) -> None:
        # The interface has `--version V` (the questionnaire version); Django's own
        # --version (the Django release) is given up for this command.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="questionnaire code, e.g. safety-standard")
        parser.add_argument(
            "--version", type=int, dest="number", help="version number (default: the latest)"
        )
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--original",
            action="store_true",
            help="write the workbook as it was uploaded instead of re-writing the definition",
        )

    def handle(
        self,
        *args,
        code: str,
        out: str,
        number: int | None = None,
        original: bool = False,
        **options,
    ) -> None:
        try:
            version = find_questionnaire_version(code=code, number=number)
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from err
        data = bytes(version.source_xlsx) if original else export_workbook(version.definition)
        target = Path(out)
        try:
            target.write_bytes(data)
        except OSError as err:
            raise CommandError(f"Cannot write {out}: {err.strerror or err}") from err
        self.stdout.write(f"Wrote {code} version {version.number} to {target} ({len(data)} bytes).")
