"""The loading layer: fieldwork querysets turned into the DataFrames the pure modules take.

(Named loaders, not frames: in this project a frame is a sampling frame.)
"""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase

from accounts.models import User
from fieldwork import quotas, reactions, scheduling
from fieldwork.dispositions import NOT_ATTEMPTED, VOIDED_INTERVIEW
from fieldwork.models import (
    Appointment,
    Case,
    Dialect,
    Interview,
    InterviewerProfile,
    QuotaTarget,
    Wave,
)
from questionnaires import answers as stored
from questionnaires.definitions import definition_of
from questionnaires.selectors import answers_in_version
from sampling.models import Locality

CASE_FIELDS = [
    "id",
    "attempts",
    "last_attempt_at",
    "last_outcome",
    "day_parts_tried",
    "interviewer_id",
    "street__code",
    "street__parent_id",
    "language",
]


def calling_rules(wave: Wave) -> scheduling.CallingRules:
    return scheduling.CallingRules(
        weekday_windows=scheduling.parse_windows(wave.weekday_windows),
        weekend_windows=scheduling.parse_windows(wave.weekend_windows),
        max_attempts=wave.max_attempts,
        min_gap=timedelta(minutes=wave.min_gap_minutes),
        busy_gap=timedelta(minutes=wave.busy_gap_minutes),
        cross_region=wave.cross_region,
    )


def caller(interviewer: User, *, wave: Wave | None = None) -> scheduling.Caller:
    """The interviewer as the scheduler sees them: home county and languages (Mandarin is
    spoken by everyone who calls). Taken from `wave` when wave_for_press read it for this
    interviewer, else read."""
    if wave is not None and getattr(wave, "caller_of", None) == interviewer.pk:
        found = wave.caller_has_profile
        county, dialects = wave.caller_home_county, wave.caller_dialects
    else:
        profile = InterviewerProfile.objects.filter(user=interviewer).first()
        found = profile is not None
        county, dialects = (profile.home_county_id, profile.dialects) if found else (None, [])
    if not found:
        return scheduling.Caller(languages=frozenset({Dialect.MANDARIN.value}))
    return scheduling.Caller(
        home_county=county, languages=frozenset({Dialect.MANDARIN.value, *(dialects or [])})
    )


def wave_for_press(*, wave_id: int, interviewer: User) -> Wave | None:
    """The wave in fieldwork pressed "Next case" in (None: no such wave), read together with
    what the press asks besides, in one statement written out once (the ORM would build its
    subqueries again for every press): the interviewer's county and languages (caller) and
    whether the wave has quota targets and how many of its cells are full (their achieved
    counts are kept in the database: fieldwork.queue.quota_state reads no more when none is)."""
    profiles = InterviewerProfile._meta.db_table
    mine = f"FROM {profiles} p WHERE p.user_id = %s"
    targets = f"FROM {QuotaTarget._meta.db_table} t WHERE t.wave_id = w.id"
    sql = (
        f"SELECT w.*, EXISTS (SELECT 1 {mine}) AS caller_has_profile, "
        f"(SELECT p.home_county_id {mine}) AS caller_home_county, "
        f"(SELECT p.dialects {mine}) AS caller_dialects, "
        f"EXISTS (SELECT 1 {targets}) AS has_quota_targets, "
        f"(SELECT COUNT(*) {targets} AND t.achieved >= t.target) AS full_quota_cells "
        f"FROM {Wave._meta.db_table} w WHERE w.id = %s AND w.status = %s"
    )
    who = interviewer.pk
    params = [who, who, who, wave_id, Wave.Status.FIELDWORK.value]
    wave = next(iter(Wave.objects.raw(sql, params)), None)
    if wave is not None:  # SQLite answers EXISTS with 0 or 1, and both JSON as text
        wave.caller_of = who  # whose county and languages these are (caller checks)
        wave.caller_has_profile = bool(wave.caller_has_profile)
        wave.has_quota_targets = bool(wave.has_quota_targets)
        wave.full_quota_cells = int(wave.full_quota_cells)
        if isinstance(wave.caller_dialects, str):
            wave.caller_dialects = json.loads(wave.caller_dialects)
    return wave


