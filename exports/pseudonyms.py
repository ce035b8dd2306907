"""Per-wave pseudonymous interviewer codes. Pure: no Django.

A code is an HMAC-SHA256 of the wave and the interviewer's id under a key only the server
holds (derived from SECRET_KEY): the same interviewer has the same code throughout a wave's
exports and another in every other wave, and nobody without the key can tell whom a code
stands for or link codes across waves. Names and logins never leave the server.
"""

import hashlib
import hmac

__all__ = ["interviewer_codes"]

_PURPOSE = b"exports.interviewer-code"


def interviewer_codes(wave_id: int, interviewer_ids: list[int], secret: str) -> dict[int, str]:
    """{interviewer id: code like "I-3F9A2C71"} for one wave; codes are unique within it (a
    collision of the 8 hex digits, rare, lengthens both codes)."""
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    digests = {
        pk: hmac.new(key, f"{wave_id}:{pk}".encode(), hashlib.sha256).hexdigest().upper()
        for pk in sorted(set(interviewer_ids))
    }
    length = 8
    while len({d[:length] for d in digests.values()}) < len(digests):
        length += 2
    return {pk: f"I-{digest[:length]}" for pk, digest in digests.items()}
