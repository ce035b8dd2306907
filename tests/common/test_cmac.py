"""common.cmac: AES-CMAC of many short messages in one AES call is CMAC, bit for bit."""

import numpy as np
import pytest
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from common.cmac import ShortCmac


def reference(key: bytes, message: bytes) -> bytes:
    """cryptography's own CMAC, one message at a time."""
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(message)
    return mac.finalize()


RFC_KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
RFC_BLOCK = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")


def test_the_rfc_4493_examples():
    # RFC 4493 section 4: the empty message, one whole block, and 40 bytes (the long road)
    tags = ShortCmac(RFC_KEY).of_many([b"", RFC_BLOCK, RFC_BLOCK + bytes.fromhex(
        "ae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411")])  # fmt: skip
    assert [tag.tobytes().hex() for tag in tags] == [
        "bb1d6929e95937287fa37d129b756746",
        "070a16b46b4d4144f79bdd9dd04a287c",
        "dfa66747de9ae63030ca32611497c827",
    ]


@pytest.mark.parametrize("key_bytes", [16, 24, 32])
def test_random_messages_of_every_length_around_a_block_get_cryptographys_tags(key_bytes):
    # given random keys and messages of 0 to 40 bytes, the 15/16/17-byte edges many times
    rng = np.random.default_rng(key_bytes)
    key = rng.bytes(key_bytes)
    lengths = [*range(41), *([15, 16, 17, 11] * 50), *rng.integers(0, 40, 300).tolist()]
    messages = [rng.bytes(int(n)) for n in rng.permutation(lengths)]
    # when
    tags = ShortCmac(key).of_many(messages)
    # then: each one's tag, in their order
    assert tags.shape == (len(messages), 16)
    assert [tag.tobytes() for tag in tags] == [reference(key, m) for m in messages]


@pytest.mark.parametrize("width", [1, 11, 15, 16])
def test_a_matrix_of_messages_of_one_length_gets_the_same_tags(width):
    rng = np.random.default_rng(width)
    key = rng.bytes(32)
    matrix = rng.integers(0, 256, size=(500, width), dtype=np.uint8)
    tags = ShortCmac(key).of_columns(matrix)
    assert [t.tobytes() for t in tags] == [reference(key, row.tobytes()) for row in matrix]


def test_a_matrix_wider_than_a_block_is_refused():
    with pytest.raises(ValueError, match="longer than a block"):
        ShortCmac(bytes(16)).of_columns(np.zeros((2, 17), dtype=np.uint8))


def test_a_different_key_gives_different_tags():
    messages = [b"13812345678", b"13812345679"]
    first, second = ShortCmac(bytes(32)).of_many(messages), ShortCmac(b"\1" * 32).of_many(messages)
    assert not (first == second).all(axis=1).any()
    assert (first[0] != first[1]).any()
