"""Within-household selection of the one respondent a door-to-door interview is taken with.

Pure: standard library only. Every function is deterministic given its inputs, so the selection
on a visit can be recomputed and checked by QC.

Kish (1949) grid. The interviewer lists the household's eligible adults, males first from the
oldest to the youngest, then females in the same order (:func:`kish_listing`). Each sampled
household carries one of the eight selection tables A, B1, B2, C, D, E1, E2, F, assigned in the
series of twelve below (A, B1, B2, C, D, E1, E2 and F in shares 2/12, 1/12, 1/12, 2/12, 2/12,
1/12, 1/12, 2/12); the table maps the number of eligible adults (1…6, 6 meaning "6 or more") to
the line of the listing to interview. Selection is exactly equal-probability for 1–4 adults and
close to it for 5 and 6+ (Kish's own compromise).

Birthday methods: the adult whose birthday came last before (or on) the visit date, or comes
next after it.
"""

from dataclasses import dataclass
from datetime import date

# Table → person selected, for 1, 2, 3, 4, 5, 6+ eligible adults (Kish 1949).
KISH_TABLES: dict[str, tuple[int, int, int, int, int, int]] = {
    "A": (1, 1, 1, 1, 1, 1),
    "B1": (1, 1, 1, 1, 2, 2),
    "B2": (1, 1, 1, 2, 2, 2),
    "C": (1, 1, 2, 2, 3, 3),
    "D": (1, 2, 2, 3, 4, 4),
    "E1": (1, 2, 3, 3, 3, 5),
    "E2": (1, 2, 3, 4, 5, 5),
    "F": (1, 2, 3, 4, 5, 6),
}
# The series of twelve, dealt to sampled households in turn.
KISH_SERIES: tuple[str, ...] = ("A", "A", "B1", "B2", "C", "C", "D", "D", "E1", "E2", "F", "F")


@dataclass(frozen=True)
class Adult:
    """One eligible household member as the interviewer lists them."""

    name: str
    sex: str  # "M" or "F"
    age: int
    birthday: date | None = None


def kish_table(serial: int, *, start: int = 0) -> str:
    """The selection table of the household with this serial number (0, 1, 2, … in the order
    the households were sampled); `start` shifts the series (pick it at random, once per
    sample, and record it)."""
    if serial < 0:
        raise ValueError("The serial number must be 0 or more.")
    return KISH_SERIES[(serial + start) % len(KISH_SERIES)]


def kish_listing(adults: list[Adult]) -> list[Adult]:
    """Kish's order: males from oldest to youngest, then females from oldest to youngest; ties
    keep the order they were given in."""
    for adult in adults:
        if adult.sex not in ("M", "F"):
            raise ValueError(f"Sex of {adult.name!r} must be 'M' or 'F', not {adult.sex!r}.")
    return sorted(adults, key=lambda a: (a.sex != "M", -a.age))


def kish_line(table: str, n_adults: int) -> int:
    """The listing line (1-based) to interview under `table` with `n_adults` eligible adults."""
    if table not in KISH_TABLES:
        raise ValueError(f"Unknown Kish table {table!r}; use one of {', '.join(KISH_TABLES)}.")
    if n_adults < 1:
        raise ValueError("A household needs at least one eligible adult.")
    return KISH_TABLES[table][min(n_adults, 6) - 1]


def kish_order(sexes_and_ages: list[tuple[str, int]]) -> list[int]:
    """0-based positions of a listing (as entered) in Kish's order (:func:`kish_listing`)."""
    return sorted(
        range(len(sexes_and_ages)),
        key=lambda i: (sexes_and_ages[i][0] != "M", -sexes_and_ages[i][1]),
    )


KISH_SHARES: dict[str, float] = {t: KISH_SERIES.count(t) / len(KISH_SERIES) for t in KISH_TABLES}
# Lines a Kish table can pick: a household with more adults leaves the rest out of the sample.
KISH_LINES = max(len(lines) for lines in KISH_TABLES.values())


def kish_probability(n_adults: int, line: int) -> float:
    """P(the adult on Kish line `line` is selected | `n_adults` listed): the share of the
    series of twelve whose table picks that line (tables dealt with a random start make each
    household's table one of the twelve with equal chance). 1/n for 1–4 and 6 adults, 2/12 or
    3/12 for 5, 1/6 for lines 1–6 of a larger household and 0 beyond line 6."""
    if n_adults < 1 or not 1 <= line <= n_adults:
        raise ValueError("The line must be between 1 and the number of adults.")
    column = min(n_adults, KISH_LINES) - 1
    return sum(KISH_SHARES[t] for t, lines in KISH_TABLES.items() if lines[column] == line)


def kish_select(adults: list[Adult], *, table: str) -> Adult:
    """The adult to interview: list by :func:`kish_listing`, then take :func:`kish_line`."""
    listing = kish_listing(adults)
    return listing[kish_line(table, len(listing)) - 1]


def last_birthday(adults: list[Adult], *, on: date) -> Adult:
    """The adult whose most recent birthday (on or before `on`) is latest; ties go to the first
    listed. A 29 February birthday counts as 28 February in common years."""
    return min(adults, key=lambda a: _days_since_birthday(_birthday(a), on))


def next_birthday(adults: list[Adult], *, on: date) -> Adult:
    """The adult whose next birthday (after `on`; a birthday today counts as next year's) comes
    soonest; ties go to the first listed."""
    return min(adults, key=lambda a: _days_until_birthday(_birthday(a), on))


def _birthday(adult: Adult) -> date:
    if adult.birthday is None:
        raise ValueError(f"No birthday for {adult.name!r}.")
    return adult.birthday


def _in_year(birthday: date, year: int) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def _days_since_birthday(birthday: date, on: date) -> int:
    this_year = _in_year(birthday, on.year)
    last = this_year if this_year <= on else _in_year(birthday, on.year - 1)
    return (on - last).days


def _days_until_birthday(birthday: date, on: date) -> int:
    this_year = _in_year(birthday, on.year)
    upcoming = this_year if this_year > on else _in_year(birthday, on.year + 1)
    return (upcoming - on).days


# Answers to a sex question as forms and listings write them → "M" / "F" (pyxform choice
# values, Chinese labels, the codes 1/2 of many national surveys).
SEX_ANSWERS: dict[str, str] = {
    "m": "M",
    "male": "M",
    "男": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "女": "F",
    "2": "F",
}
# Years an interview's age may differ from the roster's before the respondent is taken for
# someone else: the roster's age is often another member's guess, and a birthday between the
# listing and the interview, or 虚岁 (counting the year of birth as one) against 周岁, move it
# by one or two years.
AGE_TOLERANCE_YEARS = 2


def sex_code(answer: object) -> str | None:
    """ "M" / "F" for an answer to a sex question (see SEX_ANSWERS); None when not one."""
    return SEX_ANSWERS.get(str(answer if answer is not None else "").strip().lower())


def differences(
    selected: Adult, *, sex: str | None, age: int | None, tolerance: int = AGE_TOLERANCE_YEARS
) -> list[str]:
    """How the respondent's recorded sex and age ("M"/"F", years; None: not recorded) differ
    from the selected adult's: ["sex"], ["age"], both or none. Ages differ when they are more
    than `tolerance` years apart."""
    found = []
    if sex is not None and sex != selected.sex:
        found.append("sex")
    if age is not None and abs(age - selected.age) > tolerance:
        found.append("age")
    return found
