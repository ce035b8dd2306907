"""Purging a wave's personal data: the dry run, the purge started from the wave's page, and the
evidence that nothing of the respondents remains while the results stay what they were."""

import json
import logging
import re
import subprocess
import tempfile
from html import unescape
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from audit.kinds import Kind
from audit.models import AuditEvent
from common.crypto import phone_key
from common.personal import keyring
from exports.microdata import wave_microdata
from exports.writers import write_microdata
from fieldwork.interview.personal_answers import personal_answers
from fieldwork.models import Interview, QuotaTarget, RespondentSelection, Wave
from fieldwork.privacy import retention
from fieldwork.services.quota_counts import recount_quotas
from jobs.models import Job
from jobs.runner import JobFailed
from privacy.models import Purge
from privacy.services import dry_run, purge_wave
from sampling import frame_crypto
from sampling.models import Draw, SampledUnit
from sampling.selectors import load_frame
from scoring.services import frame_attributes
from tests.privacy.scan import (
    decrypted_tokens,
    every_file,
    every_stored_text,
    found_in,
    unkeyed_hashes,
)
from tests.privacy.world import PHOTO

EXPECTED_KEYS = {
    "sample.phone",
    "sample.address",
    "sample.frame_files",
    "fieldwork.contact_notes",
    "fieldwork.visit_positions",
    "fieldwork.household_names",
    "fieldwork.location_and_media_answers",
    "fieldwork.interview_media",
    "fieldwork.call_recordings",
    "qc.snapshot_answers",
    "sample.frame_attributes",
}


def _counts(wave) -> dict[str, int]:
    return {row["key"]: row["count"] for row in dry_run(wave=wave)}


def test_the_dry_run_counts_every_holder_and_removes_nothing(personal_world):
    world = personal_world
    n_units = SampledUnit.objects.filter(draw=world.wave.draw).count()
    n_selections = RespondentSelection.objects.filter(case__wave=world.wave).count()
    counts = _counts(world.wave)
    assert set(counts) == EXPECTED_KEYS
    assert counts == {
        "sample.phone": len(world.phones),
        "sample.address": n_units,
        "sample.frame_files": 1,
        "fieldwork.contact_notes": 2,
        "fieldwork.visit_positions": 3,
        "fieldwork.household_names": n_selections,
        "fieldwork.location_and_media_answers": 6,
        "fieldwork.interview_media": 4,  # three photos, an audio audit
        "fieldwork.call_recordings": 1,
        "qc.snapshot_answers": 2,
        "sample.frame_attributes": n_units,
    }
    assert n_selections > 0 and 0 < len(world.phones) < n_units  # some units have no number
    assert _counts(world.wave) == counts  # counting changed nothing
    assert not Purge.objects.exists()


def _purge_from_the_page(client, user, wave, on_commit) -> Purge:
    """The purge as an analyst starts it; the files go when its transaction commits."""
    client.force_login(user)
    url = reverse("privacy:wave_personal_data", args=[wave.pk])
    with on_commit(execute=True):
        response = client.post(url, {"confirm": wave.name})
    assert response.status_code == 302
    job = Job.objects.get(kind="privacy.purge")
    assert job.status == Job.Status.SUCCEEDED, job.error
    return Purge.objects.get(wave=wave)


