import pytest

from exports.services import start_package
from jobs.models import Job
from qc.models import Review
from tests.scoring.factories import answers


def test_a_wave_without_interviews_in_the_chosen_states_fails_the_job_in_both_languages(
    safety_wave, places, make_interview, analyst
):
    # given: one interview, rejected
    make_interview(safety_wave, places["east_a"], answers(safety="4"), state="rejected")
    # when
    job = start_package(wave=safety_wave, user=analyst, states=None, language="en")
    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.retryable
    assert job.error == {
        "zh-hans": "该调查批次没有处于所选审核状态的访问。",
        "en": "The wave has no interview in the chosen review states.",
    }
    assert job.params["states"] == [Review.State.APPROVED]


def test_the_rejected_interviews_are_exported_on_request(
    safety_wave, places, make_interview, analyst, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_interview(safety_wave, places["east_a"], answers(safety="4"), state="rejected")
    job = start_package(wave=safety_wave, user=analyst, states=["rejected"], language="en")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["interviews"] == 1 and job.result["states"] == ["rejected"]
    assert (tmp_path / job.result["path"]).stat().st_size == job.result["bytes"]


def test_an_unknown_review_state_is_refused(safety_wave, analyst):
    with pytest.raises(ValueError, match="Unknown review states: done"):
        start_package(wave=safety_wave, user=analyst, states=["done"], language="en")
    assert not Job.objects.exists()
