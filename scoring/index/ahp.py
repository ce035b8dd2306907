"""Weights from expert pairwise comparisons: the analytic hierarchy process (AHP). Pure.

A judgement matrix A (n × n) holds a_ij = how many times more important element i is than
element j, on Saaty's 1–9 scale (1/9 … 9). A valid matrix is positive with a_ii = 1 and
a_ji = 1/a_ij. The weights are A's principal (Perron) eigenvector normalised to sum to 1,
λmax its eigenvalue, and the consistency of the judgements is

    CI = (λmax − n) / (n − 1),    CR = CI / RI(n),

with Saaty's random index RI (the mean CI of random reciprocal matrices; Saaty, *The
Analytic Hierarchy Process*, 1980). CR ≤ 0.1 is accepted; above it the experts are asked to
revise their judgements. For n ≤ 2 every reciprocal matrix is consistent (CI = 0, CR = 0).

Entered judgements are often rounded (0.33 for 1/3, 0.14 for 1/7, 0.11 for 1/9), so a pair
counts as reciprocal when the product is 1 within 1 % (`RECIPROCAL_TOLERANCE`) or the smaller
entry is the reciprocal of the larger rounded to two decimals (`TYPED_DECIMALS`); fractions
such as "1/3" are exact. The matrix is then made exactly reciprocal from its upper triangle
before the eigenvector is taken.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from common.translatable import Translatable, gettext_noop

CR_LIMIT = 0.1
RECIPROCAL_TOLERANCE = 0.01
TYPED_DECIMALS = 2
SAATY_MAX = 9  # the largest judgement on Saaty's 1–9 scale
# Saaty (1980), random consistency index by matrix order n = 1..15.
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
MAX_ORDER = max(RANDOM_INDEX)


class AHPError(ValueError):
    """A judgement matrix that cannot be used; the message names the matrix and the cell."""


@dataclass(frozen=True)
class AHPResult:
    """The outcome of one judgement matrix.

    labels       the compared elements, in matrix order
    weights      {label: weight}, weights ≥ 0 summing to 1
    lambda_max   principal eigenvalue (≥ n)
    ci, ri, cr   consistency index, random index, consistency ratio
    """

    labels: tuple[str, ...]
    weights: dict[str, float]
    lambda_max: float
    ci: float
    ri: float
    cr: float

    @property
    def consistent(self) -> bool:
        return self.cr <= CR_LIMIT

    def as_dict(self) -> dict:
        """JSON-ready form (stored on the index scheme)."""
        return {
            "labels": list(self.labels),
            "weights": dict(self.weights),
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
        }


def parse_judgement(text: str | float | int) -> float:
    """A judgement as typed: "3", "1/3", "0.333" or a number. Raises ValueError."""
    if isinstance(text, int | float):
        return float(text)
    cleaned = str(text).strip()
    if not cleaned:
        raise ValueError(Translatable(gettext_noop("no judgement given")))
    shown = cleaned if len(cleaned) <= 20 else cleaned[:20] + "…"
    try:
        return float(Fraction(cleaned))
    except (ValueError, ZeroDivisionError) as err:
        problem = gettext_noop("“%(value)s” is not a number or a fraction like 1/3")
        raise ValueError(Translatable(problem, value=shown)) from err
    except OverflowError as err:  # 400 digits: beyond a float, and far beyond Saaty's 9
        problem = gettext_noop("“%(value)s” is too large for a judgement")
        raise ValueError(Translatable(problem, value=shown)) from err


def validate_matrix(
    matrix: Sequence[Sequence[float | str]], *, name: str, labels: Sequence[str] | None = None
) -> np.ndarray:
    """Check a judgement matrix and return it as an exactly reciprocal float array.

    Raises AHPError naming `name` and the offending cell (row/column label) when the matrix
    is not square, has more than 15 rows, a non-positive or non-numeric entry, a diagonal
    other than 1, or a pair a_ij, a_ji that is not reciprocal: the product 1 within 1 %, or (up
    to 9) the smaller the reciprocal of the larger rounded to two decimals.
    """
    rows = [list(row) for row in matrix]
    n = len(rows)
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(n)]
    if n == 0:
        raise _error(gettext_noop("Matrix %(name)s: no elements to compare."), name=name)
    if len(labels) != n or len(set(labels)) != n:
        raise _error(
            gettext_noop("Matrix %(name)s: needs %(n)s distinct elements, got %(labels)s."),
            name=name,
            n=n,
            labels=", ".join(map(str, labels)),
        )
    if n > MAX_ORDER:
        raise _error(
            gettext_noop("Matrix %(name)s: %(n)s elements; at most %(max)s can be compared."),
            name=name,
            n=n,
            max=MAX_ORDER,
        )
    values = np.empty((n, n))
    for i, row in enumerate(rows):
        if len(row) != n:
            raise _error(
                gettext_noop("Matrix %(name)s: row %(row)s has %(count)s entries, expected %(n)s."),
                name=name,
                row=labels[i],
                count=len(row),
                n=n,
            )
        for j, cell in enumerate(row):
            try:
                value = parse_judgement(cell)
            except ValueError as err:
                problem = err.args[0] if err.args else str(err)
                raise _error(
                    CELL, name=name, row=labels[i], column=labels[j], problem=problem
                ) from err
            if not math.isfinite(value) or value <= 0:
                problem = Translatable(NOT_POSITIVE, value=f"{value:g}")
                raise _error(CELL, name=name, row=labels[i], column=labels[j], problem=problem)
            values[i, j] = value
    for i in range(n):
        if not math.isclose(values[i, i], 1.0, rel_tol=1e-9):
            raise _error(
                gettext_noop(
                    "Matrix %(name)s, %(row)s vs itself: the diagonal must be 1, got %(value)s."
                ),
                name=name,
                row=labels[i],
                value=f"{values[i, i]:g}",
            )
        for j in range(i + 1, n):
            if not _reciprocal(values[i, j], values[j, i]):
                raise _error(
                    gettext_noop(
                        "Matrix %(name)s, %(row)s vs %(column)s = %(a)s but %(column)s vs "
                        "%(row)s = %(b)s: they must be reciprocal (a and 1/a)."
                    ),
                    name=name,
                    row=labels[i],
                    column=labels[j],
                    a=f"{values[i, j]:g}",
                    b=f"{values[j, i]:g}",
                )
    exact = np.ones((n, n))
    upper = np.triu_indices(n, 1)
    exact[upper] = values[upper]
    exact[upper[1], upper[0]] = 1.0 / values[upper]
    return exact


CELL = gettext_noop("Matrix %(name)s, %(row)s vs %(column)s: %(problem)s.")
NOT_POSITIVE = gettext_noop("%(value)s is not a positive judgement")


def _error(template: str, **params) -> "AHPError":
    """An AHPError whose message is translatable where shown (its args[0])."""
    return AHPError(Translatable(template, **params))


def _reciprocal(a: float, b: float) -> bool:
    """a and b are reciprocal as people type them: 3 and 0.33, 7 and 0.14, 5 and 0.2."""
    if abs(a * b - 1.0) <= RECIPROCAL_TOLERANCE + 1e-12:
        return True
    small, large = sorted((a, b))
    if large > SAATY_MAX:  # beyond Saaty's scale two decimals are no longer a rounding of 1/a
        return False
    half_unit = 0.5 * 10**-TYPED_DECIMALS
    return abs(small - 1.0 / large) <= half_unit + 1e-12


def eigen_weights(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal eigenvector (normalised to sum 1) and eigenvalue of a positive matrix.

    By Perron–Frobenius the eigenvalue of largest real part is real and simple and its
    eigenvector can be taken positive.
    """
    values, vectors = np.linalg.eig(np.asarray(matrix, dtype=float))
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return vector / vector.sum(), float(values[k].real)


