from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.errors import SamplingInputError
from sampling.services.localities import import_locality_file


class Command(BaseCommand):
    help = (
        "Import the locality tree from a CSV or XLSX file: code, name, parent_code, level, "
        "area_type and population columns like M|16-29. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--sheet", help="the workbook's sheet (default: its first)")

    def handle(self, *args, path: Path, sheet: str | None = None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            try:
                count = import_locality_file(file=path, source_name=path.name, sheet=sheet)
            except SamplingInputError as error:
                lines = [
                    _("%(n)s problems in %(name)s; nothing was imported.")
                    % {"n": len(error.errors), "name": path.name},
                    *(f"  {problem}" for problem in error.errors),
                ]
                raise CommandError("\n".join(lines)) from error
            self.stdout.write(_("%(n)s localities imported.") % {"n": count})
