"""Plain data for sampling templates: no querysets or DataFrames reach a template."""

from django.db.models import Count

from sampling.frame_validation import FrameError
from sampling.models import Draw, Frame, FrameStratumCount
from sampling.phones import mask_phone

ERRORS_SHOWN = 50
UNITS_SHOWN = 100


def frame_list() -> dict:
    frames = Frame.objects.select_related("created_by").annotate(n_draws=Count("draws"))
    draws = Draw.objects.select_related("frame", "created_by").annotate(n_units=Count("units"))
    return {"frames": list(frames), "draws": list(draws)}


def import_errors(errors: list[FrameError]) -> dict:
    return {"errors": errors[:ERRORS_SHOWN], "n_errors": len(errors), "shown": ERRORS_SHOWN}


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
