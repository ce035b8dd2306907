from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

# (url name, label, roles that see it). A link shows only where the view admits the role.
NAVIGATION = [
    ("fieldwork:my_cases", _("My cases"), {Role.INTERVIEWER}),
    ("fieldwork:households", _("Households"), {Role.INTERVIEWER}),
    ("qc:my_backchecks", _("My back-checks"), {Role.INTERVIEWER}),
    ("fieldwork:wave_list", _("Waves"), {Role.ANALYST, Role.SUPERVISOR}),
    ("qc:review_list", _("Review"), {Role.ANALYST, Role.SUPERVISOR}),
    ("sampling:frame_list", _("Sampling"), {Role.ANALYST}),
    ("questionnaires:questionnaire_list", _("Questionnaires"), {Role.ANALYST, Role.SUPERVISOR}),
    ("scoring:results", _("Results"), {Role.ANALYST, Role.SUPERVISOR, Role.CLIENT}),
    ("jobs:job_list", _("Jobs"), {Role.ANALYST}),
    ("accounts:user_list", _("People"), {Role.ANALYST}),
    ("accounts:audit_log", _("Audit log"), {Role.ANALYST}),
]
# Pages a navigation item also stands for (its tabs).
ALSO_UNDER = {
    "accounts:user_list": ("accounts:team_list", "accounts:organisation_list", "api:token_list")
}


def _active(request: HttpRequest, name: str) -> bool:
    names = (name, *ALSO_UNDER.get(name, ()))
    return any(request.path.startswith(reverse(each)) for each in names)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": label, "active": _active(request, name)}
        for name, label, roles in NAVIGATION
        if user.role in roles
    ]
    return {"nav_items": items}
