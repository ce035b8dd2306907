"""Numbers at rest: a stored frame file and the sampled units hold tokens and keyed hashes, never
a number or an address; the application reads them back; without the hash key, enumerating a
whole block of mobile numbers matches nothing."""

import base64
import hashlib
import hmac
import secrets

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from common.crypto import Keyring, phone_key, phone_keys
from common.personal import keyring
from config.settings import _DEV_PERSONAL_DATA_HASH_KEY
from sampling import frame_crypto
from sampling.models import SampledUnit
from sampling.selectors import load_frame
from sampling.services.draws import draw_sample
from sampling.services.frames import import_frame
from sampling.services.plans import Plan
from tests.sampling.conftest import FRAME_SIZES, MAPPING, frame_rows


@pytest.fixture(autouse=True)
def secret_keys(settings):
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    settings.PERSONAL_DATA_HASH_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


PHONES = frame_rows(FRAME_SIZES)["tel"].tolist()  # 13900000000 … 13900000099
ADDRESSES = frame_rows(FRAME_SIZES)["addr"].tolist()


def _cmac(key: bytes, text: str) -> str:
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(text.encode())
    return mac.finalize().hex()


def _stored(frame, media_root):
    return (media_root / frame.path).read_bytes(), pq.read_table(media_root / frame.path)


def test_a_stored_frame_holds_no_number_or_address_and_reads_back_whole(frame, media_root):
    raw, table = _stored(frame, media_root)
    sealed = (media_root / frame_crypto.sealed_path(frame.path)).read_bytes()
    for content in (raw, sealed):
        text = content.decode("latin-1")
        assert not [p for p in PHONES if p in text]
        assert not [a for a in ADDRESSES if a.encode().decode("latin-1") in text]
    assert "phone" not in table.column_names and "address" not in table.column_names
    assert sealed.startswith(b"gAAAAA")  # one Fernet token
    assert table.column("phone_key").to_pylist() == [phone_key(keyring(), p) for p in PHONES]
    opened = frame_crypto.open_sealed(sealed, keyring())
    assert opened.column("phone").to_pylist() == PHONES
    rows = load_frame(frame)
    assert rows["phone"].tolist() == PHONES and rows["address"].tolist() == ADDRESSES
    assert list(rows.columns) == frame.columns and "phone_key" not in frame.columns
    keyed = load_frame(frame, columns=["unit_id", "phone_key"])
    assert list(keyed.columns) == ["unit_id", "phone_key"]


def test_enumerating_a_block_of_ten_thousand_numbers_matches_no_stored_hash_without_the_key(
    frame, media_root
):
    # given: what a copied frame file gives away
    stored = set(_stored(frame, media_root)[1].column("phone_key").to_pylist())
    block = [f"1390000{k:04d}" for k in range(10_000)]  # every number of the block
    assert set(PHONES) <= set(block)

    # when: someone without the key hashes every number every way they can, AES-CMAC (the
    # scheme's own MAC) under every key they could know or derive as the scheme does
    published = base64.urlsafe_b64decode(_DEV_PERSONAL_DATA_HASH_KEY + "=")
    known_keys = (b"", published, django_settings.SECRET_KEY.encode())
    derived = [hmac.new(key, b"aes-cmac-1", hashlib.sha256).digest() for key in known_keys]
    cmac_keys = [*derived, bytes(16), bytes(32), published[:32], hashlib.sha256(b"").digest()]

    def guesses(number: str) -> list[str]:
        plain = hashlib.sha256(number.encode()).hexdigest()
        old = hashlib.sha256(b"phone:" + number.encode()).hexdigest()  # the former contact key
        keyed = [
            hmac.new(key, b"phone:" + number.encode(), hashlib.sha256).hexdigest()
            for key in known_keys
        ]
        tags = [_cmac(key, text) for key in cmac_keys for text in (number, "phone:" + number)]
        return [h[:n] for h in (plain, old, *keyed) for n in (16, 32, 64)] + tags

    matched = {g for number in block for g in guesses(number)} & stored
    # then: nothing; with the key the same enumeration finds every number
    assert not matched
    with_key = {phone_key(keyring(), number) for number in block} & stored
    assert len(with_key) == len(PHONES)


def test_keys_of_a_former_scheme_are_recomputed_from_the_numbers_never_compared(frame, media_root):
    # given a frame file written before the AES-CMAC keys: HMAC-SHA256 keys, unlabelled
    path = media_root / frame.path
    table = pq.read_table(path)
    assert frame_crypto.keys_current(table.schema)
    ring = keyring()
    former = pa.array(ring.keyed_hashes("phone:", PHONES), pa.string())
    position = table.column_names.index("phone_key")
    pq.write_table(table.set_column(position, "phone_key", former).replace_schema_metadata({}),
                   path)  # fmt: skip
    assert not frame_crypto.keys_current(pq.read_schema(path))
    # when the application reads the frame's keys
    keyed = load_frame(frame, columns=["unit_id", "phone_key"])
    # then: today's keys, from the sealed numbers
    assert keyed["phone_key"].tolist() == [phone_key(ring, p) for p in PHONES]
    assert set(keyed["phone_key"]).isdisjoint(former.to_pylist())
    # and recent-draw exclusion still finds the numbers drawn before
    earlier = draw_sample(frame=frame, plan=Plan(n=30), seed=1)
    for unit in earlier.units.all():
        SampledUnit.objects.filter(pk=unit.pk).update(unit_id=f"X{unit.pk}")
    later = draw_sample(frame=frame, plan=Plan(n=70, exclude_recent_draws=1), seed=1)
    assert later.n_excluded == 30


