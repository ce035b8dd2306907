"""Fieldwork's models, by topic; Django finds them all here (models.py was split)."""

from fieldwork.models.audits import AudioAudit
from fieldwork.models.cases import (
    Appointment,
    Case,
    CaseEvent,
    ContactAttempt,
    Mode,
    RespondentSelection,
)
from fieldwork.models.interviews import Interview, SubmissionKey
from fieldwork.models.privacy import ProcessingRecord
from fieldwork.models.staff import Dialect, InterviewerProfile
from fieldwork.models.telephony import (
    Call,
    InterviewerLine,
    PhoneReveal,
    PrenotificationPlan,
    SmsMessage,
    TwilioEvent,
)
from fieldwork.models.waves import QuotaTarget, Wave, WaveMode

__all__ = [
    "Appointment",
    "AudioAudit",
    "Call",
    "Case",
    "CaseEvent",
    "ContactAttempt",
    "Dialect",
    "Interview",
    "InterviewerLine",
    "InterviewerProfile",
    "Mode",
    "PhoneReveal",
    "PrenotificationPlan",
    "ProcessingRecord",
    "QuotaTarget",
    "RespondentSelection",
    "SmsMessage",
    "SubmissionKey",
    "TwilioEvent",
    "Wave",
    "WaveMode",
]
