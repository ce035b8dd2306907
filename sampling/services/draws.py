"""The draw: a stratified sample (main sample and reserve replicates) from a stored frame,
stored with its plan and seed, or drawn from a file without storing anything.

Randomness is seeded and recorded: the same frame, plan and seed always give the same units.
"""

import secrets
from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.crypto import phone_keys
from common.personal import keyring
from sampling.allocation import allocation_table, reserve_sizes
from sampling.draw import stratified_srswor
from sampling.errors import SamplingInputError
from sampling.frame_validation import OUTPUT_COLUMNS
from sampling.models import Draw, Frame, Locality, SampledUnit
from sampling.selectors import recent_draw_units
from sampling.services import attributes
from sampling.services.frames import STRATUM_COLUMN
from sampling.services.plans import Plan, plan_allocation, prepare_frame, with_strata

MAX_SEED = 2**63 - 1  # Draw.seed is a signed 64-bit integer


def draw_sample(
    *,
    frame: Frame,
    n: int | None = None,
    seed: int | None = None,
    name: str = "",
    minimum_per_stratum: int = 0,
    plan: Plan | None = None,
    user: User | None = None,
) -> Draw:
    """Draw a stratified sample from a stored frame and store it with its plan and seed.

    Without a plan: n units, strata = streets, proportional allocation, `minimum_per_stratum`.
    The seed is recorded on the Draw (a random one is chosen if None): the same frame, plan and
    seed always give the same units. The draw itself runs before the write transaction opens,
    so a large frame never holds the database's write lock.
    """
    plan = plan or Plan(n=n, minimum_per_stratum=minimum_per_stratum)
    seed = checked_seed(seed)
    extra = frame_attribute_columns(frame)
    prepared = prepare_frame(frame=frame, plan=plan, columns=("address", STRATUM_COLUMN, *extra))
    allocation = plan_allocation(prepared.sizes, plan)
    sample = _select(prepared.rows, allocation, plan, seed)
    return _save_draw(
        frame=frame,
        sample=sample,
        plan=plan,
        n=int(allocation.sum()),
        seed=seed,
        name=name,
        user=user,
        excluded=(prepared.excluded_draw_ids, prepared.n_excluded),
        attribute_columns=extra,
    )


def frame_attribute_columns(frame: Frame) -> list[str]:
    """The frame's own extra columns (beyond the standard ones), in file order: each drawn
    unit keeps its values as SampledUnit.attributes."""
    return [c for c in frame.columns if c not in OUTPUT_COLUMNS]


