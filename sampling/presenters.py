"""Plain data for sampling templates: no querysets or DataFrames reach a template."""

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.tables.texts import message as table_message
from jobs.models import Job
from jobs.presenters import job_row
from sampling import exports
from sampling.frame_validation import FrameError
from sampling.models import Draw, Frame, FrameStratumCount, Level
from sampling.phones import mask_phone
from sampling.selectors import stratum_names

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
# The columns every stored frame has (sampling.frame_validation.OUTPUT_COLUMNS and the area
# type), by what they hold; a frame's own extra columns keep their names.
FRAME_COLUMN_LABELS = {
    "unit_id": gettext_lazy("Household id"),
    "phone": gettext_lazy("Phone number"),
    "locality_code": gettext_lazy("Community"),
    "street_code": gettext_lazy("Street/township"),
    "district_code": gettext_lazy("District"),
    "address": gettext_lazy("Address"),
    "area_type": gettext_lazy("Area type"),
}


def column_label(column: str) -> str:
    """A frame column's name for people: a known column by what it holds, another as is."""
    label = FRAME_COLUMN_LABELS.get(column)
    return str(label) if label is not None else column


def describe(error: FrameError) -> str:
    """The problem as a phrase in the active language (English `problem` for an unknown kind)."""
    if error.kind == "table":
        return table_message(error.params["kind"], error.params["params"])
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
    # N_h comes back from the stored figures (n_h/π_h), so any strata work, not only streets.
    drawn = (
        draw.units.filter(replicate=0)
        .values("stratum")
        .annotate(n=Count("pk"), probability=Max("inclusion_probability"))
        .order_by("stratum")
    )
    strata = [
        {
            "stratum": row["stratum"],
            "name": "",
            "sample_size": row["n"],
            "population": round(row["n"] / row["probability"]),
            "fraction": row["probability"],
        }
        for row in drawn
    ]
    by_street = (draw.strata_columns or [draw.stratum_column]) == ["street_code"]
    n_strata_in_frame = (
        FrameStratumCount.objects.filter(frame=draw.frame_id).count() if by_street else None
    )
    units = draw.units.select_related("locality", "street").order_by(
        "replicate", "stratum", "unit_id"
    )
    names = stratum_names([row["stratum"] for row in strata], draw.strata_columns or [])
    for row in strata:
        row["name"] = names.get(row["stratum"]) or row["name"]
    return {
        "plan": draw_plan(draw),
        "replicates": replicates(draw),
        "strata": strata,
        "n_strata_in_frame": n_strata_in_frame,
        "units": [
            {
                "unit_id": unit.unit_id,
                "phone": mask_phone(unit.phone) if unit.phone else "",
                "address": unit.address,
                "street": unit.street.name,
                "locality": unit.locality.name,
                "replicate": unit.replicate,
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
        "reserve": sum(row.get("reserve", 0) for row in rows),
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


def import_job(job: Job) -> dict:
    """A frame import's state for its page and progress fragment.

    Keys: job, row (jobs.presenters.job_row: status, percent, message, error), frame_id and
    n_rows once it succeeded, source_name, and when it failed on the file's problems the errors
    as :func:`import_errors` gives them plus n_errors."""
    result = job.result or {}
    context = {
        "job": job,
        "row": job_row(job),
        "source_name": job.params.get("source_name", ""),
        "frame_id": result.get("frame_id"),
        "n_rows": result.get("n_rows"),
    }
    if job.status == Job.Status.FAILED and "errors" in result:
        errors = [FrameError(**error) for error in result["errors"]]
        context.update(import_errors(errors), n_errors=result["n_errors"])
    return context


def locality_import(job: Job) -> dict:
    """A locality import's state for the upload page: row (the job's progress and outcome),
    source_name, count once it succeeded, problems when it failed on the file's content."""
    result = job.result or {}
    return {
        "job": job,
        "row": job_row(job),
        "source_name": job.params.get("source_name", ""),
        "count": result.get("count"),
        "problems": result.get("problems", []),
    }


def draw_plan(draw: Draw) -> list[tuple[str, str]]:
    """The draw's recorded plan as (label, value) lines."""
    lines = [
        (_("Strata"), ", ".join(map(column_label, draw.strata_columns or [draw.stratum_column]))),
        (_("Allocation"), str(draw.get_allocation_display())),
    ]
    params = draw.allocation_params or {}
    if "exponent" in params:
        lines.append((_("Exponent"), str(params["exponent"])))
    if "sds" in params:
        lines.append((_("Standard deviations"), _("%(n)s strata") % {"n": len(params["sds"])}))
    if draw.minimum_per_stratum:
        lines.append((_("Minimum per stratum"), str(draw.minimum_per_stratum)))
    lines.append(
        (
            _("Selection"),
            _("systematic, sorted by %(columns)s")
            % {"columns": ", ".join(map(column_label, draw.sort_columns))}
            if draw.sort_columns
            else _("simple random sampling without replacement"),
        )
    )
    if draw.reserve_replicates:
        lines.append(
            (
                _("Reserves"),
                _("%(r)s replicates of %(share)s × the stratum's sample")
                % {"r": draw.reserve_replicates, "share": draw.reserve_fraction},
            )
        )
    if draw.exclude_recent_draws:
        lines.append(
            (
                _("Excluded"),
                _("%(n)s units sampled in the last %(k)s draws")
                % {"n": draw.n_excluded, "k": draw.exclude_recent_draws},
            )
        )
    return lines


def replicates(draw: Draw) -> list[dict]:
    """One row per replicate (0 = main sample): units and, for reserves, the release."""
    counts = dict(draw.units.values_list("replicate").annotate(n=Count("pk")).order_by("replicate"))
    releases = {
        release.replicate: release for release in draw.releases.select_related("released_by")
    }
    return [
        {"replicate": r, "n_units": counts.get(r, 0), "release": releases.get(r)}
        for r in range(draw.reserve_replicates + 1)
    ]
