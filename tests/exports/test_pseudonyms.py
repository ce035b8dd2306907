import re

from exports.pseudonyms import interviewer_codes


def test_codes_are_stable_within_a_wave_and_differ_across_waves():
    first = interviewer_codes(1, [7, 8, 7], "secret")
    again = interviewer_codes(1, [8, 7], "secret")
    other_wave = interviewer_codes(2, [7, 8], "secret")
    assert first == again and set(first) == {7, 8}
    assert first[7] != first[8]
    assert first[7] != other_wave[7] and first[8] != other_wave[8]
    assert all(re.fullmatch(r"I-[0-9A-F]{8}", code) for code in first.values())


def test_codes_depend_on_the_servers_secret_and_show_no_id():
    ours = interviewer_codes(1, [7], "secret")[7]
    assert interviewer_codes(1, [7], "another secret")[7] != ours
    assert "7" not in ours.removeprefix("I-") or len(ours) == 10


def test_codes_stay_unique_among_many_interviewers():
    codes = interviewer_codes(3, list(range(1, 5001)), "secret")
    assert len(set(codes.values())) == 5000
