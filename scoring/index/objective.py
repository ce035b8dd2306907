"""Objective indicators: administrative figures per locality, scored by piecewise rules. Pure.

An objective indicator (客观指标) is a figure the commissioning body supplies for each
locality — crimes per 100k residents, dispute-resolution rate (%), alarm response time
(minutes) … — scored 0–100 by a rule the evaluation scheme sets in advance.

Two files are read (scoring.index.objective_files):

* the values table, CSV or XLSX, either *long* (columns `locality_code`, `indicator`,
  `value`) or *wide* (`locality_code` plus one column per indicator code). A blank cell of a
  wide table means "no figure"; any other cell must be a number ("95", "95.5", "95%").
  Result: DataFrame[locality_code (str), indicator (str), value (float)], one row per
  (locality, indicator), in file order.
* the rules table (one row per indicator): `indicator`, optional `name`, `unit`, `weight`
  (default 1) and the rule columns `direction` (higher/lower), `target`, `bands`
  ("95:100 90:80 85:60", threshold:score pairs), `deduction` (points per unit worse than the
  target), `floor` (default 0), `cap` (default 100).

A rule is one of (exactly one applies, see `Rule`):

* bands: higher-is-better scores the band of the largest threshold the value reaches
  (value ≥ threshold); lower-is-better the band of the smallest threshold the value stays
  within (value ≤ threshold); a value beyond every band scores `floor`. So with bands
  95:100 90:80, 95 → 100, 94.9 → 80, 90 → 80, 89.9 → floor.
* deduction: `cap` at or better than `target`, then `deduction` points lost per unit worse
  than the target, never below `floor`.
* target only: `cap` at or better than the target, `floor` otherwise (达标/不达标).

Every score is finally clipped to [floor, cap]. `below_target` is true when the value is
worse than the target (for a band rule without a target: worse than the best band's
threshold).

"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.translatable import Translatable, gettext_noop

HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)
VALUE_COLUMNS = ["locality_code", "indicator", "value"]
SCORED_COLUMNS = [*VALUE_COLUMNS, "score", "target", "below_target"]
RULE_COLUMNS = ("direction", "target", "bands", "deduction", "floor", "cap")


class ObjectiveError(ValueError):
    """A values or rules file (or rule) we cannot use. `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Rule:
    """How one indicator's value becomes a 0–100 score (see the module docstring).

    bands: ((threshold, score), ...) sorted from the best threshold to the worst.
    """

    direction: str = HIGHER
    target: float | None = None
    bands: tuple[tuple[float, float], ...] = ()
    deduction: float | None = None
    floor: float = 0.0
    cap: float = 100.0

    @property
    def effective_target(self) -> float | None:
        if self.target is not None:
            return self.target
        return self.bands[0][0] if self.bands else None

    def as_dict(self) -> dict:
        """JSON-ready form, read back by `parse_rule`."""
        return {
            "direction": self.direction,
            "target": self.target,
            "bands": [list(band) for band in self.bands],
            "deduction": self.deduction,
            "floor": self.floor,
            "cap": self.cap,
        }


@dataclass(frozen=True)
class IndicatorSpec:
    """One row of a rules table."""

    code: str
    name: str
    unit: str = ""
    weight: float = 1.0
    rule: Rule = field(default_factory=Rule)


# -- rules ---------------------------------------------------------------------------------


def parse_bands(text: str | list | tuple | None) -> tuple[tuple[float, float], ...]:
    """ "95:100 90:80" or [[95, 100], [90, 80]] → ((95.0, 100.0), (90.0, 80.0)), unsorted;
    full-width colons and commas (95：100，90：80) as Chinese input methods type them.
    Raises ValueError."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return ()
    if isinstance(text, str):
        pairs = []
        text = text.replace("：", ":").replace("；", " ").replace("，", " ")
        for part in text.replace(",", " ").replace(";", " ").split():
            threshold, sep, score = part.partition(":")
            if not sep:
                raise ValueError(
                    Translatable(gettext_noop("band %(band)s is not threshold:score"), band=part)
                )
            pairs.append((threshold, score))
    else:
        pairs = list(text)
    bands = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(
                Translatable(
                    gettext_noop("band %(band)s is not a (threshold, score) pair"), band=str(pair)
                )
            )
        try:
            bands.append((as_number(pair[0]), as_number(pair[1])))
        except ValueError:
            problem = gettext_noop("band %(band)s: the threshold and the score must be numbers")
            raise ValueError(Translatable(problem, band=":".join(map(str, pair)))) from None
    return tuple(bands)


def parse_rule(spec: Mapping, *, indicator: str) -> Rule:
    """A Rule from its JSON/table form. Raises ObjectiveError naming the indicator; its
    messages are common.translatable texts (English as str, translated where shown)."""
    errors: list[str] = []

    def fail(template: str, **params) -> None:
        problem = Translatable(template, **params)
        errors.append(
            Translatable(
                gettext_noop("Indicator %(code)s: %(problem)s"),
                code=indicator,
                problem=problem,
            )
        )

    direction = str(spec.get("direction") or HIGHER).strip().lower()
    if direction not in DIRECTIONS:
        fail(
            gettext_noop("direction %(value)s must be 'higher' or 'lower'"), value=f"“{direction}”"
        )
        direction = HIGHER
    numbers: dict[str, float | None] = {}
    for key in ("target", "deduction", "floor", "cap"):
        raw = spec.get(key)
        try:
            numbers[key] = None if _blank(raw) else as_number(raw)
        except ValueError:
            fail(gettext_noop("%(key)s %(value)s is not a number"), key=key, value=f"“{raw}”")
            numbers[key] = None
    try:
        bands = parse_bands(spec.get("bands"))
    except ValueError as err:
        problem = _problem(err)
        if isinstance(problem, Translatable):  # "band 90 is not threshold:score": says bands
            fail(problem.template, **problem.params)
        else:
            fail(gettext_noop("bands: %(problem)s"), problem=problem)
        bands = ()
    floor = numbers["floor"] if numbers["floor"] is not None else 0.0
    cap = numbers["cap"] if numbers["cap"] is not None else 100.0
    if floor > cap:
        fail(
            gettext_noop("floor %(floor)s is above cap %(cap)s"), floor=f"{floor:g}", cap=f"{cap:g}"
        )
    if bands and numbers["deduction"] is not None:
        fail(gettext_noop("give either bands or a deduction per unit, not both"))
    if numbers["deduction"] is not None:
        if numbers["target"] is None:
            fail(gettext_noop("a deduction per unit needs a target"))
        if numbers["deduction"] < 0:
            fail(gettext_noop("the deduction per unit must not be negative"))
    if not bands and numbers["target"] is None:
        fail(gettext_noop("needs bands or a target"))
    thresholds = [t for t, _ in bands]
    if len(set(thresholds)) != len(thresholds):
        fail(gettext_noop("two bands have the same threshold"))
    if errors:
        raise ObjectiveError(errors)
    best_first = sorted(bands, key=lambda b: b[0], reverse=direction == HIGHER)
    return Rule(
        direction=direction,
        target=numbers["target"],
        bands=tuple(best_first),
        deduction=numbers["deduction"],
        floor=floor,
        cap=cap,
    )


def score_values(values: np.ndarray, rule: Rule) -> np.ndarray:
    """Scores (float array) of `values` under `rule`; NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    higher = rule.direction == HIGHER
    if rule.bands:
        scores = np.full(values.shape, rule.floor)
        # Walk from the worst band to the best so the best band reached wins.
        for threshold, band_score in reversed(rule.bands):
            reached = values >= threshold if higher else values <= threshold
            scores = np.where(reached, band_score, scores)
    else:
        shortfall = (rule.target - values) if higher else (values - rule.target)
        shortfall = np.maximum(shortfall, 0.0)
        if rule.deduction is not None:
            scores = rule.cap - rule.deduction * shortfall
        else:
            scores = np.where(shortfall > 0, rule.floor, rule.cap)
    scores = np.clip(scores, rule.floor, rule.cap)
    return np.where(np.isnan(values), np.nan, scores)


def below_target(values: np.ndarray, rule: Rule) -> np.ndarray:
    """True where the value is worse than the rule's (effective) target."""
    values = np.asarray(values, dtype=float)
    target = rule.effective_target
    if target is None:
        return np.zeros(values.shape, dtype=bool)
    return values < target if rule.direction == HIGHER else values > target


def score_indicators(values: pd.DataFrame, rules: Mapping[str, Rule]) -> pd.DataFrame:
    """Score every (locality, indicator) value.

    values: DataFrame[locality_code, indicator, value] (as `read_values` returns).
    rules:  {indicator code: Rule}.
    Returns DataFrame[locality_code, indicator, value, score (0–100), target (the effective
    target, NaN if none), below_target (bool)], same rows and order.
    Raises ObjectiveError listing indicators that have no rule.
    """
    missing = sorted(set(values["indicator"]) - set(rules))
    if missing:
        raise ObjectiveError(
            [Translatable(gettext_noop("Indicator %(code)s: no scoring rule."), code=code)
             for code in missing]
        )  # fmt: skip
    out = values[VALUE_COLUMNS].copy()
    out["value"] = out["value"].astype(float)
    out["score"] = np.nan
    out["target"] = np.nan
    out["below_target"] = False
    for code, rows in out.groupby("indicator", sort=False).groups.items():
        rule = rules[code]
        raw = out.loc[rows, "value"].to_numpy()
        out.loc[rows, "score"] = score_values(raw, rule)
        target = rule.effective_target
        out.loc[rows, "target"] = np.nan if target is None else target
        out.loc[rows, "below_target"] = below_target(raw, rule)
    out["below_target"] = out["below_target"].astype(bool)
    return out[SCORED_COLUMNS]


def objective_scores(
    scored: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Weighted mean indicator score per locality.

    scored:  `score_indicators` output. weights: {indicator: weight ≥ 0}, default equal.
    Weights are renormalised over the indicators a locality has a score for.
    Returns DataFrame[locality_code, objective_score, n_indicators], sorted by locality.
    """
    weights = weights or {}
    present = scored[scored["score"].notna()]
    w = present["indicator"].map(lambda code: float(weights.get(code, 1.0)))
    work = present.assign(w=w, wy=w * present["score"])
    sums = work.groupby("locality_code", sort=True).agg(
        w=("w", "sum"), wy=("wy", "sum"), n_indicators=("indicator", "size")
    )
    out = pd.DataFrame(
        {
            "objective_score": sums["wy"] / sums["w"].where(sums["w"] > 0),
            "n_indicators": sums["n_indicators"].astype("int64"),
        }
    )
    return out.reset_index()


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_number(value: object) -> float:
    """ "95", "95.5", "95%", "1,200", 95 → float. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").removesuffix("%").strip()
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _problem(error: ValueError) -> str:
    """What a ValueError raised here says: its Translatable, or its text."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, Translatable) else str(error)
