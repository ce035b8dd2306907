"""Door-to-door respondent selection: the household listing as typed, and the adult chosen."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork import scheduling
from fieldwork.models import Case, ContactAttempt, Mode, RespondentSelection
from fieldwork.services.attempts import check_own_case
from fieldwork.services.locking import one_writer_per_process
from sampling import household

SEX_CODES = {"M": "M", "F": "F", "男": "M", "女": "F"}
LISTING_SEPARATORS = str.maketrans({"，": ",", "、": ","})


def parse_listing(text: str) -> list[dict]:
    """A household listing as typed, one adult per line: ``name, sex (M/F), age[, MM-DD]``.

    Returns one dict per non-blank line: name, sex ("M"/"F"), age (int), birthday ("MM-DD" or
    ""). Full-width commas are accepted, and 男/女 for the sex. Raises ValidationError naming
    every bad line by its number.
    """
    adults, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.translate(LISTING_SEPARATORS).split(",")]
        problem = _listing_problem(fields)
        if problem:
            problems.append(_("Line %(line)d: %(problem)s") % {"line": number, "problem": problem})
            continue
        birthday = fields[3] if len(fields) == 4 else ""
        adults.append(
            {
                "name": fields[0],
                "sex": SEX_CODES[fields[1].upper()],
                "age": int(fields[2]),
                "birthday": birthday,
            }
        )
    if problems:
        raise ValidationError(problems)
    if not adults:
        raise ValidationError(_("List at least one adult of the household."))
    return adults


def _listing_problem(fields: list[str]) -> str:
    if len(fields) not in (3, 4):
        return _("write name, sex, age and, if needed, birthday (MM-DD), separated by commas.")
    if not fields[0]:
        return _("the name is missing.")
    if len(fields[0]) > 50:
        return _("the name is longer than 50 characters.")
    if fields[1].upper() not in SEX_CODES:
        return _("sex must be M or F, not %(value)r.") % {"value": fields[1]}
    if not fields[2].isdigit() or not 16 <= int(fields[2]) <= 120:
        return _("age must be a whole number from 16 to 120, not %(value)r.") % {"value": fields[2]}
    if len(fields) == 4 and _birthday(fields[3]) is None:
        return _("birthday must be month-day as MM-DD, not %(value)r.") % {"value": fields[3]}
    return ""


def _birthday(text: str) -> date | None:
    """MM-DD as a date in a leap year (the year plays no part in birthday selection)."""
    try:
        month, day = (int(part) for part in text.split("-"))
        return date(2000, month, day)
    except ValueError:
        return None


@one_writer_per_process
@transaction.atomic
def select_respondent(
    *, case: Case, interviewer: User, method: str, adults: str
) -> RespondentSelection:
    """Choose the one adult of a door-to-door household to interview, and record the choice.

    `adults` is the listing as typed (see :func:`parse_listing`). Kish: the case's table is
    household.kish_table(serial=case.pk), so anyone can recompute the choice from the stored
    listing; birthday methods use the Beijing-time date of the visit and need every adult's
    birthday. Only the case's own interviewer may select, on an open case.

    The visit is recorded as a door-to-door contact attempt: the attempt still open on the case
    (an interview under way) when there is one, else a new attempt that starts and ends now with
    no outcome. That new attempt does not count towards the case's attempts: the outcome of the
    visit (the interview, or a call-or-visit outcome recorded next) is what counts.
    """
    check_own_case(case, interviewer)
    if method not in RespondentSelection.Method.values:
        raise ValidationError(_("Unknown selection method."))
    listing = parse_listing(adults)
    people = [
        household.Adult(
            a["name"], a["sex"], a["age"], _birthday(a["birthday"]) if a["birthday"] else None
        )
        for a in listing
    ]
    now = timezone.now()
    chosen = _choose(people, method=method, case=case, now=now)
    index = next(i for i, person in enumerate(people) if person is chosen)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    attempt = (
        ContactAttempt.objects.filter(case=case, ended_at=None).order_by("-started_at").first()
    )
    if attempt is None:
        attempt = ContactAttempt.objects.create(
            case=case,
            interviewer=interviewer,
            mode=Mode.DOOR,
            started_at=now,
            ended_at=now,
            note=_("Respondent selection"),
        )
    return RespondentSelection.objects.create(
        case=case,
        attempt=attempt,
        interviewer=interviewer,
        method=method,
        adults=listing,
        selected_index=index + 1,
        selected_label=chosen.name,
    )


def _choose(
    people: list[household.Adult], *, method: str, case: Case, now: datetime
) -> household.Adult:
    """The adult `method` selects: by the case's Kish table, or by birthday on today's date."""
    if method == RespondentSelection.Method.KISH:
        return household.kish_select(people, table=household.kish_table(serial=case.pk))
    missing = [str(i) for i, a in enumerate(people, start=1) if a.birthday is None]
    if missing:
        raise ValidationError(
            _("Birthday methods need every birthday; none on adult %(lines)s.")
            % {"lines": ", ".join(missing)}
        )
    on = now.astimezone(ZoneInfo(scheduling.LOCAL_TZ)).date()
    select = (
        household.last_birthday
        if method == RespondentSelection.Method.LAST_BIRTHDAY
        else household.next_birthday
    )
    return select(people, on=on)
