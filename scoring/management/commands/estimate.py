"""manage.py estimate: design-based estimates with standard errors from any respondent CSV,
through scoring.design (the same estimator the score tables use).

    manage.py estimate --data resp.csv --var score --by district,street \
        --strata district --cluster community --weight w --fpc N_district \
        [--poststratify sex+age_group=pop.csv | --rake margins.csv] \
        [--stat mean|total|proportion] --out estimates.csv

--by, --cluster and --fpc take comma-separated column lists (--cluster psu,ssu is a
two-stage design; --fpc gives one population-size column per stage, as R's fpc=).
--poststratify COL=FILE: FILE is a CSV with the column(s) of COL ("a+b" for a cross of two
columns) and Freq. --rake FILE: a CSV with columns margin, level, Freq, one row per margin
level; a margin is a data column or a cross "a+b" whose level joins the values with "|"
(e.g. margin "sex+age_group", level "M|16-29").

The output has one row per domain: the domain columns, variable ("COL", or "COL=category"
for a proportion), statistic, estimate, se, ci_low, ci_high, n, n_eff. Nothing is written
unless every input is valid; errors name the file, line and column.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from common.spreadsheets import write_csv_files
from common.tables import TableError, read_table
from common.tables.texts import describe_all, limits
from scoring.design.calibration import poststratify, rake
from scoring.design.designs import LONELY_PSU, DesignError, make_design
from scoring.design.estimates import STATISTICS, estimate_by

OUTPUT_COLUMNS = ["variable", "statistic", "estimate", "se", "ci_low", "ci_high", "n", "n_eff"]


def _columns(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def _read_csv(path: str, what: str) -> pd.DataFrame:
    """The CSV's cells as text, an empty cell as missing (common.tables reads UTF-8,
    GB18030/GBK and UTF-16, and names the row and column of a malformed file)."""
    if not Path(path).is_file():
        raise CommandError(f"{path}: {what} file not found.")
    try:
        table = read_table(path, name=path, limits=limits("respondents"), suffixes=(".csv",))
    except TableError as error:
        raise CommandError("\n".join(describe_all(error))) from error
    return table.frame.where(table.frame.ne(""))


def _require(frame: pd.DataFrame, path: str, columns: list[str]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise CommandError(
                f"{path}: no column {column!r} (columns: {', '.join(map(str, frame.columns))})."
            )


def _numbers(frame: pd.DataFrame, path: str, column: str, *, allow_missing: bool = False):
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.dtype == object:  # whole numbers beyond 64 bits stay Python ints
        values = values.map(lambda n: float(n) if abs(n) < 1e300 else np.nan)
    values = values.astype("float64")
    values = values.where(np.isfinite(values))  # 1e400 and inf are no usable numbers
    bad = values.isna() & (frame[column].notna() | (not allow_missing))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raw = frame[column].iloc[row]
        shown = "empty" if pd.isna(raw) else f"{raw!r} is not a number"
        raise CommandError(f"{path}, line {row + 2}, column {column!r}: {shown}.")
    return values.to_numpy(dtype=float)


def _labels(frame: pd.DataFrame, path: str, spec: str) -> tuple[list[str], pd.Series]:
    """Columns of a "a+b" spec and the per-row label (values joined with "|")."""
    columns = [c.strip() for c in spec.split("+") if c.strip()]
    _require(frame, path, columns)
    for column in columns:
        missing = frame[column].isna()
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0])
            raise CommandError(f"{path}, line {row + 2}, column {column!r}: empty.")
    return columns, frame[columns].astype(str).agg("|".join, axis=1)


def _population(path: str, table: pd.DataFrame, key: pd.Series, what: str) -> dict:
    freq = _numbers(table, path, "Freq")
    if (freq < 0).any():
        row = int(np.flatnonzero(freq < 0)[0])
        raise CommandError(f"{path}, line {row + 2}, column 'Freq': must be ≥ 0.")
    duplicated = key.duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        shown = str(key.iloc[row]).replace("\0", " ")
        raise CommandError(f"{path}, line {row + 2}: {what} {shown!r} is listed twice.")
    return dict(zip(key, freq, strict=True))


class Command(BaseCommand):
    help = "Survey estimates (mean, total, proportion) with Taylor standard errors by domain."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="respondent-level CSV")
        parser.add_argument("--var", required=True, help="the variable to estimate")
        parser.add_argument("--by", help="domain columns, comma-separated")
        parser.add_argument("--strata", help="stratum column")
        parser.add_argument("--cluster", help="cluster column(s), stage 1 first")
        parser.add_argument("--weight", help="weight column (default: all 1)")
        parser.add_argument("--fpc", help="population size column(s), one per stage")
        calibration = parser.add_mutually_exclusive_group()
        calibration.add_argument("--poststratify", metavar="COL=FILE")
        calibration.add_argument("--rake", metavar="FILE")
        parser.add_argument("--stat", choices=STATISTICS, default="mean")
        parser.add_argument("--lonely-psu", choices=LONELY_PSU, default="fail")
        parser.add_argument("--out", required=True, help="output CSV")

    def handle(self, *args, **options):
        path = options["data"]
        data = _read_csv(path, "data")
        by = _columns(options["by"])
        clusters = _columns(options["cluster"])
        fpcs = _columns(options["fpc"])
        strata = options["strata"]
        weight = options["weight"]
        named = [options["var"], *by, *clusters, *fpcs, *(c for c in [strata, weight] if c)]
        _require(data, path, named)
        if len(fpcs) > max(len(clusters), 1):
            raise CommandError("--fpc gives more columns than there are sampling stages.")
        if options["stat"] != "proportion":
            _numbers(data, path, options["var"], allow_missing=True)
        for column in [c for c in [strata, *clusters] if c]:
            _labels(data, path, column)
        weights = _numbers(data, path, weight) if weight else np.ones(len(data))
        if (weights <= 0).any():
            row = int(np.flatnonzero(weights <= 0)[0])
            raise CommandError(f"{path}, line {row + 2}, column {weight!r}: weight must be > 0.")
        try:
            design = make_design(
                weights=weights,
                strata=data[strata] if strata else None,
                clusters=[data[c] for c in clusters],
                fpc=[_numbers(data, path, c) for c in fpcs],
                lonely_psu=options["lonely_psu"],
            )
            design = self._calibrate(design, data, path, options)
            result = estimate_by(design, data, options["var"], by=by, statistic=options["stat"])
        except DesignError as error:
            raise CommandError(f"{path}: {error}") from error
        result = result[by + OUTPUT_COLUMNS]
        try:
            write_csv_files([(options["out"], result)])
        except OSError as error:
            raise CommandError(f"{options['out']}: cannot write there ({error}).") from error
        self.stdout.write(f"{len(result)} estimate(s) written to {options['out']}.")

    def _calibrate(self, design, data: pd.DataFrame, path: str, options: dict):
        if options["poststratify"]:
            spec, sep, file = options["poststratify"].partition("=")
            if not sep or not spec or not file:
                raise CommandError("--poststratify takes COL=FILE (COL may be a+b).")
            _, groups = _labels(data, path, spec)
            table = _read_csv(file, "post-strata")
            columns = [c.strip() for c in spec.split("+")]
            _require(table, file, [*columns, "Freq"])
            _, key = _labels(table, file, spec)
            population = _population(file, table, key, "post-stratum")
            try:
                return poststratify(design, groups, population)
            except DesignError as error:
                raise CommandError(f"{file}: {error}") from error
        if options["rake"]:
            file = options["rake"]
            table = _read_csv(file, "margins")
            _require(table, file, ["margin", "level", "Freq"])
            _labels(table, file, "margin+level")
            freq = pd.Series(
                _population(file, table, table["margin"] + "\0" + table["level"], "level")
            )
            margins = []
            for spec in pd.unique(table["margin"]):
                columns = [c.strip() for c in spec.split("+")]
                absent = [c for c in columns if c not in data.columns]
                if absent:
                    line = int(np.flatnonzero((table["margin"] == spec).to_numpy())[0]) + 2
                    raise CommandError(
                        f"{file}, line {line}, column 'margin': {absent[0]!r} is not a column "
                        f"of {path}."
                    )
                _, groups = _labels(data, path, spec)
                rows = table[table["margin"] == spec]
                population = dict(
                    zip(rows["level"], freq[rows["margin"] + "\0" + rows["level"]], strict=True)
                )
                margins.append((groups, population))
            try:
                return rake(design, margins)
            except DesignError as error:
                names = ", ".join(
                    f"margin {i + 1} = {m!r}" for i, m in enumerate(pd.unique(table["margin"]))
                )
                raise CommandError(f"{file}: {error} ({names})") from error
        return design
