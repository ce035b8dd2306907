from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from fieldwork.rates import RateInputError, rate_table


def columns(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


class Command(BaseCommand):
    help = (
        "AAPOR outcome rates (RR1–RR6, COOP1–4, REF1–3, CON1–3) from a CSV of final dispositions: "
        "one row per case with its AAPOR code in `disposition`, or one row per code with a "
        "`count`. Writes one row per group of --by with the rates, e and the counts I, P, R, NC, "
        "O, UH, UO, NE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dispositions", type=Path, required=True, help="Input CSV.")
        parser.add_argument("--by", type=columns, default=[], help="Comma-separated columns.")
        parser.add_argument(
            "--e", type=float, default=None, help="Eligible share of unknowns (default: estimated)."
        )
        parser.add_argument("--out", type=Path, required=True, help="Output CSV.")

    def handle(self, *args, **options):
        source: Path = options["dispositions"]
        try:
            # Codes stay text: 2.10 must not become the number 2.1.
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{source}: cannot read the CSV file ({error})") from error
        try:
            table = rate_table(frame, by=options["by"], e=options["e"])
        except RateInputError as error:
            raise CommandError(f"{source}: {error}") from error
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(options["out"], index=False, float_format="%.6f")
        self.stdout.write(f"{len(table)} group(s) written to {options['out']}")