# Candidates ranked per request. The SQL order below mirrors the scheduler's (appointments,
# then the rest outside full quota strata, busy retries, callbacks in an untried day part,
# fresh cases, callbacks in a tried day part; ties by the interviewer's own, fewer attempts,
# longest wait, id), so the scheduler sees the best CANDIDATE_LIMIT cases of a wave of any size
# and 50 interviewers pressing "Next case" at once still find enough unlocked rows.
CANDIDATE_LIMIT = 200


def candidate_frame(
    *, wave: Wave, interviewer: User, now: datetime, limit: int = CANDIDATE_LIMIT
) -> pd.DataFrame:
    """Open cases the interviewer could be given, in the shape scheduling.eligible_cases takes.

    Cases are the wave's pending cases that are unassigned or already the interviewer's; only
    released replicates ever become cases, so every row is released. Cases that cannot be due
    yet (tried more recently than the shortest gap, and with no open appointment) are left out
    in SQL, and at most `limit` rows are loaded, best first by the SQL order above.
    """
    soonest = now - timedelta(minutes=min(wave.busy_gap_minutes, wave.min_gap_minutes))
    progress = quota_progress(wave)
    full = _full_strata(wave, progress)
    part_bit = scheduling.day_part_bit(now)
    has_appointment = Exists(Appointment.objects.filter(case=OuterRef("pk"), closed_at=None))
    cases = (
        Case.objects.filter(wave=wave, status=Case.Status.PENDING, attempts__lt=wave.max_attempts)
        .filter(Q(interviewer=None) | Q(interviewer=interviewer))
        .annotate(
            has_appointment=has_appointment,
            tried_bits=F("day_parts_tried").bitand(part_bit),
            k_appointment=_flag(Q(has_appointment=True), 0, 1),
            # An empty IN () compiles to a constant, which PostgreSQL reads as a column number;
            # wave_id is the same for every row here, so it orders nothing.
            k_full=_flag(Q(street__code__in=full), 1, 0) if full else F("wave_id"),
            k_busy=_flag(Q(last_outcome__in=scheduling.BUSY_CODES), 0, 1),
            k_tried=_flag(Q(tried_bits=0), 0, 1),
            k_fresh=_flag(Q(attempts=0), 1, 0),
            k_theirs=_flag(Q(interviewer=interviewer), 0, 1),
        )
        .filter(Q(last_attempt_at=None) | Q(last_attempt_at__lte=soonest) | Q(has_appointment=True))
        .order_by(
            "k_appointment",
            "k_full",
            "k_busy",
            "k_tried",
            "k_fresh",
            "k_theirs",
            "attempts",
            F("last_attempt_at").asc(nulls_first=True),
            "id",
        )
    )
    rows = list(cases.values_list(*CASE_FIELDS)[:limit])
    frame = pd.DataFrame(rows, columns=CASE_FIELDS)
    frame = frame.rename(
        columns={"id": "case_id", "street__code": "stratum", "street__parent_id": "county"}
    )
    frame["released"] = True
    frame["mine"] = frame["interviewer_id"] == interviewer.pk
    frame["last_outcome"] = frame["last_outcome"].fillna("")
    appointments = pd.DataFrame(
        list(
            Appointment.objects.filter(case__in=frame["case_id"].tolist(), closed_at=None)
            .order_by("case_id", "-created_at")
            .values_list("case_id", "at", "kind", "window_end")
        ),
        columns=["case_id", "appointment_at", "appointment_kind", "appointment_end"],
    ).drop_duplicates("case_id")
    frame = frame.merge(appointments, on="case_id", how="left")
    frame["appointment_kind"] = frame["appointment_kind"].fillna("")
    for column in ("last_attempt_at", "appointment_at", "appointment_end"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["quota_full"] = _quota_full(progress, full, frame)
    return frame


def _flag(condition: Q, yes: int, no: int) -> DbCase:
    return DbCase(When(condition, then=Value(yes)), default=Value(no), output_field=IntegerField())


def _full_strata(wave: Wave, progress: pd.DataFrame) -> list[str]:
    if progress.empty:
        return []
    strata = list(Case.objects.filter(wave=wave).values_list("street__code", flat=True).distinct())
    return sorted(quotas.full_strata(progress, strata))


def _quota_full(progress: pd.DataFrame, full: list[str], frame: pd.DataFrame) -> pd.Series:
    if progress.empty or frame.empty:
        return pd.Series(False, index=frame.index)
    result = frame["stratum"].isin(full)
    # A stopped interview tells us the respondent's cell; the unit's frame columns may too.
    case_ids = frame["case_id"].tolist()
    known = {
        case_id: stored.by_reference(answers or {}, definition)
        for case_id, answers, definition in Interview.objects.filter(case__in=case_ids).values_list(
            "case_id", "answers", "questionnaire_version__definition"
        )
    }  # quota variables are question paths, or names only one question has
    attributes = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "unit__attributes"))
    for position, row in frame.iterrows():
        case_id = row["case_id"]
        answers, unit = known.get(case_id, {}), attributes.get(case_id) or {}
        if (answers or unit) and quotas.case_in_full_cell(progress, row["stratum"], answers, unit):
            result.loc[position] = True
    return result


