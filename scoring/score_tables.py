"""Design-weighted scores and satisfaction rates by domain. Pure: numpy/pandas, no Django.

Input everywhere is the *long frame* of item answers that `scoring.loaders.approved_answers`
builds (columns scoring.loaders.LONG_COLUMNS), one row per (interview, scale item) that the
respondent was asked:

    column        dtype     meaning
    interview_id  int       the interview (respondent)
    weight        float     design weight of the respondent (> 0)
    district      str       locality code of the district (区县); NaN if unknown
    street        str       locality code of the street (街道/乡镇); NaN if unknown
    area_type     str       central / peri_urban / rural; NaN if unknown
    item          str       question name
    dimension     str       dimension code; SAFETY_DIMENSION items form 安全感
    score         float     0–100; NaN = don't know/refused (item non-response)
    positive      bool/NaN  the answer counts toward the 率 (满意率/安全感率)

How a domain estimate is formed (a deliberate choice, stated once here):

1. Within the domain (and the dimension, or the whole scope, being estimated) each
   respondent's *valid* items are averaged: respondent score = mean of their item scores,
   respondent positive share = share of their valid items that are positive. Don't-know and
   refused answers leave both numerator and denominator. A respondent with no valid item in
   the domain does not count toward n_respondents nor the estimate.
2. The domain score is the design-weighted mean of respondent scores, Σ w·y / Σ w, and the
   rate (综合满意率, in %) the weighted mean of respondent positive shares × 100.

Averaging inside each respondent first gives every respondent one vote however many items
they answered, so a respondent who skipped half the items through "don't know" is not
under-weighted relative to one who answered all of them; it is also the per-respondent
value y_i that Taylor linearisation needs for standard errors (see `respondent_values`).
Item non-response is reported unweighted: the share of asked items answered don't
know/refused, a fieldwork-quality figure rather than a population estimate.

Standard errors (scoring.design): the design is every respondent of the long frame, with
optional per-respondent design columns `stratum` (stage-1 stratum), `cluster` (PSU) and `fpc`
(population size of the respondent's stratum); without them each respondent is its own PSU in
one stratum, with replacement. A domain estimate is linearised over that full design (domain
indicator × respondent value, as R's svyby), so its SE reflects how the domain falls across
strata and clusters. A stratum with a single PSU is centred at zero (R's lonely.psu =
"adjust") rather than failing a report. Every function takes an optional `design`
(`SampleDesign`: a scoring.design Design and the map interview_id → its row): the wave's
weighting (scoring.weighting.weighted_sample) passes its raked and trimmed design, so the SEs
include the calibration (residuals on the raking margins, as R's survey does for a `rake()`
design), over every respondent of the design whether or not they are in the domain.

Domains with fewer than `min_respondents` (default 30) respondents, or whose effective
sample size n / deff is below it, are flagged `unreliable` and kept: a reader should see the
number with its warning, not a gap.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.compare import competition_rank
from scoring.design.covariance import mean_covariance
from scoring.design.designs import Design, make_design
from scoring.design.estimates import estimate
from scoring.design.intervals import domain_df, scaled_logit_interval
from scoring.measures import MIN_RESPONDENTS, SAFETY, SAFETY_DIMENSION, SATISFACTION, SCOPES

DESIGN_COLUMNS = ["stratum", "cluster", "fpc"]  # optional per-respondent design columns

DOMAIN_COLUMNS = [
    "n_respondents",
    "weight_sum",
    "score",
    "rate",
    "n_answers",
    "n_missing",
    "item_nonresponse",
    "unreliable",
    "se",
    "ci_low",
    "ci_high",
    "rate_se",
    "rate_ci_low",
    "rate_ci_high",
    "n_eff",
    "df",
    "rate_df",
]

_ALL = "_all"  # the single group key used when `by` is empty

# A design over the respondents and the map interview_id → design row (see respondent_design).
SampleDesign = tuple[Design, pd.Series]


def with_scope(long: pd.DataFrame) -> pd.DataFrame:
    """The long frame plus a `scope` column: "safety" for SAFETY_DIMENSION items, else
    "satisfaction". Same rows, same order; a frame that has it already is returned as it is
    (the results add it once for all their tables)."""
    if "scope" in long.columns:
        return long
    scope = np.where(long["dimension"] == SAFETY_DIMENSION, SAFETY, SATISFACTION)
    return long.assign(scope=pd.Series(scope, index=long.index, dtype="object"))


def respondent_values(long: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per-respondent values within each domain.

    Returns one row per (*by, interview_id) with columns
        *by, interview_id,
        weight          the respondent's weight
        n_items         item answers in the domain (valid + don't know/refused)
        n_valid         valid item answers
        score           mean score of the valid items (0–100), NaN if n_valid == 0
        positive_share  share (0–1) of the valid items that are positive, NaN if n_valid == 0
    Rows whose `by` keys are missing (NaN) are dropped: they belong to no domain.
    A valid answer whose `positive` is missing counts as not positive.
    """
    return _respondent_values(long, by)[0]


