"""Reads for the telephony pages: the case's call on the line."""

from datetime import timedelta

from django.utils import timezone

from fieldwork.models import Call, Case

# A call with no final callback after this long is taken as lost, so it no longer blocks Dial.
LIVE_CALL_HORIZON = timedelta(hours=1)


def live_call(*, case: Case) -> Call | None:
    """The case's call still on the line (or waiting for its outcome to be confirmed)."""
    recent = Call.objects.filter(
        case=case, attempt=None, error="", created_at__gte=timezone.now() - LIVE_CALL_HORIZON
    )
    return next((call for call in recent.order_by("-created_at") if not call.is_over), None)
