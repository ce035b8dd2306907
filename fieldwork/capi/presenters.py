"""Plain data for the door-to-door pages: households, their visits and position warnings."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fieldwork.capi import geo
from fieldwork.capi.forms import PositionForm, VisitForm
from fieldwork.capi.selectors import door_visits
from fieldwork.capi.services import reference_point
from fieldwork.forms import RespondentSelectionForm
from fieldwork.interview.respondent import person_text
from fieldwork.models import Case, ContactAttempt, RespondentSelection
from fieldwork.presenters import disposition_label
from fieldwork.selectors import latest_selection
from fieldwork.services.respondents import eligibility_text
from sampling import household

BLANK_ROWS = 4  # rows a new roster starts with; the page adds more

ERROR_LABELS = {
    "denied": _lazy("location permission denied"),
    "unavailable": _lazy("position unavailable"),
    "timeout": _lazy("no fix in time"),
    "unsupported": _lazy("no location on this device"),
}


def warning_labels(attempt: ContactAttempt) -> list[str]:
    """What is wrong with a visit's position, in words, e.g. "3.4 km from the community"."""
    labels = []
    for code in attempt.position_warnings or []:
        if code == geo.MISSING:
            reason = ERROR_LABELS.get(attempt.position_error, ERROR_LABELS["unavailable"])
            labels.append(_("No position: %(reason)s") % {"reason": reason})
        elif code == geo.INACCURATE:
            if attempt.accuracy_m is None:
                labels.append(_("Position accuracy unknown"))
            else:
                labels.append(
                    _("Position inaccurate (±%(m)d m)") % {"m": round(attempt.accuracy_m)}
                )
        elif code == geo.FAR:
            labels.append(
                _("%(km).1f km from the assigned community") % {"km": attempt.distance_m / 1000}
            )
        elif code == geo.NO_REFERENCE:
            labels.append(_("The community has no coordinates: distance not checked"))
    return labels


def visit_row(attempt: ContactAttempt) -> dict:
    return {
        "id": attempt.pk,
        "at": attempt.started_at,
        "outcome": disposition_label(attempt.disposition) if attempt.disposition else "",
        "note": attempt.note,
        "distance_m": round(attempt.distance_m) if attempt.distance_m is not None else None,
        "accuracy_m": round(attempt.accuracy_m) if attempt.accuracy_m is not None else None,
        "warnings": warning_labels(attempt),
    }


def household_map_url(case: Case) -> str:
    """A map at the community's coordinates, or a search for the address without them."""
    latitude, longitude = reference_point(case) or (None, None)
    return geo.map_url(latitude, longitude, case.unit.address or case.unit.locality.name)


def next_action(case: Case, visits: list[ContactAttempt], appointments: list) -> str:
    if case.status == Case.Status.IN_PROGRESS:
        return _("Interview under way: resume it")
    if appointments:
        at = timezone.localtime(appointments[0].at)
        return _("Come back at %(at)s") % {"at": at.strftime("%Y-%m-%d %H:%M")}
    if not visits:
        return _("First visit")
    return _("Visit again at another time of day")


def household_row(case: Case) -> dict:
    """One household for the interviewer's list; expects household_cases()' prefetches."""
    visits = getattr(case, "door_visits", None)
    if visits is None:
        visits = list(door_visits(case))
    appointments = getattr(case, "open_appointments", None)
    if appointments is None:
        appointments = list(case.appointments.filter(closed_at=None).order_by("at"))
    rows = [visit_row(v) for v in visits]
    return {
        "id": case.pk,
        "address": case.unit.address,
        "community": case.unit.locality.name,
        "street": case.street.name,
        "map_url": household_map_url(case),
        "visits": rows,
        "n_visits": len(rows),
        "last_visit": rows[-1] if rows else None,
        "warned": any(row["warnings"] for row in rows),
        "next_action": next_action(case, visits, appointments),
    }


def visit_context(case: Case) -> dict:
    """What the case page shows of door-to-door work: map link, visits, the visit forms."""
    return {
        "door_map_url": household_map_url(case),
        "door_visits": [visit_row(v) for v in door_visits(case)],
        "visit_form": VisitForm(),
        "position_form": PositionForm(),
    }


def sex_label(code: str) -> str:
    return _("female") if code == "F" else _("male")


def selection_card(selection: RespondentSelection) -> dict:
    """A recorded selection: whom to interview, and the roster with the chosen row marked.

    `instruction` reads like "Interview no. 2: 王芳 (female, 45)", the number being the
    adult's line among the eligible members as entered.
    """
    chosen = selection.selected
    roster = selection.roster or [{**adult, "eligible": True} for adult in selection.adults]
    eligible_seen = 0
    rows = []
    for member in roster:
        selected = False
        if member.get("eligible", True):
            eligible_seen += 1
            selected = eligible_seen == selection.selected_index
        rows.append(
            {
                "name": member["name"],
                "sex": sex_label(member["sex"]),
                "age": member["age"],
                "birthday": member.get("birthday") or "",
                "eligible": member.get("eligible", True),
                "selected": selected,
            }
        )
    return {
        "instruction": _("Interview no. %(line)d: %(person)s")
        % {"line": selection.selected_index, "person": person_text(chosen)},
        "method": selection.get_method_display(),
        "n_adults": len(selection.adults),
        "n_members": len(roster),
        "created_at": selection.created_at,
        "rows": rows,
    }


def roster_form_rows(
    posted: list[dict] | None = None, previous: RespondentSelection | None = None
) -> list[dict]:
    """The rows the roster form shows: what was posted (shown again with its errors), else
    the household as last listed (to correct), else BLANK_ROWS empty rows."""
    if posted:
        return list(posted)
    if previous is not None and previous.roster:
        fields = ("name", "sex", "age", "birthday")
        return [{field: member.get(field, "") for field in fields} for member in previous.roster]
    return [{"name": "", "sex": "", "age": "", "birthday": ""} for _row in range(BLANK_ROWS)]


def selection_context(
    case: Case, *, posted: list[dict] | None = None, errors: list[str] | None = None
) -> dict:
    """What the case page shows of respondent selection: the latest selection, and the
    roster form (with the rows and problems of a refused roster)."""
    selection = latest_selection(case)
    table = household.kish_table(serial=case.pk)
    return {
        "selection": selection_card(selection) if selection else None,
        "selection_form": RespondentSelectionForm(),
        "roster_rows": roster_form_rows(posted, selection),
        "roster_errors": errors or [],
        "eligibility": eligibility_text(case.wave),
        "kish_grid": [
            {"adults": n if n < household.KISH_LINES else f"{n}+", "line": line}
            for n, line in enumerate(household.KISH_TABLES[table], start=1)
        ],
    }
