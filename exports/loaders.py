"""The one loading layer of the exports: a wave's interviews, localities, flags and cases →
plain frames and lists. Queries and reshapes only; the shaping is exports.shaping's."""

from datetime import datetime

import pandas as pd
from django.db.models import Count

from fieldwork.models import Case, Interview, Wave
from qc.models import Flag
from questionnaires.selectors import answers_in_version
from sampling.models import FrameStratumCount, Locality

INTERVIEW_FIELDS = [
    "pk",
    "case_id",
    "answers",
    "questionnaire_version_id",
    "district_id",
    "street_id",
    "community_id",
    "case__street_id",
    "mode",
    "interviewer_id",
    "started_at",
    "completed_at",
    "duration_seconds",
    "status",
    "review__state",
    "review__decided_at",
    "case__unit__stratum",
]


def interviews(wave: Wave, states: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    """The wave's interviews whose review is in `states`, by id: (one row each with
    INTERVIEW_FIELDS but the answers, their answers keyed by the wave's current version).
    Two queries (three when some interview began on an older version)."""
    records = list(
        Interview.objects.filter(case__wave=wave, review__state__in=states)
        .order_by("pk")
        .values(*INTERVIEW_FIELDS)
    )
    saved = [(r.pop("answers"), r["questionnaire_version_id"]) for r in records]
    answers = answers_in_version(saved, wave.questionnaire_version)
    columns = [f for f in INTERVIEW_FIELDS if f != "answers"]
    return pd.DataFrame.from_records(records, columns=columns), answers


def data_as_of(wave: Wave, interviews: pd.DataFrame) -> datetime:
    """When the exported data last changed: the newest review decision or completion among
    the `interviews` (else the wave's creation). Files that carry a date carry this one, not
    the moment they were written, so a package written again from the same data (after a
    purge of personal data, say) is the same to the byte."""
    moments = [
        moment
        for column in ("review__decided_at", "completed_at")
        if column in interviews
        for moment in [pd.to_datetime(interviews[column], utc=True).max()]
        if not pd.isna(moment)
    ]
    return max(moments).to_pydatetime() if moments else wave.created_at


def localities() -> pd.DataFrame:
    """Every locality: pk (index), code, name, level, area_type, parent_id. One query."""
    fields = ["pk", "code", "name", "level", "area_type", "parent_id"]
    rows = Locality.objects.values_list(*fields)
    return pd.DataFrame.from_records(list(rows), columns=fields).set_index("pk")


def flag_counts(wave: Wave, states: list[str]) -> pd.DataFrame:
    """Flags raised per interview and rule: columns interview_id, rule, n. One query."""
    rows = (
        Flag.objects.filter(interview__case__wave=wave, interview__review__state__in=states)
        .values_list("interview_id", "rule")
        .annotate(n=Count("id"))
    )
    return pd.DataFrame.from_records(list(rows), columns=["interview_id", "rule", "n"])


def dispositions(wave: Wave) -> pd.DataFrame:
    """One row per case of the wave: what happened to it (no phone, address or name). One
    query."""
    fields = {
        "case_id": "pk",
        "stratum": "unit__stratum",
        "replicate": "unit__replicate",
        "street_code": "street__code",
        "street_name": "street__name",
        "status": "status",
        "disposition": "disposition",
        "attempts": "attempts",
        "interview_id": "interview__id",
        "review_state": "interview__review__state",
    }
    rows = Case.objects.filter(wave=wave).order_by("pk").values_list(*fields.values())
    return pd.DataFrame.from_records(list(rows), columns=list(fields))


def stratum_sizes(wave: Wave) -> dict[str, int]:
    """{stratum: units in the frame} of the wave's draw. One query (none without a draw)."""
    if wave.draw_id is None:
        return {}
    return dict(
        FrameStratumCount.objects.filter(frame__draws=wave.draw_id).values_list(
            "stratum", "n_units"
        )
    )
