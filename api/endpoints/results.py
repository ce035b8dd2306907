"""Results tables, rankings and editions (with their PDF and workbook) of a wave."""

from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from api import access
from api.auth import READ
from api.errors import not_found
from api.results import wave_report
from api.schemas import EditionDetailOut, EditionOut, ErrorOut, Id, RankingsOut, TablesOut
from scoring.editions import edition_file_bytes
from scoring.models import Edition
from scoring.report import tables as report_tables

router = Router(tags=["results"], auth=READ)
ERRORS = {
    **{status: ErrorOut for status in (401, 403, 404, 409, 422, 429, 503)},
}
FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _status(status: dict, report: dict) -> dict:
    return {**status, "interim_note": report.get("interim_note", "")}


@router.get(
    "/waves/{int:wave_id}/results/tables", response={200: TablesOut, **ERRORS}, url_name="tables"
)
def tables(request, wave_id: Id, key: str | None = None):
    """Every table of the results report (the workbook's sheets, in the request's language;
    an edition's in the language it was frozen in), or the one named by `key`."""
    wave = access.wave_for(request.auth, wave_id)
    report, status = wave_report(request.auth, wave)
    found = report_tables.report_tables(report)
    if key is not None:
        found = [table for table in found if table["key"] == key]
        if not found:
            raise not_found(_("No such table."))
    return {"wave": wave.pk, "status": _status(status, report), "tables": found}


RANKED = (
    "code",
    "name",
    "district",
    "district_code",
    "n",
    "satisfaction_score",
    "satisfaction_se",
    "satisfaction_ci_low",
    "satisfaction_ci_high",
    "satisfaction_rate",
    "safety_score",
    "safety_se",
    "safety_rate",
    "rank",
    "rank_low",
    "rank_high",
    "p_bottom",
    "district_rank",
    "district_rank_low",
    "district_rank_high",
    "rank_change",
    "unreliable",
)


@router.get(
    "/waves/{int:wave_id}/rankings", response={200: RankingsOut, **ERRORS}, url_name="rankings"
)
def rankings(request, wave_id: Id, level: Literal["district", "street"] = "district"):
    """Districts or streets by satisfaction score with their ranks and 95% rank intervals
    (an unreliable place is listed without a rank)."""
    wave = access.wave_for(request.auth, wave_id)
    report, status = wave_report(request.auth, wave)
    places = report.get("districts" if level == "district" else "streets") or []
    rows = [{key: place[key] for key in RANKED if key in place} for place in places]
    rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0, r.get("name") or ""))
    return {"wave": wave.pk, "level": level, "status": _status(status, report), "rows": rows}


def _editions(token, wave):
    listed = wave.editions.prefetch_related("districts").order_by("-number")
    return listed if token.is_firm else listed.filter(state=Edition.State.SIGNED)


def _edition_out(edition: Edition) -> dict:
    return {
        "number": edition.number,
        "state": edition.state,
        "language": edition.language,
        "input_hash": edition.input_hash,
        "frozen_at": edition.frozen_at,
        "signed_at": edition.signed_at,
        "districts": [part.code for part in edition.districts.all()],
    }


def _edition(request, wave_id: Id, number: Id) -> Edition:
    wave = access.wave_for(request.auth, wave_id)
    edition = _editions(request.auth, wave).filter(number=number).first()
    if edition is None:
        raise not_found(_("No such edition."))
    return edition


@router.get(
    "/waves/{int:wave_id}/editions", response={200: list[EditionOut], **ERRORS}, url_name="editions"
)
def editions(request, wave_id: Id):
    """The wave's editions, newest first: the signed ones for a client's token, drafts too
    for the firm's."""
    wave = access.wave_for(request.auth, wave_id)
    return [_edition_out(edition) for edition in _editions(request.auth, wave)]


@router.get(
    "/waves/{int:wave_id}/editions/{int:number}",
    response={200: EditionDetailOut, **ERRORS},
    url_name="edition",
)
def edition(request, wave_id: Id, number: Id):
    """One edition with its frozen report."""
    found = _edition(request, wave_id, number)
    return {**_edition_out(found), "report": found.report}


@router.get(
    "/waves/{int:wave_id}/editions/{int:number}/files/{kind}",
    response={200: bytes, **ERRORS},
    url_name="edition_file",
)
def edition_file(request, wave_id: Id, number: Id, kind: Literal["pdf", "xlsx"]):
    """The edition's frozen PDF report or workbook."""
    found = _edition(request, wave_id, number)
    content = edition_file_bytes(found.pdf if kind == "pdf" else found.xlsx)
    response = HttpResponse(content, content_type=FILE_TYPES[kind])
    name = f"results-wave-{wave_id}-edition-{found.number}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/waves/{int:wave_id}/editions/{int:number}/districts/{code}/files/{kind}",
    response={200: bytes, **ERRORS},
    url_name="district_file",
)
def district_file(request, wave_id: Id, number: Id, code: str, kind: Literal["pdf", "xlsx"]):
    """One district's frozen PDF report or workbook of the edition."""
    found = _edition(request, wave_id, number)
    part = found.districts.filter(code=code).first()
    if part is None:
        raise not_found(_("No such district in this edition."))
    content = edition_file_bytes(part.pdf if kind == "pdf" else part.xlsx)
    response = HttpResponse(content, content_type=FILE_TYPES[kind])
    name = f"results-wave-{wave_id}-edition-{found.number}-{code}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
