from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.errors import FrameImportError
from sampling.presenters import describe, errors_csv
from sampling.services.frames import import_frame

PROBLEMS_SHOWN = 10


class ProgressBar:
    """A one-line text progress bar: [#########-----------]  45% Checking rows."""

    def __init__(self, out: OutputWrapper, width: int = 30):
        self.out, self.width = out, width

    def __call__(self, fraction: float, message: str) -> None:
        done = round(self.width * fraction)
        bar = "#" * done + "-" * (self.width - done)
        self.out.write(f"\r[{bar}] {fraction:4.0%} {message:<20}", ending="")
        if fraction >= 1:
            self.out.write("")
        self.out.flush()


class Command(BaseCommand):
    help = "Validate a frame file (CSV or XLSX) and store it; prints the frame id."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--name", required=True, help="Name of the frame.")
        parser.add_argument("--unit-id", default="unit_id", help="Unit id column.")
        parser.add_argument("--phone", default="phone", help="Phone column.")
        parser.add_argument(
            "--locality", default="locality_code", help="Street or community code column."
        )
        parser.add_argument("--address", default="", help="Address column (optional).")
        parser.add_argument("--sheet", help="The workbook's sheet (default: its first).")

    def handle(self, *args, **options):
        # Messages and the error report speak the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self.import_frame(**options)

    def import_frame(self, *, path: Path, name: str, **options) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        mapping = {
            "unit_id": options["unit_id"],
            "phone": options["phone"],
            "locality_code": options["locality"],
            "address": options["address"],
        }
        try:
            with path.open("rb") as file:
                frame = import_frame(
                    file=file,
                    source_name=path.name,
                    name=name,
                    mapping=mapping,
                    progress=ProgressBar(self.stderr),
                    sheet=options.get("sheet"),
                )
        except FrameImportError as error:
            self.stderr.write("")
            report = path.with_name(path.name + ".errors.csv")
            report.write_bytes(errors_csv(error.errors))
            raise CommandError(self.failure(error, path.name, report)) from error
        self.stdout.write(
            _("Frame %(id)s: %(n)s units in %(streets)s streets.")
            % {"id": frame.pk, "n": frame.n_rows, "streets": frame.stratum_counts.count()}
        )

    def failure(self, failed: FrameImportError, source_name: str, report: Path) -> str:
        """The count, the report's path and the first few problems, one per line."""
        lines = [
            _("%(n)s problems in %(name)s; nothing was imported. Report: %(report)s")
            % {"n": failed.total, "name": source_name, "report": report}
        ]
        for error in failed.errors[:PROBLEMS_SHOWN]:
            where = (
                _("row %(row)s, %(column)s") % {"row": error.row, "column": error.column}
                if error.row is not None
                else error.column or _("file")
            )
            lines.append(f"  {where}: {describe(error)}")
        return "\n".join(lines)
