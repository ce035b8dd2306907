"""Plain data for sampling templates: no querysets or DataFrames reach a template."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sampling import exports
from sampling.frame_validation import FrameError
from sampling.models import Draw, Frame, FrameStratumCount, Level
from sampling.phones import mask_phone

ERRORS_SHOWN = 50
UNITS_SHOWN = 100

# One message per FrameError kind (sampling.frame_validation.KINDS), filled from its params.
FRAME_ERROR_MESSAGES = {
    "unmapped_role": gettext_lazy("no column chosen for the %(role)s"),
    "no_column": gettext_lazy("column not found in the file (it has: %(available)s)"),
    "empty_unit_id": gettext_lazy("unit id is empty"),
    "unit_id_too_long": gettext_lazy("unit id is longer than %(max_length)s characters"),
    "duplicate_unit_id": gettext_lazy(
        "unit id appears on %(count)s rows (first on row %(first_row)s)"
    ),
    "empty_phone": gettext_lazy("phone number is empty"),
    "bad_phone": gettext_lazy("not a mainland mobile number (11 digits starting 13–19)"),
    "empty_locality": gettext_lazy("locality code is empty"),
    "unknown_locality": gettext_lazy("unknown locality code"),
    "coarse_locality": gettext_lazy(
        "locality code is at %(level)s level; use a street or community code"
    ),
    "address_too_long": gettext_lazy("address is longer than %(max_length)s characters"),
    "file_type": gettext_lazy("unsupported file type: use .csv or .xlsx"),
    "unreadable": gettext_lazy("the file could not be read: %(detail)s"),
    "no_rows": gettext_lazy("the file has no data rows"),
}
ROLE_LABELS = {
    "unit_id": gettext_lazy("unit id"),
    "phone": gettext_lazy("phone number"),
    "locality_code": gettext_lazy("locality code"),
    "address": gettext_lazy("address"),
}
LEVEL_LABELS = dict(Level.choices)


def describe(error: FrameError) -> str:
    """The problem as a phrase in the active language (English `problem` for an unknown kind)."""
    message = FRAME_ERROR_MESSAGES.get(error.kind)
    if message is None:
        return error.problem
    params = dict(error.params)
    if "role" in params:
        params["role"] = ROLE_LABELS.get(params["role"], params["role"])
    if "level" in params:
        params["level"] = LEVEL_LABELS.get(params["level"], params["level"])
    if "available" in params:
        params["available"] = ", ".join(params["available"]) or _("no columns")
    return message % params


def errors_csv(errors: list[FrameError]) -> bytes:
    """The full error report as CSV, header and problems in the active language."""
    header = [_("Row"), _("Column"), _("Value"), _("Problem")]
    return exports.errors_csv(errors, describe=describe, header=header)


def frame_list() -> dict:
    frames = Frame.objects.select_related("created_by").annotate(n_draws=Count("draws"))
    draws = Draw.objects.select_related("frame", "created_by").annotate(n_units=Count("units"))
    return {"frames": list(frames), "draws": list(draws)}


def import_errors(errors: list[FrameError]) -> dict:
    """The first ERRORS_SHOWN errors as row, column, value, problem (in the active language)."""
    shown = [
        {"row": e.row, "column": e.column, "value": e.value, "problem": describe(e)}
        for e in errors[:ERRORS_SHOWN]
    ]
    return {"errors": shown, "n_errors": len(errors), "shown": ERRORS_SHOWN}


def frame_strata(frame: Frame) -> list[dict]:
    counts = FrameStratumCount.objects.filter(frame=frame).select_related("locality__parent")
    return [
        {
            "stratum": count.stratum,
            "name": count.locality.name if count.locality else "",
            "district": count.locality.parent.name
            if count.locality and count.locality.parent
            else "",
            "population": count.n_units,
        }
        for count in counts
    ]


def draw_detail(draw: Draw) -> dict:
    population = dict(
        FrameStratumCount.objects.filter(frame=draw.frame_id).values_list("stratum", "n_units")
    )
    names = dict(
        FrameStratumCount.objects.filter(frame=draw.frame_id).values_list(
            "stratum", "locality__name"
        )
    )
    drawn = (
        draw.units.filter(replicate=0).values("stratum").annotate(n=Count("pk")).order_by("stratum")
    )
    strata = [
        {
            "stratum": row["stratum"],
            "name": names.get(row["stratum"], ""),
            "sample_size": row["n"],
            "population": population.get(row["stratum"], 0),
            "fraction": row["n"] / population[row["stratum"]]
            if population.get(row["stratum"])
            else None,
        }
        for row in drawn
    ]
    units = draw.units.select_related("locality", "street").order_by("stratum", "unit_id")
    return {
        "strata": strata,
        "n_strata_in_frame": len(population),
        "units": [
            {
                "unit_id": unit.unit_id,
                "phone": mask_phone(unit.phone) if unit.phone else "",
                "address": unit.address,
                "street": unit.street.name,
                "locality": unit.locality.name,
                "inclusion_probability": unit.inclusion_probability,
                "design_weight": unit.design_weight,
            }
            for unit in units[:UNITS_SHOWN]
        ],
        "units_shown": UNITS_SHOWN,
    }


def allocation(rows: list[dict]) -> dict:
    """The preview table with percentages for display, and its totals."""
    population = sum(row["population"] for row in rows)
    sample_size = sum(row["sample_size"] for row in rows)
    return {
        "rows": [
            {
                **row,
                "fraction_percent": 100 * row["fraction"],
                "moe_percent": None
                if row["margin_of_error"] is None
                else 100 * row["margin_of_error"],
            }
            for row in rows
        ],
        "population": population,
        "sample_size": sample_size,
        "fraction_percent": 100 * sample_size / population if population else 0.0,
    }
