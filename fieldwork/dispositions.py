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
    Disposition("2.34", gettext_noop("Inadequate audio quality"), "O", False),
    Disposition("2.35", gettext_noop("Location/respondent away"), "O", False),
    Disposition("2.36", gettext_noop("Other, eligible"), "O", True),
    Disposition("3.11", gettext_noop("Not attempted"), "UH", False),
    Disposition("3.12", gettext_noop("Always busy"), "UH", False),
    Disposition("3.13", gettext_noop("No answer"), "UH", False),
    Disposition("3.14", gettext_noop("Answering machine, unknown if household"), "UH", False),
    Disposition("3.15", gettext_noop("Call blocking"), "UH", False),
    Disposition("3.16", gettext_noop("Technical phone problems"), "UH", False),
    # In-person household codes (AAPOR's in-person table), for door-to-door visits.
    Disposition("3.17", gettext_noop("Unable to reach the housing unit"), "UH", False),
    Disposition("3.18", gettext_noop("Unable to locate the address"), "UH", False),
    Disposition("3.21", gettext_noop("No screener completed"), "UR", False),
    Disposition("3.90", gettext_noop("Other, unknown eligibility"), "UO", False),
    Disposition("4.10", gettext_noop("Out of sample"), "NE", True),
    Disposition("4.20", gettext_noop("Fax/data line"), "NE", True),
    Disposition("4.30", gettext_noop("Non-working/disconnected number"), "NE", True),
    Disposition("4.40", gettext_noop("Special technological circumstances"), "NE", True),
    Disposition("4.50", gettext_noop("Non-residence"), "NE", True),
    Disposition("4.60", gettext_noop("Vacant housing unit"), "NE", True),
    Disposition("4.70", gettext_noop("No eligible respondent"), "NE", True),
    Disposition("4.80", gettext_noop("Quota filled"), "NE", True),
    Disposition("4.90", gettext_noop("Other, not eligible"), "NE", True),
)

BY_CODE: dict[str, Disposition] = {d.code: d for d in DISPOSITIONS}
DISPOSITION_CHOICES = [(d.code, f"{d.code} {d.label}") for d in DISPOSITIONS]

# The codes fieldwork sets itself (the rest an interviewer picks from the list above).
COMPLETE = "1.1"
PARTIAL = "1.2"
RESPONDENT_REFUSAL = "2.112"  # declined at the consent question
BREAK_OFF = "2.12"
NOT_ATTEMPTED = "3.11"
ALWAYS_BUSY = "3.12"
LANGUAGE_PROBLEM = "2.33"  # a case that failed on language goes to a speaker of it
NO_ANSWER = "3.13"
ANSWERING_MACHINE = "3.14"  # unknown if household
TECHNICAL_PHONE_PROBLEMS = "3.16"
# A completed interview a later stage voided (finally rejected in quality control): the case
# is an eligible non-interview for the rates, not a complete.
VOIDED_INTERVIEW = "2.36"
FAX_DATA_LINE = "4.20"
NON_WORKING_NUMBER = "4.30"
NO_ELIGIBLE_RESPONDENT = "4.70"

# What an interviewer may record for a call or visit that did not become an interview.
NON_INTERVIEW_CODES = [
    d.code for d in DISPOSITIONS if d.group not in {"I", "P"} and d.code != NOT_ATTEMPTED
]


def is_final(code: str) -> bool:
    """True when an attempt ending with `code` closes the case."""
    return BY_CODE[code].final


@dataclass(frozen=True)
class Outcome:
    """What an interviewer picks after a call or visit: plain words, the AAPOR code beside."""

    code: str
    label: str
    needs_appointment: bool = False  # the respondent asked to be called or visited again


CALLBACK_REQUESTED = "2.21"

