"""Approved microdata a page at a time: the interview file of the exports
(exports.microdata.wave_microdata: the same columns, weights and withheld personal data as
the data package), ordered by interview id and paged by keyset, so a page is never repeated
or skipped when interviews are approved meanwhile (a newly approved interview with a lower id
than the cursor is seen by the next walk from the start).

Shaping a wave's microdata weights and reshapes every interview, so the shaped frame is kept
in the process for the state of the wave's decisions (scoring.states.state_key): paging
through it costs a slice and a JSON dump. A few waves are kept (MAX_KEPT).
"""

import json
import threading
from collections import OrderedDict
from datetime import date

import pandas as pd
from django.core import signing
from django.utils.translation import gettext as _

from api.errors import field_error, invalid
from common.i18n import ui_language_code
from exports.codebook import INTERVIEWS
from exports.microdata import wave_microdata
from fieldwork.models import Wave
from scoring.states import state_key

MAX_KEPT = 4
LOCALITY_COLUMNS = ("city_code", "district_code", "street_code", "community_code")
_kept: OrderedDict[str, pd.DataFrame] = OrderedDict()
_lock = threading.Lock()
CURSOR_SALT = "api.microdata.cursor"


def interview_frame(wave: Wave) -> pd.DataFrame:
    """The wave's approved interviews as the export's interview file, sorted by id."""
    key = f"{state_key(wave)}:{ui_language_code()}"
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    frame = wave_microdata(wave=wave).frames[INTERVIEWS]
    frame = frame.sort_values("interview_id", kind="stable").reset_index(drop=True)
    frame["interview_date"] = frame["interview_date"].dt.strftime("%Y-%m-%d")
    with _lock:
        _kept[key] = frame
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return frame


def encode_cursor(wave: Wave, after: int) -> str:
    return signing.dumps({"w": wave.pk, "a": int(after)}, salt=CURSOR_SALT, compress=True)


def decode_cursor(wave: Wave, cursor: str | None) -> int:
    """The last interview id the previous page held (0: the first page)."""
    if not cursor:
        return 0
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        if data["w"] != wave.pk:
            raise ValueError
        return int(data["a"])
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        message = _("This cursor is not valid for this wave; start again without one.")
        raise invalid([field_error("cursor", message)]) from None


def page(
    *,
    wave: Wave,
    cursor: str | None,
    limit: int,
    locality: str | None,
    date_from: date | None,
    date_to: date | None,
) -> str:
    """One page as JSON text: {"wave", "count", "next_cursor", "columns", "results"}."""
    after = decode_cursor(wave, cursor)
    frame = interview_frame(wave)
    ids = frame["interview_id"].to_numpy()
    start = int(ids.searchsorted(after, side="right"))
    rest = frame.iloc[start:]
    wanted = pd.Series(True, index=rest.index)
    if locality:
        found = pd.Series(False, index=rest.index)
        for column in LOCALITY_COLUMNS:
            if column in rest.columns:
                found |= rest[column].astype(str) == locality
        wanted &= found
    if date_from is not None:
        wanted &= rest["interview_date"] >= date_from.isoformat()
    if date_to is not None:
        wanted &= rest["interview_date"] <= date_to.isoformat()
    chosen = rest[wanted].iloc[: limit + 1]
    more = len(chosen) > limit
    chosen = chosen.iloc[:limit]
    next_cursor = encode_cursor(wave, chosen["interview_id"].iloc[-1]) if more else None
    records = chosen.to_json(orient="records", date_format="iso", force_ascii=False)
    head = json.dumps(
        {
            "wave": wave.pk,
            "count": len(chosen),
            "next_cursor": next_cursor,
            "columns": list(frame.columns),
        },
        ensure_ascii=False,
    )
    return head[:-1] + ', "results": ' + records + "}"
