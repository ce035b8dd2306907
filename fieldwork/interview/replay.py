"""The HTTP side of pages sent again: answers the offline script takes as settled.

A keyed submission (see fieldwork.interview.submissions) is answered with a header saying it
was applied, a duplicate or stale, and a cookie naming its key; static/js/offline.js forgets
its kept copy only then. Used by the interview wizard and the door-to-door pages.
"""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from fieldwork.interview import submissions
from fieldwork.models import Interview

RECEIVED_COOKIE = "submission_received"
APPLIED_HEADER = "X-Submission-Applied"
DUPLICATE_HEADER = "X-Duplicate-Submission"
STALE_HEADER = "X-Stale-Submission"


def settled(response: HttpResponse, key: uuid.UUID | None, header: str) -> HttpResponse:
    """Mark a response to a keyed submission the server settled: applied, duplicate or stale.

    The page's script (static/js/offline.js) forgets a kept submission only on one of these
    headers, or on the cookie naming its key (a redirect's headers are hidden from fetch, its
    cookies are not). Any other answer (a page re-shown with errors, 403, 404) keeps it.
    """
    if key is not None:
        response[header] = "1"
        response.set_cookie(RECEIVED_COOKIE, str(key), max_age=24 * 3600, samesite="Lax")
    return response


def _current_page(interview: Interview, key: uuid.UUID | None, header: str) -> HttpResponse:
    response = redirect("fieldwork:interview", interview_id=interview.pk)
    response[header] = "1"
    return settled(response, key, header)


def posted_page_version(request: HttpRequest) -> int | None:
    """The version of the interview a page was rendered at (None when absent or not a number)."""
    version = request.POST.get("page_version", "")
    return int(version) if version.isdigit() else None


def refuse_replayed_page(
    request: HttpRequest, interview: Interview, key: uuid.UUID | None
) -> HttpResponse | None:
    """A response for a page submission that must not be applied, else None.

    A key without the page's version: refused (400), as its staleness cannot be checked.
    Rendered before pages submitted since (its page_version is behind): not applied, as it
    would overwrite newer answers; the current page, marked X-Stale-Submission, or
    X-Duplicate-Submission when its key was already received (a page applied once is behind
    by then; the key's unique constraint tells, without a query first). The same check is
    made again under the row lock when the page is saved
    (submissions.save_interview_page_once), for deliveries arriving together.
    """
    version = posted_page_version(request)
    if key is not None and version is None:
        return HttpResponseBadRequest(
            _("This page was sent without its version: open the interview again.")
        )
    if version is not None and version < submissions.current_page_version(interview):
        step = request.POST.get(f"interview_{interview.pk}-current_step", "")[:100]
        return stale_page_response(request, interview, key, step)
    return None


def stale_page_response(
    request: HttpRequest, interview: Interview, key: uuid.UUID | None, step: str
) -> HttpResponse:
    """Refuse a stale page: its key (if any) is spent as not applied; the current page."""
    if key is not None:
        try:
            submissions.refuse_stale_page(interview=interview, key=key, step=step)
        except submissions.DuplicateSubmission:
            return _current_page(interview, key, DUPLICATE_HEADER)
    messages.warning(
        request,
        _("A page kept on this device was not applied: the interview went on without it."),
    )
    return _current_page(interview, key, STALE_HEADER)


def applied_page_response(response: HttpResponse, key: uuid.UUID | None) -> HttpResponse:
    return settled(response, key, APPLIED_HEADER)


def duplicate_page_response(interview: Interview, key: uuid.UUID | None) -> HttpResponse:
    return _current_page(interview, key, DUPLICATE_HEADER)
