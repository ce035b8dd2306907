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

from scoring.answer_cube import AnswerCube, row_values
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
    safety = (long["dimension"] == SAFETY_DIMENSION).to_numpy(dtype=bool, na_value=False)
    scope = np.array([SATISFACTION, SAFETY], dtype=object)[safety.astype(np.intp)]  # no new str
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
    A valid answer whose `positive` is missing counts as not positive."""
    return row_values(long, by)[0]


def domain_scores(
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
    cube: AnswerCube | None = None,
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
    `cube` (scoring.answer_cube over `long`) shares the per-respondent sums between tables.
    """
    return domain_tables(long, [by], min_respondents=min_respondents, design=design, cube=cube)[0]


def domain_tables(
    long: pd.DataFrame,
    bys: Sequence[Sequence[str]],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
    cube: AnswerCube | None = None,
    points_only: Sequence[int] = (),
    rate_free: Sequence[int] = (),
) -> list[pd.DataFrame]:
    """domain_scores(long, by) for each `by` of `bys`, the domains of all of them
    linearised in one pass over the design (one estimate of every score and one of every
    rate): the same numbers, one linearisation instead of one per table. Tables at positions
    `points_only` get points and counts only (`unreliable` from n_respondents alone), those at
    `rate_free` no rate se, interval and df: what no reader of them needs is not estimated."""
    tables: list = [None] * len(bys)
    parts = []
    for i, by in enumerate(bys):
        by = list(by)
        if not by:
            scoped = long.assign(**{_ALL: _ALL})
            found = domain_scores(scoped, [_ALL], min_respondents=min_respondents, design=design)
            tables[i] = found.drop(columns=[_ALL])
            continue
        per, domain = _values(long, by, cube)
        parts.append((i, by, per, domain, _point_estimates(per, domain, by)))
    estimated = [
        (per, domain, out, i not in rate_free)
        for i, _by, per, domain, out in parts
        if not per.empty and i not in points_only
    ]
    if estimated:
        _add_uncertainty(estimated, design if design is not None else respondent_design(long))
    for i, by, _per, _domain, (keys, columns) in parts:
        size = len(keys)
        columns.update({c: np.full(size, np.nan) for c in DOMAIN_COLUMNS if c not in columns})
        n = columns["n_respondents"]
        effective = np.minimum(np.where(np.isnan(columns["n_eff"]), n, columns["n_eff"]), n)
        columns["unreliable"] = effective < min_respondents
        # the keys as a reset index of the domains gives them, then the figures: one frame
        table = {b: _inferred(keys[b]) for b in by}
        tables[i] = pd.DataFrame(table | {c: columns[c] for c in DOMAIN_COLUMNS})
    return tables


def _inferred(column: pd.Series):
    """The column; an object column as a plain array (its dtype inferred in a frame)."""
    return column.to_numpy() if column.dtype == object else column.reset_index(drop=True)


def _point_estimates(per: pd.DataFrame, domain: np.ndarray, by: list[str]) -> tuple:
    """The domain table of `by` without its uncertainty: (a frame of the domains' `by` keys,
    {column: values} of the counts, score, rate and item non-response)."""
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
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.where(n_respondents > 0, weight_sum, np.nan)
        n_missing = (n_answers - n_valid).astype("int64")
        columns = {
            "n_respondents": n_respondents.astype("int64"),
            "weight_sum": weight_sum,
            "score": total(w * per["score"].fillna(0.0).to_numpy()) / denominator,
            "rate": 100.0 * total(w * per["positive_share"].fillna(0.0).to_numpy()) / denominator,
            "n_answers": n_answers.astype("int64"),
            "n_missing": n_missing,
            "item_nonresponse": 100.0 * n_missing / n_answers.astype("int64"),
        }
    return keys, columns


def _values(long: pd.DataFrame, by: list[str], cube: "AnswerCube | None"):
    """The respondent values and domains of `by`: from the cube where it applies, else
    row by row."""
    found = cube.values(by) if cube is not None else None
    if found is not None:
        return found
    return row_values(cube.frame() if cube is not None else long, by)


