"""Personal data kept outside the database: call recordings at Twilio (deleted there through
Twilio's own client, against the local fake Twilio) and media in S3-compatible object storage
(moto's S3 server): the purge deletes them, the certificate names and counts them, and a
deletion that fails is reported and tried again, never passed over."""

import json

from django.db import connections
from django.urls import reverse
from django.utils import timezone

from common.personal import keyring
from fieldwork.models import Call
from jobs.models import Job
from privacy.models import Purge
from privacy.services import dry_run, purge_wave
from sampling import frame_crypto
from tests.fieldwork.telephony_fakes import ACCOUNT_SID
from tests.privacy.scan import decrypted_tokens, found_in
from tests.sampling.test_object_storage import s3_bucket  # noqa: F401  (fixture)

RECORDING = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE5e1f.json"


def _row(purge: Purge, key: str) -> dict:
    return next(row for row in purge.certificate["removed"] if row["key"] == key)


def _deletions(twilio) -> list[str]:
    return [r["path"] for r in twilio.requests if r.get("method") == "DELETE"]


def test_the_purge_deletes_the_recording_at_twilio_and_names_it_in_the_certificate(
    personal_world, analyst, django_capture_on_commit_callbacks
):
    world = personal_world
    assert world.twilio.recordings == {"RE5e1f"}
    with django_capture_on_commit_callbacks(execute=True):
        purge = purge_wave(wave=world.wave, user=analyst)
    # Twilio was asked, with the account's credentials, and no longer has it
    assert _deletions(world.twilio) == [RECORDING]
    assert all(r["auth"].startswith("Basic ") for r in world.twilio.requests)
    assert world.twilio.recordings == set()
    row = _row(purge, "fieldwork.call_recordings")
    assert (row["count"], row["deleted_elsewhere"], row["failed"]) == (1, ["RE5e1f"], [])
    assert purge.certificate["complete"] is True
    assert purge.certificate["total_not_removed"] == 0
    assert not Call.objects.exclude(recording_sid="").exists()


def test_twilio_is_asked_before_the_purges_transaction_opens(personal_world, analyst):
    # a slow or silent Twilio must not hold the database's locks (the wave's row, every
    # holder's rows) for its timeouts: no transaction of the purge is open while it is asked
    world = personal_world
    main = connections["default"]  # this thread's connection, looked at from the fake's
    outside = len(main.atomic_blocks)
    world.twilio.on_delete = lambda: len(main.atomic_blocks)
    purge = purge_wave(wave=world.wave, user=analyst)
    [deletion] = [r for r in world.twilio.requests if r.get("method") == "DELETE"]
    assert deletion["seen"] == outside
    assert _row(purge, "fieldwork.call_recordings")["deleted_elsewhere"] == ["RE5e1f"]
    assert not Call.objects.exclude(recording_sid="").exists()


