"""The printable questionnaire's content in one of the form's languages: every page and
question with its choices and codes, and its logic in words as the preview page words it
(questionnaires.presenters.ExpressionNames). questionnaires.printable lays it out as a PDF."""

from django.contrib.staticfiles import finders
from django.utils import translation
from django.utils.translation import gettext as _
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from common.labels import localized
from questionnaires.models import QuestionnaireVersion
from questionnaires.presenters import ExpressionNames, effective_choices, expression_text
from questionnaires.printable import render_printable

__all__ = ["printable_document", "printable_pdf"]

FONT = "fonts/wqy-microhei.ttc"
_WRITTEN = ("text", "integer", "decimal", "date", "time", "datetime", "range", "geopoint",
            "locality")  # fmt: skip


def _reader_language(code: str) -> str:
    """The site's language for the headings of a PDF in the form's language `code`."""
    return "zh-hans" if code.lower().startswith("zh") else "en"


def _type_words(question: dict) -> str:
    kind = question["type"]
    parameters = question.get("parameters") or {}
    words = {
        "select_one": _("Choose one"),
        "select_multiple": _("Choose any that apply"),
        "select_one_from_file": _("Choose one, from the list file %(file)s"),
        "select_multiple_from_file": _("Choose any, from the list file %(file)s"),
        "select_one_external": _("Choose one"),
        "text": _("Text"),
        "integer": _("Whole number"),
        "decimal": _("Number"),
        "date": _("Date"),
        "time": _("Time"),
        "datetime": _("Date and time"),
        "range": _("A number from %(start)s to %(end)s, in steps of %(step)s"),
        "acknowledge": _("Tick to confirm"),
        "trigger": _("Tick to confirm"),
        "locality": _("Place, from the locality list"),
        "geopoint": _("Location: latitude and longitude"),
        "image": _("Photo, taken door to door"),
        "audio": _("Recording, made door to door"),
        "calculate": _("Calculated, not asked"),
    }.get(kind, "")
    return words % {"file": question.get("file") or "", "start": parameters.get("start", 1),
                    "end": parameters.get("end", 10),
                    "step": parameters.get("step", 1)}  # fmt: skip


def _logic(question: dict, names: ExpressionNames, language: str) -> list[str]:
    lines = []

    def said(expression) -> str:
        return expression_text(names.parts(expression))

    if question.get("required"):
        message = localized(question.get("required_message"), language)
        lines.append(_("Required") + (f": {message}" if message else ""))
    elif question.get("required_if"):
        lines.append(
            _("Required when %(condition)s") % {"condition": said(question["required_if"])}
        )
    if question.get("relevant"):
        lines.append(f"{_('Shown when')} {said(question['relevant'])}")
    if question.get("constraint"):
        line = f"{_('Valid when')} {said(question['constraint'])}"
        message = localized(question.get("constraint_message"), language)
        lines.append(line + (f" · {_('Otherwise')}: {message}" if message else ""))
    if question.get("choice_filter"):
        lines.append(f"{_('Choices where')} {said(question['choice_filter'])}")
    if question.get("calculation"):
        lines.append(f"{_('Calculated as')} {said(question['calculation'])}")
    return lines


