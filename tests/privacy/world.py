"""The world of the privacy tests (imported by conftest.py): a wave full of personal data,
on the scoring tests' R-checked wave (90 approved interviews,
door interviews with household listings, nonrespondents): every unit with a distinctive number
and address, household members with distinctive names, a door visit's position, location and
photo answers with the photo in the storage, a reopened interview's snapshot, a call recording,
a frame file, interviewers' notes; and another wave whose personal data must stay.

Keys are generated per test: "without the key" means without a secret nobody else has."""

import base64
import copy
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.crypto import Sealed
from fieldwork.interview.media import media_path
from fieldwork.models import (
    Appointment,
    AudioAudit,
    Call,
    Case,
    ContactAttempt,
    Interview,
    Mode,
    RespondentSelection,
    TwilioEvent,
    Wave,
)
from qc.models import Review, ReviewEvent
from sampling.models import Draw, Frame, SampledUnit
from sampling.services.attributes import make_plain
from sampling.services.frame_files import store_sealed
from scoring.models import WaveWeighting
from tests.factories import make_organisation, question
from tests.fieldwork.telephony_fakes import FakeTwilio


def new_keys() -> tuple[list[str], str]:
    hash_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return [Fernet.generate_key().decode()], hash_key


@pytest.fixture(autouse=True)
def secret_keys(settings):
    """Keys of this test alone."""
    settings.PERSONAL_DATA_KEYS, settings.PERSONAL_DATA_HASH_KEY = new_keys()
    return settings


@dataclass
class PersonalWorld:
    wave: Wave
    other_wave: Wave
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)  # as text, e.g. "30.123456"
    media: list[str] = field(default_factory=list)  # storage paths
    recording: str = ""
    note: str = ""
    frame_attributes: list[str] = field(default_factory=list)  # names and ID numbers
    twilio: FakeTwilio | None = None  # where the call recording is kept
    other_phone: str = "13999990001"
    other_address: str = "另一批次测试路1号"

    @property
    def secrets(self) -> list[str]:
        """Every personal value of the wave, as text."""
        return [*self.phones, *self.addresses, *self.names, *self.positions, self.recording,
                self.note, *self.frame_attributes]  # fmt: skip


GPS = "home_gps"
PHOTO = "door_photo"


def _with_location_questions(version) -> None:
    definition = copy.deepcopy(version.definition)
    page = definition["groups"][-1]["questions"]
    page += [question(GPS, "geopoint"), question(PHOTO, "image")]
    version.definition = definition
    version.save(update_fields=["definition"])


def write_frame_file(frame: Frame, units: list[SampledUnit]) -> None:
    """The frame file the units were drawn from, stored as the import stores it (with the
    frame's extra columns, as each unit's attributes hold them)."""
    columns = {
        "unit_id": [u.unit_id for u in units],
        "phone": [u.phone for u in units],
        "address": [u.address for u in units],
        "locality_code": [u.locality.code for u in units],
        "street_code": [u.street.code for u in units],
    }
    for name in EXTRA_COLUMNS:
        columns[name] = [
            str({**u.attributes, **(u.sealed_attributes or {})}.get(name, "")) for u in units
        ]
    frame.path = store_sealed(pa.table(columns), frame.path)
    frame.columns = list(columns)
    frame.save(update_fields=["path", "columns"])


EXTRA_COLUMNS = ("householder", "id_number", "building")  # another system's frame's columns


def _with_attributes(world: "PersonalWorld", units: list[SampledUnit]) -> None:
    """Each unit carries its frame's extra columns: a name and an ID number (personal), and
    the building's type, which the nonresponse adjustment splits strata by (kept). A draw
    seals them all (none is a stratum or sort column); choosing the building for the
    adjustment makes that one plain."""
    for unit in units:
        unit.sealed_attributes = {
            "householder": f"框户主{unit.pk}号",
            "id_number": f"32010219800101{unit.pk:04d}",
            "building": "楼房" if unit.pk % 3 else "平房",
        }
        world.frame_attributes += [
            unit.sealed_attributes["householder"],
            unit.sealed_attributes["id_number"],
        ]
    SampledUnit.objects.bulk_update(units, ["sealed_attributes"])
    Draw.objects.filter(pk=units[0].draw_id).update(sealed_columns=list(EXTRA_COLUMNS))
    make_plain(draw_id=units[0].draw_id, names=["building"])
    for unit in units:
        unit.refresh_from_db(fields=["attributes", "sealed_attributes"])
    WaveWeighting.objects.create(
        wave=world.wave, nonresponse=WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE,
        attribute="building",
    )  # fmt: skip


