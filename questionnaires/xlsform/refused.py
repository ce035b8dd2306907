"""Question types the interview does not run, refused at import with their rows. Pure.

Drawing a line or an area on a map (geotrace, geoshape), scanning a barcode, filming and
attaching a file are not part of a door-to-door or telephone satisfaction interview, and a
form that needs them would silently lose those answers: better to say so when it is uploaded,
at every row at once, than to run it without them.
"""

from common.translatable import Translatable, gettext_noop
from questionnaires.xlsform.columns import Sheet
from questionnaires.xlsform.types import REFUSED

__all__ = ["refused_rows"]

_WHAT = {
    "geotrace": gettext_noop("a line drawn on a map (geotrace)"),
    "geoshape": gettext_noop("an area drawn on a map (geoshape)"),
    "barcode": gettext_noop("a barcode scan (barcode)"),
    "video": gettext_noop("a video (video)"),
    "file": gettext_noop("a file attached (file)"),
}
REFUSED_TYPE = gettext_noop(
    "%(name)s asks for %(what)s, which the interview cannot capture; use a geopoint, an "
    "image, an audio recording or a text question instead"
)
_OTHER = gettext_noop("a type the interview cannot capture")


def _walk(items: list[dict]):
    for item in items:
        if item.get("type") == "repeat" and "questions" in item:
            yield from _walk(item["questions"])
        else:
            yield item


def refused_rows(survey: Sheet, definition: dict) -> list:
    """One error per question of a refused type, at its row's type cell, in sheet order."""
    rows: dict[str, int] = {}
    for number, row in survey.numbered():
        rows.setdefault(survey.get(row, "name"), number)
    found = [
        question
        for page in definition["groups"]
        for question in _walk(page["questions"])
        if question.get("kind") == REFUSED
    ]
    found.sort(key=lambda question: rows.get(question["name"], 0))
    return [
        survey.error(
            rows.get(question["name"], 0),
            "type",
            Translatable(
                REFUSED_TYPE,
                name=question["name"],
                what=Translatable(_WHAT.get(_base(question), _OTHER)),
            ),
        )
        for question in found
    ]


def _base(question: dict) -> str:
    # pyxform here, not with the module: web workers import this package through the
    # definitions and need not hold it in memory
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    spelled = str(question.get("xlsform_type") or question.get("type"))
    entry = QUESTION_TYPE_DICT.get(spelled) or {}
    bind = (entry.get("bind") or {}).get("type")
    if bind in ("geotrace", "geoshape", "barcode"):
        return bind
    media = (entry.get("control") or {}).get("mediatype", "")
    return {"video/*": "video", "application/*": "file"}.get(media, spelled)
