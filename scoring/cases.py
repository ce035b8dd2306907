"""The loading layer of the nonresponse adjustment: the wave's cases (every released unit),
what became of them and how their household's respondent was chosen (scoring.nonresponse
weights from it)."""

import pandas as pd
from django.db.models import Count, F

from fieldwork.dispositions import NOT_ATTEMPTED, group_of
from fieldwork.models import Case, Interview, Mode, RespondentSelection, Wave
from qc.models import Review
from sampling import household
from sampling.models import FrameStratumCount, SampledUnit
from scoring.loaders import released_per_stratum

# The case frame's columns, documented in scoring.nonresponse, which weights from it.
CASE_COLUMNS = [
    "case_id",
    "stratum",
    "fpc",
    "n_released",
    "design_weight",
    "attribute",
    "attempted",
    "interviewed",
    "approved",
    "interview_id",
    "door",
    "adults",
    "selection",
    "line",
    "eligibility",
]


def case_frame(wave: Wave, *, attribute: str = "") -> pd.DataFrame:
    """One row per case of the wave (every released unit), CASE_COLUMNS.

    attempted: at least one contact attempt or an interview; interviewed: a completed
    interview; approved: its review approved; attribute: the unit's frame attribute
    `attribute` as text ("" when unknown or no attribute asked for); adults, selection and
    line: the number of adults in the case's latest household listing (NaN without one), its
    selection method and the chosen adult's line in Kish's order (NaN unless Kish);
    eligibility: from the case's final disposition as the Rates tab counts it
    (fieldwork.loaders.disposition_frame: none is 3.11, not attempted; a completed interview,
    voided or not, is eligible). Five queries.
    """
    fields = [
        "pk",
        "attempts",
        "disposition",
        "interview__status",
        "interview__mode",
        "interview__pk",
    ]
    records = list(
        Case.objects.filter(wave=wave)
        .order_by("pk")
        .values(
            *fields,
            stratum=F("unit__stratum"),
            frame_id=F("unit__draw__frame_id"),
            design_weight=F("unit__design_weight"),
            attributes=F("unit__attributes"),
            review_state=F("interview__review__state"),
        )
    )
    columns = [*fields, "stratum", "frame_id", "design_weight", "attributes", "review_state"]
    cases = pd.DataFrame.from_records(records, columns=columns)
    if cases.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CASE_COLUMNS})
    counts = dict(
        FrameStratumCount.objects.filter(
            frame_id__in=set(cases["frame_id"].dropna().tolist())
        ).values_list("stratum", "n_units")
    )
    listings = _listings(wave)
    completed = cases["interview__status"].eq(Interview.Status.COMPLETED)
    value = cases["attributes"].map(lambda a: (a or {}).get(attribute) if attribute else None)
    return pd.DataFrame(
        {
            "case_id": cases["pk"].astype("int64"),
            "stratum": cases["stratum"].astype(str),
            "fpc": cases["stratum"].map(counts).astype(float),
            "n_released": cases["stratum"].map(released_per_stratum(wave)).astype(float),
            "design_weight": cases["design_weight"].astype(float),
            "attribute": value.map(lambda v: "" if v is None else str(v)).astype(object),
            "attempted": (cases["attempts"].fillna(0).astype(int) > 0)
            | cases["interview__pk"].notna(),
            "interviewed": completed,
            "approved": cases["review_state"].eq(Review.State.APPROVED),
            "interview_id": cases["interview__pk"].astype("Int64"),
            "door": cases["interview__mode"].eq(Mode.DOOR),
            "adults": cases["pk"].map(lambda pk: listings.get(pk, NO_LISTING)[0]).astype(float),
            "selection": cases["pk"].map(lambda pk: listings.get(pk, NO_LISTING)[1]),
            "line": cases["pk"].map(lambda pk: listings.get(pk, NO_LISTING)[2]).astype(float),
            "eligibility": cases["disposition"].map(_eligibility).where(~completed, "eligible"),
        }
    )[CASE_COLUMNS]


NO_LISTING = (None, "", None)
ELIGIBILITY = {
    "I": "eligible",
    "P": "eligible",
    "R": "eligible",
    "NC": "eligible",
    "O": "eligible",
    "NE": "ineligible",
}


def _eligibility(code: object) -> str:
    """eligible / ineligible / unknown for a case's final disposition (blank: not attempted)."""
    try:
        group = group_of(str(code or "").strip() or NOT_ATTEMPTED)
    except KeyError:
        return "unknown"
    return ELIGIBILITY.get(group, "unknown")


def _listings(wave: Wave) -> dict[int, tuple[int, str, int | None]]:
    """{case id: (adults, method, Kish line of the chosen adult)} of each case's latest
    household listing; the line is None unless Kish (or the listing lacks sex or age)."""
    listings: dict[int, tuple[int, str, int | None]] = {}
    for case_id, adults, method, index in (
        RespondentSelection.objects.filter(case__wave=wave)
        .order_by("case_id", "-created_at", "-id")
        .values_list("case_id", "adults", "method", "selected_index")
    ):
        if case_id in listings:
            continue
        adults = adults or []
        line = None
        if method == RespondentSelection.Method.KISH and 1 <= (index or 0) <= len(adults):
            try:
                people = [(str(a["sex"]), int(a["age"])) for a in adults]
            except (KeyError, TypeError, ValueError):
                people = None
            if people is not None:
                line = household.kish_order(people).index(index - 1) + 1
        listings[case_id] = (len(adults), method, line)
    return listings


def drawn_per_stratum(wave: Wave) -> dict[str, int]:
    """{stratum: units the wave's draw selected, every replicate}; one query."""
    if wave.draw_id is None:
        return {}
    return dict(
        SampledUnit.objects.filter(draw_id=wave.draw_id)
        .values_list("stratum")
        .annotate(n=Count("id"))
        .values_list("stratum", "n")
    )
