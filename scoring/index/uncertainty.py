"""Design-based standard errors of the composite index, and the places' joint covariance its
rank intervals are drawn with. Pure: numpy/pandas, no Django.

Kept apart from scoring.index.indices (which presenters read) because it estimates through
scoring.design: the index's SE is computed under the wave's one raked and trimmed design,
exactly as the results page's SEs.
"""

from collections.abc import Mapping, Sequence
from contextlib import suppress

import numpy as np
import pandas as pd

from scoring.design.covariance import total_covariance
from scoring.design.designs import Design, DesignError
from scoring.design.estimates import domain_variance
from scoring.index.indices import index_influence, leaf_coefficients


def index_uncertainty(
    respondent_items: pd.DataFrame,
    item_scores: pd.DataFrame,
    tree: Mapping[str, Sequence[str]],
    *,
    design: tuple[Design, pd.Series],
    weights: Mapping[str, Mapping[str, float]] | None = None,
    by: Sequence[str] = (),
    joint: bool = False,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """(standard errors, covariance) of the root index per domain. The standard errors: the
    variance of `index_influence` under `design` (scoring.score_tables.SampleDesign: the
    wave's raked and trimmed design and interview_id → row), so the index's SE is computed
    exactly as the results page's SEs, raking included; DataFrame[*by, se], one row per
    domain with a score. Inputs as `index_influence` (item_scores also feeds
    `leaf_coefficients`). The covariance, with `joint`: the domains' joint sampling
    covariance (D × D, in the frame's order) under the same design
    (scoring.design.covariance.total_covariance of the same influence values: its diagonal
    is se²), which rank intervals need; None without `joint` or where the design refuses it
    (the caller then treats the domains as independent)."""
    by = list(by)
    coefficients = leaf_coefficients(item_scores, tree, weights=weights, by=by)
    influence = index_influence(respondent_items, item_scores, coefficients, by=by)
    domains = coefficients[by].drop_duplicates().sort_values(by).reset_index(drop=True)
    code = influence[by].merge(domains.reset_index(), on=by, how="left")["index"]
    sample, row_of = design
    values = {
        "rows": influence["interview_id"].map(row_of).to_numpy(),
        "domains": code.to_numpy(),
        "z": influence["z"].to_numpy(),
        "n_domains": len(domains),
    }
    variance = domain_variance(sample, **values)
    covariance = None
    if joint:
        with suppress(DesignError):
            covariance = total_covariance(sample, **values)
    return domains.assign(se=np.sqrt(np.maximum(variance, 0.0))), covariance
