"""The one loading layer of qc: interviews (rows in the DB) → the wide frame qc.rules reads
(built by qc.rule_input), and the stored flags and case outcomes the risk statistics read.

`interviews_frame(queryset)` makes three queries (the interviews' columns and answers, the
respondent selections of their cases, then the definitions of the questionnaire versions
they use) and never one per interview.
"""

import pandas as pd
from django.db.models import F, QuerySet

from common.personal import household_key, phone_key
from fieldwork.audits.services import speech_shares
from fieldwork.dispositions import group_of
from fieldwork.models import Case, Interview, Mode, RespondentSelection
from qc.models import Flag
from qc.rule_input import RECORD_FIELDS, InterviewsFrame, build_frame
from questionnaires.models import QuestionnaireVersion
from sampling.models import Locality


def with_contact_keys(record: dict) -> dict:
    """The record's phone and household replaced by their keyed hashes (duplicate_contact
    compares those): the numbers go no further than here."""
    record["phone_key"] = phone_key(record.pop("phone", None))
    record["household_key"] = household_key(record.pop("household", None))
    return record


def interviews_frame(interviews: QuerySet[Interview]) -> InterviewsFrame:
    """The wide frame for a queryset of interviews, in two queries."""
    records = list(
        interviews.values(
            *RECORD_FIELDS,
            "case_id",
            wave_id=F("case__wave_id"),
            sampled_locality=F("case__street__code"),
            said_locality=F("street__code"),
            sampled_locality_name=F("case__street__name"),
            said_locality_name=F("street__name"),
            phone=F("case__unit__phone"),
            household=F("case__unit__address"),
        )
    )
    for record in records:
        with_contact_keys(record)
    door_cases = [r["case_id"] for r in records if r["mode"] == Mode.DOOR]
    selected = selected_members(door_cases)
    speech = speech_shares([r["id"] for r in records if r["mode"] == Mode.DOOR])
    for record in records:
        if record["mode"] == Mode.DOOR:
            record["selected"] = selected.get(record["case_id"])
            record["speech_share"] = speech.get(record["id"])
    version_ids = {record["questionnaire_version_id"] for record in records}
    definitions = dict(
        QuestionnaireVersion.objects.filter(id__in=version_ids).values_list("id", "definition")
    )
    return build_frame(records, definitions)


def interview_frame(interview: Interview) -> InterviewsFrame:
    """The frame for one interview object, as it is in memory (no query for the answers;
    one for the street codes, one for the sampled unit unless already loaded)."""
    record = {field: getattr(interview, field) for field in RECORD_FIELDS}
    record["wave_id"] = interview.case.wave_id
    unit = interview.case.unit
    record["phone"], record["household"] = unit.phone, unit.address
    with_contact_keys(record)
    sampled_id, said_id = interview.case.street_id, interview.street_id
    places = {
        pk: (code, name)
        for pk, code, name in Locality.objects.filter(
            id__in={sampled_id, said_id} - {None}
        ).values_list("id", "code", "name")
    }
    record["sampled_locality"], record["sampled_locality_name"] = places.get(
        sampled_id, (None, None)
    )
    record["said_locality"], record["said_locality_name"] = places.get(said_id, (None, None))
    if interview.mode == Mode.DOOR:
        record["selected"] = selected_members([interview.case_id]).get(interview.case_id)
        record["speech_share"] = speech_shares([interview.pk]).get(interview.pk)
    version = interview.questionnaire_version
    return build_frame([record], {version.id: version.definition})


def selected_members(case_ids: list[int]) -> dict[int, dict]:
    """{case id: the member its latest respondent selection chose ({"name", "sex", "age",
    "birthday"})} for these cases; cases without a selection are absent. One query per 500
    cases (none for no cases)."""
    chosen: dict[int, dict] = {}
    for start in range(0, len(case_ids), 500):
        rows = (
            RespondentSelection.objects.filter(case_id__in=case_ids[start : start + 500])
            .order_by("case_id", "-created_at", "-id")
            .values_list("case_id", "adults", "selected_index")
        )
        for case_id, adults, index in rows:
            if case_id not in chosen and 1 <= (index or 0) <= len(adults or []):
                chosen[case_id] = adults[index - 1]
    return chosen


def stored_flags(interviews: QuerySet[Interview]) -> pd.DataFrame:
    """The flags stored on these interviews, in the shape of run_rules' output (index
    interview_id; columns rule, severity, reason), in one query."""
    rows = list(
        Flag.objects.filter(interview__in=interviews)
        .order_by("interview_id", "id")
        .values_list("interview_id", "rule", "severity", "reason")
    )
    index = pd.Index([r[0] for r in rows], dtype="int64", name="interview_id")
    return pd.DataFrame(
        {
            "rule": pd.Series([r[1] for r in rows], index=index, dtype="str"),
            "severity": pd.Series([r[2] for r in rows], index=index, dtype="str"),
            "reason": pd.Series([r[3] for r in rows], index=index, dtype="str"),
        }
    )


def wave_outcomes(wave_id: int) -> pd.DataFrame:
    """Per interviewer of a wave's cases: cases (with a disposition), completes (AAPOR group
    I) and refusals (group R: refusals and break-offs). Index interviewer_id; one query."""
    counts: dict[int, list[int]] = {}
    rows = (
        Case.objects.filter(wave_id=wave_id, interviewer__isnull=False)
        .exclude(disposition="")
        .values_list("interviewer_id", "disposition")
    )
    for interviewer_id, code in rows:
        try:
            group = group_of(code)
        except KeyError:
            continue
        row = counts.setdefault(interviewer_id, [0, 0, 0])
        row[0] += 1
        row[1] += group == "I"
        row[2] += group == "R"
    return pd.DataFrame(
        list(counts.values()),
        index=pd.Index(list(counts), dtype="int64", name="interviewer_id"),
        columns=["cases", "completes", "refusals"],
    )