def _respondent_values(long: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """respondent_values and the domain of each of its rows (codes 0..D-1 in the order of
    the sorted `by` keys, as a sorted groupby numbers them): rows come sorted by domain."""
    keys = list(by) + ["interview_id"]
    valid = long["score"].notna().to_numpy()
    positive = long["positive"].eq(True).to_numpy() & valid  # None/NaN is not positive
    # Group on integer codes (each key factorized in sorted order, combined in mixed radix):
    # the same groups and order as a sorted groupby, without hashing tuples of strings.
    combined = np.zeros(len(long), dtype=np.int64)
    uniques, keep = [], np.ones(len(long), dtype=bool)
    for column in keys:
        codes, values = pd.factorize(long[column], sort=True, use_na_sentinel=True)
        keep &= codes >= 0
        combined = combined * (len(values) + 1) + codes
        uniques.append((codes, values))
    groups, first, group_of = np.unique(combined[keep], return_index=True, return_inverse=True)
    rows = np.flatnonzero(keep)[first]
    # interview_id is the last digit of the mixed radix: what is left of it is the domain
    domain_key = groups // (len(uniques[-1][1]) + 1)
    domain = np.zeros(len(groups), dtype=np.int64)
    if len(groups) > 1:
        domain[1:] = np.cumsum(domain_key[1:] != domain_key[:-1])
    n = len(groups)
    score = long["score"].to_numpy(dtype=float)
    kept_valid = valid[keep]
    n_items = np.bincount(group_of, minlength=n)
    n_valid = np.bincount(group_of, weights=kept_valid, minlength=n).astype("int64")
    score_sum = np.bincount(group_of, weights=np.where(valid, score, 0.0)[keep], minlength=n)
    positive_sum = np.bincount(group_of, weights=positive[keep], minlength=n)
    per = pd.DataFrame(
        {
            column: values.take(codes[rows])
            for column, (codes, values) in zip(keys, uniques, strict=True)
        }
    )
    per["interview_id"] = per["interview_id"].astype("int64")
    per["weight"] = long["weight"].to_numpy(dtype=float)[rows]
    per["n_items"] = n_items.astype("int64")
    per["n_valid"] = n_valid
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.where(n_valid > 0, n_valid, np.nan)
        per["score"] = score_sum / denominator
        per["positive_share"] = positive_sum / denominator
    return per, domain


def domain_scores(
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
) -> pd.DataFrame:
    """Weighted score, rate and item non-response per domain.

    `by` lists the columns of `long` that define the domains (e.g. ["district"],
    ["district", "dimension"], or [] for one overall row). Include "dimension" to estimate
    per dimension; without it every item of the frame is pooled per respondent, so filter
    or add `scope` (see `with_scope`) to keep safety and satisfaction apart.

    Returns one row per domain, sorted by `by`, columns
        *by,
        n_respondents     respondents with at least one valid item in the domain
        weight_sum        Σ w over those respondents
        score             weighted mean respondent score, 0–100 (NaN if n_respondents == 0)
        rate              weighted mean share of positive answers, in % (NaN likewise)
        n_answers         item answers asked in the domain, valid or not
        n_missing         of which don't know/refused
        item_nonresponse  n_missing / n_answers, in % (unweighted)
        unreliable        n_respondents or n_eff below min_respondents
        se, ci_low, ci_high            Taylor SE and 95% interval of `score`: R's
                          svyciprop logit interval of score/100 with t quantiles on the
                          domain's design df (scoring.design.intervals), so never outside 0–100
        rate_se, rate_ci_low, rate_ci_high   the same for `rate` (in % points)
        df, rate_df       design degrees of freedom of score and rate (PSUs − strata)
        n_eff             effective sample size of `score`: n_respondents / deff (NaN when
                          the scores do not vary)
    See the module docstring for the design behind the SEs; `design` (default: the one
    `respondent_design` builds from the long frame) must have a row for every respondent.
    """
    by = list(by)
    if not by:
        long = long.assign(**{_ALL: _ALL})
        result = domain_scores(long, [_ALL], min_respondents=min_respondents, design=design)
        return result.drop(columns=[_ALL])

    per, domain = _respondent_values(long, by)
    n_domains = int(domain[-1]) + 1 if len(domain) else 0
    starts = np.flatnonzero(np.diff(domain, prepend=-1)) if len(domain) else domain
    answered = per["n_valid"].to_numpy() > 0
    w = np.where(answered, per["weight"].to_numpy(dtype=float), 0.0)

    def total(values) -> np.ndarray:  # Σ per domain, one bincount (rows are in domain order)
        return np.bincount(domain, weights=values, minlength=n_domains)

    n_respondents = np.bincount(domain[answered], minlength=n_domains)
    weight_sum = total(w)
    n_answers = np.bincount(domain, weights=per["n_items"].to_numpy(), minlength=n_domains)
    n_valid = np.bincount(domain, weights=per["n_valid"].to_numpy(), minlength=n_domains)
    keys = per[by].iloc[starts]
    index = pd.MultiIndex.from_frame(keys) if len(by) > 1 else pd.Index(keys[by[0]])
    out = pd.DataFrame(index=index)
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.where(n_respondents > 0, weight_sum, np.nan)
        out["n_respondents"] = n_respondents.astype("int64")
        out["weight_sum"] = weight_sum
        out["score"] = total(w * per["score"].fillna(0.0).to_numpy()) / denominator
        out["rate"] = 100.0 * total(w * per["positive_share"].fillna(0.0).to_numpy()) / denominator
        out["n_answers"] = n_answers.astype("int64")
        out["n_missing"] = (n_answers - n_valid).astype("int64")
        out["item_nonresponse"] = 100.0 * out["n_missing"] / out["n_answers"]

    if per.empty:
        out = out.assign(**{c: np.nan for c in DOMAIN_COLUMNS if c not in out})
    else:
        sample = design if design is not None else respondent_design(long)
        _add_uncertainty(out, per, domain, sample)
    effective = out["n_eff"].fillna(out["n_respondents"]).clip(upper=out["n_respondents"])
    out["unreliable"] = effective < min_respondents
    return out.reset_index()[by + DOMAIN_COLUMNS]


def _add_uncertainty(out: pd.DataFrame, per: pd.DataFrame, domain: np.ndarray, sample):
    """Set se, ci_low, ci_high, df (score) and rate_se, rate_ci_low, rate_ci_high, rate_df,
    and n_eff on the domain table `out` from the respondent values `per` (in `domain`)."""
    design, row_of = sample
    rows = per["interview_id"].map(row_of).to_numpy()
    common = {"rows": rows, "domains": domain, "n_domains": len(out)}
    for prefix, values in (("", per["score"]), ("rate_", 100.0 * per["positive_share"])):
        y = values.to_numpy(dtype=float)
        part = estimate(design, y=y, **common)
        valid = ~np.isnan(y)
        df = domain_df(design, rows=rows[valid], domains=domain[valid], n_domains=len(out))
        low, high = scaled_logit_interval(part["estimate"], part["se"], df)
        out[prefix + "se"] = part["se"].to_numpy()
        out[prefix + "ci_low"], out[prefix + "ci_high"] = low, high
        out[prefix + "df"] = df
        if not prefix:
            out["n_eff"] = part["n_eff"].to_numpy()


def respondent_design(long: pd.DataFrame) -> tuple[Design, pd.Series]:
    """The survey design over every respondent of the long frame, and a Series mapping
    interview_id → design row. Uses the optional DESIGN_COLUMNS (first value per respondent);
    without them: one stratum, each respondent its own PSU."""
    first = long.drop_duplicates("interview_id")
    row_of = pd.Series(np.arange(len(first)), index=first["interview_id"].to_numpy())
    strata = first["stratum"].fillna("") if "stratum" in first else None
    clusters = [first["cluster"].fillna("")] if "cluster" in first else []
    fpc = [first["fpc"].astype(float)] if "fpc" in first and first["fpc"].notna().all() else []
    design = make_design(
        weights=first["weight"].astype(float).to_numpy(),
        strata=strata,
        clusters=clusters,
        fpc=fpc,
        lonely_psu="adjust",
    )
    return design, row_of


def scope_table(
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
) -> pd.DataFrame:
    """Satisfaction and safety side by side per domain (a district or street table).

    Returns one row per domain that has any item answer, sorted by `by`, columns
        *by,
        n_interviews                    interviews with an item answer in the domain
        satisfaction_score, satisfaction_rate, satisfaction_n, satisfaction_unreliable,
        safety_score, safety_rate, safety_n, safety_unreliable,
        unreliable                      any of the scope estimates is unreliable
        satisfaction_se, satisfaction_ci_low, satisfaction_ci_high, satisfaction_n_eff,
        safety_se, safety_ci_low, safety_ci_high, safety_n_eff,
        satisfaction_df, safety_df, satisfaction_weight_sum, safety_weight_sum,
        satisfaction_rate_ci_low, satisfaction_rate_ci_high, safety_rate_ci_low,
        safety_rate_ci_high             (see domain_scores)
    A scope with no answers in a domain has NaN score/rate, n = 0 and is unreliable.
    """
    by = list(by)
    scoped = with_scope(long)
    per_scope = domain_scores(
        scoped, by + ["scope"], min_respondents=min_respondents, design=design
    )
    out = scoped.groupby(by, sort=True)["interview_id"].nunique().rename("n_interviews")
    out = out.to_frame()
    for scope in SCOPES:
        part = per_scope[per_scope["scope"] == scope].set_index(by)
        out[f"{scope}_score"] = part["score"].reindex(out.index)
        out[f"{scope}_rate"] = part["rate"].reindex(out.index)
        out[f"{scope}_n"] = part["n_respondents"].reindex(out.index).fillna(0).astype("int64")
        flagged = part["unreliable"].reindex(out.index)
        out[f"{scope}_unreliable"] = flagged.fillna(True).astype(bool)
    out["unreliable"] = out[[f"{s}_unreliable" for s in SCOPES]].any(axis=1)
    for scope in SCOPES:
        part = per_scope[per_scope["scope"] == scope].set_index(by)
        columns = ("se", "ci_low", "ci_high", "n_eff", "df", "weight_sum")
        for column in (*columns, "rate_ci_low", "rate_ci_high"):
            out[f"{scope}_{column}"] = part[column].reindex(out.index)
    return out.reset_index()


def add_rank(
    table: pd.DataFrame,
    *,
    score: str = "score",
    within: Sequence[str] = (),
    unreliable: str | None = None,
) -> pd.DataFrame:
    """The table plus `rank`: scoring.compare.competition_rank of `score` (1 = highest, ties
    share the best rank, NaN scores get no rank), separately within each group of `within`
    columns. Rows whose `unreliable` column (when given) is true are listed but not ranked."""
    values = table[score]
    if unreliable is not None:
        values = values.where(~table[unreliable].astype(bool))
    if within:
        ranks = values.groupby([table[c] for c in within]).transform(competition_rank)
    else:
        ranks = competition_rank(values)
    return table.assign(rank=ranks.astype("Int64"))


def summarize(
    long: pd.DataFrame,
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
    heat: bool = True,
) -> dict:
    """Every table the results page and the report show, from one long frame (without
    "by_district_dimension" when `heat` is false: an earlier round's trend and rank changes
    do not need it).

    Returns a dict of DataFrames (each documented at the function that makes it):
        "overall"                domain_scores by ["scope"]: one row per scope present
        "by_dimension"           domain_scores by ["dimension"] plus `scope`
        "by_district"            scope_table by ["district"] plus `rank` (satisfaction score,
                                 reliable districts only; scoring.ranking adds intervals)
        "by_street"              scope_table by ["district", "street"] plus `rank`
        "by_district_dimension"  domain_scores by ["district", "dimension"] (a heat table)
    and "n_interviews": the number of distinct interviews in `long` (an int).
    """
    kw = {"min_respondents": min_respondents, "design": design}
    ranking = {"score": "satisfaction_score", "unreliable": "satisfaction_unreliable"}
    by_dimension = domain_scores(long, ["dimension"], **kw)
    by_dimension = with_scope(by_dimension)
    tables = {
        "overall": domain_scores(with_scope(long), ["scope"], **kw),
        "by_dimension": by_dimension,
        "by_district": add_rank(scope_table(long, ["district"], **kw), **ranking),
        "by_street": add_rank(scope_table(long, ["district", "street"], **kw), **ranking),
    }
    if heat:
        tables["by_district_dimension"] = domain_scores(long, ["district", "dimension"], **kw)
    tables["n_interviews"] = int(long["interview_id"].nunique())
    return tables


def scope_covariance(
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    scope: str = SATISFACTION,
    design: SampleDesign | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(domains, scores, covariance) of the `scope` score by the `by` columns: the domains
    as a frame of their `by` keys (sorted, as scope_table's rows), their scores
    (scope_table's `{scope}_score`) and the joint sampling covariance of those scores under
    the design (scoring.design.covariance; its diagonal is the squared `{scope}_se`).
    Raises scoring.design.designs.DesignError where the covariance cannot be formed."""
    by = list(by)
    scoped = with_scope(long)
    scoped = scoped[scoped["scope"] == scope]
    per = respondent_values(scoped, by)
    per = per[per["n_valid"] > 0]
    if per.empty:
        return pd.DataFrame(columns=by), np.zeros(0), np.zeros((0, 0))
    design, row_of = design if design is not None else respondent_design(long)
    codes = per.groupby(by, sort=True).ngroup().to_numpy()
    domains = per[by].drop_duplicates().sort_values(by).reset_index(drop=True)
    scores, covariance = mean_covariance(
        design,
        rows=per["interview_id"].map(row_of).to_numpy(),
        domains=codes,
        y=per["score"].to_numpy(dtype=float),
        n_domains=len(domains),
    )
    return domains, scores, covariance
