"""Writes (write scope): a wave's objective indicators and the locality tree. Atomic: every
problem is reported with its field and row, and nothing is written unless all is well."""

from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import Router

from api import access
from api.auth import WRITE
from api.errors import field_error, invalid
from api.schemas import ErrorOut, Id, LocalitiesIn, ObjectiveIn, StoredOut
from common.translatable import translated
from sampling.errors import SamplingInputError
from sampling.models import Locality
from sampling.services.localities import import_localities
from scoring.index.objective import IndicatorSpec, ObjectiveError, parse_rule
from scoring.index.objective_store import store_objective_indicators
from scoring.index.services import area_codes
from scoring.models import ObjectiveIndicator

router = Router(tags=["writes"], auth=WRITE)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _indicator_specs(payload: ObjectiveIn, errors: list[dict]) -> dict[str, IndicatorSpec]:
    specs, first = {}, {}
    for row, indicator in enumerate(payload.indicators, start=1):
        where = ["indicators", row - 1]
        if indicator.code in first:
            message = _("Indicator %(code)s is already given in row %(row)s.") % {
                "code": indicator.code,
                "row": first[indicator.code],
            }
            errors.append(field_error("code", message, row=row, location=[*where, "code"]))
            continue
        first[indicator.code] = row
        try:
            rule = parse_rule(indicator.rule.dict(), indicator=indicator.code)
        except ObjectiveError as error:
            for message in error.errors:
                message = translated(message, gettext)
                errors.append(field_error("rule", message, row=row, location=[*where, "rule"]))
            continue
        specs[indicator.code] = IndicatorSpec(
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            weight=indicator.weight,
            rule=rule,
        )
    return specs


@router.post(
    "/waves/{int:wave_id}/objective-indicators",
    response={200: StoredOut, **ERRORS},
    url_name="objective_indicators",
)
def objective_indicators(request, wave_id: Id, payload: ObjectiveIn):
    """Set the wave's objective indicators: `indicators` creates or updates their scoring
    rules; `values` replaces every value of the indicators it names (others keep theirs).
    Every indicator in `values` needs a rule, given here or earlier. A client body's token
    writes to its own waves."""
    wave = access.wave_for(request.auth, wave_id)
    errors: list[dict] = []
    specs = _indicator_specs(payload, errors)
    known_places = area_codes(wave) if payload.values else set()
    ruled = set(specs) | set(
        ObjectiveIndicator.objects.filter(wave=wave).values_list("code", flat=True)
    )
    seen: dict[tuple[str, str], int] = {}
    for row, value in enumerate(payload.values, start=1):
        where = ["values", row - 1]
        if value.locality_code not in known_places:
            message = _("%(code)s is not a locality of this survey's area") % {
                "code": value.locality_code
            }
            errors.append(
                field_error("locality_code", message, row=row, location=[*where, "locality_code"])
            )
        if value.indicator not in ruled:
            message = _("Indicator %(code)s has no scoring rule; give it in indicators.") % {
                "code": value.indicator
            }
            errors.append(
                field_error("indicator", message, row=row, location=[*where, "indicator"])
            )
        key = (value.locality_code, value.indicator)
        if key in seen:
            message = _("This locality and indicator are already given in row %(row)s.") % {
                "row": seen[key]
            }
            errors.append(
                field_error("indicator", message, row=row, location=[*where, "indicator"])
            )
        seen.setdefault(key, row)
    if errors:
        raise invalid(errors)
    stored = store_objective_indicators(
        wave=wave,
        specs=specs,
        values=[(v.locality_code, v.indicator, v.value) for v in payload.values],
        rules_name=_("API"),
        values_name=_("API"),
    )
    return {"stored": stored}


@router.post("/localities", response={200: StoredOut, **ERRORS}, url_name="localities")
def localities(request, payload: LocalitiesIn):
    """Create or update localities of the tree (city → district → street → community):
    parents may be earlier rows, later rows or stored localities; a stored locality keeps
    its level; fields left out (area type, population, coordinates) keep their stored values.
    The firm's tokens."""
    access.require_firm(request.auth)
    rows = []
    for number, row in enumerate(payload.rows, start=1):
        given = row.dict(exclude_none=True)
        if row.latitude is not None or row.longitude is not None:
            given.setdefault("latitude", None)
            given.setdefault("longitude", None)
        rows.append({**given, "row": number})
    errors = _level_changes(payload)
    if errors:
        raise invalid(errors)
    try:
        stored = import_localities(rows=rows)
    except SamplingInputError as error:
        raise invalid(_tree_errors(error.errors, payload)) from None
    return {"stored": stored}


def _level_changes(payload: LocalitiesIn) -> list[dict]:
    stored = dict(
        Locality.objects.filter(code__in={row.code for row in payload.rows}).values_list(
            "code", "level"
        )
    )
    errors = []
    for number, row in enumerate(payload.rows, start=1):
        if row.code in stored and stored[row.code] != row.level:
            message = _("This locality is stored at another level and cannot change level.")
            errors.append(
                field_error("level", message, row=number, location=["rows", number - 1, "level"])
            )
    return errors


def _tree_errors(messages: list[str], payload: LocalitiesIn) -> list[dict]:
    """The service's problems with the tree (parents, cycles), each at its row: the service
    starts each message with the row it names (sampling.services.localities)."""
    prefixes = {
        _("Row %(row)s (%(code)s)") % {"row": number, "code": row.code}: number
        for number, row in enumerate(payload.rows, start=1)
    }
    found = []
    for message in messages:
        row = next((n for prefix, n in prefixes.items() if message.startswith(prefix)), None)
        location = ["rows", row - 1, "parent_code"] if row else ["rows"]
        found.append(field_error("parent_code", message, row=row, location=location))
    return found
