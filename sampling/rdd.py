"""Random-digit dialling (RDD) of mainland mobile numbers from prefix blocks (号段).

Pure: numpy and pandas only. A mobile number has 11 digits; its first 7 (the 号段 block, e.g.
1380731) identify the operator and the prefecture-level city, the last 4 run 0000–9999, so a
block holds 10,000 numbers. The caller maps each block to the locality it serves.

Generation is simple random sampling without replacement of the numbers a locality's blocks
hold, after removing the excluded numbers (already in a frame, contacted in earlier waves), so
every eligible number of a locality has the same chance m/M, which is returned with each number.

List-assisted option: only the 100-banks (the first 9 digits: 100 numbers) that contain at
least k listed numbers (known working numbers, e.g. from earlier frames) are eligible. It trades
a little coverage for far fewer dead numbers.

Reproducible: the same inputs and seed give the same numbers (localities are processed in code
order from one seeded generator).
"""

import numpy as np
import pandas as pd

BLOCK_SIZE = 10_000  # numbers per 7-digit block
BANK_SIZE = 100  # numbers per 9-digit bank
_PREFIX_PATTERN = r"1[3-9][0-9]{5}"
_NUMBER_PATTERN = r"1[3-9][0-9]{9}"
GENERATED_COLUMNS = ["phone", "locality_code", "prefix", "inclusion_probability", "design_weight"]


def check_blocks(blocks: pd.DataFrame) -> list[str]:
    """Problems with a block table (columns `prefix`, `locality_code`, str), each naming the
    row (counting data rows from 2, as a spreadsheet does). Empty when the table is usable."""
    problems = []
    for column in ("prefix", "locality_code"):
        if column not in blocks.columns:
            problems.append(f"the block table has no column {column!r}")
    if problems:
        return problems
    prefix = blocks["prefix"].astype(str).str.strip()
    locality = blocks["locality_code"].astype(str).str.strip()
    rows = np.arange(len(blocks)) + 2
    bad = ~prefix.str.fullmatch(_PREFIX_PATTERN).to_numpy()
    for row, value in zip(rows[bad], prefix[bad], strict=True):
        problems.append(f"row {row}: {value!r} is not a 7-digit mobile prefix (1[3-9]xxxxx)")
    for row in rows[locality == ""]:
        problems.append(f"row {row}: the locality code is empty")
    pairs = pd.DataFrame({"prefix": prefix, "locality": locality, "row": rows}).drop_duplicates(
        ["prefix", "locality"]
    )
    clash = pairs[pairs["prefix"].duplicated(keep=False)]
    for prefix_value, group in clash.groupby("prefix", sort=True):
        problems.append(
            f"rows {', '.join(map(str, group['row']))}: block {prefix_value} is mapped to "
            f"several localities ({', '.join(group['locality'])})"
        )
    return problems


