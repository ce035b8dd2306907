"""`{% dial_state case as dial %}`: what the case page's Dial control needs to know."""

from django import template

from fieldwork import telephony, telephony_services
from fieldwork.models import Case

register = template.Library()


@register.simple_tag
def dial_state(case: Case) -> dict:
    """{"configured": Twilio is set up, "live_call_id": the case's call on the line or None}."""
    if not telephony.is_configured():
        return {"configured": False, "live_call_id": None}
    live = telephony_services.live_call(case=case)
    return {"configured": True, "live_call_id": live.pk if live else None}