def test_sampled_units_hold_tokens_in_the_database_and_numbers_in_the_sample_file(
    frame, analyst, client
):
    draw = draw_sample(frame=frame, plan=Plan(n=10), seed=7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM sampling_sampledunit")
        raw = cursor.fetchall()
    assert len(raw) == 10
    assert all(p.startswith("gAAAAA") and a.startswith("gAAAAA") for p, a in raw)
    assert not {p for p, _a in raw} & set(PHONES)
    units = list(draw.units.values_list("phone", "address"))
    assert {p for p, _a in units} <= set(PHONES) and {a for _p, a in units} <= set(ADDRESSES)
    client.force_login(analyst)
    sample = client.get(reverse("sampling:draw_download", args=[draw.pk])).content.decode()
    assert all(phone in sample for phone, _address in units)


def test_recent_draw_exclusion_matches_by_keyed_hash(frame):
    earlier = draw_sample(frame=frame, plan=Plan(n=30), seed=1)
    # the same numbers under new unit ids: only the number can tell they were drawn
    for unit in earlier.units.all():
        SampledUnit.objects.filter(pk=unit.pk).update(unit_id=f"X{unit.pk}")
    later = draw_sample(frame=frame, plan=Plan(n=70, exclude_recent_draws=1), seed=1)
    assert later.n_excluded == 30
    drawn = set(earlier.units.values_list("phone", flat=True))
    assert drawn.isdisjoint(later.units.values_list("phone", flat=True))


@pytest.mark.parametrize(
    "numbers",
    [
        ["13812345678", "13912345678", "15000000001"],  # as validated frames hold them
        ["13812345678", "138 1234 5678", "", "+8613912345678"],  # anything else
    ],
)
def test_a_column_of_numbers_gets_the_keyed_hashes_of_each_number(numbers):
    ring = Keyring(fernet_keys=(Fernet.generate_key().decode(),), hash_key=b"k" * 32)
    column = pa.chunked_array([pa.array(["pad", *numbers], pa.string()).slice(1)])
    keys = frame_crypto.phone_key_column(column, ring)
    assert keys.type == pa.string()
    assert keys.to_pylist() == phone_keys(ring, numbers)


def test_a_frames_extra_columns_are_sealed_and_still_stratify_a_draw(
    localities, media_root, tmp_path
):
    # given a frame from another system, with a householder's name, an ID number and the
    # building's type beside the standard columns
    rows = frame_rows(FRAME_SIZES)
    rows["householder"] = [f"户主{k:03d}" for k in range(len(rows))]
    rows["id_number"] = [f"3201021980{k:08d}" for k in range(len(rows))]
    rows["building"] = ["楼房" if k % 3 else "平房" for k in range(len(rows))]
    path = tmp_path / "other.csv"
    rows.to_csv(path, index=False)
    with path.open("rb") as file:
        frame = import_frame(file=file, source_name="other.csv", name="他系统", mapping=MAPPING)
    # then neither file shows them: the Parquet file keeps only where each unit is
    raw, table = _stored(frame, media_root)
    sealed = (media_root / frame_crypto.sealed_path(frame.path)).read_bytes()
    assert table.column_names == ["unit_id", "locality_code", "street_code", "district_code",
                                  "phone_key"]  # fmt: skip
    for content in (raw, sealed):
        text = content.decode("latin-1")
        for value in [*rows["householder"], *rows["id_number"], "楼房", "平房"]:
            assert value.encode().decode("latin-1") not in text
    # and the application reads them back, stratifies by one and keeps them on the units: the
    # stratum column in clear, the name and ID number sealed
    loaded = load_frame(frame)
    assert loaded["householder"].tolist() == rows["householder"].tolist()
    assert loaded["id_number"].tolist() == rows["id_number"].tolist()
    draw = draw_sample(frame=frame, plan=Plan(n=20, strata=("street_code", "building")), seed=3)
    units = list(draw.units.values_list("unit_id", "attributes", "sealed_attributes"))
    by_id = rows.set_index("hh")
    assert len(units) == 20 and {a["building"] for _u, a, _s in units} == {"楼房", "平房"}
    assert all(set(a) == {"building"} for _u, a, _s in units)
    assert all(s["id_number"] == by_id.loc[u, "id_number"] for u, _a, s in units)
