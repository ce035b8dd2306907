"""What a device records for the form's metadata questions, as ODK Collect records it. Pure.

The XLSForm types start, end, today, deviceid, username and audit (and their aliases, such as
imei for deviceid) are never asked; their answers are stored at their paths like any other:

- start: when the interview was opened (ISO 8601 with the offset), today: that day;
- username: the interviewer's user name;
- deviceid: the browser the interview was opened in ("web:" and a random id kept in a cookie
  for years, fieldwork.interview.device), as Collect's deviceid names the phone;
- end: when the interview was finished;
- audit: the interview's paradata in ODK's audit log format (a CSV text: event, node, start,
  end, in milliseconds since the epoch): "form start", one "group questions" row per page
  visit (shown → submitted), "question changed" for an answer changed on a later visit,
  "form resume", "form exit" (stopped with an appointment) and "form finalize". ODK writes the
  same log as an audit.csv attachment; ours is what the wizard knows, page by page (it does
  not see keystrokes or time per question within a page).

Other metadata (simserial, subscriberid, phonenumber, email, start-geopoint, ...) is kept in the
definition and not recorded: a browser cannot read it, and a phone number is personal data.
"""

import csv
import io
from datetime import datetime

from questionnaires import answers as A

__all__ = ["RECORDED", "at_finish", "at_start", "kind", "recorded_keys"]

RECORDED = ("start", "end", "today", "deviceid", "username", "audit")
# pyxform's spellings of them (its question type dictionary's jr:preloadParams), written out
# so that web workers need not import pyxform; a test compares the two.
SPELLINGS = {
    "start": "start", "start time": "start", "get start time": "start",
    "end": "end", "end time": "end", "get end time": "end",
    "today": "today", "get today": "today",
    "deviceid": "deviceid", "device id": "deviceid", "get device id": "deviceid",
    "imei": "deviceid", "username": "username",
}  # fmt: skip
_AUDIT_EVENTS = {
    "started": "form start",
    "resumed": "form resume",
    "stopped": "form exit",
    "finished": "form finalize",
}


def kind(question: dict) -> str | None:
    """Which of RECORDED a metadata question is (through pyxform's aliases), else None."""
    spelled = str(question.get("xlsform_type") or question.get("type") or "")
    if spelled == "audit":
        return "audit"
    return SPELLINGS.get(spelled)


def _questions(definition: dict, *kinds: str) -> list[tuple[str, dict]]:
    return [(kind(q), q) for q in definition.get("metadata") or [] if kind(q) in kinds]


def recorded_keys(definition: dict) -> set[str]:
    """The answer keys of the metadata the interview records (kept when answers are settled)."""
    return {A.key(q) for _kind, q in _questions(definition, *RECORDED)}


def at_start(definition: dict, *, started: datetime, username: str, device: str) -> dict:
    """{key: value} recorded when the interview is opened."""
    values = {
        "start": started.isoformat(timespec="milliseconds"),
        "today": started.date().isoformat(),
        "username": username,
        "deviceid": device,
    }
    return {A.key(q): values[k] for k, q in _questions(definition, *values) if values[k]}


def at_finish(definition: dict, *, ended: datetime, paradata: list[dict]) -> dict:
    """{key: value} recorded when the interview is finished: end and the audit log."""
    found = {}
    for what, question in _questions(definition, "end", "audit"):
        if what == "end":
            found[A.key(question)] = ended.isoformat(timespec="milliseconds")
        else:
            found[A.key(question)] = audit_log(paradata)
    return found


def _ms(at: str | None) -> str:
    if not at:
        return ""
    try:
        return str(round(datetime.fromisoformat(at).timestamp() * 1000))
    except ValueError:
        return ""


def audit_log(paradata: list[dict]) -> str:
    """The paradata as ODK's audit.csv: a header and one row per event, in time order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["event", "node", "start", "end"])
    shown: dict[str, str] = {}
    for event in paradata:
        name, step, at = event.get("event"), event.get("step") or "", event.get("at")
        if name in _AUDIT_EVENTS:
            writer.writerow([_AUDIT_EVENTS[name], "", _ms(at), ""])
        elif name == "page_shown":
            shown[step] = at
        elif name == "page_submitted":
            writer.writerow(["group questions", step, _ms(shown.pop(step, None) or at), _ms(at)])
        elif name == "answer_changed":
            writer.writerow(["question changed", event.get("question") or "", _ms(at), ""])
    return out.getvalue()
