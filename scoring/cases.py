"""The loading layer of the nonresponse adjustment: the wave's cases (every released unit),
what became of them and how their household's respondent was chosen (scoring.nonresponse
weights from it)."""

import numpy as np
import pandas as pd
from django.db.models import Count, TextField
from django.db.models.functions import Cast

from fieldwork.dispositions import NOT_ATTEMPTED, group_of
from fieldwork.models import Case, Interview, Mode, RespondentSelection, Wave
from qc.models import Review
from sampling import household
from sampling.models import FrameStratumCount, SampledUnit
from scoring.loaders import interview_records, released_per_stratum
from scoring.models import WaveWeighting

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


CASE_FIELDS = [
    "pk",
    "attempts",
    "disposition",
    "interview__status",
    "interview__mode",
    "interview__pk",
    "unit__stratum",
    "unit__draw__frame_id",
    "unit__design_weight",
    "interview__review__state",
]
# What scoring.loaders.approved_interviews reads of an interview, read here from its case.
INTERVIEW_FIELDS = [
    "answers_text",
    "interview__district_id",
    "interview__street_id",
    "street_id",
    "interview__questionnaire_version_id",
]


def nonresponse_choice(wave: Wave) -> tuple[str, str]:
    """(method, attribute) recorded for the wave (scoring.models.WaveWeighting), or the
    default: within each stratum."""
    choice = WaveWeighting.objects.filter(wave=wave).values_list("nonresponse", "attribute")
    return choice.first() or (WaveWeighting.Nonresponse.STRATUM, "")


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
    return _frame(wave, list(_cases(wave, attribute)), attribute)


def read_round(wave: Wave, *, attribute: str = "") -> tuple[list[dict], pd.DataFrame]:
    """(scoring.loaders.approved_interviews(wave), case_frame(wave, attribute=attribute))
    from one read of the round's cases with their interviews' answers: the two share the
    round's cases, their units and their interviews' reviews. Five queries (six when some
    interview is on an older questionnaire version)."""
    rows = list(_cases(wave, attribute, Cast("interview__answers", TextField())))
    n = len(CASE_FIELDS) + bool(attribute)  # where INTERVIEW_FIELDS begin
    pk, stratum, frame, weight, review = (
        CASE_FIELDS.index(name)
        for name in (
            "interview__pk",
            "unit__stratum",
            "unit__draw__frame_id",
            "unit__design_weight",
            "interview__review__state",
        )
    )
    records = interview_records(  # rows of scoring.loaders.RECORD_FIELDS
        [
            (row[pk], *row[n:], row[stratum], row[frame], row[weight])
            for row in rows
            if row[review] == Review.State.APPROVED
        ],
        wave,
    )
    return records, _frame(wave, [row[:n] for row in rows], attribute)


def _cases(wave: Wave, attribute: str, answers=None):
    """The wave's cases in id order as rows of CASE_FIELDS (then the unit's attributes when
    a class splits by one: a JSON value per case; then INTERVIEW_FIELDS given `answers`)."""
    rows = Case.objects.filter(wave=wave).order_by("pk")
    extra = ["unit__attributes"] if attribute else []
    if answers is None:
        return rows.values_list(*CASE_FIELDS, *extra)
    return rows.annotate(answers_text=answers).values_list(*CASE_FIELDS, *extra, *INTERVIEW_FIELDS)


def _frame(wave: Wave, rows: list, attribute: str) -> pd.DataFrame:
    fields = CASE_FIELDS
    cases = pd.DataFrame.from_records(rows, columns=fields + ["attributes"][: bool(attribute)])
    if cases.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CASE_COLUMNS})
    counts = dict(
        FrameStratumCount.objects.filter(
            frame_id__in=set(cases["unit__draw__frame_id"].dropna().tolist())
        ).values_list("stratum", "n_units")
    )
    stratum = cases["unit__stratum"]
    listings = _listings(wave)
    listed = pd.DataFrame.from_dict(
        listings, orient="index", columns=["adults", "selection", "line"]
    ).reindex(cases["pk"].to_numpy())
    completed = cases["interview__status"].eq(Interview.Status.COMPLETED)
    attribute_text = pd.Series("", index=cases.index, dtype=object)
    if attribute:
        value = cases["attributes"].map(lambda a: (a or {}).get(attribute))
        attribute_text = value.map(lambda v: "" if v is None else str(v)).astype(object)
    return pd.DataFrame(
        {
            "case_id": cases["pk"].astype("int64"),
            "stratum": stratum.astype(str),
            "fpc": stratum.map(counts).astype(float),
            "n_released": stratum.map(released_per_stratum(wave)).astype(float),
            "design_weight": cases["unit__design_weight"].astype(float),
            "attribute": attribute_text,
            "attempted": (cases["attempts"].fillna(0).astype(int) > 0)
            | cases["interview__pk"].notna(),
            "interviewed": completed,
            "approved": cases["interview__review__state"].eq(Review.State.APPROVED),
            "interview_id": cases["interview__pk"].astype("Int64"),
            "door": cases["interview__mode"].eq(Mode.DOOR),
            "adults": listed["adults"].to_numpy(dtype=float),
            "selection": listed["selection"].fillna(NO_LISTING[1]).to_numpy(dtype=object),
            "line": listed["line"].to_numpy(dtype=float),
            "eligibility": _eligibilities(cases["disposition"]).where(~completed, "eligible"),
        }
    )[CASE_COLUMNS]


def _eligibilities(dispositions: pd.Series) -> pd.Series:
    """`_eligibility` of every case: each distinct disposition once."""
    codes, distinct = pd.factorize(dispositions.astype(object), use_na_sentinel=False)
    groups = np.array([_eligibility(code) for code in distinct], dtype=object)
    return pd.Series(groups[codes], index=dispositions.index, dtype="str")


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
