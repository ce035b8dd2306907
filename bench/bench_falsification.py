"""Falsification benchmark: how well the rules and the interviewer risk find planted falsifiers.

On the synthetic wave of bench/falsification_wave.py (50,000 door interviews, 200
interviewers, six planted falsifiers, one per strategy), runs every rule
(qc.rules.engine.run_rules) and the interviewer risk (qc.risk.statistics.interviewer_risk),
then prints per rule its false-alarm rate on clean interviews and its recall on each
strategy's falsified interviews, the recall of "any high/medium flag", and each planted
interviewer's risk rank among the 200. No database. Asserts nothing.

    python bench/bench_falsification.py [--interviews 50000] [--interviewers 200] [--seed 7]
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from falsification_wave import STRATEGIES, wave  # noqa: E402

from qc.risk.statistics import interviewer_risk  # noqa: E402
from qc.rules import (  # noqa: E402
    DUPLICATE_ACROSS,
    DUPLICATE_ANSWERS,
    RULES,
    STRAIGHTLINING,
    RuleConfig,
)
from qc.rules.engine import run_rules  # noqa: E402


def _run(df: pd.DataFrame, facts: dict, config: RuleConfig) -> pd.DataFrame:
    known = {"items", "excluded_codes", "scores", "dimensions", "batteries"}
    return run_rules(df, config=config, **{k: v for k, v in facts.items() if k in known})


def _curbstoning_counts(df: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """The counts qc.rule_input makes from a form's "other" choices and number questions."""
    other = pd.Series(0, index=df.index)
    asked = pd.Series(0, index=df.index)
    for question, code in facts["other_codes"].items():
        asked += df[question].notna()
        other += df[question].eq(code)
    given = pd.Series(0, index=df.index)
    rounded = pd.Series(0, index=df.index)
    for question in facts["numeric_items"]:
        number = pd.to_numeric(df[question], errors="coerce")
        usable = number.notna() & (number != 0) & (number % 1 == 0)
        given += usable
        rounded += usable & (number % 5 == 0)
    return df.assign(
        other_answers=other, other_asked=asked, numbers_rounded=rounded, numbers_given=given
    )


def _rates(flags: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """Per rule (and "any"), the share of each label's interviews it fired on."""
    fired = {rule: set(flags.index[flags["rule"] == rule]) for rule in RULES}
    fired["any high/medium"] = set(flags.index[flags["severity"].isin(["high", "medium"])])
    labels = ["clean", *STRATEGIES]
    rows = {}
    for rule, ids in fired.items():
        hit = truth.index.isin(list(ids))
        rows[rule] = {label: hit[(truth == label).to_numpy()].mean() for label in labels}
    # Copies whose original is straight-lined are straight-lining's: the union of the two.
    both = fired[STRAIGHTLINING] | fired[DUPLICATE_ANSWERS] | fired[DUPLICATE_ACROSS]
    hit = truth.index.isin(list(both))
    rows["straightlining or copied"] = {x: hit[(truth == x).to_numpy()].mean() for x in labels}
    table = pd.DataFrame(rows).T[labels]
    return table.rename(columns={"clean": "false alarms (clean)"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=50_000)
    parser.add_argument("--interviewers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    w = wave(args.interviews, args.interviewers, args.seed)
    t1 = time.perf_counter()
    print(f"wave: {len(w.df):,} interviews, {args.interviewers} interviewers ({t1 - t0:.1f} s)")
    print("planted:", w.planted)
    print("labels:", w.truth.value_counts().to_dict())
    config = RuleConfig()
    df = _curbstoning_counts(w.df, w.facts)
    flags = _run(df, w.facts, config)
    t2 = time.perf_counter()
    risk = interviewer_risk(
        df,
        flags,
        items=w.facts["items"],
        scores=w.facts["scores"],
        excluded_codes=w.facts["excluded_codes"],
        config=config,
    )
    t3 = time.perf_counter()
    print(f"rules {t2 - t1:.1f} s, interviewer risk {t3 - t2:.1f} s; {len(flags):,} flags")
    table = _rates(flags, w.truth)
    table = table[(table > 0).any(axis=1)]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\nShare of interviews flagged, per rule and label (recall on strategies):")
        print((table * 100).round(1).to_string())
    print(f"\nPlanted interviewers' risk rank (of {len(risk)}):")
    ranks = risk["rank"]
    for strategy, interviewer_id in w.planted.items():
        row = risk.loc[interviewer_id]
        print(
            f"  {strategy:<15} interviewer {interviewer_id:>4}: rank {ranks[interviewer_id]}, "
            f"risk {row['risk']:.1f}; {row['reasons_en'][:150]}"
        )
    top = [int(i) for i in risk.index[:10]]
    inside = sum(1 for i in w.planted.values() if i in top)
    print(f"planted among the top 10: {inside} of 6; top 10: {top}")


if __name__ == "__main__":
    main()
