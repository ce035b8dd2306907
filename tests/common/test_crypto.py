"""common.crypto: tokens, rotation under a keyring, keyed hashes of normalised numbers."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from common.crypto import Keyring, KeyringError, household_key, phone_key


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


@pytest.mark.parametrize("hash_key", [b"h" * 32, bytes(range(64)), bytes(range(100))])
def test_keyed_digests_are_the_hmacs_keyed_hash_makes(hash_key):
    # given texts, ASCII and not, under keys shorter than, as long as and longer than a block
    keys = ring(OLD, hash_key=hash_key)
    texts = ["13812345678", "", "幸福路1号", "x" * 200]
    # when
    digests = keys.keyed_digests("phone:", [text.encode("utf-8") for text in texts])
    # then: 32 bytes each, in order, whose first half in hex is keyed_hash's
    assert len(digests) == 32 * len(texts)
    for i, text in enumerate(texts):
        assert digests[32 * i : 32 * i + 16].hex() == keys.keyed_hash("phone:", text)
