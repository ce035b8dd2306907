"""Sampling plans on a stored frame: which columns may form strata, the frame prepared for a
plan (derived area types, recent draws left out, strata labelled), the allocation a plan makes
and its preview before drawing, and per-stratum values typed in as text.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from sampling.allocation import METHODS, allocate, allocation_table
from sampling.draw import missing_stratum_rows, stratum_labels
from sampling.errors import SamplingInputError
from sampling.frame_crypto import KEY_COLUMN
from sampling.models import Frame, SampledUnit
from sampling.selectors import area_types, load_frame, recent_draw_units, stratum_names
from sampling.services.frames import STRATUM_COLUMN

# Columns a locality tree adds to any stored frame, for strata: the unit's area type.
DERIVED_COLUMNS = ("area_type",)


@dataclass(frozen=True)
class Plan:
    """What a draw will do, before it is done. `strata`: frame columns whose combinations are
    the strata (default: the street). `method`: one of sampling.allocation.METHODS, with `sds`
    (stratum → prior S_h) for Neyman, `exponent` for power and `fixed_sizes` (stratum → n_h)
    for fixed. `reserves` replicates of ⌈reserve_fraction·n_h⌉ units each per stratum.
    `sort_columns`: systematic selection in that order. `exclude_recent_draws`: leave out
    units (by unit id or phone) sampled in the last N draws."""

    n: int | None
    strata: tuple[str, ...] = (STRATUM_COLUMN,)
    method: str = "proportional"
    minimum_per_stratum: int = 0
    sds: dict[str, float] | None = None
    exponent: float | None = None
    fixed_sizes: dict[str, int] | None = None
    reserves: int = 0
    reserve_fraction: float = 1.0
    sort_columns: tuple[str, ...] = ()
    exclude_recent_draws: int = 0

    def allocation_params(self) -> dict:
        if self.method == "neyman":
            return {"sds": dict(self.sds or {})}
        if self.method == "power":
            return {"exponent": self.exponent}
        if self.method == "fixed":
            return {"sizes": {k: int(v) for k, v in (self.fixed_sizes or {}).items()}}
        return {}


@dataclass
class PreparedFrame:
    """A frame's units ready for allocation: `rows` (str columns plus `stratum`), the stratum
    sizes N_h (Series by label, sorted) and what the exclusion removed."""

    rows: pd.DataFrame
    sizes: pd.Series
    excluded_draw_ids: list[int]
    n_excluded: int


def frame_sort_columns(frame: Frame) -> list[str]:
    """Columns systematic selection may sort by: any but the phone number."""
    return [c for c in frame.columns if c != "phone"] + [
        c for c in DERIVED_COLUMNS if c not in frame.columns
    ]


def frame_strata_columns(frame: Frame) -> list[str]:
    """Columns a plan may stratify or sort by: the frame's own columns (but the unit id and
    phone, which are unique per unit) and the derived ones."""
    own = [c for c in frame.columns if c not in ("unit_id", "phone", "address")]
    return own + [c for c in DERIVED_COLUMNS if c not in own]


def allocation_preview(
    *,
    frame: Frame,
    n: int | None = None,
    minimum_per_stratum: int = 0,
    plan: Plan | None = None,
) -> list[dict]:
    """The allocation a draw with this plan would make, for a look before drawing.

    One dict per stratum in label order: stratum (the label), name (locality names and area
    types spelled out), population (N_h, after exclusions), sample_size (n_h), fraction
    (n_h/N_h), margin_of_error (half-width of a 95% interval for a proportion near 50%, with
    finite-population correction; None where n_h = 0) and reserve (units held in reserve).
    """
    plan = plan or Plan(n=n, minimum_per_stratum=minimum_per_stratum)
    prepared = prepare_frame(frame=frame, plan=plan, columns=())
    allocation = plan_allocation(prepared.sizes, plan)
    table = allocation_table(
        prepared.sizes, allocation, reserves=plan.reserves, reserve_fraction=plan.reserve_fraction
    )
    names = stratum_names(list(table.index), plan.strata)
    return [
        {
            "stratum": stratum,
            "name": names[stratum],
            "population": int(row.N_h),
            "sample_size": int(row.n_h),
            "fraction": float(row.fraction),
            "margin_of_error": None if np.isnan(row.moe) else float(row.moe),
            "reserve": int(getattr(row, "reserve_h", 0)),
        }
        for stratum, row in table.iterrows()
    ]


def prepare_frame(
    *, frame: Frame, plan: Plan, columns: Sequence[str] | None = None
) -> PreparedFrame:
    """Load the frame (only the columns the plan needs, plus `columns`; None = all), derive
    area types, leave out recently sampled units and label strata. Raises SamplingInputError
    naming unknown columns and units with an empty strata value."""
    usable = set(frame_strata_columns(frame)) | set(frame.columns)
    unknown = [c for c in (*plan.strata, *plan.sort_columns) if c not in usable]
    if not plan.strata:
        raise SamplingInputError([_("Choose at least one strata column.")])
    if unknown:
        raise SamplingInputError(
            [
                _("The frame has no column %(columns)s; it has: %(available)s.")
                % {"columns": ", ".join(unknown), "available": ", ".join(sorted(usable))}
            ]
        )
    needed = {"unit_id", "phone", "locality_code", *plan.strata, *plan.sort_columns}
    wanted = None if columns is None else needed | set(columns)
    stored = [c for c in frame.columns if wanted is None or c in wanted]
    if plan.exclude_recent_draws:
        stored.append(KEY_COLUMN)  # matched by keyed hash, not by number
    rows = load_frame(frame, columns=stored)
    if "area_type" in needed and "area_type" not in frame.columns:
        rows["area_type"] = rows["locality_code"].map(area_types()).fillna("")
    excluded_ids: list[int] = []
    n_excluded = 0
    if plan.exclude_recent_draws:
        excluded_ids, unit_ids, drawn_keys = recent_draw_units(plan.exclude_recent_draws)
        used = rows["unit_id"].isin(unit_ids) | rows[KEY_COLUMN].isin(drawn_keys)
        n_excluded = int(used.sum())
        rows = rows[~used].drop(columns=[KEY_COLUMN]).reset_index(drop=True)
    rows = with_strata(rows, plan)
    sizes = rows["stratum"].value_counts().sort_index()
    return PreparedFrame(rows, sizes, excluded_ids, n_excluded)


def with_strata(rows: pd.DataFrame, plan: Plan, *, where: str = "") -> pd.DataFrame:
    """`rows` with a `stratum` column; SamplingInputError for units missing a strata value
    (rows counted as in a spreadsheet: header row 1). `where` names the file, if any."""
    problems = []
    for column, positions in missing_stratum_rows(rows, plan.strata).items():
        shown = ", ".join(str(p + 2) for p in positions[:10])
        problems.append(
            _("%(where)sColumn %(column)s is empty on %(n)s rows (rows %(rows)s%(more)s).")
            % {
                "where": f"{where}: " if where else "",
                "column": column,
                "n": len(positions),
                "rows": shown,
                "more": " …" if len(positions) > 10 else "",
            }
        )
    if problems:
        raise SamplingInputError(problems)
    labels = stratum_labels(rows, list(plan.strata))
    too_long = labels.str.len() > SampledUnit._meta.get_field("stratum").max_length
    if too_long.any():
        raise SamplingInputError(
            [
                _("Stratum %(label)s is too long; use fewer columns.")
                % {"label": labels[too_long].iloc[0]}
            ]
        )
    return rows.assign(stratum=labels)


def plan_allocation(sizes: pd.Series, plan: Plan) -> pd.Series:
    """n_h by stratum label for `plan` over the stratum sizes N_h (`sizes`); raises
    SamplingInputError for a plan these strata cannot carry."""
    # The usual mistakes get a translated message here; allocation's own checks stay as the
    # last word for anything else.
    total = int(sizes.sum())
    n, minimum = plan.n, plan.minimum_per_stratum
    if plan.method not in METHODS:
        raise SamplingInputError(
            [_("Unknown allocation method %(method)s.") % {"method": plan.method}]
        )
    if plan.reserves < 0 or plan.reserve_fraction <= 0:
        raise SamplingInputError(
            [_("Reserves need a number of replicates of 0 or more and a positive size.")]
        )
    if plan.method != "fixed":
        needed = int(sizes.clip(upper=minimum).sum())
        if n is None or n < 1:
            raise SamplingInputError([_("The sample size must be at least 1.")])
        if n > total:
            raise SamplingInputError(
                [
                    _("The sample size %(n)s is larger than the frame (%(total)s units).")
                    % {"n": n, "total": total}
                ]
            )
        if n < needed:
            raise SamplingInputError(
                [
                    _(
                        "A minimum of %(minimum)s per stratum needs %(needed)s units, more than "
                        "the sample size %(n)s."
                    )
                    % {"minimum": minimum, "needed": needed, "n": n}
                ]
            )
    try:
        return allocate(
            sizes,
            n,
            method=plan.method,
            minimum=minimum,
            sds=pd.Series(plan.sds, dtype="float64") if plan.sds is not None else None,
            exponent=plan.exponent,
            fixed_sizes=pd.Series(plan.fixed_sizes, dtype="int64")
            if plan.fixed_sizes is not None
            else None,
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc


def read_stratum_values(*, text: str, what: str, integer: bool) -> dict:
    """Parse "stratum,value" lines (a CSV with or without a header; the header, if any, is
    skipped) into {stratum: value}. `what` names the values in messages (e.g. "sample size").
    Raises SamplingInputError naming each bad line."""
    values, problems = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.replace("\t", ",").split(",")]
        if not line.strip():
            continue
        if len(cells) != 2:
            problems.append(
                _("Line %(line)s: expected stratum,%(what)s.") % {"line": number, "what": what}
            )
            continue
        stratum, raw = cells
        try:
            value = float(raw)
        except ValueError:
            if number == 1:
                continue  # a header
            problems.append(
                _("Line %(line)s: %(value)r is not a number.") % {"line": number, "value": raw}
            )
            continue
        if value < 0 or (integer and not value.is_integer()):
            kind = _("a whole number") if integer else _("a number")
            problems.append(
                _("Line %(line)s: the %(what)s must be %(kind)s of 0 or more.")
                % {"line": number, "what": what, "kind": kind}
            )
            continue
        if stratum in values:
            problems.append(
                _("Line %(line)s: stratum %(stratum)s is listed twice.")
                % {"line": number, "stratum": stratum}
            )
        values[stratum] = int(value) if integer else value
    if problems:
        raise SamplingInputError(problems)
    return values
