import pandas as pd

from sampling.phones import mask_phone, mask_phones, normalise_mobiles


def test_prefixes_and_separators_normalise_to_eleven_digits():
    values = pd.Series(
        [
            "13812345678",
            "+86 138-1234-5678",
            "8613812345678",
            "008613812345678",
            " 138 1234 5678 ",
            "１３８１２３４５６７８",  # full-width digits, as typed with a Chinese IME
        ]
    )

    assert normalise_mobiles(values).tolist() == ["13812345678"] * 6


def test_non_mobile_values_normalise_to_missing():
    values = pd.Series(["12812345678", "1381234567", "138123456789", "02584001234", "", None])

    assert normalise_mobiles(values).isna().all()


def test_mask_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"
    assert mask_phones(pd.Series(["13812345678", "123", ""])).tolist() == ["138****5678", "***", ""]
