"""Interviewer risk: falsification indicators of each interviewer against peers, and a ranked
risk list. Pure: pandas/numpy/scipy.

Each interviewer's indicators are compared with peers working the same strata
(qc.risk.peers: per-interview values by z, answer distributions by χ²); an interviewer alone
in its strata is compared with all other interviewers instead (peer_scope "all").

Interviews per hour: interviews / hours worked, hours = per local day the span from the first
start to the last completion (at least the summed durations). Compared across interviewers by
a robust z of the log rate: (x − median of the others) / (1.4826 × MAD of all).

Completion and refusal rates (optional `outcomes`, from case dispositions): binomial z of the
interviewer's rate against the pooled rate of all other interviewers (not by stratum).

Risk = Σ over indicators of the z in the suspicious direction (shorter interviews, more flags,
more high-severity flags, more straight-lining, more copied interviews, more positive answers
(acquiescence share, when scores are given), more divergent answers, more interviews per
hour, higher completion, higher refusal, less speech in recordings, and the curbstoning
indicators of qc.risk.curbstoning: fewer extreme answers, less non-response, fewer "other"
answers, more rounded numbers, less variance between interviews), each
clipped to [0, RuleConfig.signal_z_cap]. A reason is written for each indicator whose
suspicious z reaches RuleConfig.signal_z. An interviewer with fewer than
RuleConfig.signal_min_interviews interviews is listed but not scored (risk NaN, ranked last).
Several weak indicators combined beat any one (Bredl et al. 2012; Schwanhäuser et al. 2022).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qc.risk.curbstoning import COLUMNS as CURBSTONING_COLUMNS
from qc.risk.curbstoning import DIRECTION as CURBSTONING_DIRECTION
from qc.risk.curbstoning import curbstoning_columns
from qc.risk.peers import (
    divergence,
    interviewer_codes,
    median_peer_duration,
    peer_z,
    strata_codes,
)
from qc.risk.reasons import reason
from qc.rules import (
    DUPLICATE_ACROSS,
    DUPLICATE_ANSWERS,
    HIGH,
    STRAIGHTLINING,
    ExcludedCodes,
    ItemScores,
    RuleConfig,
)
from qc.rules.answers import positive_answers
from qc.rules.coding import ItemCodes, item_codes

INDICATORS = (
    "duration",
    "flags",
    "high",
    "straightlining",
    "duplicates",
    "acquiescence",
    "divergence",
    "pace",
    "completion",
    "refusal",
    "speech",
    # curbstoning (qc.risk.curbstoning; Schwanhäuser et al. 2022)
    "extreme",
    "nonresponse",
    "other",
    "rounding",
    "variance",
)
RISK_COLUMNS = [
    "n_interviews",
    "peer_scope",
    "median_duration",
    "peer_median_duration",
    "duration_z",
    "flag_rate",
    "peer_flag_rate",
    "flags_z",
    "high_rate",
    "peer_high_rate",
    "high_z",
    "straightlining_rate",
    "peer_straightlining_rate",
    "straightlining_z",
    "duplicates_rate",
    "peer_duplicates_rate",
    "duplicates_z",
    "acquiescence_share",
    "peer_acquiescence_share",
    "acquiescence_z",
    "divergence_chi2",
    "divergence_df",
    "divergence_p",
    "divergence_z",
    "interviews_per_hour",
    "peer_interviews_per_hour",
    "pace_z",
    "completion_rate",
    "peer_completion_rate",
    "completion_z",
    "refusal_rate",
    "peer_refusal_rate",
    "refusal_z",
    "speech_share",
    "peer_speech_share",
    "speech_z",
    *CURBSTONING_COLUMNS,
    "risk",
    "rank",
    "reasons",
    "reasons_en",
]


def _pace(df: pd.DataFrame, who: np.ndarray, n_who: int, timezone: str) -> np.ndarray:
    """Interviews per hour worked per interviewer (NaN without usable times)."""
    start = pd.to_datetime(df["started_at"], utc=True) if "started_at" in df else None
    end = pd.to_datetime(df["completed_at"], utc=True) if "completed_at" in df else None
    if start is None or end is None:
        return np.full(n_who, np.nan)
    ok = (start.notna() & end.notna()).to_numpy()
    # The local calendar day as a whole number (no Python date objects: 100,000 of them cost)
    local = start[ok].dt.tz_convert(timezone).dt.tz_localize(None)
    day = local.to_numpy().astype("datetime64[D]").astype("int64")
    epoch = pd.Timestamp(0, tz="UTC")
    start_s = (start[ok] - epoch).dt.total_seconds().to_numpy()
    end_s = (end[ok] - epoch).dt.total_seconds().to_numpy()
    frame = pd.DataFrame(
        {"who": who[ok], "day": day, "start": start_s, "end": end_s, "seconds": end_s - start_s}
    )
    if frame.empty:
        return np.full(n_who, np.nan)
    days = frame.groupby(["who", "day"]).agg(
        start=("start", "min"), end=("end", "max"), seconds=("seconds", "sum"), n=("who", "size")
    )
    span = days["end"] - days["start"]
    hours = np.maximum(span, days["seconds"]) / 3600
    per_who = pd.DataFrame({"n": days["n"], "hours": hours}).groupby(level="who").sum()
    rate = (per_who["n"] / per_who["hours"].where(per_who["hours"] > 0)).reindex(range(n_who))
    return rate.to_numpy(dtype="float64")


def _robust_z(values: np.ndarray) -> np.ndarray:
    """(x − median of the others) / (1.4826 × MAD of all), on log values; NaN stays NaN."""
    logs = np.log(np.where(values > 0, values, np.nan))
    known = logs[~np.isnan(logs)]
    if known.size < 3:
        return np.full(values.shape, np.nan)
    mad = 1.4826 * np.median(np.abs(known - np.median(known)))
    out = np.full(values.shape, np.nan)
    if mad == 0:
        return out
    for i in np.flatnonzero(~np.isnan(logs)):
        others = np.delete(logs, i)
        out[i] = (logs[i] - np.nanmedian(others)) / mad
    return out


def _rate_z(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rate, pooled rate of the others, binomial z) per row of counts k out of n."""
    k, n = k.astype("float64"), n.astype("float64")
    other_k, other_n = k.sum() - k, n.sum() - n
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = k / n
        peer = (other_k + 0.5) / (other_n + 1.0)
        z = (k - n * peer) / np.sqrt(n * peer * (1 - peer))
    z = np.where(n > 0, z, np.nan)
    return np.where(n > 0, rate, np.nan), np.where(other_n > 0, peer, np.nan), z


