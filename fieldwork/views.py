from django.http import HttpRequest, HttpResponse

from accounts.access import STAFF, require_role
from accounts.models import Role


@require_role(*STAFF)
def wave_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@require_role(Role.INTERVIEWER)
def my_cases(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
