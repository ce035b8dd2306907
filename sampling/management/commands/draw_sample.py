from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from common.spreadsheets import dataframe_csv
from sampling.allocation import METHODS, allocation_table
from sampling.errors import SamplingInputError
from sampling.files import read_frame_file, read_stratum_file
from sampling.models import Frame
from sampling.selectors import sample_table
from sampling.services.draws import draw_file_sample, draw_sample
from sampling.services.frames import STRATUM_COLUMN
from sampling.services.plans import Plan, prepare_frame


def columns(value: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in value.split(",") if c.strip())


class Command(BaseCommand):
    help = (
        "Draw a stratified sample from a frame file (CSV, XLSX, Parquet) or a stored frame (its "
        "id) and write it as CSV: the frame's columns plus stratum, inclusion_probability, "
        "design_weight and replicate (0 = main sample, 1… = reserves). A stored frame's draw is "
        "also saved, with its plan and seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frame", required=True, help="Frame file path or stored frame id.")
        parser.add_argument(
            "--strata",
            type=columns,
            default=(STRATUM_COLUMN,),
            help="Comma-separated frame columns whose combinations are the strata.",
        )
        parser.add_argument("--n", type=int, default=None, help="Total (main) sample size.")
        parser.add_argument("--allocation", choices=METHODS, default="proportional")
        parser.add_argument("--min-per-stratum", type=int, default=0)
        parser.add_argument("--reserve", type=int, default=0, help="Reserve replicates R.")
        parser.add_argument(
            "--reserve-fraction",
            type=float,
            default=1.0,
            help="Units per reserve replicate, as a share of n_h (default 1).",
        )
        parser.add_argument("--sd-file", type=Path, help="CSV stratum,sd for Neyman.")
        parser.add_argument("--exponent", type=float, help="Power allocation exponent, 0–1.")
        parser.add_argument("--sizes-file", type=Path, help="CSV stratum,n for fixed sizes.")
        parser.add_argument(
            "--sort", type=columns, default=(), help="Columns for systematic selection."
        )
        parser.add_argument(
            "--exclude-recent-draws",
            type=int,
            default=0,
            help="Leave out units (unit id or phone) sampled in the last N draws.",
        )
        parser.add_argument("--unit-id", default="", help="Unit id column of a frame file.")
        parser.add_argument("--seed", type=int, default=None, help="Seed (random if omitted).")
        parser.add_argument("--name", default="")
        parser.add_argument("--out", type=Path, required=True, help="CSV file to write.")
        parser.add_argument("--allocation-out", type=Path, help="CSV for the allocation table.")

    def handle(self, *args, **options):
        # Messages speak the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                self.draw(**options)
            except SamplingInputError as error:
                raise CommandError("\n".join(error.errors)) from error

    def draw(self, **options) -> None:
        plan = Plan(
            n=options["n"],
            strata=options["strata"],
            method=options["allocation"],
            minimum_per_stratum=options["min_per_stratum"],
            sds=self.values(options["sd_file"], "standard deviation", integer=False),
            exponent=options["exponent"],
            fixed_sizes=self.values(options["sizes_file"], "sample size", integer=True),
            reserves=options["reserve"],
            reserve_fraction=options["reserve_fraction"],
            sort_columns=options["sort"],
            exclude_recent_draws=options["exclude_recent_draws"],
        )
        out: Path = options["out"]
        source = options["frame"]
        if source.isdigit() and not Path(source).exists():
            frame = Frame.objects.filter(pk=int(source)).first()
            if frame is None:
                raise CommandError(_("No frame with id %(id)s.") % {"id": source})
            draw = draw_sample(frame=frame, plan=plan, seed=options["seed"], name=options["name"])
            sample = sample_table(draw)
            seed, n, label = draw.seed, draw.n_total, _("Draw %(id)s") % {"id": draw.pk}
            if options["allocation_out"]:
                sizes = prepare_frame(frame=frame, plan=plan, columns=()).sizes
                main = sample[sample["replicate"] == 0]["stratum"].value_counts()
                table = allocation_table(
                    sizes, main, reserves=plan.reserves, reserve_fraction=plan.reserve_fraction
                ).reset_index()
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            sample, table, seed = draw_file_sample(
                table=read_frame_file(path),
                plan=plan,
                seed=options["seed"],
                unit_column=options["unit_id"],
                where=path.name,
            )
            n, label = int((sample["replicate"] == 0).sum()), path.name
        out.write_bytes(dataframe_csv(sample))
        if options["allocation_out"]:
            options["allocation_out"].write_bytes(dataframe_csv(table))
        self.stdout.write(
            _("%(label)s: %(n)s units, %(reserve)s in reserve, seed %(seed)s, in %(path)s.")
            % {
                "label": label,
                "n": n,
                "reserve": int((sample["replicate"] > 0).sum()),
                "seed": seed,
                "path": out,
            }
        )

    def values(self, path: Path | None, what: str, *, integer: bool) -> dict | None:
        if path is None:
            return None
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        return read_stratum_file(path, what=what, integer=integer)
