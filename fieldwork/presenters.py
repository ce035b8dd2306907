"""Plain data for fieldwork templates."""

from fieldwork.models import Case
from sampling.models import Level, Locality
from sampling.phones import mask_phone


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


def locality_options(parent_code: str, level: str) -> list[tuple[str, str]]:
    if level not in (Level.STREET, Level.COMMUNITY) or not parent_code:
        return []
    return list(
        Locality.objects.filter(level=level, parent__code=parent_code).values_list("code", "name")
    )
