"""The case's final AAPOR code from its attempts: hand-worked sequences."""

import pytest

from fieldwork.dispositions import final_disposition, group_of


@pytest.mark.parametrize(
    ("codes", "final", "why"),
    [
        ([], "3.11", "never attempted"),
        (["3.13", "3.13", "1.1"], "1.1", "an interview outranks all"),
        (["2.112", "3.13", "1.2"], "1.2", "a partial outranks an earlier refusal"),
        (["1.2", "2.12"], "1.2", "a partial stays a partial when it breaks off again"),
        (["3.13", "2.111", "3.13", "3.12"], "2.111", "a refusal outranks later non-contacts"),
        (["2.112", "4.30"], "2.112", "eligibility shown by a refusal is not undone"),
        (["3.13", "2.221", "3.13"], "2.221", "a known-eligible non-contact outranks unknowns"),
        (["2.21", "4.30"], "2.21", "a known-eligible non-contact outranks a later NE"),
        (["3.13", "4.30"], "4.30", "not eligible wins over unknown"),
        (["3.90", "4.20", "3.13"], "4.20", "not eligible wins over later unknowns"),
        (["3.12", "3.12", "3.12"], "3.12", "always busy only if every attempt was busy"),
        (["3.12", "3.13", "3.12"], "3.13", "busy then no answer is no answer"),
        (["3.13", "3.14"], "3.14", "within a group the latest code wins"),
        (["3.13", "3.21"], "3.21", "a household reached outranks unknown household"),
        (["2.35", "2.21"], "2.35", "other eligible outranks non-contact"),
        (["", "3.13", ""], "3.13", "open attempts are ignored"),
    ],
)
def test_final_disposition_by_precedence(codes, final, why):
    assert final_disposition(codes) == final, why


def test_unknown_code_is_named():
    with pytest.raises(KeyError, match="9.9"):
        final_disposition(["3.13", "9.9"])


def test_headings_map_to_groups_but_ambiguous_ones_do_not():
    assert group_of("2.20") == "NC" and group_of(" 3.90 ") == "UO" and group_of("4.0") == "NE"
    assert group_of("3.21") == "UR"
    with pytest.raises(KeyError):
        group_of("1.0")
