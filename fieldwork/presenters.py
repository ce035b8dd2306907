"""Plain data for fieldwork templates."""

import math
from datetime import datetime

import pandas as pd
from django.utils.translation import gettext as _

from fieldwork import selectors
from fieldwork.dispositions import BY_CODE
from fieldwork.models import Case, RespondentSelection, Wave
from fieldwork.rates import COUNT_COLUMNS
from sampling.models import Level, Locality
from sampling.phones import mask_phone


def disposition_label(code: str) -> str:
    """ "2.112 Known-respondent refusal", in the language of the request; unknown codes as is."""
    return f"{code} {_(BY_CODE[code].label)}" if code in BY_CODE else code


def case_row(case: Case) -> dict:
    interview = getattr(case, "interview", None)  # None when no interview was started
    return {
        "id": case.pk,
        "wave": case.wave.name,
        "street": case.street.name,
        "phone": mask_phone(case.unit.phone) if case.unit.phone else "",
        "address": case.unit.address,
        "status": case.get_status_display(),
        "status_code": case.status,
        "disposition": case.disposition,
        "attempts": case.attempts,
        "interview_id": interview.pk if interview else None,
    }


def respondent_selection(case: Case) -> dict | None:
    """The case's latest respondent selection, for the case page; None if none was made.

    `instruction` reads like "Interview no. 2: 王芳 (female, 45)", the number being the adult's
    line in the listing as entered.
    """
    selection = RespondentSelection.objects.filter(case=case).order_by("-created_at", "-id").first()
    if selection is None:
        return None
    adult = selection.adults[selection.selected_index - 1]
    sex = _("female") if adult["sex"] == "F" else _("male")
    return {
        "instruction": _("Interview no. %(line)d: %(name)s (%(sex)s, %(age)d)")
        % {
            "line": selection.selected_index,
            "name": adult["name"],
            "sex": sex,
            "age": adult["age"],
        },
        "method": selection.get_method_display(),
        "n_adults": len(selection.adults),
        "created_at": selection.created_at,
    }


def locality_options(parent_code: str, level: str) -> list[tuple[str, str]]:
    if level not in (Level.STREET, Level.COMMUNITY) or not parent_code:
        return []
    return list(
        Locality.objects.filter(level=level, parent__code=parent_code).values_list("code", "name")
    )


RATE_SHOWN = ["RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP3", "REF1", "CON1"]


def rate_rows(table: pd.DataFrame) -> dict:
    """A rates table for a template: headers, and per group its label, rates in % and counts.

    The group label is the table's first column (wave, street, interviewer or day).
    """
    rows = []
    label_column = table.columns[0]
    for record in table.to_dict("records"):
        rows.append(
            {
                "label": record[label_column] or "—",
                "rates": [_percent(record[name]) for name in RATE_SHOWN],
                "e": _percent(record["e"]),
                "counts": [int(record[name]) for name in COUNT_COLUMNS],
            }
        )
    return {"rate_names": RATE_SHOWN, "count_names": COUNT_COLUMNS, "rows": rows}


def _percent(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{100 * value:.1f}"


def live_board(wave: Wave, now: datetime, cases: pd.DataFrame | None = None) -> dict:
    """Everything the supervisor's live view shows, as plain data."""
    return {
        "now": now,
        "open_work": selectors.open_work(wave),
        "pace": selectors.interviewer_pace(wave, now),
        "sample_status": selectors.sample_status_by_street(wave),
        "replicates": selectors.unreleased_replicates(wave),
        "overall_rates": rate_rows(selectors.rate_table(wave, "wave", cases)),
    }


def quota_rows(progress: pd.DataFrame) -> list[dict]:
    """Achieved against target per quota cell (loaders.quota_progress), streets by name."""
    if progress.empty:
        return []
    street_names = dict(
        Locality.objects.filter(code__in=set(progress["stratum"]) - {""}).values_list(
            "code", "name"
        )
    )
    return [
        {
            "stratum": street_names.get(row["stratum"], row["stratum"]) if row["stratum"] else "",
            "variable": row["variable"],
            "value": row["value"],
            "target": int(row["target"]),
            "achieved": int(row["achieved"]),
            "remaining": int(row["remaining"]),
            "share": _percent(row["share"]),
            "full": bool(row["full"]),
        }
        for row in progress.to_dict("records")
    ]
