"""Indices: items → indicators → dimensions → overall, and the composite with objective
indicators. Pure: numpy/pandas, no Django.

The hierarchy is a *tree*, {parent node: [child nodes]}, rooted at ROOT ("overall"); nodes
that are nobody's parent are leaves (the scale items). `tree_from_definition` builds the usual
one from a questionnaire: overall → dimensions → indicators → items, where an item without an
indicator (or whose indicator code is its own name) hangs directly under its dimension.

Weights are {parent: {child: weight ≥ 0}}. A parent without an entry weighs its children
equally; an entry must name exactly the parent's children (weights from AHP or typed by the
analyst). Weights need not sum to 1: within each domain a parent's score is

    Σ w_c · s_c / Σ w_c   over the children c that have a score in that domain,

so a child with no score (no respondent answered the item there) is left out and the other
children's weights are renormalised rather than counting the gap as 0.

This index is a weighted aggregate of *item* estimates (the usual practice of these
evaluation schemes: 满意度指数 = Σ 权重 × 题目得分); it can differ slightly from the
dimension scores of `scoring.score_tables`, which average each respondent's items first.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from questionnaires.xlsform import dimension_order

ROOT = "overall"
AGGREGATE_COLUMNS = ["node", "parent", "level", "score", "weight"]
COMPOSITE_COLUMNS = ["survey_score", "objective_score", "composite"]


class SchemeError(ValueError):
    """A tree, weight set or composite share that cannot be used; names the node."""


def tree_from_definition(definition: dict) -> dict[str, list[str]]:
    """overall → dimensions → indicators → items of a questionnaire definition.

    Scale items are select_one questions with a `dimension` (as scoring.loaders.scale_items
    selects them, less the score check). Dimensions come in questionnaire order
    (questionnaires.xlsform.dimension_order); children keep questionnaire order.
    """
    tree: dict[str, list[str]] = {ROOT: []}
    lists = definition.get("choice_lists", {})

    def add(parent: str, child: str) -> None:
        children = tree.setdefault(parent, [])
        if child not in children:
            children.append(child)

    dimensions = dimension_order(definition)
    for dimension in dimensions:
        tree[dimension] = []
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            dimension = question.get("dimension")
            choices = lists.get(question.get("list") or "", [])
            if question.get("type") != "select_one" or not dimension:
                continue
            if not any(c.get("score") is not None for c in choices):
                continue
            if dimension not in dimensions:
                dimensions.append(dimension)
            indicator = question.get("indicator")
            # An indicator named like its only question is that question, not a level.
            if indicator and indicator != question["name"]:
                add(dimension, indicator)
                add(indicator, question["name"])
            else:
                add(dimension, question["name"])
    tree[ROOT] = [d for d in dimensions if tree.get(d)]
    return {parent: children for parent, children in tree.items() if children}


def validate_tree(tree: Mapping[str, Sequence[str]]) -> list[str]:
    """Check the tree; return its nodes parents-before-children (root first).

    Raises SchemeError when the root is missing, a node has two parents, a node is its own
    ancestor, or a node is unreachable from the root.
    """
    if ROOT not in tree:
        raise SchemeError(f"The index tree has no {ROOT!r} node.")
    parent_of: dict[str, str] = {}
    for parent, children in tree.items():
        for child in children:
            if child == ROOT:
                raise SchemeError(f"{ROOT!r} cannot be a child (of {parent!r}).")
            if child in parent_of:
                raise SchemeError(
                    f"Node {child!r} has two parents: {parent_of[child]!r} and {parent!r}."
                )
            parent_of[child] = parent
    order, seen = [], set()
    frontier = [ROOT]
    while frontier:
        node = frontier.pop(0)
        if node in seen:
            raise SchemeError(f"Node {node!r} is its own ancestor.")
        seen.add(node)
        order.append(node)
        frontier.extend(tree.get(node, []))
    unreachable = (set(tree) | set(parent_of)) - seen
    if unreachable:
        raise SchemeError(f"Nodes not under {ROOT!r}: {sorted(unreachable)}.")
    return order


def resolve_weights(
    tree: Mapping[str, Sequence[str]], weights: Mapping[str, Mapping[str, float]] | None = None
) -> dict[str, dict[str, float]]:
    """{parent: {child: weight}} for every parent of the tree: given weights checked, the
    rest equal (1 each). Raises SchemeError naming the parent."""
    weights = weights or {}
    unknown = sorted(set(weights) - set(tree))
    if unknown:
        raise SchemeError(f"Weights given for {unknown}, which have no children in the tree.")
    resolved: dict[str, dict[str, float]] = {}
    for parent, children in tree.items():
        given = weights.get(parent)
        if given is None:
            resolved[parent] = {child: 1.0 for child in children}
            continue
        if set(given) != set(children):
            raise SchemeError(
                f"Weights of {parent!r} must name exactly its children {list(children)}, "
                f"got {sorted(given)}."
            )
        values = {child: float(given[child]) for child in children}
        if any(not np.isfinite(w) or w < 0 for w in values.values()):
            raise SchemeError(f"Weights of {parent!r} must be numbers ≥ 0.")
        if sum(values.values()) <= 0:
            raise SchemeError(f"Weights of {parent!r} are all zero.")
        resolved[parent] = values
    return resolved


def aggregate(
    scores: pd.DataFrame,
    tree: Mapping[str, Sequence[str]],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    by: Sequence[str] = (),
    node: str = "node",
    score: str = "score",
) -> pd.DataFrame:
    """Roll leaf scores up the tree, for every domain at once.

    scores: one row per (domain, leaf): columns *by, `node` (a leaf of the tree), `score`
            (0–100, NaN = no estimate), e.g. scoring.score_tables.domain_scores(long,
            [*by, "item"]) with "item" renamed "node". Rows for unknown nodes are ignored.
    Returns one row per (domain, tree node), sorted by `by` then tree order (root first),
    columns *by, node, parent (None for the root), level (0 = root), score, weight (the
    node's weight within its parent, normalised to sum 1 over all the parent's children
    before any renormalisation for missing children; 1.0 for the root).
    """
    by = list(by)
    order = validate_tree(tree)
    resolved = resolve_weights(tree, weights)
    leaves = [n for n in order if n not in tree]
    parent_of = {child: parent for parent, children in tree.items() for child in children}
    level = {ROOT: 0}
    for n in order[1:]:
        level[n] = level[parent_of[n]] + 1

    # Domains: every combination of `by` present in `scores` (one anonymous domain if none).
    keyed = scores.assign(_all=0) if not by else scores
    keys = by or ["_all"]
    domains = keyed[keys].dropna().drop_duplicates().sort_values(keys).reset_index(drop=True)
    if not by and domains.empty:  # no scores at all: still one row per node
        domains = pd.DataFrame({"_all": [0]})
    numbered = domains.assign(_d=np.arange(len(domains)))
    known = keyed[keyed[node].isin(leaves)].merge(numbered, on=keys)
    column = {leaf: j for j, leaf in enumerate(leaves)}
    grid = np.full((len(domains), len(leaves)), np.nan)
    leaf_position = pd.Categorical(known[node].astype(object), categories=leaves).codes
    grid[known["_d"].to_numpy(), leaf_position] = known[score].to_numpy(dtype=float)

    values = {leaf: grid[:, j] for leaf, j in column.items()}
    for parent in reversed([n for n in order if n in tree]):  # children before parents
        children = list(tree[parent])
        matrix = np.column_stack([values[c] for c in children])
        w = np.array([resolved[parent][c] for c in children])
        present = ~np.isnan(matrix)
        numerator = np.where(present, matrix, 0.0) @ w
        denominator = present.astype(float) @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            values[parent] = np.where(denominator > 0, numerator / denominator, np.nan)

    nominal = {ROOT: 1.0}
    for children in resolved.values():
        total = sum(children.values())
        nominal.update({child: w / total for child, w in children.items()})

    # Domain-major rows: every node of domain 0 in tree order, then domain 1, …
    n_domains, n_nodes = len(domains), len(order)
    out = pd.DataFrame(
        {
            "node": np.tile(np.array(order, dtype=object), n_domains),
            "parent": np.tile(np.array([parent_of.get(n) for n in order], dtype=object), n_domains),
            "level": np.tile(np.array([level[n] for n in order], dtype="int64"), n_domains),
            "score": np.column_stack([values[n] for n in order]).ravel()
            if n_domains
            else np.array([], dtype=float),
            "weight": np.tile(np.array([nominal[n] for n in order], dtype=float), n_domains),
        }
    )
    if by:
        keys_frame = domains[by].iloc[np.repeat(np.arange(n_domains), n_nodes)]
        out = pd.concat([keys_frame.reset_index(drop=True), out], axis=1)
    return out[by + AGGREGATE_COLUMNS]


def check_shares(survey_share: float, objective_share: float) -> None:
    """Shares of the composite index: each in [0, 1], summing to 1. Raises SchemeError."""
    for name, share in (("survey", survey_share), ("objective", objective_share)):
        if not 0 <= share <= 1:
            raise SchemeError(f"The {name} share {share:g} must be between 0 and 1.")
    if abs(survey_share + objective_share - 1) > 1e-9:
        raise SchemeError(
            f"The survey and objective shares must add up to 1 "
            f"({survey_share:g} + {objective_share:g})."
        )


def composite(
    survey: pd.DataFrame,
    objective: pd.DataFrame | None,
    *,
    key: str | Sequence[str],
    survey_share: float,
    objective_share: float,
) -> pd.DataFrame:
    """The composite index per locality: survey_share · survey + objective_share · objective.

    survey:    DataFrame[*key, survey_score];  objective: DataFrame[*key, objective_score]
               or None. Returns DataFrame[*key, survey_score, objective_score, composite] for
               every locality in either table, sorted by key. With objective_share 0 the
               composite is the survey score; otherwise a locality missing either part has
               no composite (NaN) rather than a number built from half the evidence.
    """
    check_shares(survey_share, objective_share)
    keys = [key] if isinstance(key, str) else list(key)
    if objective is None:
        objective = pd.DataFrame(columns=[*keys, "objective_score"])
    merged = survey[[*keys, "survey_score"]].merge(
        objective[[*keys, "objective_score"]], on=keys, how="outer"
    )
    merged = merged.astype({"survey_score": float, "objective_score": float})
    if objective_share == 0:
        merged["composite"] = merged["survey_score"]
    else:
        merged["composite"] = (
            survey_share * merged["survey_score"] + objective_share * merged["objective_score"]
        )
    return merged.sort_values(keys).reset_index(drop=True)[[*keys, *COMPOSITE_COLUMNS]]


def index_standard_errors(
    respondent_items: pd.DataFrame,
    tree: Mapping[str, Sequence[str]],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Approximate standard errors of the overall index per domain.

    respondent_items: one row per (respondent, item): columns interview_id, weight (the
        respondent's design weight), *by, node (item), score (NaN = don't know).
    Each respondent's own index r_i is the tree aggregate of their items; the SE is that of
    the weighted mean of r_i under with-replacement sampling of respondents,
        se² = n/(n − 1) · Σ w_i² (r_i − r̄)² / (Σ w_i)²,
    ignoring strata and clusters (so usually somewhat conservative) and the difference
    between aggregating item means and averaging respondent indices. Good enough to say
    whether a change is clearly larger than sampling noise; not a design-based variance.
    Returns DataFrame[*by, n_respondents, se] (se NaN where n < 2).
    """
    by = list(by)
    per = aggregate(
        respondent_items[[*by, "interview_id", "node", "score"]],
        tree,
        weights=weights,
        by=[*by, "interview_id"],
    )
    per = per[(per["node"] == ROOT) & per["score"].notna()]
    weight_of = respondent_items.drop_duplicates("interview_id").set_index("interview_id")
    per = per.assign(w=per["interview_id"].map(weight_of["weight"]).astype(float))
    keys = by or ["_all"]
    per = per.assign(_all=0, wy=per["w"] * per["score"])
    grouped = per.groupby(keys, sort=True)
    w_sum = grouped["w"].transform("sum")
    mean = grouped["wy"].transform("sum") / w_sum
    work = per.assign(term=(per["w"] * (per["score"] - mean)) ** 2)
    sums = work.groupby(keys, sort=True).agg(
        n_respondents=("interview_id", "size"), term=("term", "sum"), w_sum=("w", "sum")
    )
    n = sums["n_respondents"]
    variance = (n / (n - 1)).where(n > 1) * sums["term"] / sums["w_sum"] ** 2
    out = pd.DataFrame({"n_respondents": n.astype("int64"), "se": np.sqrt(variance)})
    return out.reset_index().drop(columns=["_all"], errors="ignore")
