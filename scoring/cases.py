"""The loading layer of the nonresponse adjustment: the wave's cases (every released unit),
what became of them and how their household's respondent was chosen (scoring.nonresponse
weights from it)."""

from collections import Counter
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.db.models import Case as DbCase
from django.db.models import Count, F, When

from fieldwork.dispositions import NOT_ATTEMPTED, group_of
from fieldwork.loaders import counted_dispositions
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


class RoundOutcomes(NamedTuple):
    """What became of a round's cases, as the results' methodology reports it: dispositions,
    fieldwork.loaders.disposition_counts(wave)'s frame; reviews, {state: the round's
    interviews in it}."""

    dispositions: pd.DataFrame
    reviews: dict[str, int]


class RoundRead(NamedTuple):
    """What `read_round` reads of a round: interviews, scoring.loaders.approved_interviews
    (wave); cases, case_frame(wave, attribute=…); strata, `stratum_sizes` (the frame counts
    and released units per stratum, which the respondents' weights read too); outcomes,
    RoundOutcomes."""

    interviews: list[dict]
    cases: pd.DataFrame
    strata: tuple[dict, dict]
    outcomes: RoundOutcomes


def read_round(wave: Wave, *, attribute: str = "") -> RoundRead:
    """The approved interviews, the case frame, the stratum sizes and the outcomes
    (RoundRead) from one read of the round's cases with their interviews' answers: the four
    share the round's cases, their units and their interviews' reviews. Five queries (six
    when some interview is on an older questionnaire version)."""
    # only the approved interviews' answers are read (a wave in review holds many others), as
    # the text the database keeps of them (Interview.answers_text)
    answers = DbCase(
        When(interview__review__state=Review.State.APPROVED, then=F("interview__answers_text")),
        default=None,
    )
    rows = list(_cases(wave, attribute, answers))
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
    strata = stratum_sizes(wave, rows)
    return RoundRead(records, _frame(wave, rows, attribute, strata), strata, _outcomes(rows))


def _outcomes(rows: list) -> RoundOutcomes:
    """RoundOutcomes of the rows of `_cases`. A case's completed interview is voided when it
    is finally rejected: what qc.services.reviews.exclude_rejected leaves out of the kept
    interviews fieldwork.loaders.disposition_counts counts from."""
    code, status, state = (
        CASE_FIELDS.index(name)
        for name in ("disposition", "interview__status", "interview__review__state")
    )
    completed, rejected = Interview.Status.COMPLETED, Review.State.REJECTED
    voided = Counter(
        (row[code], row[status] == completed and row[state] == rejected) for row in rows
    )
    dispositions = counted_dispositions((c, v, n) for (c, v), n in voided.items())
    reviews = Counter(row[state] for row in rows if row[state] is not None)
    return RoundOutcomes(dispositions, dict(reviews))


def _cases(wave: Wave, attribute: str, answers=None):
    """The wave's cases in id order as rows of CASE_FIELDS (then the unit's attributes when
    a class splits by one: a JSON value per case; then INTERVIEW_FIELDS given `answers`)."""
    rows = Case.objects.filter(wave=wave).order_by("pk")
    extra = ["unit__attributes"] if attribute else []
    if answers is None:
        return rows.values_list(*CASE_FIELDS, *extra)
    return rows.annotate(answers_text=answers).values_list(*CASE_FIELDS, *extra, *INTERVIEW_FIELDS)


def _frame(wave: Wave, rows: list, attribute: str, strata: tuple | None = None) -> pd.DataFrame:
    """The case frame of the rows of `_cases` (which may go on with the interviews' fields);
    `strata` is `stratum_sizes` of the rows when already read."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CASE_COLUMNS})
    # each field as one tuple (the rows are tens of thousands of tuples: no frame of them);
    # the rows may go on with the interviews' fields (read_round's)
    fields = CASE_FIELDS + ["attributes"][: bool(attribute)]
    cases = dict(zip(fields, zip(*rows, strict=True), strict=False))
    counts, released = strata if strata is not None else stratum_sizes(wave, rows)
    strata_of = cases["unit__stratum"]
    pk = np.asarray(cases["pk"], dtype="int64")
    interview = cases["interview__pk"]
    listings = _listings(wave)
    listed = pd.DataFrame.from_dict(
        listings, orient="index", columns=["adults", "selection", "line"]
    ).reindex(pk)
    completed = _equal(cases["interview__status"], Interview.Status.COMPLETED)
    attribute_text = pd.Series("", index=range(len(rows)), dtype=object)
    if attribute:
        value = pd.Series(cases["attributes"], dtype=object).map(lambda a: (a or {}).get(attribute))
        attribute_text = value.map(lambda v: "" if v is None else str(v)).astype(object)
    attempts = np.asarray([a or 0 for a in cases["attempts"]], dtype=int)
    return pd.DataFrame(
        {
            "case_id": pk,
            "stratum": pd.Series(strata_of, dtype=object).astype(str),
            "fpc": np.asarray([counts.get(s, np.nan) for s in strata_of], dtype=float),
            "n_released": np.asarray([released.get(s, np.nan) for s in strata_of], dtype=float),
            "design_weight": np.asarray(cases["unit__design_weight"], dtype=float),
            "attribute": attribute_text,
            "attempted": (attempts > 0) | np.asarray([i is not None for i in interview]),
            "interviewed": completed,
            "approved": _equal(cases["interview__review__state"], Review.State.APPROVED),
            "interview_id": pd.array(interview, dtype="Int64"),
            "door": _equal(cases["interview__mode"], Mode.DOOR),
            "adults": listed["adults"].to_numpy(dtype=float),
            "selection": listed["selection"].fillna(NO_LISTING[1]).to_numpy(dtype=object),
            "line": listed["line"].to_numpy(dtype=float),
            "eligibility": _eligibilities(pd.Series(cases["disposition"], dtype=object)).where(
                ~completed, "eligible"
            ),
        }
    )[CASE_COLUMNS]


def _equal(values: tuple, value: str) -> np.ndarray:
    """values == value, element by element (None is not equal)."""
    return np.asarray([v == value for v in values], dtype=bool)


def stratum_sizes(wave: Wave, rows: list) -> tuple[dict, dict]:
    """({stratum: units in the frame}, scoring.loaders.released_per_stratum(wave)) of the
    rows of `_cases`: the frame counts of their units' frames. Two queries (one without a
    draw)."""
    frame = CASE_FIELDS.index("unit__draw__frame_id")
    frames = {row[frame] for row in rows if row[frame] is not None}
    counts = dict(
        FrameStratumCount.objects.filter(frame_id__in=frames).values_list("stratum", "n_units")
    )
    return counts, released_per_stratum(wave)


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