def test_after_a_purge_no_number_name_address_or_position_is_stored_anywhere(
    personal_world, analyst, client, caplog, django_capture_on_commit_callbacks
):
    world = personal_world
    ring = keyring()
    # given: the data is there, encrypted: no number, address, name or exact position (a
    # visit's, a location answer's, a reopened interview's copy of it) in clear in any column,
    # but the key opens them
    before = every_stored_text()
    stored_before = "\n".join(before)
    encrypted = world.phones + world.addresses + world.names + world.positions
    assert not [value for value in encrypted if value in stored_before]
    opened = decrypted_tokens(before, ring)
    assert found_in(encrypted, opened) == encrypted
    assert all(default_storage.exists(path) for path in world.media)
    # the frame's extra columns (names, ID numbers) only sealed: in no file or column in
    # clear, and the key opens them (the frame file's sealed part, the units' sealed attributes)
    files = "\n".join(
        c.decode("latin-1") for c in every_file(Path(django_settings.MEDIA_ROOT)).values()
    )
    latin = [v.encode("utf-8").decode("latin-1") for v in world.frame_attributes]
    assert world.frame_attributes and not [v for v in latin if v in files]
    assert all(v in "\n".join(decrypted_tokens([files], ring)) for v in world.frame_attributes)
    assert not [value for value in world.frame_attributes if value in stored_before]
    assert found_in(world.frame_attributes, opened) == world.frame_attributes
    # when
    with caplog.at_level(logging.DEBUG):
        purge = _purge_from_the_page(
            client, analyst, world.wave, django_capture_on_commit_callbacks
        )
    # then: in the database, neither in clear, nor as a plain hash, nor as a keyed hash, nor
    # inside any token the key opens
    after = every_stored_text()
    stored = "\n".join(after)
    for value in world.secrets:
        assert value not in stored, value
    for phone in world.phones:
        assert phone_key(ring, phone) not in stored
        assert not [h for h in unkeyed_hashes(phone) if h in stored]
    opened = decrypted_tokens(after, ring)
    assert not found_in(world.secrets, opened)
    listings = [text for text in opened if text.startswith("[")]  # nameless now
    assert sorted(set(opened) - set(listings)) == sorted([world.other_phone, world.other_address])
    assert listings and all('"name": ""' in text for text in listings)
    # in the file storage: the photos are gone, and no file holds a number, address or token
    files = every_file(Path(django_settings.MEDIA_ROOT))
    assert not [path for path in world.media if default_storage.exists(path)]
    for name, content in files.items():
        text = content.decode("latin-1")
        assert not [v for v in world.secrets if v.encode("utf-8").decode("latin-1") in text], name
        assert not [p for p in world.phones if phone_key(ring, p) in text], name
        assert not found_in(world.secrets, decrypted_tokens([text], ring)), name
    frame = world.wave.draw.frame
    assert not default_storage.exists(frame_crypto.sealed_path(frame.path))
    assert set(pq.read_table(default_storage.path(frame.path)).column("phone_key").to_pylist()) == {
        ""
    }
    assert set(load_frame(frame)["phone"]) == {""}
    # in the logs of the whole purge: no value, no keyed or plain hash of a number, no token
    # the key opens to one
    for value in world.phones + world.addresses + world.names:
        assert value not in caplog.text
    for phone in world.phones:
        assert phone_key(ring, phone) not in caplog.text
        assert not [h for h in unkeyed_hashes(phone) if h in caplog.text]
    assert not found_in(world.secrets, decrypted_tokens([caplog.text], ring))
    assert len(caplog.records) >= 2  # the purge job's own lines were captured
    assert purge.counts["sample.phone"] == len(world.phones)


def test_a_purge_keeps_the_other_waves_personal_data(personal_world, analyst):
    world = personal_world
    purge_wave(wave=world.wave, user=analyst)
    unit = SampledUnit.objects.get(cases__wave=world.other_wave)
    assert (unit.phone, unit.address) == (world.other_phone, world.other_address)
    assert _counts(world.other_wave)["sample.phone"] == 1


def test_a_purge_moves_on_the_revision_of_the_interviews_whose_answers_it_changed(
    personal_world, analyst
):
    world = personal_world
    interviews = Interview.objects.filter(case__wave=world.wave)
    with_personal = {
        i.pk
        for i in interviews.select_related("questionnaire_version")
        if personal_answers(i.answers, i.questionnaire_version.definition)
    }
    purge_wave(wave=world.wave, user=analyst)
    moved = set(interviews.filter(revision=1).values_list("pk", flat=True))
    assert with_personal and moved == with_personal
    assert not interviews.exclude(pk__in=moved).exclude(revision=0).exists()


def test_a_purge_recounts_a_quota_cell_that_counted_an_answer_it_removed(personal_world, analyst):
    """A quota variable may name any answer, a personal one too: a cell that counted an
    answer the purge removes counts it no longer, and every other cell keeps its count."""
    world = personal_world
    interviews = Interview.objects.filter(case__wave=world.wave).order_by("pk")
    photographed = next(i for i in interviews if PHOTO in i.answers)
    photo_cell = QuotaTarget.objects.create(
        wave=world.wave, variable=PHOTO, value=photographed.answers[PHOTO], target=1
    )
    age_cell = QuotaTarget.objects.create(
        wave=world.wave, variable="age_group", value="45-59", target=500
    )
    recount_quotas(wave=world.wave)
    photo_cell.refresh_from_db()
    age_cell.refresh_from_db()
    assert photo_cell.achieved == 1
    before = age_cell.achieved
    assert before > 0

    purge_wave(wave=world.wave, user=analyst)
    photo_cell.refresh_from_db()
    age_cell.refresh_from_db()
    assert photo_cell.achieved == 0
    assert age_cell.achieved == before


def test_after_a_purge_the_weighting_offers_only_the_columns_kept(personal_world, analyst):
    world = personal_world
    assert {"householder", "id_number", "building"} <= set(frame_attributes(world.wave))
    purge_wave(wave=world.wave, user=analyst)
    assert frame_attributes(world.wave) == ["building"]
    assert Draw.objects.get(pk=world.wave.draw_id).sealed_columns == []


