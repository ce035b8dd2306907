"""Audio audits: which interviews and pages record, the wave's setting (refused without a
consent question), what is kept of a page's recording, and the review page's player."""

import base64
import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from fieldwork.audits import selection
from fieldwork.audits.pages import keep_page_recording, page_audit
from fieldwork.audits.services import set_audio_audits, speech_shares
from fieldwork.models import AudioAudit, Interview, Wave
from fieldwork.services import interviews as services
from qc.models import Flag
from qc.presenters.timeline import audio_audits
from qc.rules import NO_SPEECH
from qc.services.checks import check_completed_interview
from tests.common.test_speech import as_webm_opus, near_silence, speech_like
from tests.factories import PASSWORD


def test_the_audited_share_and_the_recorded_pages_follow_the_percentages():
    n = 20_000
    audited = sum(selection.is_audited(interview_id=i, mode="door", percent=15) for i in range(n))
    # binomial: 3000 expected, sd = sqrt(20000 × 0.15 × 0.85) ≈ 50; four sd either way
    assert abs(audited - 3000) < 200
    assert not any(
        selection.is_audited(interview_id=i, mode="phone", percent=100) for i in range(50)
    )
    assert not selection.is_audited(interview_id=1, mode="door", percent=0)
    pages = sum(
        selection.page_recorded(interview_id=7, step=f"p{i}", pages_percent=40) for i in range(n)
    )
    assert abs(pages - 8000) < 4 * (n * 0.4 * 0.6) ** 0.5
    assert selection.page_recorded(interview_id=7, step="x", pages_percent=100)


@pytest.mark.parametrize(
    ("value", "agreed"),
    [("yes", True), ("1", True), ("是", True), ("no", False), ("0", False), (None, False)],
)
def test_consent(value, agreed):
    assert selection.consented(value) is agreed


def without_consent(wave: Wave) -> None:
    version = wave.questionnaire_version
    definition = copy.deepcopy(version.definition)
    for group in definition["groups"]:
        for question in group["questions"]:
            if question["name"] == "consent":
                question["name"] = "agree"
    version.definition = definition
    version.published_at = timezone.now()  # a new key for the published definitions' cache
    version.save(update_fields=["definition", "published_at"])


def test_a_wave_sets_audits_only_with_a_consent_question(wave, supervisor, interviewer):
    saved = set_audio_audits(wave=wave, actor=supervisor, percent=20, pages_percent=50)
    assert (saved.audio_audit_percent, saved.audio_audit_pages_percent) == (20, 50)
    with translation.override("en"), pytest.raises(ValidationError, match="Only supervisors"):
        set_audio_audits(wave=wave, actor=interviewer, percent=20, pages_percent=50)
    without_consent(wave)
    with translation.override("en"), pytest.raises(ValidationError, match="consent") as refused:
        set_audio_audits(wave=wave, actor=supervisor, percent=20, pages_percent=100)
    assert "Add it, or switch audio audits off" in str(refused.value)
    assert set_audio_audits(wave=wave, actor=supervisor, percent=0, pages_percent=100)


