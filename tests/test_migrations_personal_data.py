"""Migrations sampling 0007 and fieldwork 0017 and 0018 encrypt the numbers, addresses,
household names and visit positions already stored, in the database and in every frame file;
migrating back decrypts them. Sampling 0009 recomputes stored phone keys under AES-CMAC;
fieldwork 0019, qc 0005 and sampling 0010 seal location answers and a frame's other columns
on the units."""

import copy
import hashlib
import hmac
import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from common.crypto import Sealed, phone_key
from common.personal import keyring
from fieldwork.models import ContactAttempt, Interview, RespondentSelection
from sampling import frame_crypto
from sampling.models import Draw, Frame, SampledUnit
from sampling.selectors import load_frame
from sampling.services.frame_files import store_sealed
from scoring.models import WaveWeighting
from tests.factories import (
    make_draw,
    make_locality_tree,
    make_standard_version,
    make_user,
    make_wave,
    question,
)
from tests.test_migrations_by_path import _migrate

BEFORE = [("sampling", "0006_locality_updated_at")]
AFTER = [("sampling", "0007_personal_data_encrypted")]
PHONES = ["13800001111", "13800002222"]
ADDRESSES = ["幸福路1号", "幸福路2号"]


def _raw_units() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM sampling_sampledunit ORDER BY unit_id")
        return cursor.fetchall()


def _plain_rows(settings, tmp_path) -> str:
    """Rows and a frame file as the code before encryption stored them."""
    settings.MEDIA_ROOT = tmp_path
    table = pa.table({"unit_id": ["U1", "U2"], "phone": PHONES, "address": ADDRESSES})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    path = default_storage.save("frames/old.parquet", ContentFile(buffer.getvalue()))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sampling_frame (name, path, source_name, n_rows, columns, created_at)"
            " VALUES ('f', %s, 'f.csv', 2, '[]', '2026-01-01')",
            [path],
        )
        cursor.execute("SELECT id FROM sampling_frame")
        frame_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO sampling_draw (frame_id, name, stratum_column, strata_columns, n_total,"
            " allocation, allocation_params, minimum_per_stratum, reserve_replicates,"
            " reserve_fraction, sort_columns, exclude_recent_draws, excluded_draw_ids,"
            " n_excluded, seed, created_at) VALUES (%s, 'd', 's', '[]', 2, 'proportional',"
            " '{}', 0, 0, 1.0, '[]', 0, '[]', 0, 1, '2026-01-01')",
            [frame_id],
        )
        cursor.execute("SELECT id FROM sampling_draw")
        draw_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO sampling_locality (code, name, level, area_type, population,"
            " updated_at) VALUES ('L', 'l', 'street', '', '{}', '2026-01-01')"
        )
        cursor.execute("SELECT id FROM sampling_locality")
        place = cursor.fetchone()[0]
        for unit_id, phone, address in zip(["U1", "U2"], PHONES, ADDRESSES, strict=True):
            cursor.execute(
                "INSERT INTO sampling_sampledunit (draw_id, unit_id, phone, address, stratum,"
                " locality_id, street_id, replicate, inclusion_probability, design_weight,"
                " attributes) VALUES (%s, %s, %s, %s, 'S', %s, %s, 0, 0.5, 2.0, '{}')",
                [draw_id, unit_id, phone, address, place, place],
            )
    return path