class _Items:
    """The items of one page, numbering the questions asked across the whole form."""

    def __init__(self, definition: dict, language: str) -> None:
        self.lists = definition.get("choice_lists", {})
        self.names = ExpressionNames(definition, language)
        self.language = language
        self.number = 0

    def item(self, question: dict) -> dict:
        language = self.language
        if question.get("type") == "repeat" and "questions" in question:
            return {"kind": "roster", "label": localized(question.get("label"), language)
                    or question["name"], "lines": self.roster_lines(question),
                    "items": [self.item(q) for q in question["questions"]]}  # fmt: skip
        kind = question["type"]
        label = localized(question.get("label"), language) or question["name"]
        if kind == "note":
            return {"kind": "note", "label": label}
        asked = kind != "calculate" and question.get("kind", "asked") == "asked"
        if asked:
            self.number += 1
        choices = effective_choices(question, self.lists.get(question.get("list") or "", []))
        return {
            "kind": "question" if asked else "calculate",
            "number": f"Q{self.number}" if asked else "",
            "label": label,
            "name": question["name"],
            "type": _type_words(question),
            "hint": localized(question.get("hint"), language),
            "lines": _logic(question, self.names, language),
            "choices": [
                (
                    c["value"],
                    localized(c["label"], language),
                    "" if c["score"] is None else f"{c['score']:g}",
                )
                for c in choices
            ],  # fmt: skip
            "writes": kind in _WRITTEN,
        }

    def roster_lines(self, element: dict) -> list[str]:
        repeat = element.get("repeat") or {}
        count = repeat.get("count")
        rows = expression_text(self.names.parts(count)) if count else _("as many as entered")
        lines = [f"{_('One row per member; rows:')} {rows} ({_('at most')} {repeat.get('max')})"]
        if element.get("relevant"):
            lines.append(
                f"{_('Shown when')} {expression_text(self.names.parts(element['relevant']))}"
            )
        return lines


def _device_words(question: dict) -> str | None:
    """What the device records for a metadata question, in words (None: not recorded)."""
    spelled = str(question.get("xlsform_type") or question.get("type") or "")
    entry = QUESTION_TYPE_DICT.get(spelled) or {}
    kind = "audit" if spelled == "audit" else (entry.get("bind") or {}).get("jr:preloadParams")
    return {
        "start": _("when the interview began"),
        "end": _("when the interview was finished"),
        "today": _("the day of the interview"),
        "deviceid": _("the browser the interview was opened in"),
        "username": _("the interviewer's user name"),
        "audit": _("the log of the pages shown and answered"),
    }.get(kind or "")


def printable_document(version: QuestionnaireVersion, language: str) -> dict:
    """The PDF's content in the form's language `language`, headings in the matching site
    language (Chinese for a Chinese form, English otherwise)."""
    definition = version.definition
    with translation.override(_reader_language(language)):
        items = _Items(definition, language)
        pages = []
        for group in definition["groups"]:
            crumbs = [localized(c.get("label"), language) or c["path"]
                      for c in group.get("breadcrumbs", [])[:-1]]  # fmt: skip
            conditions = []
            if group.get("relevant"):
                said = expression_text(items.names.parts(group["relevant"]))
                conditions.append(f"{_('Shown when')} {said}")
            roster = None
            if group.get("repeat"):
                roster = _("Roster") + " · " + "; ".join(items.roster_lines(
                    {"repeat": group["repeat"]}))  # fmt: skip
            pages.append({
                "title": localized(group.get("label"), language),  # a lone question's: none
                "sections": [c for c in crumbs if c],
                "conditions": conditions,
                "roster": roster,
                "items": [items.item(q) for q in group["questions"]],
            })  # fmt: skip
        device = [
            f"{q['name']}: {words}"
            for q in definition.get("metadata") or []
            if (words := _device_words(q))
        ]
        title = localized(definition.get("title"), language) or version.title
        names = definition.get("language_names") or {}
        subtitle = _("%(code)s, version %(number)s · %(language)s · %(questions)s questions") % {
            "code": version.questionnaire.code, "number": version.number,
            "language": names.get(language, language), "questions": items.number}  # fmt: skip
        return {
            "title": title,
            "subtitle": subtitle,
            "intro": [
                _(
                    "For interviewer training and as a paper back-up. Questions are "
                    "numbered in the order the interview asks them; a question or page "
                    "with a condition is asked only when the condition holds. Circle one "
                    "choice (or every choice that applies), or write the answer on the "
                    "line."
                )
            ],  # fmt: skip
            "labels": {
                "device": _("Recorded by the device, not asked"),
                "code": _("Code"),
                "score": _("Score"),
            },  # fmt: skip
            "device": device,
            "footer": f"{title} · v{version.number} · {names.get(language, language)}",
            "pages": pages,
        }


def printable_pdf(version: QuestionnaireVersion, language: str) -> bytes:
    return render_printable(printable_document(version, language), font_path=finders.find(FONT))