def geometric_mean_weights(matrix: np.ndarray) -> np.ndarray:
    """The row geometric-mean approximation of the weights (Crawford & Williams 1985)."""
    matrix = np.asarray(matrix, dtype=float)
    means = np.exp(np.log(matrix).mean(axis=1))
    return means / means.sum()


def consistency(
    matrix: Sequence[Sequence[float | str]], *, name: str, labels: Sequence[str] | None = None
) -> AHPResult:
    """Weights, λmax, CI, RI and CR of a judgement matrix (validated first; see
    `validate_matrix`). Never refuses an inconsistent matrix: see `ahp_weights`."""
    values = validate_matrix(matrix, name=name, labels=labels)
    n = values.shape[0]
    labels = tuple(labels) if labels is not None else tuple(str(i + 1) for i in range(n))
    weights, lambda_max = eigen_weights(values)
    ri = RANDOM_INDEX[n]
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(
        labels=labels,
        weights={label: float(w) for label, w in zip(labels, weights, strict=True)},
        lambda_max=lambda_max if n > 2 else float(n),
        ci=ci,
        ri=ri,
        cr=cr,
    )


def ahp_weights(
    matrix: Sequence[Sequence[float | str]],
    *,
    name: str,
    labels: Sequence[str] | None = None,
    limit: float = CR_LIMIT,
) -> AHPResult:
    """Like `consistency`, but refuses (AHPError naming the matrix and its CR) when
    CR > `limit`."""
    result = consistency(matrix, name=name, labels=labels)
    if result.cr > limit:
        raise _error(
            gettext_noop(
                "Matrix %(name)s: consistency ratio CR = %(cr)s exceeds %(limit)s; revise the "
                "judgements."
            ),
            name=name,
            cr=f"{result.cr:.3f}",
            limit=f"{limit:g}",
        )
    return result