@pytest.mark.django_db(transaction=True)
def test_stored_numbers_and_frames_are_encrypted_and_decrypted_again_going_back(
    settings, tmp_path, latest_afterwards
):
    _migrate(BEFORE)
    path = _plain_rows(settings, tmp_path)
    # when
    _migrate(AFTER)
    # then: tokens in the database and the file, the same numbers behind them
    ring = keyring()
    raw = _raw_units()
    assert all(p.startswith("gAAAAA") and a.startswith("gAAAAA") for p, a in raw)
    assert [(ring.decrypt(p), ring.decrypt(a)) for p, a in raw] == list(
        zip(PHONES, ADDRESSES, strict=True)
    )
    public = pq.read_table(tmp_path / path)
    assert public.column_names == ["unit_id", "phone_key"]
    assert "13800001111" not in (tmp_path / path).read_bytes().decode("latin-1")
    sealed = (tmp_path / frame_crypto.sealed_path(path)).read_bytes()
    assert frame_crypto.open_sealed(sealed, ring).column("phone").to_pylist() == PHONES
    # and back
    _migrate(BEFORE)
    assert _raw_units() == list(zip(PHONES, ADDRESSES, strict=True))
    plain = pq.read_table(tmp_path / path)
    assert plain.column_names == ["unit_id", "phone", "address"]
    assert plain.column("phone").to_pylist() == PHONES
    assert not (tmp_path / frame_crypto.sealed_path(path)).exists()


def _raw_selection() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT adults, selected_label FROM fieldwork_respondentselection")
        adults, label = cursor.fetchone()
    return (adults if isinstance(adults, str) else json.dumps(adults)), label


@pytest.mark.django_db(transaction=True)
def test_household_names_are_decrypted_going_back_and_encrypted_again(
    standard_form, latest_afterwards
):
    # given a household listing stored by today's code: encrypted
    data, parsed = standard_form
    interviewer = make_user("interviewer", "interviewer")
    version = make_standard_version(parsed=parsed, data=data)
    wave = make_wave(draw=make_draw(make_locality_tree()), version=version)
    case = wave.cases.first()
    adults = [{"name": "王秀英", "sex": "F", "age": 52, "birthday": ""}]
    RespondentSelection.objects.create(
        case=case, interviewer=interviewer, method="kish", roster=adults, adults=adults,
        selected_index=1, selected_label="王秀英",
    )  # fmt: skip
    assert "王秀英" not in "".join(_raw_selection())
    # when migrating back, then forward again
    _migrate([("fieldwork", "0016_audio_audits")])
    plain_adults, plain_label = _raw_selection()
    assert json.loads(plain_adults) == adults and plain_label == "王秀英"
    _migrate([("fieldwork", "0017_household_names_encrypted")])
    # then
    token, label = _raw_selection()
    assert token.startswith("gAAAAA") and label.startswith("gAAAAA")
    assert "王秀英" not in token + label
    selection = RespondentSelection.objects.get()
    assert (selection.adults, selection.selected_label) == (adults, "王秀英")


def _raw_positions() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT latitude, longitude FROM fieldwork_contactattempt ORDER BY id")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_visit_positions_are_decrypted_going_back_and_encrypted_again(
    standard_form, latest_afterwards
):
    # given two visits stored by today's code (one without a position): encrypted
    data, parsed = standard_form
    interviewer = make_user("interviewer", "interviewer")
    version = make_standard_version(parsed=parsed, data=data)
    case = make_wave(draw=make_draw(make_locality_tree()), version=version).cases.first()
    when = datetime(2024, 6, 1, 9, tzinfo=UTC)
    for position in ((31.987654321, -121.4321), (None, None)):
        ContactAttempt.objects.create(
            case=case, interviewer=interviewer, mode="door", started_at=when,
            latitude=position[0], longitude=position[1], accuracy_m=8.0,
        )  # fmt: skip
    (latitude, _longitude), empty = _raw_positions()
    assert latitude.startswith("gAAAAA") and empty == (None, None)
    # when migrating back: numbers again
    _migrate([("fieldwork", "0017_household_names_encrypted")])
    assert _raw_positions() == [(31.987654321, -121.4321), (None, None)]
    # and forward: tokens with the same numbers behind them
    _migrate([("fieldwork", "0018_visit_positions_encrypted")])
    (latitude, longitude), empty = _raw_positions()
    assert latitude.startswith("gAAAAA") and longitude.startswith("gAAAAA") and empty == (None,) * 2
    assert "31.98" not in latitude + longitude
    ring = keyring()
    assert (float(ring.decrypt(latitude)), float(ring.decrypt(longitude))) == (
        31.987654321,
        -121.4321,
    )
    visits = ContactAttempt.objects.order_by("pk").values_list("latitude", "longitude")
    assert list(visits) == [(31.987654321, -121.4321), (None, None)]


