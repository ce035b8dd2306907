"""What changed between two editions of a wave's results. Pure: plain dicts in, rows out.

Each edition's report dict (scoring.results) lists its districts and streets with score,
rank and rank interval. A row per place present in either edition, matched on its code
(streets on district and street code); `changed` is true when the score (rounded as
published), the rank or the rank interval differs, or the place is in only one edition.
"""

FIGURES = ("satisfaction_score", "rank", "rank_low", "rank_high", "n")


def compare_reports(old: dict, new: dict) -> dict:
    """{"headline": [(figure, old, new)], "districts": [row], "streets": [row]}, a row being
    {"name", "district", "old": {figure: value} | None, "new": … | None, "changed"}."""
    return {
        "headline": [
            (key, old["headline"].get(key), new["headline"].get(key))
            for key in ("satisfaction_score", "safety_score", "n_interviews")
        ],
        "districts": _rows(old["districts"], new["districts"], lambda d: d["code"]),
        "streets": _rows(
            old["streets"], new["streets"], lambda s: (s.get("district_code"), s["code"])
        ),
    }


def _rows(old: list[dict], new: list[dict], key) -> list[dict]:
    before = {key(place): place for place in old}
    after = {key(place): place for place in new}
    rows = []
    for code in list(after) + [c for c in before if c not in after]:
        place = after.get(code) or before[code]
        then = _figures(before.get(code))
        now = _figures(after.get(code))
        rows.append(
            {
                "name": place["name"],
                "district": place.get("district", ""),
                "old": then,
                "new": now,
                "changed": then != now,
            }
        )
    return rows


def _figures(place: dict | None) -> dict | None:
    return None if place is None else {figure: place.get(figure) for figure in FIGURES}
