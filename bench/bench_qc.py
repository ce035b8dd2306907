"""QC at scale: every rule and the interviewer signals on 100,000 interviews × 40 items.

Synthetic frame, no database: 250 interviewers (400 interviews each) over 100 streets,
5-point items with don't know, per-question seconds, phone and household keys, open answers,
qc_check failures on 1%, and 5 planted falsifiers (short interviews, copied answers,
everything "satisfied"). Prints wall and CPU time per step (CPU time is
what counts on a busy machine) and the peak resident memory (getrusage)
and, with --tracemalloc, the peak of Python-tracked allocations (slower). Asserts nothing.

    python bench/bench_qc.py [--interviews 100000] [--items 40] [--repeat 5] [--tracemalloc]

After the one-by-one pass, run_rules and interviewer_risk are repeated --repeat times and
their CPU and wall seconds given as median and p95, with the machine's load average (the
machine is shared: CPU time is the figure that does not depend on the neighbours).
"""

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qc import rules  # noqa: E402
from qc.risk import statistics  # noqa: E402
from qc.rules import answers, consistency, duplicates, engine, timing  # noqa: E402

SCORES = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}


def synthetic(n: int, n_items: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    items = [f"q{i:02d}" for i in range(n_items)]
    n_who = max(n // 400, 2)
    who = rng.integers(1, n_who + 1, n)
    street = rng.integers(0, 100, n)
    codes = np.array(["1", "2", "3", "4", "5", "9"], dtype=object)
    answers = rng.choice(codes, size=(n, n_items), p=[0.04, 0.08, 0.2, 0.43, 0.2, 0.05])
    answers[rng.random((n, n_items)) < 0.03] = None
    falsifiers = np.isin(who, [1, 2, 3, 4, 5])
    template = rng.choice(codes[:5], size=n_items)
    copy = falsifiers & (rng.random(n) < 0.5)
    answers[copy] = template
    answers[falsifiers & ~copy] = "4"
    duration = rng.lognormal(np.log(420), 0.3, n)
    duration[falsifiers] *= 0.45
    # Each interviewer works 8:30-20:30 over 20 days, interviews one after another.
    order = np.lexsort((rng.random(n), who))
    day = np.zeros(n, dtype="int64")
    offset = np.zeros(n)
    for w in np.unique(who):
        rows = order[who[order] == w]
        per_day = int(np.ceil(len(rows) / 20))
        day[rows] = np.arange(len(rows)) // per_day
        gaps = duration[rows] + rng.uniform(60, 600, len(rows))
        cumulative = np.cumsum(gaps)
        day_start = np.concatenate([[0], cumulative[:-1]])
        first = np.r_[0, np.flatnonzero(np.diff(day[rows])) + 1]
        reset = np.zeros(len(rows))
        reset[first] = day_start[first]
        offset[rows] = day_start - np.maximum.accumulate(reset)
    start = (
        pd.Timestamp("2025-05-01T00:30", tz="UTC")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(offset, unit="s")
    )
    frame = pd.DataFrame(
        {
            "duration_seconds": duration,
            "n_answered": n_items,
            "interviewer_id": who,
            "wave_id": 1,
            "started_at": start,
            "completed_at": start + pd.to_timedelta(duration, unit="s"),
            "sampled_locality": pd.Series(street).map(lambda s: f"S{s:03d}").to_numpy(),
            "said_locality": pd.Series(street).map(lambda s: f"S{s:03d}").to_numpy(),
            # ~n²/2·10⁻¹⁰ chance collisions plus 0.1% planted repeats
            "phone_key": [f"p{i}" for i in rng.integers(0, 10**10, n)],
            "household_key": [f"h{i}" for i in rng.integers(0, 10**10, n)],
            "qc_check_failures": [
                [{"question": "q01", "zh": "矛盾", "en": "contradiction"}] if bad else []
                for bad in rng.random(n) < 0.01
            ],
            "suggestion": rng.choice(["无", "多装路灯", "加强巡逻", None], n),
        }
        | {item: answers[:, j] for j, item in enumerate(items)}
        | {
            f"{item}{timing.SECONDS_SUFFIX}": duration / n_items * rng.uniform(0.5, 1.5, n)
            for item in items
        },
        index=pd.RangeIndex(1, n + 1, name="interview_id"),
    )
    repeated = rng.choice(n, n // 1000, replace=False)
    frame.loc[frame.index[repeated], "phone_key"] = frame["phone_key"].iloc[repeated - 1].to_numpy()
    facts = {
        "items": items,
        "excluded_codes": {"9"},
        "scores": {item: SCORES for item in items},
        "dimensions": {item: f"d{j % 8}" for j, item in enumerate(items)},
        "reading_chars": {item: 25 for item in items},
        "open_items": ["suggestion"],
    }
    return frame, facts


def _spread(values: list[float]) -> str:
    return f"median {np.median(values):.2f} s, p95 {np.percentile(values, 95):.2f} s"


def _repeated(df: pd.DataFrame, facts: dict, config: rules.RuleConfig, repeat: int) -> None:
    """run_rules and interviewer_risk `repeat` times: CPU and wall, median and p95."""
    import os

    times: dict[str, list[float]] = {k: [] for k in ("rules", "rules_wall", "risk", "risk_wall")}
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        flags = engine.run_rules(df, config=config, **facts)
        times["rules"].append(time.process_time() - c)
        times["rules_wall"].append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        statistics.interviewer_risk(
            df, flags, items=facts["items"], scores=facts["scores"], config=config
        )
        times["risk"].append(time.process_time() - c)
        times["risk_wall"].append(time.perf_counter() - t)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"repeated {repeat}× (load average {load} on {os.cpu_count()} cores):")
    print(f"  run_rules        CPU {_spread(times['rules'])}; wall {_spread(times['rules_wall'])}")
    print(f"  interviewer_risk CPU {_spread(times['risk'])}; wall {_spread(times['risk_wall'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    df, facts = synthetic(args.interviews, args.items)
    t1 = time.perf_counter()
    print(f"frame: {len(df):,} interviews × {args.items} items, built in {t1 - t0:.1f} s")
    print(f"frame memory: {df.memory_usage(deep=True).sum() / 2**20:,.0f} MiB")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.tracemalloc:
        tracemalloc.start()

    config = rules.RuleConfig(overall_item="q00")
    timings = {}
    start = time.perf_counter()
    for name, call in [
        ("rushed", lambda: timing.rushed(df)),
        ("straightlining", lambda: answers.straightlining(df, items=facts["items"])),
        ("rushed_relative", lambda: timing.rushed_relative(df)),
        (
            "item_nonresponse",
            lambda: answers.item_nonresponse(df, items=facts["items"], excluded_codes={"9"}),
        ),
        ("off_hours", lambda: timing.off_hours(df)),
        ("overlapping", lambda: timing.overlapping(df)),
        ("duplicate_answers", lambda: duplicates.duplicate_answers(df, items=facts["items"])),
        ("locality_mismatch", lambda: consistency.locality_mismatch(df)),
        ("fast_items", lambda: timing.fast_items(df, reading_chars=facts["reading_chars"])),
        (
            "acquiescence",
            lambda: answers.acquiescence(df, items=facts["items"], scores=facts["scores"]),
        ),
        ("inconsistent", lambda: consistency.inconsistent(df)),
        ("duplicate_contact", lambda: duplicates.duplicate_contact(df)),
        ("short_open_answers", lambda: answers.short_open_answers(df, open_items=["suggestion"])),
    ]:
        t, c = time.perf_counter(), time.process_time()
        fired = call()
        timings[name] = (time.perf_counter() - t, time.process_time() - c, len(fired))
    t, c = time.perf_counter(), time.process_time()
    flags = engine.run_rules(df, config=config, **facts)
    run_all = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
    found = statistics.interviewer_risk(
        df, flags, items=facts["items"], scores=facts["scores"], config=config
    )
    signal_time = (time.perf_counter() - t, time.process_time() - c)
    total = time.perf_counter() - start

    print("  rule                   wall s   CPU s    flags")
    for name, (seconds, cpu, n) in timings.items():
        print(f"  {name:<20} {seconds:7.2f} {cpu:7.2f}  {n:>7,}")
    print(
        f"run_rules (all {len(rules.RULES)} rules): {run_all[0]:.1f} s wall, "
        f"{run_all[1]:.1f} s CPU, {len(flags):,} flags"
    )
    print(
        f"interviewer_risk ({len(found)} interviewers): {signal_time[0]:.1f} s wall, "
        f"{signal_time[1]:.1f} s CPU"
    )
    print(f"top 5 by risk: {list(found.index[:5])} (planted falsifiers: 1-5)")
    print(f"total (rules one by one, run_rules, signals): {total:.1f} s")
    _repeated(df, facts, config, args.repeat)
    if args.tracemalloc:
        _current, peak = tracemalloc.get_traced_memory()
        print(f"peak traced allocations: {peak / 2**20:,.0f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:,.0f} MiB (after building the frame: {rss_before:,.0f} MiB)")


if __name__ == "__main__":
    main()