@dataclass(frozen=True)
class _Peers:
    """Whom each interview of the frame is compared with: codes per interview."""

    who: np.ndarray  # interviewer number 0..n_who-1
    n_who: int
    stratum: np.ndarray  # stratum number (qc.risk.peers.strata_codes)
    everyone: np.ndarray  # one stratum for all: the fallback for interviewers alone

    def compared(self, values: np.ndarray, binary: bool = False) -> pd.DataFrame:
        """peer_z in the same strata; interviewers without peers there: against everyone."""
        same = peer_z(values, self.stratum, self.who, self.n_who, binary=binary)
        alone = same["n"].to_numpy() == 0
        if alone.any():
            pooled = peer_z(values, self.everyone, self.who, self.n_who, binary=binary)
            same.loc[alone] = pooled.loc[alone].to_numpy()
        return same

    def per_interviewer(self, values: np.ndarray, how: str) -> np.ndarray:
        """Per interviewer, the `how` ("mean", "median") of a value per interview."""
        grouped = pd.Series(values).groupby(self.who)
        return grouped.agg(how).reindex(range(self.n_who)).values


def _duration_columns(frame: pd.DataFrame, peers: _Peers) -> dict[str, np.ndarray]:
    """Medians for reading, the z on log seconds (durations are right-skewed), and whether
    the interviewer had peers in its strata (peer_scope)."""
    duration = frame["duration_seconds"].astype("float64").to_numpy()
    log_duration = np.log(np.where(duration > 0, duration, np.nan))
    same_strata = peer_z(log_duration, peers.stratum, peers.who, peers.n_who)["n"].to_numpy() > 0
    peer_median = median_peer_duration(duration, peers.stratum, peers.who, peers.n_who)
    pooled_median = median_peer_duration(duration, peers.everyone, peers.who, peers.n_who)
    return {
        "peer_scope": np.where(same_strata, "strata", "all"),
        "median_duration": peers.per_interviewer(duration, "median"),
        "peer_median_duration": np.where(np.isnan(peer_median), pooled_median, peer_median),
        "duration_z": peers.compared(log_duration)["z"].to_numpy(),
    }


def _flag_columns(frame: pd.DataFrame, flags: pd.DataFrame, peers: _Peers) -> dict[str, np.ndarray]:
    """The share of flagged and of straight-lined interviews against peers."""
    rules = flags["rule"] if len(flags) else pd.Series(dtype="str")
    chosen = {
        "flag": set(flags.index),
        # near-proof flags (copies, no speech, overlaps, too short): their own indicator
        "high": set(flags.index[flags["severity"] == HIGH]) if len(flags) else set(),
        "straightlining": set(flags.index[rules == STRAIGHTLINING]) if len(flags) else set(),
        "duplicates": set(flags.index[rules.isin([DUPLICATE_ANSWERS, DUPLICATE_ACROSS])])
        if len(flags)
        else set(),
    }
    columns = {}
    for name, ids in chosen.items():
        indicator = frame.index.isin(list(ids)).astype("float64")
        z = peers.compared(indicator, binary=True)
        columns[f"{name}_rate"] = peers.per_interviewer(indicator, "mean")
        columns[f"peer_{name}_rate"] = z["expected"].to_numpy()
        columns["flags_z" if name == "flag" else f"{name}_z"] = z["z"].to_numpy()
    return columns


