"""XLSForm → questionnaire definition, through pyxform. Pure: no Django.

The definition (stored on QuestionnaireVersion.definition) has this shape:

    {
      "form_id": "safety_standard",
      "title": {"zh": "...", "en": "..."},
      "languages": ["zh", "en"],                 # first is the default
      "dimensions": {"public_order": {"zh": "社会治安", "en": "Public order"}, ...},
      "choice_lists": {
        "sat5": [
          {"value": "5", "label": {"zh": "非常满意", "en": "Very satisfied"},
           "score": 100.0, "positive": true, "extra": {}},
          ...,
          {"value": "9", "label": {...}, "score": null, "positive": null, "extra": {}}
        ],                                        # score null: don't know/refused, excluded
        ...
      },
      "groups": [                                 # one wizard page each, in order
        {"name": "safety", "label": {...}, "relevant": "${eligible} = 'yes'" | null,
         "questions": [
           {"name": "safety_overall",
            "type": "select_one" | "select_multiple" | "integer" | "decimal" | "text"
                    | "note" | "locality",
            "list": "safe5" | null, "label": {...}, "hint": {...} | null,
            "required": bool, "relevant": str | null, "constraint": str | null,
            "constraint_message": {...} | null, "appearance": str | null,
            "dimension": "public_order" | null,   # scoring: which dimension the item feeds
            "indicator": str | null,              # scoring: finer indicator code
            "locality_level": "district" | "street" | "community" | null}
         ]}
      ]
    }

"locality" questions take their choices from the locality tree at run time (cascading:
each level filtered by the answer to the level above); the answer is a locality code.

How the spreadsheet maps onto it:
- Languages come from pyxform language columns such as `label::中文 (zh)`: the code in
  parentheses is the key ("zh"). The settings sheet's `default_language` comes first; a form
  without language columns is taken to be in its default language, or Chinese ("zh").
  `title` has the default language only (XLSForm's form_title is not translatable).
- Extra survey columns: `dimension` (a name on the choices list `dimensions`, whose labels are
  the dimension labels; that list is not in `choice_lists`), `indicator`, `locality_level`.
  A question with `locality_level` is written `select_one_from_file localities.csv` (with a
  `choice_filter` on the level above) or `text`; it becomes type "locality". Levels are asked
  at most once each, top down.
- Extra choices columns: `score` (0–100, blank for don't know) and `positive` (1 if the category
  counts as safe/satisfied for a 率, 0 if not, blank for don't know). Any other choices columns
  land in "extra" as strings.
- Every question sits in a (non-nested) group: a group is a wizard page. Metadata types (start,
  end, deviceid …) are accepted and left out; repeats and other types are refused.
- `relevant` and `constraint` must use the expression subset of questionnaires.logic and refer
  only to names on the survey sheet.

Errors from our checks and from pyxform are collected and raised together as XLSFormError,
each naming the sheet, row and column.
"""

import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from questionnaires.logic import ExpressionError, references

__all__ = ["LOCALITY_LEVELS", "ParsedForm", "XLSFormError", "parse_xlsform"]

LOCALITY_LEVELS = ("district", "street", "community")
DIMENSIONS_LIST = "dimensions"
FALLBACK_LANGUAGE = "zh"

# Our type names by the first word of the XLSForm `type` cell.
_SELECT_TYPES = {"select_one": "select_one", "select_multiple": "select_multiple"}
_PLAIN_TYPES = {"integer", "decimal", "text", "note"}
_LOCALITY_SOURCE_TYPES = {"select_one_from_file", "text"}
# Collected by ODK clients automatically; we keep our own paradata, so they are skipped.
_METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "audit",
    "simserial",
    "subscriberid",
}
_SUPPORTED = "select_one, select_multiple, integer, decimal, text, note, select_one_from_file"
# pyxform's json type names → ours
_JSON_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "note": "note",
}
_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)\s*$")
_LANGUAGE_NAMES = {"chinese": "zh", "中文": "zh", "english": "en"}
_TRUE = {"yes", "true", "true()", "1"}


