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

from common.translatable import Translatable, gettext_noop
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
    for template, share in (
        (gettext_noop("The survey share %(share)s must be between 0 and 1."), survey_share),
        (gettext_noop("The objective share %(share)s must be between 0 and 1."), objective_share),
    ):
        if not 0 <= share <= 1:
            raise SchemeError(Translatable(template, share=f"{share:g}"))
    if abs(survey_share + objective_share - 1) > 1e-9:
        raise SchemeError(
            Translatable(
                gettext_noop("The survey and objective shares must add up to 1 (%(a)s + %(b)s)."),
                a=f"{survey_share:g}",
                b=f"{objective_share:g}",
            )
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


def leaf_coefficients(
    scores: pd.DataFrame,
    tree: Mapping[str, Sequence[str]],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """How much each leaf's score counts in the root's, per domain: the root score of
    `aggregate` is Σ coefficient × leaf score over the leaves with a score there (the
    coefficients of a domain sum to 1). A leaf's coefficient is the product, down its path,
    of each node's weight over the weights of its siblings that have a score in the domain.
    Same input as `aggregate`; returns DataFrame[*by, node, coefficient] for the leaves with
    a score."""
    by = list(by)
    nodes = aggregate(scores, tree, weights=weights, by=by)
    order = list(dict.fromkeys(nodes["node"]))
    n_nodes = len(order)
    n_domains = len(nodes) // n_nodes if n_nodes else 0
    present = nodes["score"].notna().to_numpy().reshape(n_domains, n_nodes)
    weight = nodes["weight"].to_numpy(dtype=float).reshape(n_domains, n_nodes) * present
    parents = [-1 if pd.isna(p) else order.index(p) for p in nodes["parent"][:n_nodes]]
    coefficient = np.zeros((n_domains, n_nodes))
    coefficient[:, 0] = present[:, 0]  # the root
    for j in range(1, n_nodes):  # tree order: a parent before its children
        siblings = [k for k in range(n_nodes) if parents[k] == parents[j]]
        total = weight[:, siblings].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, weight[:, j] / total, 0.0)
        coefficient[:, j] = coefficient[:, parents[j]] * share
    nodes = nodes.assign(coefficient=coefficient.ravel())
    leaves = nodes[~nodes["node"].isin(list(tree)) & nodes["score"].notna()]
    return leaves[[*by, "node", "coefficient"]].reset_index(drop=True)


def index_influence(
    respondent_items: pd.DataFrame,
    item_scores: pd.DataFrame,
    coefficients: pd.DataFrame,
    *,
    by: Sequence[str],
) -> pd.DataFrame:
    """The linearised values of the root index of each domain (its influence function), for
    a design-based variance: the index is Σ_k a_k ȳ_k with ȳ_k = Σ w y_k / Σ w over the
    domain's respondents who scored item k, so respondent i adds
    Σ_k a_k w_i (y_ik − ȳ_k) / W_k.

    respondent_items: DataFrame[interview_id, weight, *by, node, score] (NaN = not scored);
    item_scores: DataFrame[*by, node, score, weight_sum] (ȳ_k and W_k, e.g.
    scoring.score_tables.domain_scores by [*by, "item"] renamed); coefficients:
    `leaf_coefficients`. Returns DataFrame[interview_id, *by, z], one row per respondent
    and domain.
    """
    keys = [*by, "node"]
    rows = respondent_items[respondent_items["score"].notna()]
    rows = rows.merge(item_scores[[*keys, "score", "weight_sum"]], on=keys, suffixes=("", "_mean"))
    rows = rows.merge(coefficients, on=keys)
    z = (
        rows["coefficient"]
        * rows["weight"].astype(float)
        * (rows["score"] - rows["score_mean"])
        / rows["weight_sum"]
    )
    out = rows[["interview_id", *by]].assign(z=z.to_numpy())
    return out.groupby(["interview_id", *by], as_index=False, sort=True)["z"].sum()
