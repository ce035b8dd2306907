"""A synthetic wave for the interviewer-risk tests: eight interviewers over three strata, one
of whom (`fake`) may be made to answer fast and agreeably."""

import numpy as np
import pandas as pd


def interviews_frame(n: int = 240, seed: int = 3, fake: int | None = None):
    """(interviews as qc.rule_input builds them, the item names)."""
    rng = np.random.default_rng(seed)
    items = [f"q{i}" for i in range(6)]
    who = rng.integers(1, 9, n)
    answers = rng.choice(
        ["1", "2", "3", "4", "5", "9"], size=(n, 6), p=[0.05, 0.1, 0.2, 0.4, 0.2, 0.05]
    )
    answers = answers.astype(object)
    answers[rng.random((n, 6)) < 0.05] = None
    duration = rng.lognormal(np.log(420), 0.25, n)
    if fake is not None:
        mask = who == fake
        answers[mask] = rng.choice(["4", "5"], size=(mask.sum(), 6))
        duration[mask] *= 0.5
    days = pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    start = pd.Timestamp("2025-05-01T09:00", tz="UTC") + days
    start = start + pd.to_timedelta(rng.uniform(0, 8 * 3600, n), unit="s")
    df = pd.DataFrame(
        {
            "interviewer_id": who,
            "sampled_locality": rng.choice(["S1", "S2", "S3"], n),
            "duration_seconds": duration,
            "n_answered": 6,
            "started_at": start,
            "completed_at": start + pd.to_timedelta(duration, unit="s"),
        }
        | {x: answers[:, j] for j, x in enumerate(items)},
        index=pd.RangeIndex(1, n + 1, name="interview_id"),
    )
    return df, items