def _acquiescence_columns(
    frame: pd.DataFrame,
    items: list[str],
    scores: ItemScores | None,
    peers: _Peers,
    coded: ItemCodes,
) -> dict[str, np.ndarray | float]:
    """The share of an interview's substantive answers on the positive side, against peers;
    NaN without scores."""
    if not scores:
        return dict.fromkeys(
            ("acquiescence_share", "peer_acquiescence_share", "acquiescence_z"), np.nan
        )
    n_items, n_positive = positive_answers(frame, items, scores, coded)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_items > 0, n_positive / np.maximum(n_items, 1), np.nan)
    z = peers.compared(share)
    return {
        "acquiescence_share": z["observed"].to_numpy(),
        "peer_acquiescence_share": z["expected"].to_numpy(),
        "acquiescence_z": z["z"].to_numpy(),
    }


def _divergence_columns(
    frame: pd.DataFrame, items: list[str], strata: str, coded: ItemCodes
) -> pd.DataFrame:
    """divergence in the same strata; interviewers without peers there: against everyone."""
    found = divergence(frame, items=items, strata=strata, coded=coded)
    alone = found["divergence_df"] == 0
    if alone.any():
        pooled = divergence(frame, items=items, strata="", coded=coded)
        found.loc[alone] = pooled.loc[alone[alone].index].to_numpy()
    return found


def _speech_columns(frame: pd.DataFrame, peers: _Peers) -> dict[str, np.ndarray | float]:
    """The share of a recording with speech (door interviews' audio audits) against peers;
    NaN without recordings."""
    names = ("speech_share", "peer_speech_share", "speech_z")
    if "speech_share" not in frame.columns or not frame["speech_share"].notna().any():
        return dict.fromkeys(names, np.nan)
    z = peers.compared(frame["speech_share"].astype("float64").to_numpy())
    return dict(zip(names, (z[c].to_numpy() for c in ("observed", "expected", "z")), strict=True))


def _pace_columns(frame: pd.DataFrame, peers: _Peers, timezone: str) -> dict[str, np.ndarray]:
    """Interviews per hour worked against the median of all other interviewers."""
    pace = _pace(frame, peers.who, peers.n_who, timezone)
    return {
        "interviews_per_hour": pace,
        "peer_interviews_per_hour": [
            float(np.nanmedian(np.delete(pace, i)))
            if np.isfinite(np.delete(pace, i)).any()
            else np.nan
            for i in range(peers.n_who)
        ],
        "pace_z": _robust_z(pace),
    }


def _outcome_columns(outcomes: pd.DataFrame | None, index: pd.Index) -> dict:
    """Completion and refusal rates against the pooled others; NaN without outcomes."""
    columns: dict = {}
    for name in ("completion", "refusal"):
        columns[f"{name}_rate"] = columns[f"peer_{name}_rate"] = columns[f"{name}_z"] = np.nan
    if outcomes is not None and len(outcomes):
        known = outcomes.reindex(index)
        cases = known["cases"].fillna(0).to_numpy()
        for name, column in (("completion", "completes"), ("refusal", "refusals")):
            rate, peer, z = _rate_z(known[column].fillna(0).to_numpy(), cases)
            columns[f"{name}_rate"], columns[f"peer_{name}_rate"], columns[f"{name}_z"] = (
                rate,
                peer,
                z,
            )
    return columns


