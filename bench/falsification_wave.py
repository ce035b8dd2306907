"""A synthetic wave with planted falsifiers: the ground truth of bench/bench_falsification.py.

Committed before any QC threshold was tuned against it, so the benchmark measures the rules
rather than the rules fitted to the benchmark. Deterministic for a seed. No Django.

    wave(n_interviews=50_000, n_interviewers=200, seed=7) -> Wave

Honest interviews: each respondent has a latent satisfaction; 30 five-point items (codes
"1".."5", "9" don't know) scattered around it, with a few honest straight-liners (~2%), some
don't know (more for some respondents), a numeric answer (`years_lived`, naturally heaped on
multiples of 5 in ~30% of answers) and a channel question whose "other" (96) ~8% choose.
Door interviews with a speech share (fraction of the audio with speech) around 0.55, missing
for ~10% (not recorded). Interviewers work two streets each, one after another 09:00-18:00
local time, ~10 a day.

Six planted interviewers, one per strategy (STRATEGIES), chosen at random among the 200:
  rushed          every interview at ~30% of the usual length;
  straightlined   ~85% of interviews answer the whole battery with one code;
  copied_within   ~40% of interviews copy another of their own interviews (0-2 items
                  changed);
  copied_between  ~40% of interviews copy an interview of another interviewer of the same
                  street (0-2 items changed): a team copying each other;
  curbstoned      plausible but too regular: answers around one value, hardly an extreme,
                  no don't know, never "other", every number a multiple of 5;
  no_speech       ordinary-looking answers and times, but a speech share near 0.

`truth` labels each interview: "clean", one of STRATEGIES (the interview is falsified that
way), or "copy_source" (an honest interview someone else copied: its duplicate flag is right,
it is neither clean nor falsified).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

STRATEGIES = (
    "rushed",
    "straightlined",
    "copied_within",
    "copied_between",
    "curbstoned",
    "no_speech",
)
CODES = np.array(["1", "2", "3", "4", "5"], dtype=object)
DONT_KNOW = "9"
OTHER = "96"
SCORES = {"5": 100.0, "4": 75.0, "3": 50.0, "2": 25.0, "1": 0.0}


@dataclass
class Wave:
    """df: the rules' input frame (qc.rule_input's shape); truth: per interview its label;
    planted: strategy -> interviewer id; facts: the questionnaire facts run_rules takes."""

    df: pd.DataFrame
    truth: pd.Series
    planted: dict[str, int]
    facts: dict


def _honest_answers(rng: np.random.Generator, n: int, n_items: int) -> np.ndarray:
    latent = rng.normal(3.7, 0.7, n)[:, None]
    item_shift = rng.normal(0.0, 0.3, n_items)[None, :]
    value = np.clip(np.rint(latent + item_shift + rng.normal(0, 0.8, (n, n_items))), 1, 5)
    answers = CODES[value.astype(int) - 1]
    dk_rate = rng.beta(0.6, 12, n)[:, None]  # most respondents answer nearly everything
    answers[rng.random((n, n_items)) < dk_rate] = DONT_KNOW
    straight = rng.random(n) < 0.02
    answers[straight] = rng.choice(CODES[2:], straight.sum())[:, None]
    return answers


def _years(rng: np.random.Generator, n: int) -> np.ndarray:
    years = np.clip(np.rint(rng.lognormal(2.6, 0.7, n)), 0, 80)
    heaped = rng.random(n) < 0.3
    years[heaped] = np.rint(years[heaped] / 5) * 5
    return years


def _schedule(
    rng: np.random.Generator, who: np.ndarray, duration: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Start and end times: per interviewer ~10 a day from 09:00 local (01:00 UTC), in a row."""
    order = np.lexsort((rng.random(len(who)), who))
    rank = np.zeros(len(who), dtype="int64")
    sorted_who = who[order]
    first = np.r_[0, np.flatnonzero(np.diff(sorted_who)) + 1]
    counts = np.diff(np.r_[first, len(who)])
    rank[order] = np.arange(len(who)) - np.repeat(first, counts)
    day = rank // 10
    gap = duration + rng.uniform(300, 1500, len(who))
    keyed = pd.DataFrame({"who": who, "day": day, "gap": gap}).iloc[order]
    offset = keyed.groupby(["who", "day"])["gap"].cumsum() - keyed["gap"]
    offset = offset.reindex(range(len(who))).to_numpy()
    start = (
        pd.Timestamp("2026-05-04T01:00", tz="UTC")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(offset, unit="s")
    )
    return pd.Series(start), pd.Series(start + pd.to_timedelta(duration, unit="s"))


def _copy_rows(
    rng: np.random.Generator, answers: np.ndarray, targets: np.ndarray, sources: np.ndarray
) -> None:
    """answers[targets] := answers[sources] with 0-2 items changed."""
    answers[targets] = answers[sources]
    for row in targets:
        changed = rng.choice(answers.shape[1], rng.integers(0, 3), replace=False)
        answers[row, changed] = rng.choice(CODES, len(changed))


