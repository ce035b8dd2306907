"""AAPOR Standard Definitions (telephone, 10th ed. 2023) disposition codes.

Pure data and rules, no Django. Labels are English source strings; the UI translates them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Disposition:
    code: str
    label: str
    group: str  # I, P, R, NC, O, UH, UR, UO, NE: the groups the rate formulas use
    final: bool  # True: the case is closed when an attempt ends with this code


DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("1.1", "Complete", "I", True),
    Disposition("1.2", "Partial", "P", True),
    Disposition("2.11", "Refusal", "R", True),
    Disposition("2.111", "Household-level refusal", "R", True),
    Disposition("2.112", "Known-respondent refusal", "R", True),
    Disposition("2.12", "Break-off", "R", True),
    Disposition("2.21", "Respondent never available", "NC", False),
    Disposition("2.221", "Answering machine, message left", "NC", False),
    Disposition("2.222", "Answering machine, no message left", "NC", False),
    Disposition("2.31", "Respondent deceased", "O", True),
    Disposition("2.32", "Respondent physically or mentally unable", "O", True),
    Disposition("2.33", "Language problem", "O", True),
    Disposition("2.35", "Location/respondent away", "O", False),
    Disposition("2.36", "Other, eligible", "O", True),
    Disposition("3.11", "Not attempted", "UH", False),
    Disposition("3.12", "Always busy", "UH", False),
    Disposition("3.13", "No answer", "UH", False),
    Disposition("3.14", "Answering machine, unknown if household", "UH", False),
    Disposition("3.15", "Call blocking", "UH", False),
    Disposition("3.16", "Technical phone problems", "UH", False),
    Disposition("3.21", "No screener completed", "UR", False),
    Disposition("3.90", "Other, unknown eligibility", "UO", False),
    Disposition("4.10", "Out of sample", "NE", True),
    Disposition("4.20", "Fax/data line", "NE", True),
    Disposition("4.30", "Non-working/disconnected number", "NE", True),
    Disposition("4.40", "Special technological circumstances", "NE", True),
    Disposition("4.50", "Non-residence", "NE", True),
    Disposition("4.70", "No eligible respondent", "NE", True),
    Disposition("4.80", "Quota filled", "NE", True),
    Disposition("4.90", "Other, not eligible", "NE", True),
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
