"""qc.risk.peers: peer z-scores and answer divergence against peers in the same strata,
checked against naive loops on small frames."""

import math
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chi2

from qc.risk import peers
from qc.risk.peers import MIN_PEER_INTERVIEWS
from tests.qc.risk.synthetic import interviews_frame as _frame

NAN = np.nan


def naive_peer_z(values, stratum, who, n_who, binary=False):
    rows = []
    for i in range(n_who):
        n = observed = expected = variance = 0.0
        for s in sorted(set(stratum[who == i])):
            own = [
                v
                for v, ss, w in zip(values, stratum, who, strict=True)
                if ss == s and w == i and v == v
            ]
            peers = [
                v
                for v, ss, w in zip(values, stratum, who, strict=True)
                if ss == s and w != i and v == v
            ]
            if not own or len(peers) < MIN_PEER_INTERVIEWS:
                continue
            if binary:
                mean = (sum(peers) + 0.5) / (len(peers) + 1)
                var = mean * (1 - mean)
            else:
                mean = sum(peers) / len(peers)
                var = sum((p - mean) ** 2 for p in peers) / len(peers)
            n += len(own)
            observed += sum(own)
            expected += len(own) * mean
            variance += len(own) * var
        z = (observed - expected) / math.sqrt(variance) if n else NAN
        rows.append((n, observed / n if n else NAN, expected / n if n else NAN, z))
    return rows


def naive_divergence(df, items, strata):
    """{interviewer: (Σχ², Σdf)} by loops over interviewers, items, strata and codes."""
    out = {}
    for who in df["interviewer_id"].unique():
        total, dof = 0.0, 0
        for item in items:
            codes = sorted({v for v in df[item] if isinstance(v, str)})
            if len(codes) < 2:
                continue
            observed = dict.fromkeys(codes, 0.0)
            expected = dict.fromkeys(codes, 0.0)
            mine = df[df["interviewer_id"] == who]
            for s in mine[strata].unique():
                own = [v for v in mine.loc[mine[strata] == s, item] if isinstance(v, str)]
                others = df[(df["interviewer_id"] != who) & (df[strata] == s)][item]
                peers = Counter(v for v in others if isinstance(v, str))
                n_peers = sum(peers.values())
                if not own or n_peers < MIN_PEER_INTERVIEWS:
                    continue
                for code in codes:
                    observed[code] += own.count(code)
                    share = (peers[code] + 0.5) / (n_peers + 0.5 * len(codes))
                    expected[code] += len(own) * share
            if sum(observed.values()) == 0:
                continue
            total += sum((observed[c] - expected[c]) ** 2 / expected[c] for c in codes)
            dof += len(codes) - 1
        out[who] = (total, dof)
    return out


@pytest.mark.parametrize("binary", [False, True])
def test_peer_z_matches_naive_loop(binary):
    rng = np.random.default_rng(11)
    n = 150
    who = rng.integers(0, 6, n)
    stratum = rng.integers(0, 4, n)
    values = (rng.random(n) < 0.3).astype(float) if binary else rng.normal(6, 0.4, n)
    values[rng.random(n) < 0.1] = NAN
    stratum[who == 5] = 3  # interviewer 5 works one stratum only
    result = peers.peer_z(values, stratum, who, 6, binary=binary)
    expected = naive_peer_z(values, stratum, who, 6, binary)
    for i, (n_i, observed, mean, z) in enumerate(expected):
        assert result.loc[i, "n"] == n_i
        assert result.loc[i, "observed"] == pytest.approx(observed)
        assert result.loc[i, "expected"] == pytest.approx(mean)
        assert result.loc[i, "z"] == pytest.approx(z)


def test_peer_z_leaves_out_a_stratum_without_enough_peers():
    # Interviewer 0 alone in stratum 1: nothing to compare with there.
    values = np.array([1.0, 2.0, 3.0] + [1.0] * 6 + [5.0] * 3)
    stratum = np.array([0, 0, 0] + [0] * 6 + [1] * 3)
    who = np.array([0, 0, 0] + [1] * 6 + [0] * 3)
    result = peers.peer_z(values, stratum, who, 2)
    assert result.loc[0, "n"] == 3  # the stratum-1 interviews are left out
    assert result.loc[0, "observed"] == pytest.approx(2.0)
    assert result.loc[0, "expected"] == pytest.approx(1.0)
    assert result.loc[0, "z"] == np.inf  # peers all answered 1: no variance, own mean above


def test_divergence_matches_naive_chi_square_loop():
    df, items = _frame()
    result = peers.divergence(df, items=items)
    expected = naive_divergence(df, items, "sampled_locality")
    assert set(result.index) == set(expected)
    for who, (total, dof) in expected.items():
        assert result.loc[who, "divergence_chi2"] == pytest.approx(total)
        assert result.loc[who, "divergence_df"] == dof
        assert result.loc[who, "divergence_p"] == pytest.approx(chi2.sf(total, dof))


def test_item_divergence_totals_match_the_combined_divergence():
    df, items = _frame()
    combined = peers.divergence(df, items=items)
    detail = peers.item_divergence(df, items=items, interviewer_id=3)
    assert list(detail.index) == items
    assert detail["chi2"].sum() == pytest.approx(combined.loc[3, "divergence_chi2"])
    assert detail["df"].sum() == combined.loc[3, "divergence_df"]
    mine = df[df["interviewer_id"] == 3]["q0"].dropna()
    shares = detail.loc["q0", "observed"]
    assert shares["4"] == pytest.approx((mine == "4").mean())
    assert sum(detail.loc["q0", "expected"].values()) == pytest.approx(1.0)
    assert peers.item_divergence(df, items=items, interviewer_id=99).empty