def _plant(rng, who, street, answers, duration, speech, years, channel, planted) -> pd.Series:
    n = len(who)
    truth = np.full(n, "clean", dtype=object)
    rows = {name: np.flatnonzero(who == iid) for name, iid in planted.items()}

    duration[rows["rushed"]] *= 0.3
    truth[rows["rushed"]] = "rushed"

    r = rows["straightlined"]
    r = r[rng.random(len(r)) < 0.85]
    answers[r] = rng.choice(CODES[2:], len(r), p=[0.2, 0.6, 0.2])[:, None]
    duration[r] *= 0.8
    truth[r] = "straightlined"

    r = rows["copied_within"]
    copies = r[rng.random(len(r)) < 0.4]
    originals = np.setdiff1d(r, copies)
    _copy_rows(rng, answers, copies, rng.choice(originals, len(copies)))
    truth[copies] = "copied_within"

    r = rows["copied_between"]
    copies = r[rng.random(len(r)) < 0.4]
    honest = (truth == "clean") & ~np.isin(who, list(planted.values()))
    pool = np.flatnonzero(honest & np.isin(street, np.unique(street[r])))
    sources = rng.choice(pool, len(copies), replace=False)
    _copy_rows(rng, answers, copies, sources)
    truth[copies] = "copied_between"
    truth[sources] = "copy_source"

    r = rows["curbstoned"]
    centre = rng.choice([3, 4], len(r), p=[0.3, 0.7])[:, None]
    step = rng.choice([-1, 0, 0, 0, 1], (len(r), answers.shape[1]))
    answers[r] = CODES[np.clip(centre + step, 2, 4) - 1]
    years[r] = np.rint(rng.uniform(5, 40, len(r)) / 5) * 5
    channel[r] = rng.choice(["1", "2", "3"], len(r))
    truth[r] = "curbstoned"

    r = rows["no_speech"]
    speech[r] = rng.uniform(0.0, 0.04, len(r))
    truth[r] = "no_speech"
    return pd.Series(truth, index=pd.RangeIndex(1, n + 1, name="interview_id"), name="truth")


def wave(n_interviews: int = 50_000, n_interviewers: int = 200, seed: int = 7) -> Wave:
    """The synthetic wave (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n, n_items = n_interviews, 30
    items = [f"s{j:02d}" for j in range(n_items)]
    who = rng.integers(1, n_interviewers + 1, n)
    # Two streets per interviewer, each street shared by a team of ~4 interviewers.
    team_street = (who - 1) // 4 * 2
    street = team_street + rng.integers(0, 2, n)
    answers = _honest_answers(rng, n, n_items)
    duration = rng.lognormal(np.log(900), 0.25, n)
    speech = np.clip(rng.normal(0.55, 0.12, n), 0.05, 0.95)
    speech[rng.random(n) < 0.1] = np.nan
    years = _years(rng, n)
    channel = rng.choice(["1", "2", "3", "4", OTHER], n, p=[0.35, 0.3, 0.17, 0.1, 0.08])
    channel = channel.astype(object)
    planted = dict(
        zip(
            STRATEGIES,
            (int(i) for i in rng.choice(np.arange(1, n_interviewers + 1), 6, replace=False)),
            strict=True,
        )
    )
    truth = _plant(rng, who, street, answers, duration, speech, years, channel, planted)
    start, end = _schedule(rng, who, duration)
    n_answered = (answers != DONT_KNOW).sum(axis=1) + 2
    locality = pd.Series(street).map(lambda s: f"S{s:03d}").to_numpy()
    df = pd.DataFrame(
        {
            "duration_seconds": duration,
            "n_answered": n_answered,
            "interviewer_id": pd.array(who, dtype="Int64"),
            "wave_id": 1,
            "mode": "door",
            "started_at": start.to_numpy(),
            "completed_at": end.to_numpy(),
            "sampled_locality": locality,
            "said_locality": locality,
            "speech_share": speech,
            "years_lived": years.astype(int).astype(str),
            "channel": channel,
        }
        | {item: answers[:, j] for j, item in enumerate(items)},
        index=truth.index,
    )
    df["started_at"] = pd.to_datetime(df["started_at"], utc=True)
    df["completed_at"] = pd.to_datetime(df["completed_at"], utc=True)
    facts = {
        "items": items,
        "excluded_codes": {item: frozenset({DONT_KNOW}) for item in items},
        "scores": {item: SCORES for item in items},
        "dimensions": {item: f"d{j // 6}" for j, item in enumerate(items)},
        "batteries": {"satisfaction": items},
        "numeric_items": ["years_lived"],
        "other_codes": {"channel": OTHER},
    }
    return Wave(df, truth, planted, facts)
