"""Reads for the results pages that are not frames: which waves have results."""

from fieldwork.models import Wave
from qc.models import Review


def waves_with_results() -> list[Wave]:
    """Waves with at least one approved interview, newest first (the default is the first).

    Only the columns the wave picker shows are loaded; the definition is loaded for the
    chosen wave alone.
    """
    return list(
        Wave.objects.filter(cases__interview__review__state=Review.State.APPROVED)
        .distinct()
        .only("id", "name", "client", "created_at", "questionnaire_version_id")
        .order_by("-created_at", "-id")
    )