# A call that did not become an interview, in the words of the person on the phone. Ordered
# by how often they happen; no fax or voicemail on doors, no vacant flats on phones.
PHONE_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(NO_ANSWER, gettext_noop("No answer")),
    Outcome(ALWAYS_BUSY, gettext_noop("Line busy")),
    Outcome(ANSWERING_MACHINE, gettext_noop("Answering machine or voicemail")),
    Outcome(CALLBACK_REQUESTED, gettext_noop("Callback requested"), needs_appointment=True),
    Outcome("2.111", gettext_noop("Refused by whoever answered (household)")),
    Outcome(RESPONDENT_REFUSAL, gettext_noop("Refused by the respondent")),
    Outcome("2.35", gettext_noop("Respondent away for the whole survey period")),
    Outcome("2.32", gettext_noop("Respondent unable to answer (illness, hearing)")),
    Outcome("2.33", gettext_noop("Language problem")),
    Outcome("2.31", gettext_noop("Respondent deceased")),
    Outcome("4.10", gettext_noop("Wrong number: not the sampled household")),
    Outcome(NON_WORKING_NUMBER, gettext_noop("Number not in service")),
    Outcome(FAX_DATA_LINE, gettext_noop("Fax or data line")),
    Outcome("4.50", gettext_noop("Business or office, not a home")),
    Outcome(NO_ELIGIBLE_RESPONDENT, gettext_noop("Nobody eligible lives there")),
    Outcome("3.15", gettext_noop("Call blocked")),
    Outcome(TECHNICAL_PHONE_PROBLEMS, gettext_noop("Technical problem on the line")),
)
# A door-to-door visit that did not become an interview.
DOOR_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(NO_ANSWER, gettext_noop("Nobody at home")),
    Outcome(CALLBACK_REQUESTED, gettext_noop("Come back later (appointment)"), True),
    Outcome("2.111", gettext_noop("Refused at the door (household)")),
    Outcome(RESPONDENT_REFUSAL, gettext_noop("Refused by the respondent")),
    Outcome("2.35", gettext_noop("Respondent away for the whole survey period")),
    Outcome("2.32", gettext_noop("Respondent unable to answer (illness, hearing)")),
    Outcome("2.33", gettext_noop("Language problem")),
    Outcome("2.31", gettext_noop("Respondent deceased")),
    Outcome("3.17", gettext_noop("Could not reach the door (locked building, guard)")),
    Outcome("3.18", gettext_noop("Address not found")),
    Outcome("4.60", gettext_noop("Vacant dwelling")),
    Outcome("4.50", gettext_noop("Demolished, or not a dwelling")),
    Outcome(NO_ELIGIBLE_RESPONDENT, gettext_noop("Nobody eligible lives there")),
    Outcome("4.10", gettext_noop("Outside the survey area")),
)
OUTCOMES_BY_MODE: dict[str, tuple[Outcome, ...]] = {"phone": PHONE_OUTCOMES, "door": DOOR_OUTCOMES}


def outcome_for(mode: str, code: str) -> Outcome | None:
    """The outcome an interviewer may record for `mode`, or None when it is not on that list."""
    return next((o for o in OUTCOMES_BY_MODE.get(mode, ()) if o.code == code), None)


# Group headings of the AAPOR list, accepted in files (e.g. counts reported per heading).
HEADINGS: dict[str, tuple[str, str]] = {
    "1.0": (gettext_noop("Interview"), ""),  # I or P: ambiguous, not accepted as a count
    "2.0": (gettext_noop("Eligible, no interview"), ""),
    "2.10": (gettext_noop("Refusal and break-off"), "R"),
    "2.20": (gettext_noop("Non-contact"), "NC"),
    "2.30": (gettext_noop("Other, eligible"), "O"),
    "3.0": (gettext_noop("Unknown eligibility, no interview"), ""),
    "3.10": (gettext_noop("Unknown if household"), "UH"),
    "3.20": (gettext_noop("Household, eligibility unknown"), "UR"),
    "3.90": (gettext_noop("Other, unknown eligibility"), "UO"),
    "4.0": (gettext_noop("Not eligible"), "NE"),
}
GROUPS = ("I", "P", "R", "NC", "O", "UH", "UR", "UO", "NE")


def group_of(code: str) -> str:
    """The rate group (I, P, R, NC, O, UH, UR, UO, NE) of a code or of a group heading.

    Raises KeyError for an unknown code or an ambiguous heading (1.0, 2.0, 3.0).
    """
    code = code.strip()
    if code in BY_CODE:
        return BY_CODE[code].group
    group = HEADINGS.get(code, ("", ""))[1]
    if not group:
        raise KeyError(code)
    return group


# Final-code precedence, strongest first. An interview outranks everything; a refusal
# (which proves an eligible household) outranks later non-contacts and later ineligibility
# findings; other eligible outcomes and eligible non-contacts outrank not-eligible findings,
# and a known not-eligible outranks every unknown. After queXS (functions.aapor.php) and
# ropensci/outcomerate: eligibility, once established by a contact, is not undone later.
PRECEDENCE = ("I", "P", "R", "O", "NC", "NE", "UR", "UO", "UH")


def final_disposition(codes: list[str]) -> str:
    """The case's final AAPOR code from its attempts' codes, in the order they were made.

    Blank codes (attempts still open) are ignored; no codes at all gives 3.11 (not attempted).
    Within the winning group the latest code wins, except that 3.12 (always busy) holds only
    when every unknown-household attempt was busy; otherwise the latest other 3.1x code wins.
    Raises KeyError naming an unknown code.
    """
    known = [code.strip() for code in codes if code and code.strip()]
    for code in known:
        if code not in BY_CODE:
            raise KeyError(code)
    if not known:
        return NOT_ATTEMPTED
    by_group: dict[str, list[str]] = {}
    for code in known:
        by_group.setdefault(BY_CODE[code].group, []).append(code)
    for group in PRECEDENCE:
        if group not in by_group:
            continue
        in_group = by_group[group]
        if group == "UH":
            others = [code for code in in_group if code not in (ALWAYS_BUSY, NOT_ATTEMPTED)]
            if others:
                return others[-1]
        return in_group[-1]
    raise AssertionError("every code belongs to a group")  # pragma: no cover