@pytest.fixture
def personal_world(
    built, safety_wave, safety_draw, field_interviewer, places, fake_twilio
) -> PersonalWorld:
    world = PersonalWorld(wave=safety_wave, other_wave=_other_wave(safety_wave, places))
    units = list(SampledUnit.objects.filter(draw=safety_draw).select_related("locality", "street"))
    for unit in units:
        unit.address = f"隐私测试路{unit.pk}号"
        if unit.phone:
            world.phones.append(unit.phone)
        world.addresses.append(unit.address)
    SampledUnit.objects.bulk_update(units, ["address"])
    _with_attributes(world, units)
    safety_draw.frame.path = "frames/safety.parquet"
    write_frame_file(safety_draw.frame, units)
    for selection in RespondentSelection.objects.filter(case__wave=safety_wave):
        names = [f"测试姓名{selection.pk}号{k}" for k in range(len(selection.adults))]
        selection.adults = [{**a, "name": n} for a, n in zip(selection.adults, names, strict=True)]
        selection.roster = selection.adults
        selection.selected_label = names[selection.selected_index - 1]
        selection.save(update_fields=["adults", "roster", "selected_label"])
        world.names += names
    _with_location_questions(safety_wave.questionnaire_version)
    door = list(Interview.objects.filter(case__wave=safety_wave, mode=Mode.DOOR)[:3])
    for k, interview in enumerate(door):
        latitude = f"30.12{k}456"
        content = b"\xff\xd8\xff photo of the door " + latitude.encode()
        photo = hashlib.sha256(content).hexdigest() + ".jpg"
        path = default_storage.save(media_path(interview.pk, photo), ContentFile(content))
        point = Sealed(f"{latitude} 120.65{k}321 0 5")  # as the wizard's location field gives it
        interview.answers = {**interview.answers, GPS: point, PHOTO: photo}
        interview.save(update_fields=["answers"])
        world.positions += [latitude, f"120.65{k}321"]
        world.media.append(path)
        ContactAttempt.objects.create(
            case=interview.case,
            interviewer=field_interviewer,
            mode=Mode.DOOR,
            started_at=datetime(2024, 6, 1, 9, tzinfo=UTC),
            disposition="1.1",
            latitude=float(f"31.98{k}765"),
            longitude=float(f"121.43{k}215"),
            accuracy_m=8.0,
        )
        world.positions += [f"31.98{k}765", f"121.43{k}215"]
    first = door[0]
    audio = b"RIFF audio audit of the door page " + world.positions[0].encode()
    audio_name = hashlib.sha256(audio).hexdigest() + ".webm"
    world.media.append(default_storage.save(media_path(first.pk, audio_name), ContentFile(audio)))
    AudioAudit.objects.create(interview=first, step="p1", name=audio_name, size=len(audio))
    review = Review.objects.get(interview=first)
    ReviewEvent.objects.create(
        review=review, from_state="approved", to_state="approved", snapshot={
            "answers": dict(first.answers), "mode": "door"},
    )  # fmt: skip
    world.note = "王先生说晚上八点后再打"
    ContactAttempt.objects.create(
        case=first.case,
        interviewer=field_interviewer,
        mode=Mode.PHONE,
        started_at=datetime(2024, 6, 1, 10, tzinfo=UTC),
        disposition="2.21",
        note=world.note,
    )
    Appointment.objects.create(
        case=first.case, at=datetime(2024, 6, 2, 20, tzinfo=UTC), created_by=field_interviewer,
        note=world.note,
    )  # fmt: skip
    world.recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE5e1f"
    fake_twilio.recordings.add("RE5e1f")  # kept at Twilio until the purge deletes it there
    world.twilio = fake_twilio
    call = Call.objects.create(
        case=first.case, interviewer=field_interviewer, recording_sid="RE5e1f",
        recording_url=world.recording, recording_seconds=61,
    )  # fmt: skip
    TwilioEvent.objects.create(
        key="recording:RE5e1f:completed", call=call, kind="recording",
        params={"RecordingUrl": world.recording, "RecordingSid": "RE5e1f"},
    )  # fmt: skip
    return world


def _other_wave(wave: Wave, places) -> Wave:
    frame = Frame.objects.create(
        name="另一框", path="frames/none.parquet", source_name="o.csv", n_rows=1
    )
    draw = Draw.objects.create(
        frame=frame, name="另一样本", stratum_column="street", n_total=1, seed=1
    )
    unit = SampledUnit.objects.create(
        draw=draw, unit_id="O1", phone="13999990001", address="另一批次测试路1号",
        stratum=places["east_a"].code, locality=places["east_a"], street=places["east_a"],
        inclusion_probability=0.5, design_weight=2.0,
    )  # fmt: skip
    other = Wave.objects.create(
        name="另一批次",
        client=make_organisation("平安市委政法委"),
        questionnaire_version=wave.questionnaire_version,
        draw=draw,
    )
    Case.objects.create(wave=other, unit=unit, street=places["east_a"])
    return other
