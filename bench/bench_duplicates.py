"""Near-duplicate answers at scale: does the work grow with the interviews, not their square?

Times duplicate_answers (within interviewers) and duplicate_across (between interviewers of a
team) on waves of 20 interviewers with 1,000 and with 4,000 interviews each (30 five-point
items, ~2% planted copies), CPU seconds as median and p95 of --repeat runs, with the load
average. Locality-sensitive hashing (qc.rules.similar) should keep the 4,000 run within ~4-5×
the 1,000 run, where comparing all pairs would take 16×. Asserts nothing.

    python bench/bench_duplicates.py [--interviewers 20] [--repeat 3]
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qc.rules import duplicates  # noqa: E402
from qc.rules.coding import item_codes  # noqa: E402
from qc.rules.similar import coded_answers  # noqa: E402

ITEMS = [f"q{j:02d}" for j in range(30)]


def wave(per_interviewer: int, n_interviewers: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = per_interviewer * n_interviewers
    latent = rng.normal(3.7, 0.7, n)[:, None]
    values = np.clip(np.rint(latent + rng.normal(0, 0.8, (n, len(ITEMS)))), 1, 5).astype(int)
    who = np.repeat(np.arange(1, n_interviewers + 1), per_interviewer)
    copies = rng.choice(n, n // 50, replace=False)
    sources = rng.choice(n, len(copies))
    values[copies] = values[sources]
    frame = pd.DataFrame(values.astype(str), columns=ITEMS)
    frame["interviewer_id"] = who
    frame["sampled_locality"] = [f"S{(w - 1) // 4}" for w in who]  # teams of 4
    frame.index = pd.RangeIndex(1, n + 1, name="interview_id")
    return frame


def timed(df: pd.DataFrame) -> tuple[float, int]:
    start = time.process_time()
    coded = coded_answers(df, ITEMS, None, item_codes(df, ITEMS))
    found = duplicates.duplicate_answers(df, items=ITEMS, coded=coded)
    across = duplicates.duplicate_across(df, items=ITEMS, coded=coded)
    return time.process_time() - start, len(found) + len(across)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviewers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    medians = {}
    for per in (1000, 4000):
        df = wave(per, args.interviewers)
        runs = [timed(df) for _ in range(args.repeat)]
        seconds = [r[0] for r in runs]
        medians[per] = float(np.median(seconds))
        print(
            f"{per:>5} interviews per interviewer ({len(df):,} in all): CPU median "
            f"{np.median(seconds):.2f} s, p95 {np.percentile(seconds, 95):.2f} s; "
            f"{runs[0][1]:,} flags"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"ratio 4,000 / 1,000: {medians[4000] / medians[1000]:.1f}× (load average {load})")


if __name__ == "__main__":
    main()
