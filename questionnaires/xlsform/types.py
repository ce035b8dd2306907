"""pyxform's question types (with every alias it accepts) → the types we run. Pure: no Django.

pyxform's survey JSON keeps a type as the form spells it ("string", "int", "select one",
"phone number"); its type dictionary says what each spelling is (bind type and control). We
name the result by what the interviewer does:

- asked now: select_one, select_multiple, select_one_external, select_one_from_file,
  select_multiple_from_file, text, integer, decimal, date, time, datetime, range, acknowledge,
  trigger, note, calculate (and locality, our cascade over the locality tree);
- "deferred": location, media, barcode and rank questions, kept in the definition but answered
  in a later part of the engine;
- "metadata": what a device fills in (start, end, deviceid, imei, audit, uri:*, ...), kept in
  the definition and never asked.
"""

__all__ = ["ASKED", "DEFERRED", "MEDIA", "METADATA", "REFUSED", "kind_of", "our_type"]

ASKED = "asked"
DEFERRED = "deferred"
METADATA = "metadata"
REFUSED = "refused"
MEDIA = ("image", "audio")  # captured in the browser, door to door only
_UPLOADS = {"image/*": "image", "audio/*": "audio"}
_REFUSED_BINDS = ("geotrace", "geoshape", "barcode")

_BY_BIND = {
    "string": "text",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
}
_NAMED = {
    "note": "note",
    "select one external": "select_one_external",
    "select_one_external": "select_one_external",
    "calculate": "calculate",
    "range": "range",
    "trigger": "trigger",
    "acknowledge": "acknowledge",
}
_METADATA_NAMES = {
    "audit", "start-geopoint", "background-audio", "background-geopoint", "hidden",
    "xml-external", "csv-external", "instanceid", "username", "email", "phonenumber",
}  # fmt: skip
_FILE_SUFFIXES = (".csv", ".xml", ".geojson")


def _from_dictionary(spelled: str) -> str:
    # pyxform only where a form is read, not in every web worker that imports this package
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    entry = QUESTION_TYPE_DICT.get(spelled)
    if entry is None:
        lowered = spelled.lower()
        if lowered.startswith("uri:") or lowered in _METADATA_NAMES:
            return "metadata"
        return "deferred"
    tag = (entry.get("control") or {}).get("tag")
    bind = (entry.get("bind") or {}).get("type")
    if tag is None:
        return "calculate" if "calculate" in spelled else "metadata"
    if tag == "select1":
        return "select_one"
    if tag == "select":
        return "select_multiple"
    if tag == "trigger":
        return "acknowledge" if bind == "string" else "trigger"
    if tag == "range":
        return "range"
    if tag == "input" and bind in _BY_BIND:
        return "note" if "note" in spelled else _BY_BIND[bind]
    if tag == "input" and bind == "geopoint":
        return "geopoint"
    if tag == "upload":
        return _UPLOADS.get((entry.get("control") or {}).get("mediatype"), "refused")
    if bind in _REFUSED_BINDS:
        return "refused"
    return "deferred"


def our_type(element: dict) -> str:
    """Our type for one pyxform JSON element (a question), or "metadata" / "deferred" /
    "refused"."""
    spelled = str(element.get("type", ""))
    if spelled in _NAMED:
        found = _NAMED[spelled]
    else:
        found = _from_dictionary(spelled)
    itemset = str(element.get("itemset") or "")
    if found in ("select_one", "select_multiple") and itemset.lower().endswith(_FILE_SUFFIXES):
        return f"{found}_from_file"
    return found


def kind_of(question_type: str) -> str:
    if question_type == "metadata":
        return METADATA
    if question_type == "deferred":
        return DEFERRED
    if question_type == "refused":
        return REFUSED
    return ASKED