@pytest.mark.django_db(transaction=True)
def test_a_frames_extra_columns_go_back_into_the_parquet_file_and_are_sealed_again(
    settings, tmp_path, latest_afterwards
):
    # given a frame stored by today's code: its extra column sealed with the numbers
    settings.MEDIA_ROOT = tmp_path
    rows = pa.table(
        {"unit_id": ["U1", "U2"], "phone": PHONES, "address": ADDRESSES,
         "locality_code": ["L1", "L2"], "householder": ["户主甲", "户主乙"]}
    )  # fmt: skip
    path = store_sealed(rows, "frames/extra.parquet")
    frame = Frame.objects.create(
        name="f", path=path, source_name="f.csv", n_rows=2, columns=rows.column_names
    )
    assert pq.read_table(tmp_path / path).column_names == [
        "unit_id", "locality_code", "phone_key"
    ]  # fmt: skip
    # when migrating back: the extra column is in the Parquet file, the numbers still sealed
    _migrate([("sampling", "0007_personal_data_encrypted")])
    public = pq.read_table(tmp_path / path)
    assert public.column_names == ["unit_id", "locality_code", "householder", "phone_key"]
    assert public.column("householder").to_pylist() == ["户主甲", "户主乙"]
    sealed = (tmp_path / frame_crypto.sealed_path(path)).read_bytes()
    assert frame_crypto.open_sealed(sealed, keyring()).column_names == ["phone", "address"]
    # and forward again: sealed, and read back whole
    _migrate([("sampling", "0008_frame_extra_columns_sealed")])
    raw = (tmp_path / path).read_bytes().decode("latin-1")
    assert "户主甲".encode().decode("latin-1") not in raw
    assert pq.read_table(tmp_path / path).column_names == [
        "unit_id", "locality_code", "phone_key"
    ]  # fmt: skip
    loaded = load_frame(Frame.objects.get(pk=frame.pk))
    assert loaded["householder"].tolist() == ["户主甲", "户主乙"]
    assert loaded["phone"].tolist() == PHONES


@pytest.mark.django_db(transaction=True)
def test_stored_phone_keys_go_back_to_hmac_and_forward_to_aes_cmac(
    settings, tmp_path, latest_afterwards
):
    # given a frame stored by today's code: AES-CMAC keys, labelled
    settings.MEDIA_ROOT = tmp_path
    rows = pa.table({"unit_id": ["U1", "U2"], "phone": PHONES, "address": ADDRESSES})
    path = store_sealed(rows, "frames/keys.parquet")
    Frame.objects.create(name="f", path=path, source_name="f.csv", n_rows=2, columns=["unit_id"])
    ring = keyring()
    today = [phone_key(ring, p) for p in PHONES]
    assert pq.read_table(tmp_path / path).column("phone_key").to_pylist() == today
    # when migrating back: the former HMAC-SHA256 keys ("phone:" and the number), unlabelled
    _migrate([("sampling", "0008_frame_extra_columns_sealed")])
    public = pq.read_table(tmp_path / path)
    former = [
        hmac.new(ring.hash_key, f"phone:{p}".encode(), hashlib.sha256).hexdigest()[:32]
        for p in PHONES
    ]
    assert public.column("phone_key").to_pylist() == former
    assert not frame_crypto.keys_current(public.schema)
    assert public.column_names == ["unit_id", "phone_key"]
    # and forward again: today's keys, labelled, the numbers still sealed
    _migrate([("sampling", "0009_phone_keys_aes_cmac")])
    public = pq.read_table(tmp_path / path)
    assert public.column("phone_key").to_pylist() == today
    assert frame_crypto.keys_current(public.schema)
    sealed = (tmp_path / frame_crypto.sealed_path(path)).read_bytes()
    assert frame_crypto.open_sealed(sealed, ring).column("phone").to_pylist() == PHONES


