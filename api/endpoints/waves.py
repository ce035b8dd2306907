"""Waves, their fieldwork progress and dispositions (the firm's tokens for the last two)."""

import math

from django.utils.translation import gettext as _
from ninja import Router

from api import access
from api.auth import READ
from api.schemas import DispositionsOut, ErrorOut, Id, ProgressOut, WaveOut
from fieldwork import loaders
from fieldwork import selectors as fieldwork_selectors
from fieldwork.dispositions import BY_CODE
from fieldwork.selectors import rate_table

router = Router(tags=["waves"], auth=READ)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
RATES = ("RR3", "COOP3", "REF2", "CON2")


def _wave_out(wave) -> dict:
    version = wave.questionnaire_version
    return {
        "id": wave.pk,
        "name": wave.name,
        "client": wave.client.name,
        "status": wave.status,
        "mode": wave.mode,
        "questionnaire": version.questionnaire.title,
        "questionnaire_version": version.number,
        "created_at": wave.created_at,
    }


def _code_order(code: str) -> tuple[int, str]:
    """AAPOR's order: 2.111 before 2.12 before 2.36 (the decimals read as digits)."""
    major, _dot, minor = code.partition(".")
    return int(major), minor


@router.get("/waves", response={200: list[WaveOut], **ERRORS}, url_name="waves")
def waves(request):
    """The waves this token may read, newest first."""
    listed = access.visible_waves(request.auth).order_by("-created_at", "-pk")
    return [_wave_out(wave) for wave in listed]


@router.get("/waves/{int:wave_id}", response={200: WaveOut, **ERRORS}, url_name="wave")
def wave(request, wave_id: Id):
    return _wave_out(access.wave_for(request.auth, wave_id))


@router.get(
    "/waves/{int:wave_id}/progress", response={200: ProgressOut, **ERRORS}, url_name="progress"
)
def progress(request, wave_id: Id):
    """Cases by status, overall and per street (the firm's tokens)."""
    wave = access.wave_for(request.auth, wave_id)
    access.require_firm(request.auth)
    by_street = fieldwork_selectors.progress_by(wave, "street_id", "street__name")
    return {"wave": wave.pk, **fieldwork_selectors.wave_progress(wave), "by_street": by_street}


@router.get(
    "/waves/{int:wave_id}/dispositions",
    response={200: DispositionsOut, **ERRORS},
    url_name="dispositions",
)
def dispositions(request, wave_id: Id):
    """Each case's current AAPOR disposition counted, and the wave's AAPOR rates (the
    firm's tokens)."""
    wave = access.wave_for(request.auth, wave_id)
    access.require_firm(request.auth)
    cases = loaders.disposition_frame(wave)
    counts = cases["disposition"].value_counts()
    rows = []
    for code in sorted(counts.index, key=_code_order):
        known = BY_CODE.get(code)
        rows.append(
            {
                "code": code,
                "label": _(known.label) if known else code,
                "final": bool(known and known.final),
                "cases": int(counts[code]),
            }
        )
    table = rate_table(wave, "wave", cases)
    rates = {}
    for name in RATES:
        value = None if table.empty else float(table.iloc[0][name])
        rates[name] = None if value is None or math.isnan(value) else round(value, 4)
    return {"wave": wave.pk, "cases": len(cases), "dispositions": rows, "rates": rates}
