"""Approved interviews, one row each, a page at a time (the firm's tokens)."""

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from api import access, microdata
from api.auth import READ
from api.errors import field_error, invalid
from api.schemas import ErrorOut, Id, MicrodataPage

router = Router(tags=["microdata"], auth=READ)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
MAX_LIMIT = 1000


@router.get(
    "/waves/{int:wave_id}/microdata",
    response={200: MicrodataPage, **ERRORS},
    url_name="microdata",
)
def interviews(
    request,
    wave_id: Id,
    cursor: str | None = None,
    limit: int = Query(500, ge=1, le=MAX_LIMIT),
    locality: str | None = Query(None, max_length=32),
    date_from: date | None = None,
    date_to: date | None = None,
):
    """The wave's approved interviews as the data package's interview file (locality codes and
    names, mode, the wave's interviewer codes, dates, weights and their components, every
    answer by column, QC flags; no personal data), ordered by interview id. Pass the page's
    `next_cursor` as `cursor` for the next page (null on the last); filters: a locality's code
    at any level, and the interview date (local) from/to, inclusive."""
    wave = access.wave_for(request.auth, wave_id)
    access.require_firm(request.auth)
    if date_from and date_to and date_from > date_to:
        message = _("The start date is after the end date.")
        raise invalid([field_error("date_from", message)])
    body = microdata.page(
        wave=wave,
        cursor=cursor,
        limit=limit,
        locality=locality,
        date_from=date_from,
        date_to=date_to,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
