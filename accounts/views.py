from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import Role

HOME_BY_ROLE = {
    Role.INTERVIEWER: "fieldwork:my_cases",
    Role.SUPERVISOR: "fieldwork:wave_list",
    Role.ANALYST: "fieldwork:wave_list",
    Role.CLIENT: "scoring:results",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works from."""
    return redirect(HOME_BY_ROLE[request.user.role])