def quota_cells(wave: Wave) -> list[tuple[str, str, str, bool, int | None]]:
    """The wave's quota cells by their kept counts, for "Next case": (stratum, variable,
    value, full, id of the street whose code the stratum is: None for the whole wave)."""
    street = Locality.objects.filter(code=OuterRef("stratum")).values("pk")[:1]
    full = ExpressionWrapper(Q(achieved__gte=F("target")), output_field=BooleanField())
    rows = (
        QuotaTarget.objects.filter(wave=wave)
        .annotate(full=full, street_id=Subquery(street))
        .values_list("stratum", "variable", "value", "full", "street_id")
    )
    return [(s, v, x, bool(f), street_id) for s, v, x, f, street_id in rows]


def quota_targets(wave_id: int) -> list[quotas.Cell]:
    """The wave's quota cells as quotas.cells_of takes them."""
    return list(
        QuotaTarget.objects.filter(wave_id=wave_id)
        .order_by("id")
        .values_list("id", "stratum", "variable", "value")
    )


def completed_for_quotas(wave: Wave, interviews: list[Interview]) -> list[tuple[str, dict, dict]]:
    """Completed interviews read as quota_progress reads them, for quotas.cells_of: (the case's
    street code, the answers keyed as the wave's version keys them and by reference, the
    unit's frame attributes). One query for the cases; one more only for interviews begun on
    an older version. `wave.questionnaire_version` may have its definition deferred."""
    version = wave.questionnaire_version
    cases = dict(
        (pk, (code, attributes))
        for pk, code, attributes in Case.objects.filter(
            pk__in=[i.case_id for i in interviews]
        ).values_list("pk", "street__code", "unit__attributes")
    )
    carried = answers_in_version(
        [(i.answers, i.questionnaire_version_id) for i in interviews], version
    )
    definition = definition_of(version)
    return [
        (cases[i.case_id][0] or "", stored.by_reference(answers, definition), cases[i.case_id][1])
        for i, answers in zip(interviews, carried, strict=True)
    ]


def quota_progress(wave: Wave) -> pd.DataFrame:
    """quotas.achieved() for the wave's targets over its completed interviews."""
    targets = pd.DataFrame.from_records(
        QuotaTarget.objects.filter(wave=wave).values("stratum", "variable", "value", "target"),
        columns=["stratum", "variable", "value", "target"],
    )
    if targets.empty:
        return targets
    completed = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    completed = reactions.without_voided(completed)  # e.g. qc's final rejections
    columns = ["case__street__code", "answers", "case__unit__attributes"]
    columns.append("questionnaire_version_id")
    interviews = pd.DataFrame.from_records(completed.values(*columns), columns=columns).rename(
        columns={"case__street__code": "stratum", "case__unit__attributes": "attributes"}
    )
    # Interviews begun before a version switch are read with their own version's paths.
    saved = zip(interviews["answers"], interviews.pop("questionnaire_version_id"), strict=True)
    carried = answers_in_version(list(saved), wave.questionnaire_version)
    definition = wave.questionnaire_version.definition  # quota variables: paths or unique names
    interviews["answers"] = [stored.by_reference(a, definition) for a in carried]
    return quotas.achieved(targets, interviews)