def _add_uncertainty(parts: list, sample) -> None:
    """Set se, ci_low, ci_high, df, n_eff (the score's) and rate_se, rate_ci_low, rate_ci_high,
    rate_df (where `rates`) in the columns `out` of each table of `parts` [(per, domain,
    (keys, out), rates)] from its respondent values `per` (in `domain`): the tables' domains
    numbered one after the other, so one estimate of each measure covers them all."""
    design, row_of = sample
    sizes = [len(keys) for _per, _domain, (keys, _columns), _rates in parts]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    n_domains = int(offsets[-1])
    ids = np.concatenate([per["interview_id"].to_numpy() for per, *_rest in parts])
    rows = pd.Series(ids).map(row_of).to_numpy()
    domain = np.concatenate([part[1] + offsets[i] for i, part in enumerate(parts)])
    common = {"rows": rows, "domains": domain, "n_domains": n_domains}
    rated = np.concatenate([np.full(len(per), rates) for per, _d, _o, rates in parts])
    measures = (("", "score", 1.0), ("rate_", "positive_share", 100.0))
    for prefix, column, factor in measures if rated.any() else measures[:1]:
        y = np.concatenate([per[column].to_numpy(dtype=float) for per, *_rest in parts])
        y = factor * y if factor != 1.0 else y
        y = np.where(rated, y, np.nan) if prefix else y  # a table without rates: no values
        part = estimate(design, y=y, **common)
        valid = ~np.isnan(y)
        df = domain_df(design, rows=rows[valid], domains=domain[valid], n_domains=n_domains)
        low, high = scaled_logit_interval(part["estimate"], part["se"], df)
        se, n_eff = part["se"].to_numpy(), part["n_eff"].to_numpy()
        for (_per, _domain, (_keys, out), rates), a, b in zip(
            parts, offsets[:-1], offsets[1:], strict=True
        ):
            if prefix and not rates:
                continue
            out[prefix + "se"] = se[a:b]
            out[prefix + "ci_low"], out[prefix + "ci_high"] = low[a:b], high[a:b]
            out[prefix + "df"] = df[a:b]
            if not prefix:
                out["n_eff"] = n_eff[a:b]


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
    cube: AnswerCube | None = None,
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
    `cube`: scoring.answer_cube over the frame with its `scope` (see domain_scores).
    """
    return scope_tables(long, [by], min_respondents=min_respondents, design=design, cube=cube)[0]


def scope_tables(
    long: pd.DataFrame,
    bys: Sequence[Sequence[str]],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    design: SampleDesign | None = None,
    cube: AnswerCube | None = None,
) -> list[pd.DataFrame]:
    """scope_table(long, by) for each `by` of `bys`, estimated in one pass (domain_tables)."""
    if cube is not None and "scope" not in cube.columns():
        cube = None
    scoped = with_scope(long)
    bys = [list(by) for by in bys]
    per_scope = domain_tables(
        scoped,
        [by + ["scope"] for by in bys],
        min_respondents=min_respondents,
        design=design,
        cube=cube,
    )
    return [
        _side_by_side(table, by, scoped, cube) for table, by in zip(per_scope, bys, strict=True)
    ]


def _side_by_side(per_scope: pd.DataFrame, by: list[str], scoped, cube) -> pd.DataFrame:
    """scope_table's rows from the domain table by [*by, "scope"]."""
    interviews = cube.interviews(by) if cube is not None else None
    if interviews is None:
        data = cube.frame() if cube is not None else scoped
        interviews = data.groupby(by, sort=True)["interview_id"].nunique()
    index = interviews.index
    keys = pd.MultiIndex.from_frame(per_scope[by]) if len(by) > 1 else per_scope[by[0]]
    position = index.get_indexer(keys)
    scope = per_scope["scope"].to_numpy()
    columns: dict = {"n_interviews": interviews.to_numpy()}
    spread = {}
    read: dict = {}  # each column of the table taken out once, for both scopes

    def source(column: str) -> np.ndarray:
        if column not in read:
            read[column] = per_scope[column].to_numpy()
        return read[column]

    for name in SCOPES:
        chosen = scope == name
        at = position[chosen]

        def place(column, fill, dtype=float, at=at, chosen=chosen):
            values = np.full(len(index), fill, dtype=dtype)
            values[at] = source(column)[chosen]
            return values

        columns[f"{name}_score"] = place("score", np.nan)
        columns[f"{name}_rate"] = place("rate", np.nan)
        columns[f"{name}_n"] = place("n_respondents", 0, "int64")
        columns[f"{name}_unreliable"] = place("unreliable", True, bool)
        spread[name] = place
    columns["unreliable"] = np.logical_or.reduce([columns[f"{s}_unreliable"] for s in SCOPES])
    for name, place in spread.items():
        for column in ("se", "ci_low", "ci_high", "n_eff", "df", "weight_sum"):
            columns[f"{name}_{column}"] = place(column, np.nan)
        for column in ("rate_ci_low", "rate_ci_high"):
            columns[f"{name}_{column}"] = place(column, np.nan)
    return pd.DataFrame(columns, index=index).reset_index()


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
    cube: AnswerCube | None = None,
    trend: bool = False,
) -> dict:
    """Every table the results page and the report show, from one long frame (without
    "by_district_dimension" when `heat` is false: an earlier round's trend and rank changes
    do not need it). With `trend` only what those read is estimated: "overall" and
    "by_dimension" points only, the place tables the score's uncertainty and not the rate's
    (domain_tables' points_only, rate_free).

    Returns a dict of DataFrames (each documented at the function that makes it):
        "overall"                domain_scores by ["scope"]: one row per scope present
        "by_dimension"           domain_scores by ["dimension"] plus `scope`
        "by_district"            scope_table by ["district"] plus `rank` (satisfaction score,
                                 reliable districts only; scoring.ranking adds intervals)
        "by_street"              scope_table by ["district", "street"] plus `rank`
        "by_district_dimension"  domain_scores by ["district", "dimension"] (a heat table)
    and "n_interviews": the number of distinct interviews in `long` (an int). Every table
    is formed from one scoring.answer_cube over the frame (`cube`, or one made here).
    """
    long = with_scope(long)
    cube = cube if cube is not None else AnswerCube(long)
    kw = {"min_respondents": min_respondents, "design": design, "cube": cube}
    ranking = {"score": "satisfaction_score", "unreliable": "satisfaction_unreliable"}
    bys = [["dimension"], ["scope"], ["district", "scope"], ["district", "street", "scope"]]
    if heat:
        bys.append(["district", "dimension"])
    if trend:
        kw.update(points_only=(0, 1), rate_free=(2, 3))
    found = domain_tables(long, bys, **kw)  # one linearisation for every table
    places = [
        _side_by_side(table, by[:-1], long, cube)
        for table, by in zip(found[2:4], bys[2:4], strict=True)
    ]
    tables = {
        "overall": found[1],
        "by_dimension": with_scope(found[0]),
        "by_district": add_rank(places[0], **ranking),
        "by_street": add_rank(places[1], **ranking),
    }
    if heat:
        tables["by_district_dimension"] = found[4]
    tables["n_interviews"] = cube.n_respondents
    return tables


