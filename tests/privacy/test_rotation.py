"""Key rotation: with the new key first and the old one after it, the command re-encrypts every
number and address and rewrites every frame file; then the old key can go and everything still
works: the next case, the manual-dial reveal, the sample file, recent-draw matching."""

import io

import pyarrow.parquet as pq
import pytest
from cryptography.fernet import InvalidToken
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from common.crypto import phone_key
from common.personal import keyring
from fieldwork.models import ContactAttempt
from fieldwork.services.next_case import assign_next_case
from privacy.rotation import stale_tokens
from sampling.models import SampledUnit
from sampling.selectors import load_frame, recent_draw_units
from tests.factories import next_weekday_at
from tests.privacy.world import new_keys, write_frame_file


def _raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM sampling_sampledunit")
        return [token for row in cursor.fetchall() for token in row if token]


@pytest.fixture
def encrypted_under_old_key(settings, wave, media_in_tmp):
    units = list(SampledUnit.objects.filter(draw=wave.draw).select_related("locality", "street"))
    wave.draw.frame.path = "frames/rotation.parquet"
    write_frame_file(wave.draw.frame, units)
    return {unit.unit_id: (unit.phone, unit.address) for unit in units}


def test_rotation_re_encrypts_everything_and_the_old_key_can_go(
    settings, wave, interviewer, analyst, client, encrypted_under_old_key
):
    plain = encrypted_under_old_key
    old_keys = settings.PERSONAL_DATA_KEYS
    new_key, new_hash = new_keys()
    before = set(_raw_tokens())
    # the new key first, the old one still there: everything reads, nothing yet under the new
    settings.PERSONAL_DATA_KEYS, settings.PERSONAL_DATA_HASH_KEY = new_key + old_keys, new_hash
    assert stale_tokens() == len(before) == 2 * len(plain)
    with pytest.raises(CommandError):
        call_command("rotate_personal_data_keys", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rotate_personal_data_keys", stdout=out)
    assert "Everything is under the newest key." in out.getvalue()
    assert stale_tokens() == 0
    assert not before & set(_raw_tokens())
    call_command("rotate_personal_data_keys", "--check", stdout=io.StringIO())
    # then the old key goes
    settings.PERSONAL_DATA_KEYS = new_key
    assert {u.unit_id: (u.phone, u.address) for u in SampledUnit.objects.all()} == plain
    with default_storage.open(wave.draw.frame.path, "rb") as stored:
        frame = pq.read_table(stored)
    unit_ids = frame.column("unit_id").to_pylist()
    assert frame.column("phone_key").to_pylist() == [
        phone_key(keyring(), plain[unit_id][0]) for unit_id in unit_ids
    ]  # the hashes recomputed under the new hash key
    assert recent_draw_units(1)[2] == {phone_key(keyring(), p) for p, _a in plain.values()}
    # the next case, its number shown for manual dialling, the sample file
    case = assign_next_case(wave=wave, interviewer=interviewer, now=next_weekday_at(10)).case
    client.force_login(interviewer)
    shown = client.post(reverse("fieldwork:reveal_phone", args=[case.pk])).content.decode()
    assert plain[case.unit.unit_id][0] in shown
    client.force_login(analyst)
    sample = client.get(reverse("sampling:draw_download", args=[wave.draw.pk])).content.decode()
    assert all(phone in sample and address in sample for phone, address in plain.values())


def test_without_rotation_removing_the_old_key_makes_the_numbers_unreadable(
    settings, wave, encrypted_under_old_key
):
    settings.PERSONAL_DATA_KEYS, settings.PERSONAL_DATA_HASH_KEY = new_keys()
    with pytest.raises(InvalidToken):
        list(SampledUnit.objects.values_list("phone", flat=True))


def test_rotation_re_encrypts_visit_positions_and_the_frames_extra_columns(
    settings, wave, interviewer, media_in_tmp
):
    # given a door visit's position and a frame with another system's column, under the old key
    visit = ContactAttempt.objects.create(
        case=wave.cases.first(), interviewer=interviewer, mode="door",
        started_at=next_weekday_at(10), latitude=31.987654, longitude=121.432109,
    )  # fmt: skip
    units = list(SampledUnit.objects.filter(draw=wave.draw).select_related("locality", "street"))
    for unit in units:
        unit.attributes = {"householder": f"户主{unit.pk}"}
    wave.draw.frame.path = "frames/rotation-extra.parquet"
    write_frame_file(wave.draw.frame, units)
    old_keys = settings.PERSONAL_DATA_KEYS
    new_key, new_hash = new_keys()
    settings.PERSONAL_DATA_KEYS, settings.PERSONAL_DATA_HASH_KEY = new_key + old_keys, new_hash
    assert stale_tokens() == 2 * len(units) + 2  # numbers, addresses and the two coordinates
    # when
    call_command("rotate_personal_data_keys", stdout=io.StringIO())
    # then the old key can go
    assert stale_tokens() == 0
    settings.PERSONAL_DATA_KEYS = new_key
    visit = ContactAttempt.objects.get(pk=visit.pk)
    assert (visit.latitude, visit.longitude) == (31.987654, 121.432109)
    names = load_frame(wave.draw.frame)["householder"].tolist()
    assert sorted(names) == sorted(f"户主{unit.pk}" for unit in units)
