"""AES-CMAC (NIST SP 800-38B, RFC 4493) of many short messages at once. Pure: no Django.

For a message of at most one block (16 bytes) CMAC is a single AES encryption: the message,
padded with 0x80 and zeros when shorter than a block, XORed with the subkey K2 (K1 when it
fills the block exactly), encrypted under the key. A column of a million phone numbers (11 to
15 digits, all shorter than a block) is therefore one AES-ECB call over a numpy array: the
standard MAC, about forty times faster than an HMAC per number. Longer messages go through
`cryptography`'s own CMAC one by one. Either way the result is CMAC's, bit for bit
(tests/common/test_cmac.py compares them with `cryptography.hazmat.primitives.cmac.CMAC`).
"""

from collections.abc import Sequence

import numpy as np
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16  # AES's block: CMAC's tag is one block
_RB = 0x87  # the constant of SP 800-38B for 128-bit blocks
# The padding of a short message: 0x80, then zeros to the end of the block.
_PADS = [b"\x80" + b"\0" * (BLOCK - 1 - length) for length in range(BLOCK)] + [b""]


class ShortCmac:
    """CMAC under one AES key (16, 24 or 32 bytes), its subkeys derived once."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        zero = self._ecb(np.zeros((1, BLOCK), dtype=np.uint8))
        self._k1 = _doubled(zero)
        self._k2 = _doubled(self._k1)

    def _ecb(self, blocks: np.ndarray) -> bytes:
        encryptor = Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()  # noqa: S305
        return encryptor.update(blocks.tobytes()) + encryptor.finalize()

    def of_columns(self, matrix: np.ndarray) -> np.ndarray:
        """The tags of the messages that are the rows of `matrix` (uint8, n × w, w ≤ 16: every
        message w bytes long), an n × 16 uint8 array."""
        rows, width = matrix.shape
        if width > BLOCK:
            raise ValueError(f"messages of {width} bytes are longer than a block")
        blocks = np.zeros((rows, BLOCK), dtype=np.uint8)
        blocks[:, :width] = matrix
        if width < BLOCK:
            blocks[:, width] = 0x80
        blocks ^= np.frombuffer(self._k1 if width == BLOCK else self._k2, dtype=np.uint8)
        return np.frombuffer(self._ecb(blocks), dtype=np.uint8).reshape(rows, BLOCK)

    def of_many(self, messages: Sequence[bytes]) -> np.ndarray:
        """The tags of any messages, an n × 16 uint8 array in their order: those of a block
        or less in one AES call, longer ones one by one."""
        lengths = np.fromiter(map(len, messages), dtype=np.int64, count=len(messages))
        tags = np.empty((len(messages), BLOCK), dtype=np.uint8)
        short = np.flatnonzero(lengths <= BLOCK)
        if len(short):
            pads, sizes = _PADS, lengths.tolist()
            padded = b"".join([messages[i] + pads[sizes[i]] for i in short.tolist()])
            blocks = np.frombuffer(padded, dtype=np.uint8).reshape(-1, BLOCK).copy()
            full = lengths[short] == BLOCK
            blocks ^= np.where(
                full[:, None],
                np.frombuffer(self._k1, dtype=np.uint8),
                np.frombuffer(self._k2, dtype=np.uint8),
            )
            tags[short] = np.frombuffer(self._ecb(blocks), dtype=np.uint8).reshape(-1, BLOCK)
        for i in np.flatnonzero(lengths > BLOCK).tolist():
            tags[i] = np.frombuffer(self.of_one(messages[i]), dtype=np.uint8)
        return tags

    def of_one(self, message: bytes) -> bytes:
        """The tag of one message of any length (cryptography's CMAC)."""
        mac = cmac.CMAC(algorithms.AES(self._key))
        mac.update(message)
        return mac.finalize()


def _doubled(block: bytes) -> bytes:
    """The block times x in GF(2^128) (SP 800-38B's subkey step): shifted left one bit, the
    constant XORed into the last byte when the top bit falls off."""
    value = int.from_bytes(block, "big") << 1
    if value >> (8 * BLOCK):
        value = (value ^ _RB) & ((1 << (8 * BLOCK)) - 1)
    return value.to_bytes(BLOCK, "big")
