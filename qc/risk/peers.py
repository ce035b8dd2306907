"""Comparing each interviewer's interviews with peers working the same strata. Pure:
pandas/numpy/scipy.

Each interviewer is compared with peers working the same strata: for a per-interview value x
(a flag, a straight-lined interview, the log duration) the interviewer's interviews in stratum
s are compared with the *other* interviewers' interviews in s, and the strata are combined
with the interviewer's own mix:

    z = Σ_s Σ_{i in s} (x_i − μ_s) / sqrt(Σ_s n_s σ²_s)

μ_s, σ²_s: mean and variance of x over the peers' interviews in s (binary x: p and p(1 − p),
with p smoothed as (k + 0.5) / (n + 1) so a stratum where no peer was ever flagged does not
give an infinite z). A stratum with fewer than MIN_PEER_INTERVIEWS peer interviews is left
out for that interviewer: there is nothing to compare with; an interviewer left with no
stratum at all (working a street alone, as door-to-door interviewers often do) is compared
with all other interviewers instead (peer_scope "all"). Stratum = the frame column named by
`strata` (default sampled_locality, the sampled street); without it, one stratum.

Answer distribution divergence, per item: the interviewer's counts per code against the
expected counts Σ_s n_s p_s,c (p_s,c the peers' share of code c in s, counts smoothed by 0.5),
Pearson χ² with K − 1 degrees of freedom (K codes seen in the item, don't know included).
Items are combined by summing χ² and degrees of freedom (p = chi2.sf(Σχ², Σdf)): exact if
items were independent; they are not (answers within an interview correlate), so the p-value
is too small in absolute terms and is used to rank interviewers, not as a test. Small
expected counts inflate χ² as well — another reason to read it as a ranking.
"""

import numpy as np
import pandas as pd

from qc.rules.coding import ItemCodes

MIN_PEER_INTERVIEWS = 5


def interviewer_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..n-1 per row (-1 for a missing value) and the distinct values in code order."""
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    return codes, pd.Index(uniques)


def strata_codes(df: pd.DataFrame, strata: str) -> np.ndarray:
    """Stratum number per interview; missing stratum or column: one shared stratum (0)."""
    if strata not in df.columns:
        return np.zeros(len(df), dtype="int64")
    values = df[strata].astype("object")
    codes, _ = pd.factorize(values.where(values.notna(), "__none__"))
    return codes.astype("int64")


def peer_z(
    values: np.ndarray, stratum: np.ndarray, who: np.ndarray, n_who: int, *, binary: bool = False
) -> pd.DataFrame:
    """Per interviewer (0..n_who-1): own mean, expected mean from peers in the same strata, z.

    values float (NaN: not counted), stratum and who int codes per interview.
    Returns columns n, observed, expected, z (NaN where no stratum has enough peers).
    """
    ok = ~np.isnan(values)
    v, s, w = values[ok], stratum[ok], who[ok]
    n_strata = int(stratum.max()) + 1 if len(stratum) else 1
    pair = s * n_who + w
    size = n_strata * n_who
    own_n = np.bincount(pair, minlength=size).astype("float64")
    own_sum = np.bincount(pair, weights=v, minlength=size)
    own_sq = np.bincount(pair, weights=v * v, minlength=size)
    tot_n = np.bincount(s, minlength=n_strata).astype("float64")
    tot_sum = np.bincount(s, weights=v, minlength=n_strata)
    tot_sq = np.bincount(s, weights=v * v, minlength=n_strata)
    pair_stratum = np.repeat(np.arange(n_strata), n_who)
    peer_n = tot_n[pair_stratum] - own_n
    peer_sum = tot_sum[pair_stratum] - own_sum
    usable = (own_n > 0) & (peer_n >= MIN_PEER_INTERVIEWS)
    with np.errstate(invalid="ignore", divide="ignore"):
        if binary:
            mean = (peer_sum + 0.5) / (peer_n + 1.0)
            var = mean * (1 - mean)
        else:
            mean = peer_sum / peer_n
            var = np.maximum((tot_sq[pair_stratum] - own_sq) / peer_n - mean * mean, 0.0)
    weight = np.where(usable, own_n, 0.0)
    by_who = np.tile(np.arange(n_who), n_strata)
    n = np.bincount(by_who, weights=weight, minlength=n_who)
    observed = np.bincount(by_who, weights=np.where(usable, own_sum, 0.0), minlength=n_who)
    expected = np.bincount(by_who, weights=np.where(usable, own_n * mean, 0.0), minlength=n_who)
    variance = np.bincount(by_who, weights=np.where(usable, own_n * var, 0.0), minlength=n_who)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (observed - expected) / np.sqrt(variance)
        z = np.where(n > 0, z, np.nan)
        z = np.where((variance == 0) & (n > 0), np.sign(observed - expected) * np.inf, z)
        z = np.where((variance == 0) & (observed == expected) & (n > 0), 0.0, z)
        return pd.DataFrame(
            {
                "n": n,
                "observed": np.where(n > 0, observed / n, np.nan),
                "expected": np.where(n > 0, expected / n, np.nan),
                "z": z,
            }
        )


def _item_counts(
    codes: np.ndarray, stratum: np.ndarray, who: np.ndarray, n_who: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(observed, expected) per interviewer × code for one item, from peers in the same
    strata (strata with fewer than MIN_PEER_INTERVIEWS peer answers left out)."""
    ok = codes >= 0
    c, s, w = codes[ok], stratum[ok], who[ok]
    n_strata = int(stratum.max()) + 1 if len(stratum) else 1
    pair = s * n_who + w
    own = np.bincount(pair * k + c, minlength=n_strata * n_who * k).reshape(-1, k)
    total = np.bincount(s * k + c, minlength=n_strata * k).reshape(n_strata, k)
    peer = total[np.repeat(np.arange(n_strata), n_who)] - own
    peer_n = peer.sum(axis=1)
    own_n = own.sum(axis=1)
    usable = (own_n > 0) & (peer_n >= MIN_PEER_INTERVIEWS)
    share = (peer + 0.5) / (peer_n[:, None] + 0.5 * k)
    expected_pair = np.where(usable[:, None], own_n[:, None] * share, 0.0)
    observed_pair = np.where(usable[:, None], own, 0)
    # rows are stratum-major (s * n_who + w): summing over strata gives per interviewer
    observed = observed_pair.reshape(n_strata, n_who, k).sum(axis=0).astype("float64")
    expected = expected_pair.reshape(n_strata, n_who, k).sum(axis=0)
    return observed, expected