def generate(
    blocks: pd.DataFrame,
    targets: pd.Series,
    *,
    seed: int,
    exclude: set[str] | frozenset[str] = frozenset(),
    listed: pd.Series | None = None,
    min_listed: int = 0,
) -> pd.DataFrame:
    """Generate `targets[locality]` distinct numbers for each locality.

    blocks: DataFrame with str columns `prefix` (7 digits) and `locality_code`; see
        :func:`check_blocks`. targets: Series, index = locality code, values = how many numbers
        (int ≥ 0). exclude: 11-digit numbers never to generate. listed: Series of 11-digit
        listed numbers, used when min_listed ≥ 1 (list-assisted).
    Returns: DataFrame with columns phone (str, 11 digits), locality_code, prefix,
        inclusion_probability (m/M: numbers drawn over eligible numbers of the locality) and
        design_weight (M/m); ordered by locality code then phone.
    Raises ValueError when the table has problems, a locality has no blocks, or it has fewer
    eligible numbers than its target.
    """
    problems = check_blocks(blocks)
    if problems:
        raise ValueError("; ".join(problems))
    if (targets < 0).any() or (targets != targets.round()).any():
        raise ValueError("Targets must be whole numbers of 0 or more.")
    table = pd.DataFrame(
        {
            "prefix": blocks["prefix"].astype(str).str.strip(),
            "locality_code": blocks["locality_code"].astype(str).str.strip(),
        }
    ).drop_duplicates()
    excluded = _as_numbers(pd.Series(sorted(exclude), dtype=object))
    banks = _listed_banks(listed, min_listed) if min_listed >= 1 else None

    rng = np.random.default_rng(seed)
    parts, problems = [], []
    for locality in sorted(targets.index.astype(str)):
        m = int(targets[locality])
        if m == 0:
            continue
        prefixes = np.sort(
            table.loc[table["locality_code"] == locality, "prefix"].astype(np.int64).to_numpy()
        )
        if len(prefixes) == 0:
            problems.append(f"locality {locality} has no prefix blocks")
            continue
        units, unit_size = _sampling_units(prefixes, banks)
        own_excluded = excluded[np.isin(excluded // unit_size, units)]
        eligible = len(units) * unit_size - len(own_excluded)
        if m > eligible:
            problems.append(
                f"locality {locality} has {eligible} eligible numbers, fewer than the {m} wanted"
            )
            continue
        numbers = draw_numbers(rng, units, unit_size, m, own_excluded)
        parts.append(_numbers_table(numbers, locality, eligible))
    if problems:
        raise ValueError("; ".join(problems))
    if not parts:
        return pd.DataFrame(columns=GENERATED_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def _listed_banks(listed: pd.Series | None, min_listed: int) -> np.ndarray:
    """The 100-banks (9-digit ids, int64) holding at least `min_listed` listed numbers."""
    listed_numbers = _as_numbers(listed if listed is not None else pd.Series([], dtype=object))
    bank_ids, counts = np.unique(listed_numbers // BANK_SIZE, return_counts=True)
    return bank_ids[counts >= min_listed]


def _sampling_units(prefixes: np.ndarray, banks: np.ndarray | None) -> tuple[np.ndarray, int]:
    """What numbers are drawn from, and how many numbers each holds: a locality's blocks, or
    (list-assisted, `banks` given) the eligible banks within them."""
    if banks is None:
        return prefixes, BLOCK_SIZE
    return banks[np.isin(banks // (BLOCK_SIZE // BANK_SIZE), prefixes)], BANK_SIZE


def _numbers_table(numbers: np.ndarray, locality: str, eligible: int) -> pd.DataFrame:
    """One locality's drawn numbers (sorted int64) with their design figures."""
    m = len(numbers)
    return pd.DataFrame(
        {
            "phone": numbers.astype(str),
            "locality_code": locality,
            "prefix": (numbers // BLOCK_SIZE).astype(str),
            "inclusion_probability": m / eligible,
            "design_weight": eligible / m,
        }
    )


def draw_numbers(
    rng: np.random.Generator, units: np.ndarray, unit_size: int, m: int, excluded: np.ndarray
) -> np.ndarray:
    """m distinct numbers, uniform over the units' numbers minus `excluded`, sorted."""
    space = len(units) * unit_size
    if m > space // 2:  # dense: shuffle the whole space once
        candidates = units[np.arange(space) // unit_size] * unit_size + np.arange(space) % unit_size
        candidates = candidates[~np.isin(candidates, excluded)]
        return np.sort(rng.choice(candidates, size=m, replace=False))
    chosen = np.array([], dtype=np.int64)
    while len(chosen) < m:
        # Oversample with replacement, keep first occurrences in draw order: an SRSWOR.
        index = rng.integers(0, space, size=2 * (m - len(chosen)) + 16)
        numbers = units[index // unit_size] * unit_size + index % unit_size
        numbers = numbers[~np.isin(numbers, excluded) & ~np.isin(numbers, chosen)]
        _, first = np.unique(numbers, return_index=True)
        chosen = np.concatenate([chosen, numbers[np.sort(first)][: m - len(chosen)]])
    return np.sort(chosen)


def _as_numbers(values: pd.Series) -> np.ndarray:
    """Valid 11-digit numbers among `values` as int64 (anything else is ignored)."""
    text = values.astype(str).str.strip()
    return np.unique(text[text.str.fullmatch(_NUMBER_PATTERN)].astype(np.int64).to_numpy())