def test_a_second_purge_finds_nothing_left(
    personal_world, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        purge_wave(wave=personal_world.wave, user=analyst)
    assert set(_counts(personal_world.wave).values()) == {0}
    again = purge_wave(wave=personal_world.wave, user=analyst)
    assert set(again.counts.values()) == {0}


def _export(wave) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_microdata(wave_microdata(wave=wave, states=["approved"]), root)
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.suffix in (".csv", ".R", ".do", ".sps")
        }


def test_the_respondent_export_never_carries_an_exact_position(personal_world):
    # location answers are withheld from exports (and the purge removes them from the answers)
    export = _export(personal_world.wave)
    assert any(name.endswith(".csv") for name in export)
    exported = b"".join(export.values()).decode("utf-8", "replace")
    assert personal_world.positions and not found_in(personal_world.positions, [exported])


def test_the_certificate_says_what_went_when_by_whom_in_both_languages(
    personal_world, analyst, client, django_capture_on_commit_callbacks
):
    world = personal_world
    purge = _purge_from_the_page(client, analyst, world.wave, django_capture_on_commit_callbacks)
    response = client.get(reverse("privacy:certificate_json", args=[world.wave.pk, purge.pk]))
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["purged_by"]["username"] == "analyst"
    assert data["wave"] == {"id": world.wave.pk, "name": world.wave.name}
    removed = {row["key"]: row for row in data["removed"]}
    assert removed["sample.phone"]["count"] == len(world.phones)
    assert removed["sample.phone"]["what"] == {
        "zh-hans": "受访者电话号码",
        "en": "Respondents' phone numbers",
    }
    assert data["total_removed"] == sum(purge.counts.values())
    assert re.fullmatch(r"[0-9a-f]{64}", data["remaining_sha256"]["results_inputs"])
    pdf = client.get(reverse("privacy:certificate_pdf", args=[world.wave.pk, purge.pk]))
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    assert "个人信息删除证明" in text and "Certificate of deletion of personal data" in text
    assert "受访者电话号码" in text and str(len(world.phones)) in text
    assert data["remaining_sha256"]["results_inputs"] in text.replace("\n", "")
    logged = AuditEvent.objects.get(kind=Kind.PURGE)
    assert (logged.actor, logged.wave_id) == (analyst, world.wave.pk)
    assert logged.detail["counts"] == purge.counts
    client.get(reverse("privacy:wave_personal_data", args=[world.wave.pk]))  # the dry run
    assert AuditEvent.objects.filter(kind=Kind.PURGE_DRY_RUN, wave_id=world.wave.pk).exists()


def test_the_purge_needs_the_wave_name_typed(personal_world, analyst, client, english):
    world = personal_world
    client.force_login(analyst)
    url = reverse("privacy:wave_personal_data", args=[world.wave.pk])
    response = client.post(url, {"confirm": "wrong"})
    assert response.status_code == 200
    assert "The name typed is not the wave's name" in unescape(response.content.decode())
    assert not Job.objects.exists() and not Purge.objects.exists()
    assert _counts(world.wave)["sample.phone"] == len(world.phones)


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_see_or_purge_personal_data(personal_world, client, role, request):
    client.force_login(request.getfixturevalue(role))
    url = reverse("privacy:wave_personal_data", args=[personal_world.wave.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": personal_world.wave.name}).status_code == 403
    assert not Purge.objects.exists()


def test_a_wave_in_fieldwork_is_not_purged(personal_world, analyst, client, english):
    world = personal_world
    world.wave.status = Wave.Status.FIELDWORK
    world.wave.save(update_fields=["status"])
    client.force_login(analyst)
    url = reverse("privacy:wave_personal_data", args=[world.wave.pk])
    response = client.post(url, {"confirm": world.wave.name})
    assert "The wave is still in fieldwork: close it before purging" in response.content.decode()
    with pytest.raises(JobFailed):
        purge_wave(wave=world.wave, user=analyst)
    assert not Job.objects.exists() and not Purge.objects.exists()
    assert _counts(world.wave)["sample.phone"] == len(world.phones)


def test_a_purge_answers_the_retention_reminder_for_good(personal_world, analyst, settings):
    # given a wave whose retention date has come and whose reminder is showing
    world = personal_world
    Wave.objects.filter(pk=world.wave.pk).update(retain_until=timezone.localdate())
    assert retention.remind_due() >= 1
    assert world.wave.pk in {row["wave"].pk for row in retention.reminded_waves()}
    # when its personal data is purged, and the daily schedule runs again
    purge_wave(wave=Wave.objects.get(pk=world.wave.pk), user=analyst)
    retention.remind_due()
    # then the reminder is gone and stays gone
    assert Wave.objects.get(pk=world.wave.pk).retention_reminded_at is None
    assert world.wave.pk not in {row["wave"].pk for row in retention.reminded_waves()}
    reminders = AuditEvent.objects.filter(kind=Kind.RETENTION_REMINDER, wave_id=world.wave.pk)
    assert reminders.count() == 1