def _raw(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [
            v if isinstance(v, str) else json.dumps(v) for row in cursor.fetchall() for v in row
        ]


@pytest.mark.django_db(transaction=True)
def test_location_answers_and_frame_attributes_are_opened_going_back_and_sealed_again(
    standard_form, latest_afterwards
):
    # given an interview with a location answer and units with a name column, stored by today's
    # code: the point and the names sealed, the building type (the nonresponse adjustment's)
    # plain
    data, parsed = standard_form
    version = make_standard_version(parsed=parsed, data=data)
    definition = copy.deepcopy(version.definition)
    definition["groups"][-1]["questions"].append(question("home_gps", "geopoint"))
    version.definition = definition
    version.save(update_fields=["definition"])
    wave = make_wave(draw=make_draw(make_locality_tree()), version=version)
    WaveWeighting.objects.create(wave=wave, nonresponse="stratum_attribute", attribute="building")
    units = list(SampledUnit.objects.filter(draw=wave.draw).order_by("pk"))
    for k, unit in enumerate(units):
        unit.attributes = {"building": "楼房"}
        unit.sealed_attributes = {"householder": f"迁移户主{k}号"}
    SampledUnit.objects.bulk_update(units, ["attributes", "sealed_attributes"])
    Draw.objects.filter(pk=wave.draw_id).update(sealed_columns=["householder"])
    case = wave.cases.first()
    interview = Interview.objects.create(
        case=case, questionnaire_version=version, interviewer=make_user("iv", "interviewer"),
        mode="door", started_at=datetime(2024, 6, 1, 9, tzinfo=UTC),
        answers={"home_gps": Sealed("31.234567 121.456789 0 5"), "age": 40},
    )  # fmt: skip
    answers_sql = f"SELECT answers FROM fieldwork_interview WHERE id = {interview.pk}"
    units_sql = "SELECT attributes, sealed_attributes FROM sampling_sampledunit ORDER BY id"
    assert "31.234567" not in _raw(answers_sql)[0]
    assert not [v for v in _raw(units_sql) if "迁移户主" in v]
    # when migrating back: both in clear, where the code before kept them
    _migrate([("sampling", "0008_frame_extra_columns_sealed"), ("qc", "0004_backcheck_rounds"),
              ("fieldwork", "0018_visit_positions_encrypted")])  # fmt: skip
    assert json.loads(_raw(answers_sql)[0]) == {"home_gps": "31.234567 121.456789 0 5", "age": 40}
    plain = [json.loads(v) for v in _raw("SELECT attributes FROM sampling_sampledunit ORDER BY id")]
    assert plain == [
        {"building": "楼房", "householder": f"迁移户主{k}号"} for k in range(len(units))
    ]
    # and forward again: sealed, the queried column plain, everything read back the same
    _migrate([("sampling", "0010_frame_attributes_sealed"),
              ("qc", "0005_snapshot_locations_sealed"),
              ("fieldwork", "0022_interview_answers_text")])  # fmt: skip
    assert "31.234567" not in _raw(answers_sql)[0] and "$sealed" in _raw(answers_sql)[0]
    text_sql = answers_sql.replace("SELECT answers ", "SELECT answers_text ")
    # the generated text follows the re-sealing
    assert json.loads(_raw(text_sql)[0]) == json.loads(_raw(answers_sql)[0])
    assert not [v for v in _raw(units_sql) if "迁移户主" in v]
    assert Interview.objects.get(pk=interview.pk).answers["home_gps"] == "31.234567 121.456789 0 5"
    assert [(u.attributes, u.sealed_attributes) for u in SampledUnit.objects.order_by("pk")] == [
        ({"building": "楼房"}, {"householder": f"迁移户主{k}号"}) for k in range(len(units))
    ]
    assert Draw.objects.get(pk=wave.draw_id).sealed_columns == ["householder"]
