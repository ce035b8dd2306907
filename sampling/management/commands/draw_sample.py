from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sampling.exports import table_csv
from sampling.models import Frame
from sampling.selectors import sample_table
from sampling.services import SamplingInputError, draw_sample


class Command(BaseCommand):
    help = (
        "Draw a stratified (by street) proportional sample from a frame and write it as CSV "
        "with full phone numbers, inclusion probabilities and design weights."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frame", type=int, required=True, help="Frame id.")
        parser.add_argument("--n", type=int, required=True, help="Sample size.")
        parser.add_argument("--seed", type=int, default=None, help="Seed (random if omitted).")
        parser.add_argument("--min-per-stratum", type=int, default=0)
        parser.add_argument("--name", default="")
        parser.add_argument("--out", type=Path, required=True, help="CSV file to write.")

    def handle(self, *args, **options):
        # Messages speak the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self.draw(**options)

    def draw(self, **options) -> None:
        frame = Frame.objects.filter(pk=options["frame"]).first()
        if frame is None:
            raise CommandError(_("No frame with id %(id)s.") % {"id": options["frame"]})
        try:
            draw = draw_sample(
                frame=frame,
                n=options["n"],
                seed=options["seed"],
                name=options["name"],
                minimum_per_stratum=options["min_per_stratum"],
            )
        except SamplingInputError as error:
            raise CommandError("; ".join(error.errors)) from error
        out: Path = options["out"]
        out.write_bytes(table_csv(sample_table(draw)))
        self.stdout.write(
            _("Draw %(id)s: %(n)s units, seed %(seed)s, in %(path)s.")
            % {"id": draw.pk, "n": draw.n_total, "seed": draw.seed, "path": out}
        )
