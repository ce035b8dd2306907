"""fieldwork.telephony.twiml: numbers, status → AAPOR hints, the pre-notification text."""

import pytest

from fieldwork.telephony import twiml


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234-5678", "+8613812345678"),
        ("+8613812345678", "+8613812345678"),
    ],
)
def test_e164_formats_mainland_mobiles(raw, expected):
    assert twiml.e164(raw) == expected


def test_e164_refuses_a_non_number_without_repeating_it():
    with pytest.raises(ValueError) as error:
        twiml.e164("12345")
    assert "12345" not in str(error.value)


@pytest.mark.parametrize(
    ("status", "answered_by", "sip", "code"),
    [
        ("busy", "", "", "3.12"),
        ("no-answer", "", "", "3.13"),
        ("failed", "", "", "3.16"),
        ("failed", "", "404", "4.30"),
        ("completed", "machine_start", "", "3.14"),
        ("completed", "fax", "", "4.20"),
        ("completed", "human", "", ""),
        ("completed", "", "", ""),
        ("canceled", "", "", ""),
    ],
)
def test_status_proposes_the_aapor_code(status, answered_by, sip, code):
    assert twiml.proposed_disposition(status, answered_by, sip) == code


def test_prenotification_text_fills_the_placeholders():
    text = twiml.prenotification_text(
        "{client}开展{evaluation}，核实请拨{hotline}",
        evaluation="满意度调查",
        client="平安市",
        hotline="110",
    )
    assert text == "平安市开展满意度调查，核实请拨110"


def test_prenotification_text_names_an_unknown_placeholder():
    with pytest.raises(ValueError, match=r"\{phone\}"):
        twiml.prenotification_text("{phone}", evaluation="", client="", hotline="")
