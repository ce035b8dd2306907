from django.http import HttpRequest, HttpResponse

from accounts.access import STAFF, require_role


@require_role(*STAFF)
def results(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