def test_a_recording_twilio_fails_to_delete_is_reported_kept_and_deleted_by_the_next_purge(
    personal_world, analyst, client, english, settings, django_capture_on_commit_callbacks
):
    # given Twilio refuses the deletion
    world = personal_world
    world.twilio.failing["RE5e1f"] = (500, {"code": 20500, "message": "Internal", "status": 500})
    client.force_login(analyst)
    url = reverse("privacy:wave_personal_data", args=[world.wave.pk])
    # when the analyst purges
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": world.wave.name})
    # then the job and the certificate say what was not removed and why
    job = Job.objects.get(kind="privacy.purge")
    assert job.status == Job.Status.SUCCEEDED
    call = Call.objects.select_related("case__unit").get(recording_sid="RE5e1f")
    when = timezone.localtime(call.created_at).strftime("%Y-%m-%d %H:%M")
    unit = call.case.unit.unit_id
    line = {
        "en": f"The recording of the call of {when} to household {unit}: "
        "Twilio refused: error 20500.",
        "zh-hans": f"{when} 致住户 {unit} 的通话录音：Twilio 拒绝：错误 20500。",
    }
    # kept as the recording's id there, what it is and why as messages (not in one language)
    failed = {
        "item": "RE5e1f",
        "label": {
            "msgid": "The recording of the call of %(started)s to household %(unit)s",
            "params": {"started": when, "unit": unit},
        },
        "why": {"msgid": "Twilio refused: error %(code)s.", "params": {"code": 20500}},
        "text": line,
    }
    assert job.result["not_removed"] == [failed]
    purge = Purge.objects.get()
    row = _row(purge, "fieldwork.call_recordings")
    assert (row["count"], row["deleted_elsewhere"]) == (0, [])
    assert row["failed"] == [failed]
    assert purge.certificate["complete"] is False
    assert "Not everything could be deleted" in purge.certificate["labels"]["statement"]["en"]
    # the page says what it is and why in the reader's language, never Twilio's id
    page = client.get(url).content.decode()
    assert "1 item could not be removed: purge again to retry." in page
    assert line["en"] in page and "RE5e1f" not in page
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert line["zh-hans"] in page and "RE5e1f" not in page
    handed = client.get(reverse("privacy:certificate_json", args=[world.wave.pk, purge.pk]))
    assert json.loads(handed.content)["removed"] == purge.certificate["removed"]
    # the recording is still known here, so the next purge tries again
    assert world.twilio.recordings == {"RE5e1f"}
    assert Call.objects.get(recording_sid="RE5e1f").recording_url == world.recording
    assert {r["key"]: r["count"] for r in dry_run(wave=world.wave)}[
        "fieldwork.call_recordings"
    ] == 1
    # when Twilio works again
    del world.twilio.failing["RE5e1f"]
    again = purge_wave(wave=world.wave, user=analyst)
    assert _row(again, "fieldwork.call_recordings")["deleted_elsewhere"] == ["RE5e1f"]
    assert again.certificate["complete"] is True
    assert world.twilio.recordings == set()
    assert not Call.objects.exclude(recording_sid="").exists()


def test_a_recording_twilio_no_longer_has_counts_as_deleted(personal_world, analyst):
    world = personal_world
    world.twilio.recordings.clear()  # deleted there before (a purge undone afterwards)
    purge = purge_wave(wave=world.wave, user=analyst)
    assert _deletions(world.twilio) == [RECORDING]
    row = _row(purge, "fieldwork.call_recordings")
    assert (row["deleted_elsewhere"], row["failed"]) == (["RE5e1f"], [])


def test_without_twilio_configured_the_recording_is_reported_not_removed(
    personal_world, analyst, settings, english
):
    world = personal_world
    settings.TWILIO_AUTH_TOKEN = ""
    purge = purge_wave(wave=world.wave, user=analyst)
    [failed] = _row(purge, "fieldwork.call_recordings")["failed"]
    assert failed["why"] == {
        "msgid": "Twilio is not configured: the recording could not be deleted there.",
        "params": {},
    }
    assert failed["text"]["en"].endswith(
        ": Twilio is not configured: the recording could not be deleted there."
    )
    assert world.twilio.requests == [] and world.twilio.recordings == {"RE5e1f"}


def _objects(s3, bucket: str) -> dict[str, bytes]:
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    ]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def test_photos_audio_and_the_frames_numbers_in_object_storage_are_deleted_and_counted(
    s3_bucket,  # noqa: F811  (first: the world is stored in the bucket)
    personal_world,
    analyst,
    django_capture_on_commit_callbacks,
):
    s3, bucket, _env = s3_bucket
    world = personal_world
    frame = world.wave.draw.frame
    before = _objects(s3, bucket)
    # given: the photos, the audio audit and the frame's sealed columns are objects there
    assert set(world.media) <= set(before) and len(world.media) == 4
    assert frame_crypto.sealed_path(frame.path) in before
    counts = {row["key"]: row["count"] for row in dry_run(wave=world.wave)}
    assert (counts["fieldwork.interview_media"], counts["sample.frame_files"]) == (4, 1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        purge = purge_wave(wave=world.wave, user=analyst)
    # then: gone from the bucket, counted in the certificate, nothing personal in what stays
    after = _objects(s3, bucket)
    assert not set(world.media) & set(after)
    assert frame_crypto.sealed_path(frame.path) not in after
    assert frame.path in after and purge.pdf_path in after
    assert _row(purge, "fieldwork.interview_media")["count"] == 4
    assert _row(purge, "sample.frame_files")["count"] == 1
    texts = [content.decode("latin-1") for content in after.values()]
    latin = [v.encode("utf-8").decode("latin-1") for v in world.secrets]
    assert not found_in(latin, texts)
    assert not found_in(world.secrets, decrypted_tokens(texts, keyring()))
