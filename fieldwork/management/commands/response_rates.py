from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.spreadsheets import dataframe_csv
from common.tables import TableError, read_table
from common.tables.texts import describe_all, limits
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
        if not source.is_file():
            raise CommandError(f"{source}: no such file.")
        try:
            # Codes stay text: 2.10 must not become the number 2.1.
            table = read_table(
                source, name=str(source), limits=limits("dispositions"), suffixes=(".csv",)
            )
        except TableError as error:
            raise CommandError("\n".join(describe_all(error))) from error
        try:
            rates = rate_table(table.frame, by=options["by"], e=options["e"])
        except RateInputError as error:
            raise CommandError(f"{source}: {error}") from error
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        # As the web page's download: opens in Excel with Chinese intact and no formulas.
        options["out"].write_bytes(dataframe_csv(rates, float_format="%.6f"))
        self.stdout.write(f"{len(rates)} group(s) written to {options['out']}")
