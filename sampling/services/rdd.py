"""Random-digit dialling: mobile numbers for each locality from its 号段 blocks, leaving out
numbers already in frames or recent draws (the generation itself is sampling.rdd)."""

from collections.abc import Sequence

import pandas as pd

from sampling import rdd
from sampling.errors import SamplingInputError
from sampling.models import Frame
from sampling.selectors import load_frame, recent_draw_phones
from sampling.services.draws import checked_seed


def generate_phone_numbers(
    *,
    blocks: pd.DataFrame,
    targets: dict[str, int],
    seed: int | None = None,
    exclude_frames: Sequence[Frame] = (),
    exclude_recent_draws: int = 0,
    exclude_numbers: Sequence[str] = (),
    min_listed: int = 0,
) -> tuple[pd.DataFrame, int]:
    """RDD mobile numbers for each locality from its 号段 blocks (see sampling.rdd).

    blocks: columns prefix, locality_code. Numbers in `exclude_frames`, sampled in the last
    `exclude_recent_draws` draws or in `exclude_numbers` are never generated. min_listed ≥ 1:
    list-assisted, the frames' numbers are the listed ones. Returns (numbers, seed).
    """
    seed = checked_seed(seed)
    exclude = {str(number) for number in exclude_numbers}
    listed = [load_frame(frame, columns=["phone"])["phone"] for frame in exclude_frames]
    for phones in listed:
        exclude.update(phones)
    if exclude_recent_draws:
        exclude.update(recent_draw_phones(exclude_recent_draws))
    try:
        numbers = rdd.generate(
            blocks,
            pd.Series(targets, dtype="int64"),
            seed=seed,
            exclude=exclude,
            listed=pd.concat(listed) if listed else None,
            min_listed=min_listed,
        )
    except ValueError as exc:
        raise SamplingInputError([str(exc)]) from exc
    return numbers, seed
