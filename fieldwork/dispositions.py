"""AAPOR Standard Definitions (telephone, 10th ed. 2023) disposition codes.

Pure data and rules, no Django. Labels are English source strings; the UI translates them.
"""

from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a label for the translation catalogue; the UI translates it when shown."""
    return message


@dataclass(frozen=True)
class Disposition:
    code: str
    label: str
    group: str  # I, P, R, NC, O, UH, UR, UO, NE: the groups the rate formulas use
    final: bool  # True: the case is closed when an attempt ends with this code


DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("1.1", gettext_noop("Complete"), "I", True),
    Disposition("1.2", gettext_noop("Partial"), "P", True),
    Disposition("2.11", gettext_noop("Refusal"), "R", True),
    Disposition("2.111", gettext_noop("Household-level refusal"), "R", True),
    Disposition("2.112", gettext_noop("Known-respondent refusal"), "R", True),
    Disposition("2.12", gettext_noop("Break-off"), "R", True),
    Disposition("2.21", gettext_noop("Respondent never available"), "NC", False),
    Disposition("2.221", gettext_noop("Answering machine, message left"), "NC", False),
    Disposition("2.222", gettext_noop("Answering machine, no message left"), "NC", False),
    Disposition("2.31", gettext_noop("Respondent deceased"), "O", True),
    Disposition("2.32", gettext_noop("Respondent physically or mentally unable"), "O", True),
    Disposition("2.33", gettext_noop("Language problem"), "O", True),
    Disposition("2.35", gettext_noop("Location/respondent away"), "O", False),
    Disposition("2.36", gettext_noop("Other, eligible"), "O", True),
    Disposition("3.11", gettext_noop("Not attempted"), "UH", False),
    Disposition("3.12", gettext_noop("Always busy"), "UH", False),
    Disposition("3.13", gettext_noop("No answer"), "UH", False),
    Disposition("3.14", gettext_noop("Answering machine, unknown if household"), "UH", False),
    Disposition("3.15", gettext_noop("Call blocking"), "UH", False),
    Disposition("3.16", gettext_noop("Technical phone problems"), "UH", False),
    Disposition("3.21", gettext_noop("No screener completed"), "UR", False),
    Disposition("3.90", gettext_noop("Other, unknown eligibility"), "UO", False),
    Disposition("4.10", gettext_noop("Out of sample"), "NE", True),
    Disposition("4.20", gettext_noop("Fax/data line"), "NE", True),
    Disposition("4.30", gettext_noop("Non-working/disconnected number"), "NE", True),
    Disposition("4.40", gettext_noop("Special technological circumstances"), "NE", True),
    Disposition("4.50", gettext_noop("Non-residence"), "NE", True),
    Disposition("4.70", gettext_noop("No eligible respondent"), "NE", True),
    Disposition("4.80", gettext_noop("Quota filled"), "NE", True),
    Disposition("4.90", gettext_noop("Other, not eligible"), "NE", True),
)

BY_CODE: dict[str, Disposition] = {d.code: d for d in DISPOSITIONS}
DISPOSITION_CHOICES = [(d.code, f"{d.code} {d.label}") for d in DISPOSITIONS]

COMPLETE = "1.1"
BREAK_OFF = "2.12"
NO_ELIGIBLE_RESPONDENT = "4.70"

# What an interviewer may record for a call or visit that did not become an interview.
NON_INTERVIEW_CODES = [
    d.code for d in DISPOSITIONS if d.group not in {"I", "P"} and d.code not in {"3.11"}
]


def is_final(code: str) -> bool:
    """True when an attempt ending with `code` closes the case."""
    return BY_CODE[code].final