class XLSFormError(ValueError):
    """The spreadsheet is not a form we can run. `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ParsedForm:
    definition: dict
    xform_xml: str
    warnings: list[str] = field(default_factory=list)


def parse_xlsform(data: bytes, filename: str) -> ParsedForm:
    """Read, check and convert an XLSForm workbook (.xlsx bytes). Raise XLSFormError."""
    if PurePath(filename).suffix.lower() != ".xlsx":
        raise XLSFormError([f"{filename}: not an .xlsx file (XLSForms are Excel workbooks)"])
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
    except Exception as err:  # pyxform/openpyxl raise assorted errors on a corrupt file
        raise XLSFormError([f"{filename}: cannot be read as an Excel workbook ({err})"]) from err

    errors = _check_workbook(workbook)
    if errors:
        # pyxform stops at the first problem and would mostly repeat one of ours.
        raise XLSFormError(errors)

    form_stem = _xml_name(PurePath(filename).stem)
    warnings: list[str] = []
    try:
        form_json = workbook_to_json(
            workbook_dict=workbook, fallback_form_name=form_stem, warnings=warnings
        )
        survey = create_survey_element_from_dict(form_json)
        xform_xml = survey.to_xml(validate=False, pretty_print=False, warnings=warnings)
    except PyXFormError as err:
        raise XLSFormError([f"{filename}: {err}"]) from err
    except Exception as err:  # pyxform has failure paths that raise plain Python errors
        raise XLSFormError([f"{filename}: pyxform could not convert the form ({err!r})"]) from err

    return ParsedForm(
        definition=_definition(form_json), xform_xml=xform_xml, warnings=list(warnings)
    )


# ---------------------------------------------------------------------------------------------
# Checks on the raw sheets, where row and column are still known


class _Sheet:
    """Rows of one sheet with the raw header of each column we read."""

    def __init__(self, name: str, rows, header, aliases: dict[str, tuple[str, ...]]) -> None:
        self.name = name
        self.rows = list(rows or [])
        raw_headers = list(header[0]) if header else []
        self.columns: dict[str, str] = {}
        for canonical, spellings in aliases.items():
            for raw in raw_headers:
                if raw.strip().lower().replace(" ", "_") in spellings:
                    self.columns[canonical] = raw
                    break

    def numbered(self):
        """(sheet row number, row) for non-empty rows; row 1 is the header."""
        for index, row in enumerate(self.rows):
            if row:
                yield index + 2, row

    def get(self, row: dict, column: str) -> str:
        raw = self.columns.get(column)
        value = row.get(raw) if raw else None
        return str(value).strip() if value is not None else ""

    def error(self, row_number: int, column: str, message: str) -> str:
        label = self.columns.get(column, column)
        return f"{self.name} sheet, row {row_number}, column {label}: {message}"


_SURVEY_COLUMNS = {
    "type": ("type",),
    "name": ("name",),
    "relevant": ("relevant", "relevance", "bind::relevant"),
    "constraint": ("constraint", "bind::constraint"),
    "choice_filter": ("choice_filter",),
    "dimension": ("dimension",),
    "indicator": ("indicator",),
    "locality_level": ("locality_level",),
}
_CHOICES_COLUMNS = {
    "list_name": ("list_name",),
    "name": ("name", "value"),
    "score": ("score",),
    "positive": ("positive",),
}


def _check_workbook(workbook: DefinitionData) -> list[str]:
    if not workbook.survey:
        return ["the workbook has no 'survey' sheet (or it is empty)"]
    survey = _Sheet("survey", workbook.survey, workbook.survey_header, _SURVEY_COLUMNS)
    choices = _Sheet("choices", workbook.choices, workbook.choices_header, _CHOICES_COLUMNS)
    errors: list[str] = []
    lists = _check_choices(choices, errors)
    _check_survey(survey, lists, errors)
    return errors


def _check_choices(sheet: _Sheet, errors: list[str]) -> dict[str, list[dict]]:
    """Check scores and codes; return {list name: [{"name", "score"}]}."""
    lists: dict[str, list[dict]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for n, row in sheet.numbered():
        list_name, name = sheet.get(row, "list_name"), sheet.get(row, "name")
        if not list_name:
            errors.append(sheet.error(n, "list_name", "missing list name"))
            continue
        if not name:
            errors.append(sheet.error(n, "name", f"missing choice name in list '{list_name}'"))
            continue
        if (list_name, name) in first_row:
            errors.append(
                sheet.error(
                    n,
                    "name",
                    f"duplicate choice '{name}' in list '{list_name}' "
                    f"(also row {first_row[list_name, name]})",
                )
            )
        first_row.setdefault((list_name, name), n)
        score = sheet.get(row, "score")
        if score:
            try:
                value = float(score)
            except ValueError:
                value = math.nan
            if not 0 <= value <= 100:  # also false for NaN
                errors.append(
                    sheet.error(
                        n, "score", f"'{score}' is not a number from 0 to 100 (blank: don't know)"
                    )
                )
        positive = sheet.get(row, "positive")
        if positive and positive not in ("0", "1"):
            errors.append(
                sheet.error(
                    n, "positive", f"'{positive}' must be 1 (counts as positive), 0, or blank"
                )
            )
        lists.setdefault(list_name, []).append({"name": name, "score": score})
    return lists


def _check_survey(sheet: _Sheet, lists: dict[str, list[dict]], errors: list[str]) -> None:
    dimensions = {choice["name"] for choice in lists.get(DIMENSIONS_LIST, [])}
    all_names = {sheet.get(row, "name") for _, row in sheet.numbered()} - {""}
    first_row: dict[str, int] = {}
    open_group: tuple[str, int] | None = None
    locality_rows: dict[str, int] = {}

    for n, row in sheet.numbered():
        type_text = " ".join(sheet.get(row, "type").split())
        name = sheet.get(row, "name")
        if not type_text:
            errors.append(sheet.error(n, "type", "missing type"))
            continue
        words = type_text.split(" ")
        base = words[0].lower()
        if type_text.lower() in ("begin group", "begin_group"):
            base = "begin_group"
        elif type_text.lower() in ("end group", "end_group"):
            if open_group is None:
                errors.append(sheet.error(n, "type", "end group without a begin group"))
            open_group = None
            continue
        elif base in ("begin", "end", "begin_repeat", "end_repeat"):
            errors.append(
                sheet.error(n, "type", f"'{type_text}' is not supported (groups only, no repeats)")
            )
            continue

        if not name:
            errors.append(sheet.error(n, "name", "missing name"))
        elif name in first_row:
            errors.append(
                sheet.error(n, "name", f"duplicate name '{name}' (also row {first_row[name]})")
            )
        else:
            first_row[name] = n

        if base == "begin_group":
            if open_group is not None:
                errors.append(
                    sheet.error(
                        n,
                        "type",
                        f"groups cannot be nested: each group is one page "
                        f"(group '{open_group[0]}' from row {open_group[1]} is still open)",
                    )
                )
            open_group = (name, n)
        elif base in _METADATA_TYPES:
            continue
        elif open_group is None:
            errors.append(
                sheet.error(
                    n,
                    "type",
                    f"question '{name}' is outside any group: put every question between "
                    "begin group and end group (one group is one page)",
                )
            )
        _check_question_type(sheet, n, row, base, words, lists, errors)
        _check_tags(sheet, n, row, base, words, lists, dimensions, locality_rows, errors)
        _check_expressions(sheet, n, row, all_names, errors)

    if open_group is not None:
        errors.append(
            sheet.error(open_group[1], "type", f"group '{open_group[0]}' has no end group")
        )


def _check_question_type(
    sheet: _Sheet, n: int, row: dict, base: str, words: list[str], lists: dict, errors: list
) -> None:
    if base == "begin_group" or base in _PLAIN_TYPES:
        if len(words) > 1 and base != "begin_group":
            errors.append(sheet.error(n, "type", f"unexpected '{' '.join(words[1:])}'"))
        return
    if base in _SELECT_TYPES:
        if len(words) != 2:
            detail = "or_other is not supported" if "or_other" in words else "give one list name"
            errors.append(sheet.error(n, "type", f"'{' '.join(words)}': {detail}"))
        elif words[1] not in lists:
            errors.append(
                sheet.error(n, "type", f"choice list '{words[1]}' is not on the choices sheet")
            )
        return
    if base == "select_one_from_file":
        return  # checked with locality_level
    errors.append(
        sheet.error(n, "type", f"type '{' '.join(words)}' is not supported (use {_SUPPORTED})")
    )


def _check_tags(
    sheet: _Sheet,
    n: int,
    row: dict,
    base: str,
    words: list[str],
    lists: dict,
    dimensions: set[str],
    locality_rows: dict[str, int],
    errors: list,
) -> None:
    """dimension / indicator / locality_level / choice_filter on one survey row."""
    dimension = sheet.get(row, "dimension")
    indicator = sheet.get(row, "indicator")
    level = sheet.get(row, "locality_level")
    is_group = base == "begin_group"
    if dimension:
        if not dimensions:
            errors.append(
                sheet.error(
                    n,
                    "dimension",
                    f"unknown dimension '{dimension}': the choices sheet has no "
                    f"'{DIMENSIONS_LIST}' list",
                )
            )
        elif dimension not in dimensions:
            errors.append(
                sheet.error(
                    n,
                    "dimension",
                    f"unknown dimension '{dimension}' (not on the '{DIMENSIONS_LIST}' list: "
                    f"{', '.join(sorted(dimensions))})",
                )
            )
        scored = (
            base == "select_one"
            and len(words) == 2
            and any(choice["score"] for choice in lists.get(words[1], []))
        )
        if not scored:
            errors.append(
                sheet.error(
                    n,
                    "dimension",
                    "only select_one questions whose choice list has scores can feed a dimension",
                )
            )
    if indicator and not dimension:
        errors.append(sheet.error(n, "indicator", f"indicator '{indicator}' needs a dimension"))

    if level:
        if level not in LOCALITY_LEVELS:
            errors.append(
                sheet.error(n, "locality_level", f"'{level}' is not district, street or community")
            )
        elif is_group or base not in _LOCALITY_SOURCE_TYPES:
            errors.append(
                sheet.error(
                    n,
                    "locality_level",
                    "locality questions must be select_one_from_file (e.g. localities.csv) or text",
                )
            )
        elif level in locality_rows:
            errors.append(
                sheet.error(
                    n,
                    "locality_level",
                    f"a second {level} question (first at row {locality_rows[level]})",
                )
            )
        else:
            parent = (
                LOCALITY_LEVELS[LOCALITY_LEVELS.index(level) - 1] if level != "district" else None
            )
            if parent and parent not in locality_rows:
                errors.append(
                    sheet.error(
                        n,
                        "locality_level",
                        f"a {level} question needs a {parent} question before it",
                    )
                )
            locality_rows[level] = n
    elif base == "select_one_from_file":
        errors.append(
            sheet.error(
                n, "type", "select_one_from_file is only for locality questions (locality_level)"
            )
        )
    if sheet.get(row, "choice_filter") and not level:
        errors.append(
            sheet.error(n, "choice_filter", "choice_filter is only for locality questions")
        )


def _check_expressions(sheet: _Sheet, n: int, row: dict, all_names: set[str], errors: list) -> None:
    for column in ("relevant", "constraint"):
        expression = sheet.get(row, column)
        if not expression:
            continue
        try:
            unknown = references(expression) - all_names
        except ExpressionError as err:
            errors.append(sheet.error(n, column, str(err)))
            continue
        for name in sorted(unknown):
            errors.append(sheet.error(n, column, f"refers to ${{{name}}}, which is not a question"))


# ---------------------------------------------------------------------------------------------
# pyxform json → our definition


class _Languages:
    """Maps pyxform language names ("中文 (zh)", "default") to codes, in order of use."""

    def __init__(self, default_name: str) -> None:
        self.default_code = None if default_name == "default" else _language_code(default_name)
        self.seen: list[str] = []
        self.plain_seen = False

    def code(self, name: str) -> str:
        if name == "default":
            self.plain_seen = True
            code = self.default_code or FALLBACK_LANGUAGE
        else:
            code = _language_code(name)
        if code not in self.seen:
            self.seen.append(code)
        return code

    def text(self, value: Any) -> dict | None:
        """A translatable cell as {code: text}, or None when empty."""
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            texts = {self.code(name): str(text) for name, text in value.items() if text}
            return texts or None
        return {self.code("default"): str(value)}

    def ordered(self) -> list[str]:
        first = self.default_code or (FALLBACK_LANGUAGE if self.plain_seen else None)
        languages = list(self.seen) or [first or FALLBACK_LANGUAGE]
        if first:
            languages = [first] + [code for code in languages if code != first]
        return languages


def _language_code(name: str) -> str:
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match.group(1)
    return _LANGUAGE_NAMES.get(name.strip().lower(), name.strip())


def _definition(form_json: dict) -> dict:
    languages = _Languages(form_json.get("default_language", "default"))
    groups = []
    for element in form_json.get("children", []):
        if element.get("type") != "group":
            continue  # metadata questions (checked before conversion)
        if element.get("name") == "meta" and element.get("control", {}).get("bodyless"):
            continue  # pyxform's own instanceID block
        groups.append(
            {
                "name": element["name"],
                "label": languages.text(element.get("label")) or {},
                "relevant": element.get("bind", {}).get("relevant") or None,
                "questions": [
                    _question(child, languages)
                    for child in element.get("children", [])
                    if child.get("type") in _JSON_TYPES
                ],
            }
        )

    dimensions: dict[str, dict] = {}
    choice_lists: dict[str, list[dict]] = {}
    for list_name, options in form_json.get("choices", {}).items():
        if list_name == DIMENSIONS_LIST:
            for option in options:
                dimensions[option["name"]] = languages.text(option.get("label")) or {}
        else:
            choice_lists[list_name] = [_choice(option, languages) for option in options]

    ordered = languages.ordered()
    return {
        "form_id": form_json.get("id_string") or form_json.get("name"),
        "title": {ordered[0]: str(form_json.get("title") or "")},
        "languages": ordered,
        "dimensions": dimensions,
        "choice_lists": choice_lists,
        "groups": groups,
    }


def _question(element: dict, languages: _Languages) -> dict:
    bind = element.get("bind", {})
    level = element.get("locality_level") or None
    question_type = "locality" if level else _JSON_TYPES[element["type"]]
    return {
        "name": element["name"],
        "type": question_type,
        "list": element.get("list_name") if question_type.startswith("select") else None,
        "label": languages.text(element.get("label")) or {},
        "hint": languages.text(element.get("hint")),
        "required": str(bind.get("required", "")).strip().lower() in _TRUE,
        "relevant": bind.get("relevant") or None,
        "constraint": bind.get("constraint") or None,
        "constraint_message": languages.text(bind.get("jr:constraintMsg")),
        "appearance": element.get("control", {}).get("appearance") or None,
        "dimension": element.get("dimension") or None,
        "indicator": element.get("indicator") or None,
        "locality_level": level,
    }


def _choice(option: dict, languages: _Languages) -> dict:
    score = option.get("score")
    positive = option.get("positive")
    return {
        "value": option["name"],
        "label": languages.text(option.get("label")) or {},
        "score": float(score) if score not in (None, "") else None,
        "positive": positive == "1" if positive not in (None, "") else None,
        "extra": {
            key: str(value)
            for key, value in option.items()
            if key not in ("name", "label", "score", "positive", "media")
            and not key.startswith("__")
        },
    }


def _xml_name(stem: str) -> str:
    """A filename stem made safe as an XML element name (pyxform's fallback form id)."""
    name = re.sub(r"[^\w.-]", "_", stem) or "form"
    return name if re.match(r"[^\W\d]", name) else f"form_{name}"