def scope_covariance(
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    scope: str = SATISFACTION,
    design: SampleDesign | None = None,
    cube: AnswerCube | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(domains, scores, covariance) of the `scope` score by the `by` columns: the domains
    as a frame of their `by` keys (sorted, as scope_table's rows), their scores
    (scope_table's `{scope}_score`) and the joint sampling covariance of those scores under
    the design (scoring.design.covariance; its diagonal is the squared `{scope}_se`).
    Raises scoring.design.designs.DesignError where the covariance cannot be formed.
    `cube`: scoring.answer_cube over the frame with its `scope` (see domain_scores)."""
    by = list(by)
    found = cube.values(by + ["scope"]) if cube and "scope" in cube.columns() else None
    if found is not None:  # the cube's domains of the scope, numbered in `by` order already
        per, domain = found
        kept = (per["scope"] == scope).to_numpy() & (per["n_valid"] > 0).to_numpy()
        codes = np.unique(domain[kept], return_inverse=True)[1]
        per = per[kept].drop(columns="scope")
    else:
        scoped = with_scope(long)
        per = respondent_values(scoped[scoped["scope"] == scope], by)
        per = per[per["n_valid"] > 0]
        codes = per.groupby(by, sort=True).ngroup().to_numpy()
    if per.empty:
        return pd.DataFrame(columns=by), np.zeros(0), np.zeros((0, 0))
    design, row_of = design if design is not None else respondent_design(long)
    domains = per[by].iloc[np.flatnonzero(np.diff(codes, prepend=-1))].reset_index(drop=True)
    scores, covariance = mean_covariance(
        design,
        rows=per["interview_id"].map(row_of).to_numpy(),
        domains=codes,
        y=per["score"].to_numpy(dtype=float),
        n_domains=len(domains),
    )
    return domains, scores, covariance