def interviewer_risk(
    df: pd.DataFrame,
    flags: pd.DataFrame,
    *,
    items: list[str],
    strata: str = "sampled_locality",
    outcomes: pd.DataFrame | None = None,
    scores: ItemScores | None = None,
    config: RuleConfig = RuleConfig(),  # noqa: B008 - frozen, so a shared default is safe
    excluded_codes: ExcludedCodes | None = None,
) -> pd.DataFrame:
    """Per interviewer, the indicators against peers in the same strata, a risk score and
    reasons.

    df       the rules' input frame (qc.rules): interviewer_id, duration_seconds, started_at,
             completed_at, the `strata` column, the item columns. Rows without an
             interviewer are left out.
    flags    qc.rules.engine.run_rules' output for the same interviews (index interview id).
    outcomes optional, index interviewer_id, columns cases (worked, with a final
             disposition), completes, refusals: gives the completion and refusal rates.
    scores   optional, item -> {code: score}: gives the acquiescence share (answers on the
             positive side, score above 50), the extreme answers and the score variance.
    excluded_codes  optional, the don't know/refused codes (item non-response without scores).
    The curbstoning indicators (qc.risk.curbstoning) read the frame's other_answers/
    other_asked and numbers_rounded/numbers_given when present.

    An interviewer with no peer in any of its strata (door-to-door interviewers often work
    a street alone) is compared with all other interviewers instead: peer_scope "all"
    rather than "strata".

    Returns one row per interviewer, index interviewer_id, columns RISK_COLUMNS, ordered by
    rank (1 = highest risk; unscored interviewers last, by id). Durations in seconds, rates
    as shares 0-1, z-scores signed (negative duration_z: shorter than peers), reasons and
    reasons_en one string each, sentences joined by "；" / "; ".
    """
    frame = df[df["interviewer_id"].notna().to_numpy()] if "interviewer_id" in df else df.iloc[:0]
    who, interviewers = (
        interviewer_codes(frame["interviewer_id"]) if len(frame) else (np.array([]), [])
    )
    index = pd.Index(interviewers, name="interviewer_id")
    if len(interviewers) == 0:
        return pd.DataFrame(columns=RISK_COLUMNS, index=index)
    peers = _Peers(
        who=who,
        n_who=len(interviewers),
        stratum=strata_codes(frame, strata),
        everyone=np.zeros(len(frame), dtype="int64"),
    )
    out = pd.DataFrame({"n_interviews": np.bincount(who, minlength=peers.n_who)}, index=index)
    coded = item_codes(frame, items)  # the answers as numbers, once for every indicator
    for columns in (
        _duration_columns(frame, peers),
        _flag_columns(frame, flags, peers),
        _acquiescence_columns(frame, items, scores, peers, coded),
    ):
        for name, values in columns.items():
            out[name] = values
    out = out.join(_divergence_columns(frame, items, strata, coded))
    for columns in (
        curbstoning_columns(
            frame,
            items,
            scores,
            excluded_codes,
            peers.compared,
            peers.who,
            peers.n_who,
            _robust_z,
            coded,
        ),
        _pace_columns(frame, peers, config.timezone),
        _speech_columns(frame, peers),
        _outcome_columns(outcomes, index),
    ):
        for name, values in columns.items():
            out[name] = values
    return _rank(out, config)


# Suspicious direction of each indicator's z: -1 when low values are suspicious.
_DIRECTION = {
    "duration": ("duration_z", -1),
    "flags": ("flags_z", 1),
    "high": ("high_z", 1),
    "straightlining": ("straightlining_z", 1),
    "duplicates": ("duplicates_z", 1),
    "acquiescence": ("acquiescence_z", 1),
    "divergence": ("divergence_z", 1),
    "pace": ("pace_z", 1),
    "completion": ("completion_z", 1),
    "refusal": ("refusal_z", 1),
    "speech": ("speech_z", -1),
    **{name: (f"{name}_z", sign) for name, sign in CURBSTONING_DIRECTION.items()},
}


def _rank(out: pd.DataFrame, config: RuleConfig) -> pd.DataFrame:
    scored = out["n_interviews"] >= config.signal_min_interviews
    suspicious = {
        name: sign * out[column].to_numpy(dtype="float64")
        for name, (column, sign) in _DIRECTION.items()
    }
    risk = pd.Series(
        sum(np.clip(np.nan_to_num(suspicious[name], nan=0.0), 0.0, config.signal_z_cap)
            for name in INDICATORS),
        index=out.index,
    )  # fmt: skip
    rows = out.to_dict("records")  # plain dicts: a Series per interviewer is slow
    reasons, reasons_en = [], []
    for i, row in enumerate(rows):
        said = [
            reason(name, row, abs(row[_DIRECTION[name][0]]))
            for name in INDICATORS
            if suspicious[name][i] >= config.signal_z
        ]
        reasons.append("；".join(zh for zh, _en in said))
        reasons_en.append("; ".join(en for _zh, en in said))
    out["risk"] = risk.where(scored)
    out["reasons"] = np.where(scored, reasons, "")
    out["reasons_en"] = np.where(scored, reasons_en, "")
    order = (
        out.assign(_unscored=~scored, _risk=-out["risk"].fillna(0))
        .sort_index(kind="stable")
        .sort_values(["_unscored", "_risk"], kind="stable")
    )
    out = out.loc[order.index]
    ranks = pd.Series(np.arange(1, len(out) + 1), index=out.index, dtype="Int64")
    out["rank"] = ranks.where(out["risk"].notna())
    return out[RISK_COLUMNS]
