"""Mainland China mobile numbers: normalising and masking, vectorised over pandas Series.

Pure: pandas only. A normalised number is 11 digits matching ``1[3-9][0-9]{9}``; a masked one
shows the first 3 and last 4 digits (``138****5678``), enough to recognise a number and not
enough to dial it. Every UI and every shared report shows masked numbers only.
"""

import pandas as pd

MOBILE_PATTERN = r"1[3-9][0-9]{9}"  # ASCII digits only: Python's \d would take any script's
# Typing noise: spaces, tabs and dashes of every width (NFKC folds full-width forms first).
_SEPARATORS = r"[ \t\-–—]"
_COUNTRY_CODE = r"^(?:\+|00)?86(1[0-9]{10})$"


def as_text(values: pd.Series) -> pd.Series:
    """Values as the default ``str`` dtype, missing values as ``""`` (never ``"nan"``)."""
    return values.fillna("").astype(str)


def normalise_mobiles(values: pd.Series) -> pd.Series:
    """Normalise phone strings to 11-digit mobile numbers.

    values: Series of str (any index). Returns a Series of str with the same index: the
    11-digit number, or NA where the value is not a mainland mobile number after folding
    full-width characters (NFKC) and removing spaces, dashes and a +86/86/0086 prefix.

    Clean values are matched once; only the rest pay for the slower clean-up (regexes are kept
    within what pyarrow runs natively: no lookarounds, no \\s).
    """
    text = as_text(values).str.strip()
    clean = text.str.fullmatch(MOBILE_PATTERN)
    result = text.where(clean)
    if not clean.all():
        messy = text[~clean].str.normalize("NFKC").str.replace(_SEPARATORS, "", regex=True)
        messy = messy.str.replace(_COUNTRY_CODE, r"\1", regex=True)
        result[~clean] = messy.where(messy.str.fullmatch(MOBILE_PATTERN))
    return result


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; values shorter than 8 characters are fully masked."""
    value = value.strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_phones(values: pd.Series) -> pd.Series:
    """Vectorised :func:`mask_phone`: a Series of str with the same index."""
    text = as_text(values).str.strip()
    long_enough = text.str.len() >= 8
    masked_long = text.str.slice(0, 3) + "****" + text.str.slice(-4)
    masked_short = text.str.replace(r".", "*", regex=True)
    return masked_long.where(long_enough, masked_short)


def looks_like_mobile(values: pd.Series) -> pd.Series:
    """Boolean Series: the value would normalise to a mobile number (so it must be masked)."""
    return normalise_mobiles(values).notna()
