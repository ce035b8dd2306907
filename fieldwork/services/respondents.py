"""Door-to-door respondent selection: the household roster entered row by row, and the
adult chosen from its eligible members by Kish grid or birthday."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork import scheduling
from fieldwork.interview import submissions
from fieldwork.models import Case, ContactAttempt, Mode, RespondentSelection, Wave
from fieldwork.services.attempts import check_own_case
from fieldwork.services.locking import one_writer_per_process
from sampling import household

MAX_MEMBERS = 30  # a household roster longer than this is a typing accident
MAX_NAME = 50


def eligibility_text(wave: Wave) -> str:
    """The wave's age range in words: "aged 16 or older", "aged 18 to 70"."""
    if wave.max_age is None:
        return _("aged %(min)d or older") % {"min": wave.min_age}
    return _("aged %(min)d to %(max)d") % {"min": wave.min_age, "max": wave.max_age}


def roster_rows(members: Sequence[Mapping[str, str]], *, wave: Wave) -> list[dict]:
    """The household roster as entered (one mapping of name, sex, age, birthday per row, as
    typed), checked and typed: one dict per filled row with name, sex ("M"/"F"), age (int),
    birthday ("MM-DD" or "") and eligible (the wave's age range). Rows left blank are skipped.

    Raises ValidationError naming every bad row by its number on the page, or saying that
    nobody is listed or nobody listed is eligible.
    """
    rows, problems = [], []
    for number, member in enumerate(members, start=1):
        fields = {k: str(member.get(k) or "").strip() for k in ("name", "sex", "age", "birthday")}
        if not any(fields.values()):
            continue
        problem = _row_problem(fields)
        if problem:
            problems.append(_("Row %(row)d: %(problem)s") % {"row": number, "problem": problem})
            continue
        age = int(fields["age"])
        rows.append(
            {
                "name": fields["name"],
                "sex": household.sex_code(fields["sex"]),
                "age": age,
                "birthday": fields["birthday"],
                "eligible": wave.is_eligible_age(age),
            }
        )
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError(_("Enter the household's members, one row each."))
    if len(rows) > MAX_MEMBERS:
        raise ValidationError(_("A household roster has at most %(n)d rows.") % {"n": MAX_MEMBERS})
    if not any(row["eligible"] for row in rows):
        raise ValidationError(
            _("Nobody listed can be interviewed: this survey interviews people %(range)s.")
            % {"range": eligibility_text(wave)}
        )
    return rows


def _row_problem(fields: dict[str, str]) -> str:
    if not fields["name"]:
        return _("the name (or initials) is missing.")
    if len(fields["name"]) > MAX_NAME:
        return _("the name is longer than %(n)d characters.") % {"n": MAX_NAME}
    if household.sex_code(fields["sex"]) is None:
        return _("choose male or female.")
    if not fields["age"].isdigit() or not 0 <= int(fields["age"]) <= 120:
        return _("the age must be a whole number from 0 to 120, not %(value)s.") % {
            "value": fields["age"] or "—"
        }
    if fields["birthday"] and _birthday(fields["birthday"]) is None:
        return _("the birthday must be month-day as MM-DD, not %(value)s.") % {
            "value": fields["birthday"]
        }
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
    *,
    case: Case,
    interviewer: User,
    method: str,
    members: Sequence[Mapping[str, str]],
    key: uuid.UUID | None = None,
) -> RespondentSelection:
    """Choose the one member of a door-to-door household to interview, and record the choice.

    `members` is the roster as entered (see :func:`roster_rows`); the choice is among its
    members of the wave's eligible ages. Kish: the case's table is
    household.kish_table(serial=case.pk), so anyone can recompute the choice from the stored
    roster; birthday methods use the Beijing-time date of the visit and need every eligible
    member's birthday. Only the case's own interviewer may select, on an open case. With a
    key (a roster kept on the tablet while offline), the selection is made at most once: a
    second delivery raises submissions.DuplicateSubmission.

    The visit is recorded as a door-to-door contact attempt: the attempt still open on the case
    (an interview under way) when there is one, else a new attempt that starts and ends now with
    no outcome. That new attempt does not count towards the case's attempts: the outcome of the
    visit (the interview, or a call-or-visit outcome recorded next) is what counts.
    """
    check_own_case(case, interviewer)
    if method not in RespondentSelection.Method.values:
        raise ValidationError(_("Unknown selection method."))
    roster = roster_rows(members, wave=case.wave)
    listing = [
        {k: v for k, v in row.items() if k != "eligible"} for row in roster if row["eligible"]
    ]
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
    if key is not None:
        submissions.claim_for_case(case=case, key=key, step="selection")
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
        roster=roster,
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
    missing = [a.name for a in people if a.birthday is None]
    if missing:
        raise ValidationError(
            _("Birthday methods need every eligible member's birthday; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    on = now.astimezone(ZoneInfo(scheduling.LOCAL_TZ)).date()
    select = (
        household.last_birthday
        if method == RespondentSelection.Method.LAST_BIRTHDAY
        else household.next_birthday
    )
    return select(people, on=on)
