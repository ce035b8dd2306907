"""Benchmark: standard errors that include the raking, for 1,000,000 respondents × 400
domains (streets), the figure the issue sets at ≤ 0.5 s.

The respondents of bench_scoring.synthetic (20 districts as strata, women and the elderly
over-represented) are raked once to district × sex and district × age-group margins and
trimmed (not timed: scoring.weighting does it once per computation); then
scoring.design.estimates.estimate — the mean score of each street with its Taylor SE,
linearised over the raked design — is timed `--repeat` times. Also timed: the same SEs by
the general sparse route (scoring.design.variance.total_variance, what ran before the
bincount route) once, and their largest relative difference.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_raked_se.py [--n 1000000]
     [--streets 400] [--repeat 15]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench_scoring: a loaded machine

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import sparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scoring import synthetic  # noqa: E402

from scoring.design.calibration import rake, trim  # noqa: E402
from scoring.design.designs import make_design  # noqa: E402
from scoring.design.estimates import estimate  # noqa: E402
from scoring.design.variance import total_variance  # noqa: E402


def raked_design(respondents: pd.DataFrame, cells: pd.DataFrame):
    design = make_design(weights=respondents["weight"].to_numpy(), strata=respondents["district"])
    margins = []
    for variable in ("sex", "age_group"):
        labels = respondents["district"] + "|" + respondents[variable]
        population = cells.groupby(cells["district"] + "|" + cells[variable])["Freq"].sum()
        margins.append((labels, population.to_dict()))
    design = rake(design, margins, tol=1e-8)
    mean = design.weights.mean()
    return trim(design, lower=0.25 * mean, upper=4 * mean)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--streets", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    respondents, cells = synthetic(args.n, args.streets)
    started = time.perf_counter()
    design = raked_design(respondents, cells)
    rake_seconds = time.perf_counter() - started
    codes, streets = pd.factorize(respondents["street"], sort=True)
    rows = np.arange(len(respondents))
    y = respondents["score"].to_numpy(dtype=float)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = estimate(design, rows=rows, domains=codes, y=y, n_domains=len(streets))
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, int(np.ceil(0.95 * len(times))) - 1)]
    print(
        f"n={args.n:,} × {len(streets)} domains, raked to {2 * 20} + {4 * 20} margin cells: "
        f"SEs with raking median {statistics.median(times):.3f} s, p95 {p95:.3f} s "
        f"(best {times[0]:.3f}, worst {times[-1]:.3f}; {args.repeat} runs); "
        f"raking and trimming {rake_seconds:.2f} s once"
    )
    # the general sparse route, once, and the agreement
    weights = design.weights
    mean = np.bincount(codes, weights * y) / np.bincount(codes, weights)
    z = weights * (y - mean[codes]) / np.bincount(codes, weights)[codes]
    started = time.perf_counter()
    x = sparse.csr_matrix((z, (rows, codes)), shape=(design.n, len(streets)))
    sparse_se = np.sqrt(total_variance(design, x))
    print(
        f"sparse route: {time.perf_counter() - started:.3f} s; largest relative difference "
        f"of the SEs {np.max(np.abs(result['se'].to_numpy() / sparse_se - 1)):.1e}"
    )


if __name__ == "__main__":
    main()
