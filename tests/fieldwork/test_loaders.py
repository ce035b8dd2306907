"""Quota cells on a frame column: the sampled unit's attributes, read from the database."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from fieldwork import loaders
from fieldwork.models import Interview, QuotaTarget
from fieldwork.presenters import quota_rows
from sampling.models import SampledUnit

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def interview(case, status, answers=None):
    return Interview.objects.create(
        case=case,
        questionnaire_version=case.wave.questionnaire_version,
        interviewer=case.interviewer,
        mode="door",
        status=status,
        started_at=timezone.now(),
        answers=answers or {},
    )


def test_a_quota_on_a_frame_column_counts_completes_by_the_unit_attribute(wave, interviewer):
    wave.cases.update(interviewer=interviewer)
    cases = list(wave.cases.select_related("unit").order_by("id"))
    for case, kind in zip(cases, ["平房", "平房", "楼房", "平房", "平房", "平房"], strict=True):
        SampledUnit.objects.filter(pk=case.unit_id).update(attributes={"building_type": kind})
    QuotaTarget.objects.create(wave=wave, variable="building_type", value="平房", target=2)
    QuotaTarget.objects.create(wave=wave, variable="building_type", value="楼房", target=3)
    interview(cases[0], "completed")
    interview(cases[1], "completed", {"building_type": "楼房"})  # the answer wins
    interview(cases[2], "completed")
    interview(cases[3], "in_progress")  # not complete: not counted

    progress = loaders.quota_progress(wave).set_index("value")

    assert progress.loc["平房", "achieved"] == 1
    assert progress.loc["楼房", "achieved"] == 2


def test_a_case_whose_unit_is_in_a_full_frame_cell_is_flagged(wave, interviewer):
    cases = list(wave.cases.order_by("id"))
    SampledUnit.objects.filter(pk=cases[0].unit_id).update(attributes={"building_type": "平房"})
    QuotaTarget.objects.create(wave=wave, variable="building_type", value="平房", target=0)
    QuotaTarget.objects.create(wave=wave, variable="building_type", value="楼房", target=5)

    candidates = loaders.candidate_frame(wave=wave, interviewer=interviewer, now=MONDAY_10)

    flagged = candidates.set_index("case_id")["quota_full"]
    assert flagged[cases[0].pk] and not flagged[[c.pk for c in cases[1:]]].any()


def test_quota_rows_name_an_answer_by_its_labels_and_keep_a_frame_column(wave):
    QuotaTarget.objects.create(wave=wave, variable="sex", value="female", target=3)
    QuotaTarget.objects.create(wave=wave, variable="building_type", value="平房", target=2)
    progress = loaders.quota_progress(wave)
    rows = quota_rows(
        progress, definition=wave.questionnaire_version.definition, language="zh-hans"
    )
    assert {(row["variable"], row["value"]) for row in rows} == {
        ("性别（访员记录）", "女"),
        ("building_type", "平房"),  # a frame column: the analyst's own name
    }
