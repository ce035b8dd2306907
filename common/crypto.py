"""Field-level encryption and keyed hashes of personal data (no Django: keys are passed in).

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a MultiFernet
keyring: the first key encrypts, every key decrypts, so a new key is put first and the old ones
kept until `rotate` has re-encrypted everything under the new one. A token is text (URL-safe
base64), about 100 characters for a mobile number; the same value encrypts differently each
time, so tokens can be stored but never compared.

Matching (the same number drawn before, two interviews of one household) compares keyed
hashes instead, under a separate key, 128 bits in hex. A phone number's is AES-CMAC (NIST SP
800-38B; common.cmac) under a key derived from the hash key for phone numbers alone
(PHONE_KEY_SCHEME): a number is shorter than AES's block, so a column of a million numbers is
one AES call. An address's is HMAC-SHA256 of "home:" and the address, its first 128 bits.
Without the key, enumerating every number of a mobile block gives nothing to compare with.
Stored phone keys (a frame's Parquet file) are labelled with PHONE_KEY_SCHEME, so keys of
another scheme are recomputed, never compared (sampling 0009, rotate_personal_data_keys).
"""

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from common.cmac import ShortCmac

HASH_CHARS = 32  # a keyed hash's 128 bits, in hex
# The phone keys' scheme, stored beside them: AES-256-CMAC under HMAC-SHA256(hash key, it).
PHONE_KEY_SCHEME = "aes-cmac-1"


class KeyringError(ValueError):
    """A key in the environment is not a Fernet key (32 bytes, URL-safe base64)."""


@dataclass(frozen=True)
class Keyring:
    """`fernet_keys`, newest first (the first encrypts); `hash_key` keys the HMACs."""

    fernet_keys: tuple[str, ...]
    hash_key: bytes

    def __post_init__(self) -> None:
        if not self.fernet_keys:
            raise KeyringError("at least one encryption key is needed")
        if len(self.hash_key) < 32:
            raise KeyringError("the hash key must be at least 32 bytes")
        try:
            fernets = [Fernet(key) for key in self.fernet_keys]
        except (ValueError, TypeError) as error:
            raise KeyringError(f"not a Fernet key: {error}") from None
        object.__setattr__(self, "_multi", MultiFernet(fernets))
        object.__setattr__(self, "_newest", fernets[0])
        phone = hmac.new(self.hash_key, PHONE_KEY_SCHEME.encode("ascii"), hashlib.sha256)
        object.__setattr__(self, "_phone_cmac", ShortCmac(phone.digest()))

    def encrypt(self, text: str) -> str:
        """A token for `text` ("" stays "": an empty field says nothing)."""
        if not text:
            return ""
        return self._newest.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of a token made under any key of the ring; InvalidToken otherwise."""
        if not token:
            return ""
        return self._multi.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        """The token re-encrypted under the newest key (already there: a fresh token)."""
        if not token:
            return ""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def is_newest(self, token: str) -> bool:
        """Whether the newest key alone decrypts the token."""
        try:
            self._newest.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def keyed_hash(self, purpose: str, text: str) -> str:
        """HMAC-SHA256 of `purpose` + `text` under the hash key, 32 hex characters."""
        digest = hmac.new(self.hash_key, (purpose + text).encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:HASH_CHARS]

    def encrypt_bytes(self, data: bytes) -> bytes:
        """A token for a whole blob (a frame's personal columns): one call, not one per cell."""
        return self._newest.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        return self._multi.decrypt(token)

    def rotate_bytes(self, token: bytes) -> bytes:
        return self._multi.rotate(token)

    def keyed_hashes(self, purpose: str, texts: Iterable[str]) -> list[str]:
        """`keyed_hash` of each text ("" stays ""), the key's HMAC state computed once (phone
        keys of the former scheme: sampling 0009 going back)."""
        base = hmac.new(self.hash_key, purpose.encode("utf-8"), hashlib.sha256)
        found = []
        for text in texts:
            if not text:
                found.append("")
                continue
            digest = base.copy()
            digest.update(text.encode("utf-8"))
            found.append(digest.hexdigest()[:HASH_CHARS])
        return found

    def phone_digests(self, texts: Sequence[bytes]) -> np.ndarray:
        """The phone keys' digests (AES-CMAC, 16 bytes) of normalised numbers as UTF-8, an
        n × 16 uint8 array in their order; numbers of up to 16 digits in one AES call."""
        return self._phone_cmac.of_many(texts)

    def phone_digests_of_columns(self, matrix: np.ndarray) -> np.ndarray:
        """`phone_digests` of numbers of one length (at most 16), the rows of a uint8 matrix
        of their bytes: no Python object per number."""
        return self._phone_cmac.of_columns(matrix)

    def encrypt_many(self, texts: Iterable[str | None]) -> list[str]:
        return [self.encrypt(text or "") for text in texts]

    def decrypt_many(self, tokens: Iterable[str | None]) -> list[str]:
        return [self.decrypt(token or "") for token in tokens]


def normal_phone(value: object) -> str:
    """Digits only, without a +86/0086 prefix on a mainland mobile: the form hashed."""
    text = re.sub(r"\D", "", str(value or ""))
    return re.sub(r"^(0086|86)(?=1\d{10}$)", "", text)


def normal_address(value: object) -> str:
    """The address without whitespace: the form hashed."""
    return "".join(str(value or "").split())


def phone_key(keyring: Keyring, value: object) -> str | None:
    """The keyed hash of a phone number (PHONE_KEY_SCHEME), None when there is none."""
    text = normal_phone(value)
    return keyring.phone_digests([text.encode("utf-8")])[0].tobytes().hex() if text else None


def household_key(keyring: Keyring, value: object) -> str | None:
    """The keyed hash of an address (or household id), None when there is none."""
    text = normal_address(value)
    return keyring.keyed_hash("home:", text) if text else None


def phone_keys(keyring: Keyring, values: Sequence[object]) -> list[str]:
    """`phone_key` of each value, "" for none (a column of a frame: a number already in digits
    of at most 11, as validated frames hold, is hashed as it is)."""
    texts = [
        value if isinstance(value, str) and value.isdigit() and len(value) <= 11
        else normal_phone(value)
        for value in values
    ]  # fmt: skip
    digests = keyring.phone_digests([text.encode("utf-8") for text in texts]).tobytes().hex()
    return [
        digests[HASH_CHARS * i : HASH_CHARS * (i + 1)] if text else ""
        for i, text in enumerate(texts)
    ]


class Sealed(str):
    """A value kept sealed where it rests: the text itself to every reader (an exact position
    answered in an interview, "latitude longitude altitude accuracy"), a token in the JSON
    column that holds it (common.personal.SealedJSONField). Copying a dict keeps the mark;
    anything that builds a new string from it (strip, a JSON round trip) loses it, so the
    places that write answers mark location answers again (fieldwork.interview.personal_answers
    .seal_locations)."""

    __slots__ = ()


InvalidToken = InvalidToken  # re-exported: callers catch it without importing cryptography