def test_the_overview_form_refuses_in_chinese_and_names_the_consent_question(
    client, wave, supervisor
):
    without_consent(wave)
    assert client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:wave_audio_audits", args=[wave.pk])
    response = client.post(
        url, {"percent": "10", "pages_percent": "100"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert "名为“consent”的同意题" in response.text
    wave.refresh_from_db()
    assert wave.audio_audit_percent == 0
    response = client.post(url, {"percent": "150", "pages_percent": "100"}, follow=True)
    assert response.status_code == 200 and Wave.objects.get(pk=wave.pk).audio_audit_percent == 0


def data_url(samples) -> str:
    return "data:audio/webm;codecs=opus;base64," + base64.b64encode(as_webm_opus(samples)).decode()


def audited_interview(case, interviewer, *, mode="door"):
    case.wave.audio_audit_percent = 100
    case.wave.save(update_fields=["audio_audit_percent"])
    return services.start_interview(case=case, interviewer=interviewer, mode=mode)


def test_a_recording_is_kept_once_and_only_after_consent(
    my_case, interviewer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = audited_interview(my_case, interviewer)
    definition = interview.questionnaire_version.definition
    audit = page_audit(interview, definition, "opening")
    assert audit == {"field": "audit_audio", "consent_name": "consent", "consented": False,
                     "yes": audit["yes"]}  # fmt: skip
    assert "yes" in audit["yes"].split()
    clip = data_url(speech_like(2))
    assert keep_page_recording(interview, definition, "opening", clip) is None  # no consent yet
    services.save_interview_page(
        interview=interview, step="opening", question_names=["/opening/consent"],
        answers={"/opening/consent": "yes"},
    )  # fmt: skip
    assert page_audit(interview, definition, "opening")["consented"] is True
    with capture(execute=True):
        kept = keep_page_recording(interview, definition, "opening", clip)
    again = keep_page_recording(interview, definition, "opening", clip)
    assert kept.pk == again.pk and AudioAudit.objects.count() == 1
    kept.refresh_from_db()  # measured by the job its storing queued (run at once in tests)
    assert kept.frames == 2000 // 30 and kept.speech_share > 0.4
    broken = "data:audio/webm;base64,AAAA"
    assert keep_page_recording(interview, definition, "opening", broken) is None
    with capture(execute=True):
        silent = keep_page_recording(interview, definition, "opening", data_url(near_silence(4)))
    silent.refresh_from_db()
    assert silent.speech_share == 0.0
    # the interview's share: speech frames over all frames of its recordings
    assert speech_shares([interview.pk])[interview.pk] == pytest.approx(
        kept.speech_frames / (kept.frames + silent.frames)
    )


def test_phone_interviews_are_never_recorded(my_case, interviewer):
    interview = audited_interview(my_case, interviewer, mode="phone")
    assert page_audit(interview, interview.questionnaire_version.definition, "opening") is None


def test_the_review_page_plays_the_recordings_with_their_speech(
    client, my_case, interviewer, supervisor, django_capture_on_commit_callbacks
):
    interview = audited_interview(my_case, interviewer)
    definition = interview.questionnaire_version.definition
    services.save_interview_page(
        interview=interview, step="opening", question_names=["/opening/consent"],
        answers={"/opening/consent": "yes"},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        audit = keep_page_recording(interview, definition, "opening", data_url(speech_like(2)))
    audit.refresh_from_db()
    with translation.override("en"):
        rows = audio_audits(interview, "en")
    assert len(rows) == 1 and rows[0]["url"].endswith(audit.name)
    assert rows[0]["found"] == f"Speech in {100 * audit.speech_share:.0f} % of 2.0 s"
    assert client.login(username=supervisor.username, password=PASSWORD)
    served = client.get(rows[0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "audio/webm"


def test_a_completed_interview_whose_recording_is_silent_is_flagged_once_measured(
    my_case, interviewer, django_capture_on_commit_callbacks
):
    interview = audited_interview(my_case, interviewer)
    definition = interview.questionnaire_version.definition
    services.save_interview_page(
        interview=interview, step="opening", question_names=["/opening/consent"],
        answers={"/opening/consent": "yes"},
    )  # fmt: skip
    interview.status = Interview.Status.COMPLETED
    interview.completed_at = timezone.now()
    interview.save(update_fields=["status", "completed_at"])
    check_completed_interview(interview)
    assert not Flag.objects.filter(interview=interview, rule=NO_SPEECH).exists()
    with django_capture_on_commit_callbacks(execute=True):
        keep_page_recording(interview, definition, "opening", data_url(near_silence(3)))
    flag = Flag.objects.get(interview=interview, rule=NO_SPEECH)
    assert "仅 0% 有人声" in flag.reason and flag.severity == "high"
