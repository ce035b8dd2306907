"""What a token reads of a wave's results: the firm's, the results as computed for the
current decisions (scoring.results, never computed in the request); a client's, the latest
signed edition (scoring.editions), as the client's results page shows them."""

from django.utils.translation import gettext as _

from api.errors import ApiError, not_found
from api.models import ApiToken
from fieldwork.models import Wave
from jobs.presenters import error_text
from scoring import editions, selectors
from scoring.presenters import interim_note
from scoring.results import results_or_job

RETRY_SECONDS = 30


def wave_report(token: ApiToken, wave: Wave) -> tuple[dict, dict]:
    """(report, status): the report dict of scoring.results (interim_note set) and
    {"source": "current" | "stale" | "edition", "edition": number | None, "interim": bool}."""
    if not token.is_firm:
        edition = editions.latest_signed(wave)
        if edition is None:
            raise not_found(_("No signed edition of these results yet."))
        report = {**edition.report, "interim_note": ""}
        return report, {"source": "edition", "edition": edition.number, "interim": False}
    computed = results_or_job(wave=wave, user=None)
    if computed.value is None and computed.job is not None and computed.job.status == "failed":
        raise ApiError(409, "results_failed", error_text(computed.job))
    if computed.value is None:
        raise ApiError(
            503,
            "results_pending",
            _("The results are being computed; try again in a minute."),
            Retry_After=RETRY_SECONDS,
        )
    note = interim_note(selectors.interim_status(wave))
    report = {**computed.value, "interim_note": note}
    source = "stale" if computed.stale else "current"
    return report, {"source": source, "edition": None, "interim": bool(note)}
