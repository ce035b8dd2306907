"""common.crypto: tokens, rotation under a keyring, keyed hashes of normalised numbers."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from common.crypto import (
    PHONE_KEY_SCHEME,
    Keyring,
    KeyringError,
    household_key,
    phone_key,
    phone_keys,
)


def ring(*keys: str, hash_key: bytes = b"h" * 32) -> Keyring:
    return Keyring(fernet_keys=keys, hash_key=hash_key)


OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_token_differs_each_time_and_opens_to_the_text():
    keys = ring(OLD)
    first, second = keys.encrypt("13812345678"), keys.encrypt("13812345678")
    assert first != second and "13812345678" not in first
    assert keys.decrypt(first) == keys.decrypt(second) == "13812345678"
    assert keys.encrypt("") == "" and keys.decrypt("") == ""
    assert keys.decrypt(keys.encrypt("幸福路1号")) == "幸福路1号"


def test_rotation_the_new_key_first_old_tokens_still_open_and_rotate_to_the_new_key():
    token = ring(OLD).encrypt("13812345678")
    both = ring(NEW, OLD)
    assert both.decrypt(token) == "13812345678" and not both.is_newest(token)
    rotated = both.rotate(token)
    assert both.is_newest(rotated)
    assert ring(NEW).decrypt(rotated) == "13812345678"
    with pytest.raises(InvalidToken):
        ring(NEW).decrypt(token)
    with pytest.raises(InvalidToken):
        ring(OLD).decrypt(rotated)


def test_keyed_hashes_match_a_number_however_written_and_only_under_their_key():
    keys = ring(OLD)
    written = ["138 1234 5678", "+86 138-1234-5678", "008613812345678", "13812345678"]
    assert len({phone_key(keys, number) for number in written}) == 1
    assert phone_key(keys, "13812345678") != phone_key(ring(OLD, hash_key=b"x" * 32), "13812345678")
    assert phone_key(keys, "13812345678") != household_key(keys, "13812345678")  # per purpose
    assert household_key(keys, "幸福路 1号") == household_key(keys, "幸福路1号")
    assert phone_key(keys, "") is None and household_key(keys, None) is None
    assert len(phone_key(keys, "13812345678")) == 32


def test_a_bad_or_missing_key_is_refused():
    with pytest.raises(KeyringError):
        ring()
    with pytest.raises(KeyringError):
        ring("not-a-key")
    with pytest.raises(KeyringError):
        ring(OLD, hash_key=b"short")


def cmac_under_the_phone_key(hash_key: bytes, number: str) -> str:
    """The phone key by hand: AES-CMAC (cryptography's) under HMAC-SHA256(hash key, scheme)."""
    derived = hmac.new(hash_key, b"aes-cmac-1", hashlib.sha256).digest()
    mac = cmac.CMAC(algorithms.AES(derived))
    mac.update(number.encode("utf-8"))
    return mac.finalize().hex()


@pytest.mark.parametrize("hash_key", [b"h" * 32, bytes(range(64)), bytes(range(100))])
def test_a_phone_key_is_the_aes_cmac_of_the_number_under_a_key_for_phone_numbers(hash_key):
    # given numbers of 11, 15, 16 and 17 digits (the last over one AES block), and one not
    # in ASCII digits
    keys = ring(OLD, hash_key=hash_key)
    numbers = ["13812345678", "861381234567890", "8613812345678901", "86138123456789012"]
    numbers.append("１３８１２３４５６７８")  # full-width digits stay as they are
    # when: one at a time and as a column
    one_by_one = [phone_key(keys, number) for number in numbers]
    column = phone_keys(keys, ["", *numbers, None])
    # then: CMAC's tag in hex, 32 characters; none for no number
    expected = [cmac_under_the_phone_key(hash_key, number) for number in numbers]
    assert one_by_one == expected and column == ["", *expected, ""]
    assert PHONE_KEY_SCHEME == "aes-cmac-1"


def test_the_former_hmac_keys_are_still_made_for_migrating_back():
    keys = ring(OLD)
    expected = hmac.new(b"h" * 32, b"phone:13812345678", hashlib.sha256).hexdigest()[:32]
    assert keys.keyed_hashes("phone:", ["13812345678", ""]) == [expected, ""]
    assert keys.keyed_hash("phone:", "13812345678") == expected != phone_key(keys, "13812345678")
