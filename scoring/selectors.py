"""Reads for the results pages that are not frames: which waves have results."""

from django.db.models import QuerySet

from accounts.models import Role, User
from fieldwork.models import Wave
from qc.models import Review


def visible_waves(user: User) -> QuerySet[Wave]:
    """A client reads only the waves it commissioned; firm staff read every wave."""
    waves = Wave.objects.all()
    if user.role == Role.CLIENT:
        return waves.filter(client=user.organisation) if user.organisation else waves.none()
    return waves


def waves_with_results(user: User) -> list[Wave]:
    """Waves with at least one approved interview, newest first (the default is the first).

    Only the columns the wave picker shows are loaded; the definition is loaded for the
    chosen wave alone.
    """
    return list(
        visible_waves(user)
        .filter(cases__interview__review__state=Review.State.APPROVED)
        .distinct()
        .only("id", "name", "client", "created_at", "questionnaire_version_id")
        .order_by("-created_at", "-id")
    )
