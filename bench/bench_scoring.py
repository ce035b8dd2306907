"""Benchmark weighting and domain estimation with standard errors for every street.

Synthetic respondents (100,000 and 1,000,000 by default) in 400 streets of 20 districts;
strata = districts; design weights vary by street; the sample over-represents women and the
elderly, so raking has work to do. Contenders, each in its own subprocess so that peak
memory is its own, all starting from the same Parquet file in memory:

- ours-weights+se: scoring.design — design, raking to district × sex and district × age-group
  margins, trimming, then the mean score of each of the 400 streets with Taylor SEs that
  include the raking adjustment (what scoring.weighting + the estimate CLI do);
- ours-se: scoring.design on the design weights only (the same estimate samplics makes);
- samplics: ``TaylorEstimator(PopParam.mean).estimate(y, samp_weight, stratum, domain)``
  (samplics 0.6; needs the ``bench`` extra; skipped if it is not installed).

The uncalibrated SEs of ours and samplics are compared (max relative difference printed).
Peak memory: the rise of the process's peak RSS (resource.getrusage) during the timed part
(no tracemalloc: it slows numpy-heavy code several-fold and would distort the times).
Workers run with OPENBLAS_NUM_THREADS=1 (set below unless already set): on a loaded 2-core
machine OpenBLAS's threads turn the small dense products of the raking step from
milliseconds into seconds; samplics runs under the same setting.
samplics gets integer strata and domain codes, its fastest case.

Run: .venv/bin/python bench/bench_scoring.py [--sizes 100000,1000000] [--streets 400]
     [--contenders ours-weights+se,ours-se,samplics] [--timeout 1800]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.design.calibration import rake, trim  # noqa: E402
from scoring.design.designs import make_design  # noqa: E402
from scoring.design.estimates import estimate  # noqa: E402

DISTRICTS = 20
AGE_GROUPS = ["16-29", "30-44", "45-59", "60+"]


def synthetic(n: int, streets: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents (street, district, sex, age_group, weight, score) and the population
    cells (district, sex, age_group, Freq)."""
    rng = np.random.default_rng(seed)
    street = rng.integers(0, streets, n)
    district = street % DISTRICTS
    population_per_street = rng.integers(20_000, 80_000, streets)
    sampled_per_street = np.bincount(street, minlength=streets)
    weight = (population_per_street / np.maximum(sampled_per_street, 1))[street]
    sex = np.where(rng.random(n) < 0.56, "F", "M")  # women over-represented
    age = rng.choice(AGE_GROUPS, n, p=[0.15, 0.2, 0.3, 0.35])  # the elderly too
    base = 70 + 10 * np.sin(street) + np.where(age == "60+", 5.0, 0.0)
    score = np.clip(np.round((base + rng.normal(0, 20, n)) / 20) * 20, 0, 100)
    respondents = pd.DataFrame(
        {
            "street": [f"S{s:04d}" for s in street],
            "district": [f"D{d:02d}" for d in district],
            "sex": sex,
            "age_group": age,
            "weight": weight,
            "score": score,
        }
    )
    totals = pd.Series(weight).groupby(respondents["district"]).sum()
    cells = []
    for d, total in totals.items():
        for s, ps in (("M", 0.5), ("F", 0.5)):
            for a, pa in zip(AGE_GROUPS, [0.25, 0.3, 0.25, 0.2], strict=True):
                cells.append((d, s, a, round(total * ps * pa)))
    return respondents, pd.DataFrame(cells, columns=["district", "sex", "age_group", "Freq"])


