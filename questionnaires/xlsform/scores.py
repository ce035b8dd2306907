"""The score_map column. Pure: no Django."""

import math

__all__ = ["parse_score_map"]


def parse_score_map(text: str) -> dict[str, float | None]:
    """'5=100 4=80 9=' → {"5": 100.0, "4": 80.0, "9": None}. Raise ValueError naming the item."""
    scores: dict[str, float | None] = {}
    for item in str(text).replace(",", " ").replace(";", " ").split():
        code, equals, score = item.partition("=")
        if not equals or not code:
            raise ValueError(f"'{item}' is not code=score (e.g. 5=100, or 9= for don't know)")
        if code in scores:
            raise ValueError(f"choice '{code}' is given twice")
        if score == "":
            scores[code] = None
            continue
        try:
            value = float(score)
        except ValueError:
            value = math.nan
        if not 0 <= value <= 100:  # also false for NaN
            raise ValueError(f"'{item}': the score must be a number from 0 to 100")
        scores[code] = value
    if not scores:
        raise ValueError("empty score map")
    return scores
