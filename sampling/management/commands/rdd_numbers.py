from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from common.spreadsheets import dataframe_csv
from sampling.errors import SamplingInputError
from sampling.files import read_frame_file, read_stratum_file
from sampling.models import Frame
from sampling.services.rdd import generate_phone_numbers


class Command(BaseCommand):
    help = (
        "Generate random mobile numbers (RDD) from 号段 prefix blocks: --blocks is a CSV/XLSX "
        "with prefix (7 digits) and locality_code; --targets a CSV locality_code,count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--blocks", type=Path, required=True)
        parser.add_argument("--targets", type=Path, required=True)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--exclude-frame", type=int, action="append", default=[], help="Stored frame id."
        )
        parser.add_argument("--exclude-recent-draws", type=int, default=0)
        parser.add_argument("--exclude-file", type=Path, help="CSV with a phone column.")
        parser.add_argument(
            "--min-listed",
            type=int,
            default=0,
            help="List-assisted: only 100-banks with at least this many numbers in the frames.",
        )
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                self.generate(**options)
            except SamplingInputError as error:
                raise CommandError("\n".join(error.errors)) from error

    def generate(self, **options) -> None:
        for path in (options["blocks"], options["targets"], options["exclude_file"]):
            if path is not None and not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        frames = list(Frame.objects.filter(pk__in=options["exclude_frame"]))
        missing = set(options["exclude_frame"]) - {frame.pk for frame in frames}
        if missing:
            raise CommandError(_("No frame with id %(id)s.") % {"id": min(missing)})
        exclude = []
        if options["exclude_file"]:
            table = read_frame_file(options["exclude_file"])
            if "phone" not in table.columns:
                raise CommandError(
                    _("%(path)s has no phone column.") % {"path": options["exclude_file"]}
                )
            exclude = table["phone"].tolist()
        targets = read_stratum_file(options["targets"], what="count", integer=True)
        numbers, seed = generate_phone_numbers(
            blocks=read_frame_file(options["blocks"]),
            targets=targets,
            seed=options["seed"],
            exclude_frames=frames,
            exclude_recent_draws=options["exclude_recent_draws"],
            exclude_numbers=exclude,
            min_listed=options["min_listed"],
        )
        options["out"].write_bytes(dataframe_csv(numbers))
        # Counts only: numbers are never printed or logged.
        self.stdout.write(
            _("%(n)s numbers for %(k)s localities, seed %(seed)s, in %(path)s.")
            % {
                "n": len(numbers),
                "k": numbers["locality_code"].nunique(),
                "seed": seed,
                "path": options["out"],
            }
        )