def run_ours(respondents: pd.DataFrame, cells: pd.DataFrame, calibrate: bool) -> dict:
    design = make_design(weights=respondents["weight"].to_numpy(), strata=respondents["district"])
    if calibrate:
        margins = []
        for variable in ("sex", "age_group"):
            labels = respondents["district"] + "|" + respondents[variable]
            pop = cells.groupby(cells["district"] + "|" + cells[variable])["Freq"].sum()
            margins.append((labels, pop.to_dict()))
        design = rake(design, margins, tol=1e-8)
        mean = design.weights.mean()
        design = trim(design, lower=0.25 * mean, upper=4 * mean)
    codes, streets = pd.factorize(respondents["street"], sort=True)
    result = estimate(
        design,
        rows=np.arange(len(respondents)),
        domains=codes,
        y=respondents["score"].to_numpy(),
        n_domains=len(streets),
    )
    return {
        "streets": list(streets),
        "estimate": list(result["estimate"]),
        "se": list(result["se"]),
    }


def run_samplics(respondents: pd.DataFrame, cells: pd.DataFrame) -> dict:
    warnings.simplefilter("ignore")  # samplics announces on import that it is archived
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    estimator = TaylorEstimator(PopParam.mean)
    estimator.estimate(
        y=respondents["score"].to_numpy(),
        samp_weight=respondents["weight"].to_numpy(),
        stratum=pd.factorize(respondents["district"], sort=True)[0],
        domain=pd.factorize(respondents["street"], sort=True)[0],
        remove_nan=True,
    )
    names = np.sort(respondents["street"].unique())
    streets = sorted(estimator.point_est)
    return {
        "streets": [str(names[s]) for s in streets],
        "estimate": [float(estimator.point_est[s]) for s in streets],
        "se": [float(estimator.stderror[s]) for s in streets],
    }


CONTENDERS = {
    "ours-weights+se": lambda r, c: run_ours(r, c, calibrate=True),
    "ours-se": lambda r, c: run_ours(r, c, calibrate=False),
    "samplics": run_samplics,
}


def worker(name: str, data: str, cells: str) -> None:
    respondents = pd.read_parquet(data)
    population = pd.read_parquet(cells)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = CONTENDERS[name](respondents, population)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.update(
        seconds=seconds, rss_rise_mb=(rss_after - rss_before) / 1024, rss_peak_mb=rss_after / 1024
    )
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--streets", type=int, default=400)
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--cells", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.cells)
        return
    print(f"{os.cpu_count()} CPU(s); strata = {DISTRICTS} districts; domains = streets")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            respondents, cells = synthetic(size, args.streets)
            data, population = Path(tmp) / "resp.parquet", Path(tmp) / "cells.parquet"
            respondents.to_parquet(data)
            cells.to_parquet(population)
            results = {}
            for name in args.contenders.split(","):
                command = [sys.executable, __file__, "--worker", name, "--data", str(data)]
                try:
                    done = subprocess.run(
                        [*command, "--cells", str(population)],
                        env={"OPENBLAS_NUM_THREADS": "1", **os.environ},
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                    )
                except subprocess.TimeoutExpired:
                    print(f"n={size:>9,} {name:<16} timed out after {args.timeout:.0f} s")
                    continue
                if done.returncode != 0:
                    last = done.stderr.strip().splitlines()[-1:] or ["?"]
                    print(f"n={size:>9,} {name:<16} failed: {last[0]}")
                    continue
                result = json.loads(done.stdout.strip().splitlines()[-1])
                results[name] = result
                assert len(result["se"]) == args.streets
                print(
                    f"n={size:>9,} {name:<16} {result['seconds']:8.2f} s  "
                    f"peak RSS {result['rss_peak_mb']:7.1f} MB (+{result['rss_rise_mb']:.1f} MB "
                    "over the loaded data)"
                )
            if "ours-se" in results and "samplics" in results:
                ours, theirs = results["ours-se"], results["samplics"]
                assert ours["streets"] == theirs["streets"]
                rel = np.max(np.abs(np.array(ours["se"]) / np.array(theirs["se"]) - 1))
                print(f"n={size:>9,} SE ours vs samplics: max relative difference {rel:.1e}")
            if "ours-se" in results and "ours-weights+se" in results:
                ratio = np.median(
                    np.array(results["ours-weights+se"]["se"]) / np.array(results["ours-se"]["se"])
                )
                print(f"n={size:>9,} median SE ratio raked / design-weighted: {ratio:.3f}")


if __name__ == "__main__":
    main()
