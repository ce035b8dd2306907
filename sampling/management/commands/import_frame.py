from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from sampling.exports import errors_csv
from sampling.services import FrameImportError, import_frame


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

    def handle(self, *args, path: Path, name: str, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
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
                )
        except FrameImportError as error:
            self.stderr.write("")
            report = path.with_name(path.name + ".errors.csv")
            report.write_bytes(errors_csv(error.errors))
            raise CommandError(
                f"{len(error.errors)} problems in {path.name}; nothing was imported. "
                f"Report: {report}"
            ) from error
        self.stdout.write(
            f"Frame {frame.pk}: {frame.n_rows} units in {frame.stratum_counts.count()} streets."
        )
