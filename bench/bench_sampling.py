"""Time the sampling pipeline on a city-sized frame: 1,000,000 households over 400 streets.

Run: .venv/bin/python bench/bench_sampling.py [--rows N] [--streets H] [--n n]
Prints the figures; asserts nothing. Only the pure modules are timed (no database, no files).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sampling.allocation import proportional  # noqa: E402
from sampling.draw import sort_for_draw, stratified_srswor  # noqa: E402
from sampling.frame_validation import validate_frame  # noqa: E402

COMMUNITIES_PER_STREET = 5


def synthetic_frame(rows: int, streets: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """A frame file as read (all text, shuffled rows) and the known localities for it."""
    rng = np.random.default_rng(seed)
    street_codes = [f"3201{d:02d}{s:03d}" for d in range(1, 11) for s in range(streets // 10)]
    known = {}
    for street in street_codes:
        known[street] = {"level": "street", "street_code": street, "district_code": street[:6]}
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            known[f"{street}{c:03d}"] = {
                "level": "community",
                "street_code": street,
                "district_code": street[:6],
            }
    communities = np.array([code for code in known if len(code) == 12])
    # Uneven street sizes, as in a real city: lognormal community weights.
    weights = rng.lognormal(0, 0.6, size=len(communities))
    locality = communities[rng.choice(len(communities), size=rows, p=weights / weights.sum())]
    ids = pd.Series(rng.permutation(rows)).map("{:08d}".format)
    phones = pd.Series(rng.integers(3_000_000_000, 9_999_999_999, size=rows)).map("1{:010d}".format)
    frame = pd.DataFrame(
        {
            "household_id": "H" + ids,
            "phone": phones,
            "community_code": locality,
            "address": "某路" + ids.str.slice(0, 4) + "号",
        },
        dtype=str,
    )
    return frame, known


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--streets", type=int, default=400)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()

    file, known = timed(
        f"generate {args.rows:,} rows / {args.streets} streets", synthetic_frame, args.rows,
        args.streets,
    )  # fmt: skip
    mapping = {
        "unit_id": "household_id",
        "phone": "phone",
        "locality_code": "community_code",
        "address": "address",
    }
    validation = timed(
        "validate_frame", validate_frame, file, known_localities=known, mapping=mapping
    )
    assert validation.ok, validation.errors[:5]
    frame = validation.frame
    sizes = frame["street_code"].value_counts().sort_index()
    allocation = timed(f"proportional allocation of {args.n:,}", proportional, sizes, args.n)
    timed(
        f"proportional, minimum {args.n // len(sizes) // 2} per street",
        proportional, sizes, args.n, minimum=args.n // len(sizes) // 2,
    )  # fmt: skip
    sample = timed(
        f"draw {args.n:,} (file order: includes the sort)",
        stratified_srswor, frame, stratum_column="street_code", allocation=allocation, seed=7,
    )  # fmt: skip
    stored = timed("sort_for_draw (done once, at import)", sort_for_draw, frame,
                   stratum_column="street_code")  # fmt: skip
    again = timed(
        f"draw {args.n:,} (stored order, as from Parquet)",
        stratified_srswor, stored, stratum_column="street_code", allocation=allocation, seed=7,
    )  # fmt: skip
    print(
        f"sample: {len(sample):,} units in {sample['street_code'].nunique()} streets; "
        f"same units either way: {sample['unit_id'].equals(again['unit_id'])}"
    )


if __name__ == "__main__":
    main()