def _chi2(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson χ² and degrees of freedom per row (0 and 0 for a row without answers)."""
    n = observed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0)
    stat = terms.sum(axis=1)
    dof = np.where(n > 0, observed.shape[1] - 1, 0)
    return np.where(n > 0, stat, 0.0), dof


def divergence(
    df: pd.DataFrame,
    *,
    items: list[str],
    strata: str = "sampled_locality",
    coded: ItemCodes | None = None,
) -> pd.DataFrame:
    """Per interviewer: Σχ² and Σdf over the items, p = chi2.sf(Σχ², Σdf), and z = norm.isf(p)
    (clipped to 0..38). Index interviewer_id (the frame's values, rows with one unknown left
    out). `coded`: qc.rules.coding.item_codes of `df` (all its rows) and `items`, when already
    computed."""
    usable = df["interviewer_id"].notna().to_numpy()
    frame = df[usable]
    who, interviewers = interviewer_codes(frame["interviewer_id"])
    stratum = strata_codes(frame, strata)
    n_who = len(interviewers)
    total = np.zeros(n_who)
    dof = np.zeros(n_who, dtype="int64")
    same = coded is not None and coded.items == list(items) and len(coded.codes) == len(df)
    same = same and bool(usable.all())  # else codes seen only without an interviewer count
    for j, item in enumerate(items):
        if item not in frame.columns:
            continue
        if same:
            codes, n_codes = coded.codes[:, j], len(coded.uniques[j])
        else:
            codes, uniques = interviewer_codes(frame[item])
            n_codes = len(uniques)
        if n_codes < 2:
            continue
        observed, expected = _item_counts(codes, stratum, who, n_who, n_codes)
        stat, d = _chi2(observed, expected)
        total += stat
        dof += d
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy.stats import chi2, norm

    p = np.where(dof > 0, chi2.sf(total, np.maximum(dof, 1)), np.nan)
    z = np.clip(norm.isf(p), 0.0, 38.0)
    out = pd.DataFrame(
        {"divergence_chi2": total, "divergence_df": dof, "divergence_p": p, "divergence_z": z},
        index=pd.Index(interviewers, name="interviewer_id"),
    )
    out.loc[out["divergence_df"] == 0, "divergence_z"] = np.nan
    return out


def item_divergence(
    df: pd.DataFrame, *, items: list[str], interviewer_id, strata: str = "sampled_locality"
) -> pd.DataFrame:
    """The drill-down for one interviewer: per item (index, in `items` order) n, chi2, df,
    p_value, and observed/expected shares per code (dicts code -> share, expected from peers
    in the interviewer's strata). Items without an answer by the interviewer are left out.
    An interviewer without peers in its strata (alone in its streets) is compared with all
    other interviewers, as the ranking does (qc.risk.statistics)."""
    usable = df["interviewer_id"].notna().to_numpy()
    frame = df[usable]
    who, interviewers = interviewer_codes(frame["interviewer_id"])
    if interviewer_id not in interviewers:
        return pd.DataFrame(columns=["n", "chi2", "df", "p_value", "observed", "expected"])
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy.stats import chi2

    target = interviewers.get_loc(interviewer_id)
    stratum = strata_codes(frame, strata)
    rows = {}
    for item in items:
        if item not in frame.columns:
            continue
        codes, uniques = interviewer_codes(frame[item])
        if len(uniques) < 2:
            continue
        observed, expected = _item_counts(codes, stratum, who, len(interviewers), len(uniques))
        o, e = observed[target], expected[target]
        n = float(o.sum())
        if n == 0:
            continue
        stat, dof = _chi2(o[None, :], e[None, :])
        labels = [str(u) for u in uniques]
        order = np.argsort(labels)
        rows[item] = {
            "n": int(n),
            "chi2": float(stat[0]),
            "df": int(dof[0]),
            "p_value": float(chi2.sf(stat[0], dof[0])),
            "observed": {labels[i]: float(o[i] / n) for i in order},
            "expected": {labels[i]: float(e[i] / e.sum()) for i in order},
        }
    if not rows and strata:
        return item_divergence(df, items=items, interviewer_id=interviewer_id, strata="")
    return pd.DataFrame.from_dict(rows, orient="index")


def _median_without(everyone: np.ndarray, own: np.ndarray) -> float:
    """The median of the sorted `everyone` with the sorted `own` (a sub-multiset) taken out,
    by binary search on ranks: O(log² n) instead of a copy and a partition."""
    n = len(everyone) - len(own)

    def kth(k: int) -> float:  # the k-th smallest (1-based) of what remains
        low, high = 0, len(everyone) - 1
        while low < high:
            middle = (low + high) // 2
            value = everyone[middle]
            below = np.searchsorted(everyone, value, "right") - np.searchsorted(own, value, "right")
            if below >= k:
                high = middle
            else:
                low = middle + 1
        return float(everyone[low])

    if n % 2:
        return kth(n // 2 + 1)
    return (kth(n // 2) + kth(n // 2 + 1)) / 2


def median_peer_duration(duration, stratum, who, n_who) -> np.ndarray:
    """Per interviewer: median duration of the other interviewers' interviews in its strata.
    Interviewers working the same set of strata share one sorted array."""
    out = np.full(n_who, np.nan)
    known = ~np.isnan(duration)
    frame = pd.DataFrame({"who": who, "stratum": stratum})
    strata_of = frame.groupby("who")["stratum"].unique()
    by_set: dict[tuple, list[int]] = {}
    for i, strata in strata_of.items():
        by_set.setdefault(tuple(sorted(strata.tolist())), []).append(int(i))
    # Each interviewer's known durations, sorted: a slice of one sort.
    order = np.lexsort((duration, who))
    order = order[known[order]]
    bounds = np.searchsorted(who[order], np.arange(n_who + 1))
    # One sort of everything; a set's durations are a mask of it, still sorted.
    ranked = np.argsort(np.where(known, duration, np.inf), kind="stable")[: int(known.sum())]
    sorted_duration, sorted_stratum = duration[ranked], stratum[ranked]
    for strata, members in by_set.items():
        everyone = sorted_duration[np.isin(sorted_stratum, strata)]
        for i in members:
            own = duration[order[bounds[i] : bounds[i + 1]]]
            if len(everyone) - len(own) >= MIN_PEER_INTERVIEWS:
                out[i] = _median_without(everyone, own)
    return out
