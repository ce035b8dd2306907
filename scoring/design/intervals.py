"""Intervals that respect the scale, with the design's degrees of freedom. Pure.

* Degrees of freedom of a domain estimate (R's degf of the domain's subset): the number of
  stage-1 sampling units (PSUs) with a value in the domain minus the number of strata they
  fall in. A street sampled as one stratum with 12 respondents has 11; the whole sample of
  an element design has n − H.
* A share p in [0, 1] with standard error se: R's svyciprop(method = "logit"), the Wald
  interval of the intercept of a quasibinomial svyglm, back-transformed:
  expit(logit(p) ± t_{df, 0.975} · se / (p (1 − p))). It never leaves [0, 1].
* A score on 0–100 is treated as a share of the scale's maximum: the logit interval of
  score / 100, times 100 (so it never leaves 0–100; no clipping).
* No interval can be given with fewer than one degree of freedom (one PSU in the domain):
  the whole scale [0, 1] is returned — the estimate says nothing about where the truth is.
  An estimate at an end of the scale (p = 0 or 1) has se = 0 and the interval [p, p].
"""

import numpy as np

from scoring.design.designs import Design

SEEN_CELLS = 50_000_000  # domains × codes marked in one boolean array (50 MB at most)


def domain_df(design: Design, *, rows, domains, n_domains: int) -> np.ndarray:
    """Design degrees of freedom per domain (see the module docstring); rows/domains as in
    scoring.design.estimates.estimate, already restricted to observations with a value."""
    rows = np.asarray(rows, dtype=np.int64)
    domains = np.asarray(domains, dtype=np.int64)
    psu = design.stages[0].units[rows] if design.stages else rows
    strata = design.strata[rows]
    if not design.stages or int(design.stages[0].units.max()) + 1 == design.n:
        # every row its own PSU, each (row, domain) at most once: a domain's PSUs are its rows
        psus = np.bincount(domains, minlength=n_domains)
    else:
        psus = _distinct_per_domain(domains, np.asarray(psu, dtype=np.int64), n_domains)
    layers = _distinct_per_domain(domains, np.asarray(strata, dtype=np.int64), n_domains)
    return (psus - layers).astype(float)


def _distinct_per_domain(domains: np.ndarray, codes: np.ndarray, n_domains: int) -> np.ndarray:
    if len(domains) == 0:
        return np.zeros(n_domains)
    width = int(codes.max()) + 1
    if n_domains * width <= SEEN_CELLS:  # mark the (domain, code) pairs: no sort
        seen = np.zeros(n_domains * width, dtype=bool)
        seen[domains * width + codes] = True
        return seen.reshape(n_domains, width).sum(axis=1)
    pairs = np.unique(domains * width + codes)
    return np.bincount(pairs // width, minlength=n_domains)


def t_quantile(df, level: float = 0.95) -> np.ndarray:
    """The two-sided `level` quantile of Student's t with `df` degrees of freedom (NaN for
    df < 1)."""
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy import stats

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df >= 1, stats.t.ppf(0.5 + level / 2, np.maximum(df, 1)), np.nan)


def logit_interval(p, se, df, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of shares p (0–1) with standard errors se and design df: R's
    svyciprop(method = "logit") (see the module docstring). NaN p gives NaN."""
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    q = t_quantile(df, level)
    inside = (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.log(safe / (1 - safe))
        half = q * se / (safe * (1 - safe))
        low = np.where(inside, _expit(centre - half), p)
        high = np.where(inside, _expit(centre + half), p)
    no_df = ~np.isfinite(q) & np.isfinite(p)
    low = np.where(no_df, 0.0, low)
    high = np.where(no_df, 1.0, high)
    missing = ~np.isfinite(p)
    return np.where(missing, np.nan, low), np.where(missing, np.nan, high)


def scaled_logit_interval(
    value, se, df, *, top: float = 100.0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """logit_interval of value / top (a 0–top score or a % rate), back on the 0–top scale."""
    low, high = logit_interval(
        np.asarray(value, dtype=float) / top, np.asarray(se, dtype=float) / top, df, level=level
    )
    return top * low, top * high


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
