"""Counting a wave's quota cells exactly: fieldwork.quotas.achieved, what every recount
(fieldwork.services.quota_counts.recount_quotas: a reopened or rejected interview, a purge,
a version switch, a target changed, the scheduled guard) computes over the wave's completed
interviews.

A 90-street wave: sex × age-group cells in every street plus two wave-wide cells (542 cells),
and --completes completed interviews spread over the streets. Pure: no database. Prints the
median, p95 and fastest of --repeat runs and the machine's load; asserts nothing.

    python bench/bench_quotas.py [--completes 10000] [--repeat 15]
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldwork import quotas  # noqa: E402

STREETS = [f"4301{i:05d}" for i in range(90)]
SEXES = ("男", "女")


def wave(completes: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    cells = [(s, "sex", x, 60) for s in STREETS for x in SEXES]
    cells += [(s, "age_group", g, 30) for s in STREETS for g in quotas.AGE_GROUPS]
    cells += [("", "sex", "男", completes // 2), ("", "age_group", "60+", completes // 5)]
    targets = pd.DataFrame(cells, columns=["stratum", "variable", "value", "target"])
    interviews = pd.DataFrame(
        {
            "stratum": [rng.choice(STREETS) for _ in range(completes)],
            "answers": [
                {"sex": rng.choice(SEXES), "age": rng.randint(16, 90), "q1": str(rng.randint(1, 5))}
                for _ in range(completes)
            ],
            "attributes": [
                {"building_type": rng.choice(["楼房", "平房"])} for _ in range(completes)
            ],
        }
    )
    return targets, interviews


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--completes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    targets, interviews = wave(args.completes)
    load = os.getloadavg()[0]
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        quotas.achieved(targets, interviews)
        times.append(time.perf_counter() - start)
    print(
        f"quotas.achieved, {len(targets)} cells, {args.completes:,} completes: median "
        f"{1000 * np.median(times):.1f} ms, p95 {1000 * np.percentile(times, 95):.1f} ms, "
        f"fastest {1000 * min(times):.1f} ms ({args.repeat} runs, load average {load:.1f} on "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