def voided_case_ids(wave: Wave) -> set[int]:
    """Cases whose completed interview a later stage voided (qc: finally rejected)."""
    completed = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    return set(completed.exclude(_kept()).values_list("case_id", flat=True))


def _voided(interview: str = "pk") -> Exists:
    """True when the interview `interview` names (an outer query's reference) is completed and
    a later stage voided it."""
    completed = Interview.objects.filter(pk=OuterRef(interview), status=Interview.Status.COMPLETED)
    return Exists(completed) & ~_kept(interview)


def _kept(interview: str = "pk") -> Exists:
    """True when no later stage voided the interview `interview` names: an EXISTS per row,
    which SQLite probes by key (a NOT IN over the kept interviews' ids reads them all)."""
    return Exists(reactions.without_voided(Interview.objects.filter(pk=OuterRef(interview))))


def disposition_frame(wave: Wave, tz: str = scheduling.LOCAL_TZ) -> pd.DataFrame:
    """One row per case: disposition (3.11 when never attempted; 2.36 when its completed
    interview was voided, e.g. finally rejected in QC: not a complete for the rates), wave,
    street, interviewer and day (local date of the last attempt, '' when never attempted)."""
    rows = Case.objects.filter(wave=wave).values(
        "id", "disposition", "street__name", "interviewer__username", "last_attempt_at"
    )
    frame = pd.DataFrame.from_records(
        rows,
        columns=["id", "disposition", "street__name", "interviewer__username", "last_attempt_at"],
    )
    days = pd.to_datetime(frame["last_attempt_at"], utc=True).dt.tz_convert(ZoneInfo(tz))
    return pd.DataFrame(
        {
            "case_id": frame["id"],
            "disposition": _final_dispositions(wave, frame["id"], frame["disposition"]),
            "wave": wave.name,
            "street": frame["street__name"].fillna(""),
            "interviewer": frame["interviewer__username"].fillna(""),
            "day": days.dt.strftime("%Y-%m-%d").fillna(""),
        }
    )


def disposition_counts(wave: Wave) -> pd.DataFrame:
    """disposition_frame's dispositions counted: one row per code with its `count` (what
    fieldwork.rates.count_groups takes), for the wave's overall rates without the per-case
    street, interviewer and day. One query, counted by the database (per stored code and
    whether the case's interview was voided)."""
    voided = Interview.objects.filter(case=OuterRef("pk")).filter(_voided())
    rows = (
        Case.objects.filter(wave=wave)
        .order_by()
        .annotate(voided=Exists(voided))
        .values_list("disposition", "voided")
        .annotate(n=Count("id"))
        .values_list("disposition", "voided", "n")
    )
    return counted_dispositions(rows)


def counted_dispositions(rows: Iterable[tuple[str | None, bool, int]]) -> pd.DataFrame:
    """disposition_counts' frame from (stored code, whether the case's interview was voided,
    number of cases) rows: a voided interview's case counts as 2.36, one never attempted as
    3.11."""
    counts: dict[str, int] = {}
    for code, was_voided, n in rows:
        final = VOIDED_INTERVIEW if was_voided else (code or NOT_ATTEMPTED)
        counts[final] = counts.get(final, 0) + n
    return pd.DataFrame(
        {"disposition": pd.Series(list(counts), dtype=object), "count": list(counts.values())}
    )


def _final_dispositions(wave: Wave, case_ids: pd.Series, codes: pd.Series) -> pd.Series:
    """The cases' dispositions as the rates count them: 3.11 when never attempted, 2.36 when
    the completed interview was voided."""
    disposition = codes.replace("", NOT_ATTEMPTED).fillna(NOT_ATTEMPTED)
    return disposition.mask(case_ids.isin(voided_case_ids(wave)), VOIDED_INTERVIEW)
