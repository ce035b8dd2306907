"""The joint sampling covariance of domain means under a (calibrated) design. Pure.

What rank intervals need: not only each domain's variance (scoring.design.variance) but the
covariance between domains, which the design gives through shared strata and PSUs and,
after raking, through the calibration residuals (a street's estimate moves with the others
of its district when the district margins are raked to). For domain means d and e with
linearised values z_d, z_e (z = w (y − ȳ_d) / Σ_d w, calibrated to the residuals on the
raking margins as R's svyrecvar does), per stage-1 stratum h with m_h PSUs, PSU totals Z:

    Cov(ȳ_d, ȳ_e) = Σ_h (1 − f_h) m_h / (m_h − 1) Σ_PSU∈h (Z_d − Z̄_hd)(Z_e − Z̄_he)

(the same stratum scale and lonely-PSU rule as the variance: its diagonal is
scoring.design.variance's). This is R's svyby(..., covmat = TRUE). Stage 1 only: for a
design whose later stages enter the variance (a population size at every stage) the
covariance is refused, and the caller treats the domains as independent.
The linearised values are held as one dense rows × domains array, so the size is bounded
(MAX_CELLS); beyond it the covariance is refused too.
"""

import numpy as np

from scoring.design.designs import Design, DesignError, indicator, representatives
from scoring.design.rowpsu import calibration_coefficients
from scoring.design.variance import stage_plan, stratum_scale

MAX_CELLS = 20_000_000  # design rows × domains held as one dense float array


def mean_covariance(
    design: Design, *, rows, domains, y, n_domains: int
) -> tuple[np.ndarray, np.ndarray]:
    """(means, covariance D × D) of the weighted means of y by domain; rows/domains/y in
    long form as scoring.design.estimates.estimate (NaN y left out). A domain without
    observations has a NaN mean and zero row and column. Raises DesignError where the
    covariance is refused (see the module docstring)."""
    rows = np.asarray(rows, dtype=np.int64)
    domains = np.asarray(domains, dtype=np.int64)
    y = np.asarray(y, dtype=float)
    keep = ~np.isnan(y)
    rows, domains, y = rows[keep], domains[keep], y[keep]
    w = design.weights[rows]
    weight_sum = np.bincount(domains, weights=w, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(domains, weights=w * y, minlength=n_domains) / weight_sum
        z = w * (y - mean[domains]) / weight_sum[domains]
    covariance = total_covariance(design, rows=rows, domains=domains, z=z, n_domains=n_domains)
    empty = weight_sum == 0
    covariance[empty, :] = 0.0
    covariance[:, empty] = 0.0
    return np.where(empty, np.nan, mean), covariance


def total_covariance(design: Design, *, rows, domains, z, n_domains: int) -> np.ndarray:
    """Covariance D × D of the domain totals of linearised values z (any estimator's
    influence values, e.g. a weighted index of several means: its diagonal is
    scoring.design.estimates.domain_variance) at (rows, domains), each pair at most once.
    Raises DesignError where the covariance is refused (see the module docstring)."""
    rows = np.asarray(rows, dtype=np.int64)
    domains = np.asarray(domains, dtype=np.int64)
    z = np.asarray(z, dtype=float)
    if design.n * max(n_domains, 1) > MAX_CELLS:
        raise DesignError("Too many respondents × domains for the joint covariance.")
    plans = stage_plan(design)
    if len(plans) > 1:
        raise DesignError("The joint covariance covers single-stage variance only.")
    x = np.zeros((design.n, n_domains))
    x[rows, domains] = z
    if design.calibration is not None:
        cal = design.calibration
        fitted = np.zeros_like(x)
        coefficients = calibration_coefficients(design, rows, domains, z, n_domains)
        for codes, c in zip(cal.margins, coefficients, strict=True):
            fitted += c[codes]
        x -= cal.weights[:, None] * fitted
    ((units, keys, multiplier, f, sampled),) = plans
    n_units = int(units.max()) + 1
    if n_units == design.n:  # every row its own PSU: the PSU totals are the rows
        totals = np.empty_like(x)
        totals[units] = x
    else:
        totals = np.asarray(indicator(units, n_units) @ x)  # PSU totals
    first = representatives(units, n_units)
    unit_key = keys[first]
    n_keys = int(unit_key.max()) + 1
    key_row = np.zeros(n_keys, dtype=np.int64)
    key_row[unit_key] = first
    m = sampled[key_row]
    scale, centre = stratum_scale(design, 0, m, f[key_row], multiplier[key_row])
    sums = np.asarray(indicator(unit_key, n_keys) @ totals)
    covariance = (totals * scale[unit_key][:, None]).T @ totals
    covariance -= (sums * (scale * centre / m)[:, None]).T @ sums
    return covariance