def draw_file_sample(
    *, table: pd.DataFrame, plan: Plan, seed: int | None, unit_column: str = "", where: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Draw from a frame held in a file (nothing is stored): the analysts' command line.

    table: the file's rows, str columns. unit_column: the unit id column; empty = the row
    number. Returns (sample, allocation table, seed): the sample keeps every column of the file
    and adds stratum, inclusion_probability, design_weight and replicate; the allocation table
    is :func:`sampling.allocation.allocation_table` with a stratum column. Area types cannot be
    derived here and recent draws are excluded by the unit column and a `phone` column if any.
    """
    seed = checked_seed(seed)
    where = where or _("The file")
    for column in (*plan.strata, *plan.sort_columns, *([unit_column] if unit_column else [])):
        if column not in table.columns:
            raise SamplingInputError(
                [
                    _("%(where)s has no column %(column)s; it has: %(available)s.")
                    % {"where": where, "column": column, "available": ", ".join(table)}
                ]
            )
    rows = table.reset_index(drop=True)
    unit = "__unit"
    rows[unit] = rows[unit_column] if unit_column else (np.arange(len(rows)) + 2).astype(str)
    if unit_column and rows[unit].duplicated().any():
        first = rows.index[rows[unit].duplicated()][0] + 2
        raise SamplingInputError(
            [_("%(where)s: unit id %(id)s is repeated (row %(row)s).")
             % {"where": where, "id": rows[unit].iloc[first - 2], "row": first}]
        )  # fmt: skip
    if plan.exclude_recent_draws:
        __, unit_ids, drawn_keys = recent_draw_units(plan.exclude_recent_draws)
        used = rows[unit].isin(unit_ids)
        if "phone" in rows.columns:  # by keyed hash, as the stored frames are matched
            used |= pd.Series(phone_keys(keyring(), rows["phone"].tolist())).isin(drawn_keys)
        rows = rows[~used].reset_index(drop=True)
    rows = with_strata(rows, plan, where=where)
    sizes = rows["stratum"].value_counts().sort_index()
    allocation = plan_allocation(sizes, plan)
    sample = _select(rows, allocation, plan, seed, unit_column=unit).drop(columns=[unit])
    sample = sample[[c for c in sample.columns if c != "replicate"] + ["replicate"]]
    alloc = allocation_table(
        sizes, allocation, reserves=plan.reserves, reserve_fraction=plan.reserve_fraction
    ).reset_index()
    return sample, alloc, seed


def checked_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(2**31)  # short enough to read out and type back in
    if not 0 <= seed <= MAX_SEED:
        raise SamplingInputError([_("The seed must be a whole number from 0 to %s.") % MAX_SEED])
    return seed


def _select(
    rows: pd.DataFrame, allocation: pd.Series, plan: Plan, seed: int, unit_column: str = "unit_id"
) -> pd.DataFrame:
    try:
        return stratified_srswor(
            rows,
            stratum_column="stratum",
            allocation=allocation,
            seed=seed,
            unit_column=unit_column,
            reserves=plan.reserves,
            reserve_allocation=reserve_sizes(allocation, plan.reserve_fraction)
            if plan.reserves
            else None,
            sort_columns=list(plan.sort_columns),
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc


@transaction.atomic
def _save_draw(
    *,
    frame: Frame,
    sample: pd.DataFrame,
    plan: Plan,
    n: int,
    seed: int,
    name: str,
    user: User | None,
    excluded: tuple[list[int], int],
    attribute_columns: Sequence[str] = (),
) -> Draw:
    plain = attributes.plain_columns(strata=plan.strata, sort=plan.sort_columns)
    sealed_columns = [c for c in attribute_columns if c not in plain]
    codes = set(sample["locality_code"]) | set(sample[STRATUM_COLUMN])
    locality_ids = dict(Locality.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = sorted(codes - set(locality_ids))
    if missing:
        raise SamplingInputError(
            [_("Localities deleted since the frame was imported: %s.") % ", ".join(missing[:20])]
        )
    draw = Draw.objects.create(
        frame=frame,
        name=name or _("%(frame)s: n=%(n)s") % {"frame": frame, "n": n},
        stratum_column="+".join(plan.strata)[:100],
        strata_columns=list(plan.strata),
        n_total=n,
        allocation=plan.method,
        allocation_params=plan.allocation_params(),
        minimum_per_stratum=plan.minimum_per_stratum,
        reserve_replicates=plan.reserves,
        reserve_fraction=plan.reserve_fraction,
        sort_columns=list(plan.sort_columns),
        sealed_columns=sealed_columns,
        exclude_recent_draws=plan.exclude_recent_draws,
        excluded_draw_ids=excluded[0],
        n_excluded=excluded[1],
        seed=seed,
        created_by=user,
    )
    columns = ["unit_id", "phone", "address", "stratum", STRATUM_COLUMN, "locality_code"]
    columns += ["replicate", "inclusion_probability", "design_weight"]
    records = sample[list(attribute_columns)].fillna("").to_dict("records")
    split = [attributes.split(values, plain) for values in records]
    SampledUnit.objects.bulk_create(
        (
            SampledUnit(
                draw=draw,
                unit_id=unit_id,
                phone=phone,
                address=address,
                stratum=stratum,
                locality_id=locality_ids[locality_code],
                street_id=locality_ids[street],
                replicate=int(replicate),
                inclusion_probability=probability,
                design_weight=weight,
                attributes=unit_attributes[0],
                sealed_attributes=unit_attributes[1],
            )
            for (
                unit_id,
                phone,
                address,
                stratum,
                street,
                locality_code,
                replicate,
                probability,
                weight,
            ), unit_attributes in zip(
                sample[columns].itertuples(index=False, name=None), split, strict=True
            )
        ),
        batch_size=2000,
    )
    return draw
