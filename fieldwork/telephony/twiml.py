"""What we say to Twilio and what its answers mean: TwiML, E.164 numbers, webhook fields
without phone numbers, a call's status as an AAPOR hint, the pre-notification text.

Pure: no Django, no I/O, nothing of our models (the REST client is fieldwork.telephony.gateway).
"""

import re

from twilio.twiml.voice_response import VoiceResponse

from fieldwork.dispositions import (
    ALWAYS_BUSY,
    ANSWERING_MACHINE,
    FAX_DATA_LINE,
    NO_ANSWER,
    NON_WORKING_NUMBER,
    TECHNICAL_PHONE_PROBLEMS,
)

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Webhook fields that carry phone numbers: dropped before anything is stored.
PHONE_FIELDS = frozenset(
    {"To", "From", "Called", "Caller", "ForwardedFrom", "CalledVia", "CallerName"}
)
# SIP answers meaning the number does not exist (not a passing technical problem).
INVALID_NUMBER_SIP_CODES = frozenset({"404", "410", "484", "604"})


def e164(phone: str) -> str:
    """``13812345678`` → ``+8613812345678``; a number already in E.164 is kept.

    Raises ValueError for anything else (the message never repeats the number).
    """
    value = re.sub(r"[\s\-()]", "", phone)
    if re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
        return value
    if re.fullmatch(r"1[3-9][0-9]{9}", value):
        return f"+86{value}"
    raise ValueError("not a dialable phone number")


def without_phones(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if key not in PHONE_FIELDS}


def bridge_twiml(
    *,
    respondent_phone: str,
    caller_id: str,
    action_url: str,
    status_url: str,
    recording_url: str,
) -> str:
    """What Twilio does once the interviewer answers: ring the respondent and bridge.

    answerOnBridge keeps the interviewer hearing the ringing (not silence); the recording is
    dual-channel (interviewer and respondent on separate channels) from the answer on.
    """
    response = VoiceResponse()
    dial = response.dial(
        answer_on_bridge=True,
        caller_id=caller_id,
        record="record-from-answer-dual",
        action=action_url,
        method="POST",
        recording_status_callback=recording_url,
        recording_status_callback_method="POST",
    )
    dial.number(
        e164(respondent_phone),
        status_callback=status_url,
        status_callback_method="POST",
        status_callback_event=" ".join(STATUS_EVENTS),
    )
    return str(response)


def hangup_twiml() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def proposed_disposition(status: str, answered_by: str = "", sip_response_code: str = "") -> str:
    """The AAPOR code a respondent leg's outcome suggests; "" when the interviewer must say.

    busy → 3.12, no-answer → 3.13, failed → 4.30 when the network says the number does not
    exist, else 3.16; answered by a machine → 3.14, by a fax → 4.20. A person answering (or
    a call cancelled before the answer) is for the interviewer to code: 1.1 by starting the
    interview, or a refusal, break-off, language problem, no eligible respondent …
    """
    if status == "busy":
        return ALWAYS_BUSY
    if status == "no-answer":
        return NO_ANSWER
    if status == "failed":
        return (
            NON_WORKING_NUMBER
            if sip_response_code in INVALID_NUMBER_SIP_CODES
            else TECHNICAL_PHONE_PROBLEMS
        )
    if status == "completed":
        if answered_by.startswith("machine"):
            return ANSWERING_MACHINE
        if answered_by == "fax":
            return FAX_DATA_LINE
    return ""


PRENOTIFICATION_FIELDS = ("evaluation", "client", "hotline")


def prenotification_text(template: str, *, evaluation: str, client: str, hotline: str) -> str:
    """The SMS text: `template` with {evaluation}, {client} and {hotline} filled in.

    Raises ValueError naming the problem when the template uses another placeholder or
    unbalanced braces.
    """
    try:
        return template.format_map({"evaluation": evaluation, "client": client, "hotline": hotline})
    except KeyError as error:
        raise ValueError(
            f"unknown placeholder {{{error.args[0]}}}; use {{evaluation}}, {{client}}, {{hotline}}"
        ) from None
    except (ValueError, IndexError) as error:
        raise ValueError(f"the message is not a valid template: {error}") from None
