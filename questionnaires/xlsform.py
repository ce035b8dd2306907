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
         "appearance": "field-list" | "table-list" | ... | null,
         "repeat": null | {"count": "${household_size}" | null, "max": 20},
         "questions": [
           {"name": "safety_overall",
            "type": "select_one" | "select_multiple" | "integer" | "decimal" | "text"
                    | "date" | "note" | "calculate" | "locality",
            "list": "safe5" | null, "label": {...}, "hint": {...} | null,
            "required": bool, "required_message": {...} | null,
            "relevant": str | null, "constraint": str | null,
            "constraint_message": {...} | null, "appearance": str | null,
            "calculation": str | null,            # type calculate: the expression
            "default": str | null,                # literal, or an expression (logic.is_dynamic)
            "choice_filter": str | null,          # selects: bare names are choice columns
            "qc_check": str | null, "qc_check_message": {...} | null,
            "backcheck": bool,                    # re-asked in back-check calls
            "score_map": {"5": 100.0, ..., "9": null} | null,   # overrides the list's scores
            "positive_values": ["5", "4"] | null,              # overrides the list's positive
            "dimension": "public_order" | null,   # scoring: which dimension the item feeds
            "indicator": str | null,              # scoring: finer indicator code
            "locality_level": "district" | "street" | "community" | null}
         ]}
      ]
    }

"locality" questions take their choices from the locality tree at run time (cascading:
each level filtered by the answer to the level above); the answer is a locality code.
A repeat group is one page showing a roster; its answer is a list of row dicts stored under the
group's name. Date answers are ISO strings; calculate answers are strings.

How the spreadsheet maps onto it:
- Languages come from pyxform language columns such as `label::中文 (zh)`: the code in
  parentheses is the key ("zh"). The settings sheet's `default_language` comes first; a form
  without language columns is taken to be in its default language, or Chinese ("zh").
  `title` has the default language only (XLSForm's form_title is not translatable).
- Extra survey columns: `dimension` (a name on the choices list `dimensions`, whose labels are
  the dimension labels; that list is not in `choice_lists`), `indicator`, `locality_level`,
  `qc_check` (+ `qc_check_message`, translatable), `backcheck` (yes/no), `score_map`
  ("5=100 4=80 3=60 2=40 1=0 9=": every choice of the list, blank = don't know) and
  `satisfied` ("5 4": the codes that count as satisfied), and `repeat_max` on a begin repeat row.
  A question with `locality_level` is written `select_one_from_file localities.csv` (with a
  `choice_filter` on the level above, which the definition leaves out: the cascade follows from
  the levels) or `text`; it becomes type "locality". Levels are asked at most once each, top down.
- Extra choices columns: `score` (0–100, blank for don't know) and `positive` (1 if the category
  counts as safe/satisfied for a 率, 0 if not, blank for don't know). Any other choices columns
  land in "extra" as strings (choice filters read them by name).
- A group or repeat is a page; they cannot be nested. A question outside any group becomes a
  page of its own named `page_<question name>`, except a calculate, which joins the page before
  it (or the first page). Metadata types (start, end, deviceid …) are accepted and left out.
  Any other type, `or_other`, and columns we cannot honour (media, read_only, parameters, …) are
  refused, one error per row.
- Expressions must use the language of questionnaires.logic and refer only to names on the survey
  sheet; bare names are only allowed in a choice_filter, where they are choices columns.

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

from common.tables.problems import ENGLISH, Limits, TableError, TableProblem
from common.tables.workbooks import check_workbook
from common.translatable import Translatable, gettext_noop
from questionnaires.dependencies import ON_PAGE, Step, logic_cycles
from questionnaires.logic import ExpressionError, bare_names, is_dynamic, references

__all__ = [
    "dimension_order",
    "LOCALITY_FILE",
    "LOCALITY_LEVELS",
    "REPEAT_MAX",
    "ParsedForm",
    "XLSFormError",
    "parse_score_map",
    "parse_xlsform",
]

LOCALITY_LEVELS = ("district", "street", "community")
LOCALITY_FILE = "localities.csv"
DIMENSIONS_LIST = "dimensions"
FALLBACK_LANGUAGE = "zh"
# An XLSForm may unpack to 20 times this (a zip bomb may not) and have this many rows in a
# sheet (pyxform takes seconds per 10,000); the upload form caps the file at 5 MB.
WORKBOOK_LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_rows=20_000)
REPEAT_MAX = 20  # rows a roster takes when its begin repeat row gives no repeat_max
_REPEAT_MAX_LIMIT = 200

_SELECT_TYPES = {"select_one", "select_multiple"}
_PLAIN_TYPES = {"integer", "decimal", "text", "note", "date", "calculate"}
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
_SUPPORTED = (
    "select_one, select_multiple, integer, decimal, text, date, note, calculate, "
    "begin group, begin repeat, select_one_from_file localities.csv"
)
# pyxform's json type names → ours
_JSON_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "note": "note",
    "date": "date",
    "calculate": "calculate",
}
_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)\s*$")
# Where a problem is; presenters.import_errors reads the parts back.
_AT_CELL = gettext_noop("%(sheet)s sheet, row %(row)d, column %(column)s: %(problem)s")
_LANGUAGE_NAMES = {"chinese": "zh", "中文": "zh", "english": "en"}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TABLE_LIST_LABELS = ("reserved_name_for_field_list_labels_", "generated_table_list_label_")


def dimension_order(definition: dict) -> list[str]:
    """Dimension codes in questionnaire order: by first use in a question, then those no
    question uses. Stored definitions lose the key order of definition["dimensions"] on
    PostgreSQL (jsonb sorts keys), so order is taken from the questions, which are lists."""
    order: list[str] = []
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            dimension = question.get("dimension")
            if dimension and dimension not in order:
                order.append(dimension)
    return order + sorted(set(definition.get("dimensions", {})) - set(order))


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
        check_workbook(data, filename, WORKBOOK_LIMITS)
    except TableError as err:
        raise XLSFormError([_workbook_problem(problem) for problem in err.problems]) from err
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
    except PyXFormError as err:  # pyxform's words for a form's author
        raise XLSFormError([f"{filename}: {err}"]) from err
    except Exception as err:  # what opened as a workbook but not as a form: never the library's
        raise XLSFormError([f"{filename}: cannot be read as an XLSForm workbook"]) from err

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
        raise XLSFormError(
            [
                f"{filename}: the form cannot be converted to an XForm; check the survey and "
                "choices sheets against the XLSForm rules"
            ]
        ) from err

    definition = _definition(form_json)
    errors = _cycle_errors(workbook, definition)
    if errors:
        raise XLSFormError(errors)
    return ParsedForm(definition=definition, xform_xml=xform_xml, warnings=list(warnings))


def _workbook_problem(problem: TableProblem) -> str:
    """A workbook problem in this module's words: "<sheet> sheet, row 1, column C: …"."""
    what = ENGLISH[problem.kind] % problem.params
    if problem.sheet:
        return f"{problem.sheet} sheet, row {problem.row}, column {problem.column_letter}: {what}"
    return f"{problem.file}: {what}"


def parse_score_map(text: str) -> dict[str, float | None]:
    """'5=100 4=80 9=' → {"5": 100.0, "4": 80.0, "9": None}. Raise ValueError naming the item."""
    scores: dict[str, float | None] = {}
    for item in text.replace(",", " ").replace(";", " ").split():
        code, equals, score = item.partition("=")
        if not equals or not code:
            raise ValueError(f"'{item}' is not code=score (e.g. 5=100, or 9= for don't know)")
        if code in scores:
            raise ValueError(f"choice '{code}' is given twice")
        if score == "":
            scores[code] = None
            continue
        try:
            value = float(score)
        except ValueError:
            value = math.nan
        if not 0 <= value <= 100:  # also false for NaN
            raise ValueError(f"'{item}': the score must be a number from 0 to 100")
        scores[code] = value
    if not scores:
        raise ValueError("empty score map")
    return scores


# ---------------------------------------------------------------------------------------------
# Checks on the raw sheets, where row and column are still known


class _Sheet:
    """Rows of one sheet with the raw header of each column we read."""

    def __init__(self, name: str, rows, header, aliases: dict[str, tuple[str, ...]]) -> None:
        self.name = name
        self.rows = list(rows or [])
        self.raw_headers = [str(raw) for raw in (header[0] if header else [])]
        self.columns: dict[str, str] = {}
        for canonical, spellings in aliases.items():
            for raw in self.raw_headers:
                if _normal(raw) in spellings:
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
        if isinstance(message, Translatable):
            return Translatable(
                _AT_CELL, sheet=self.name, row=row_number, column=label, problem=message
            )
        return f"{self.name} sheet, row {row_number}, column {label}: {message}"

    def unsupported_cells(self, row: dict, columns: set[str]):
        """(raw header, value) of filled cells in columns whose feature we cannot honour."""
        for raw in self.raw_headers:
            base = _normal(raw.split("::")[0])
            value = row.get(raw)
            if base in columns and value is not None and str(value).strip():
                if base in ("read_only", "readonly") and str(value).strip().lower() in _FALSE:
                    continue
                yield raw, str(value).strip()


def _normal(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


_SURVEY_COLUMNS = {
    "type": ("type",),
    "name": ("name",),
    "relevant": ("relevant", "relevance", "bind::relevant"),
    "constraint": ("constraint", "bind::constraint"),
    "required": ("required", "bind::required"),
    "calculation": ("calculation", "calculate", "bind::calculate"),
    "default": ("default",),
    "appearance": ("appearance",),
    "choice_filter": ("choice_filter",),
    "repeat_count": ("repeat_count", "count", "jr:count"),
    "repeat_max": ("repeat_max",),
    "qc_check": ("qc_check",),
    "backcheck": ("backcheck",),
    "score_map": ("score_map",),
    "satisfied": ("satisfied",),
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
# XLSForm columns whose feature the wizard does not have: refused rather than dropped.
_UNSUPPORTED_SURVEY_COLUMNS = {
    "read_only", "readonly", "trigger", "parameters", "image", "big-image", "audio", "video",
    "media", "autoplay", "guidance_hint", "body", "save_to", "intent", "noapperrorstring",
    "no_app_error_string",
}  # fmt: skip
_UNSUPPORTED_CHOICES_COLUMNS = {"image", "big-image", "audio", "video", "media"}
# Columns that only mean something on questions, not on group rows.
_QUESTION_ONLY = ("calculation", "default", "choice_filter", "qc_check", "backcheck",
                  "score_map", "satisfied", "constraint")  # fmt: skip
_EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "qc_check", "repeat_count")


@dataclass
class _Row:
    """What the survey checks need to know about one row."""

    n: int
    row: dict
    base: str  # select_one, integer, begin_group, begin_repeat, ... (lower case)
    words: list[str]
    name: str


def _check_workbook(workbook: DefinitionData) -> list[str]:
    if not workbook.survey:
        return ["the workbook has no 'survey' sheet (or it is empty)"]
    survey = _Sheet("survey", workbook.survey, workbook.survey_header, _SURVEY_COLUMNS)
    choices = _Sheet("choices", workbook.choices, workbook.choices_header, _CHOICES_COLUMNS)
    errors: list[str] = []
    lists = _check_choices(choices, errors)
    _SurveyCheck(survey, choices, lists, errors).run()
    return errors


def _check_choices(sheet: _Sheet, errors: list[str]) -> dict[str, list[dict]]:
    """Check scores and codes; return {list name: [{"name", "score"}]}."""
    lists: dict[str, list[dict]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for n, row in sheet.numbered():
        for raw, _value in sheet.unsupported_cells(row, _UNSUPPORTED_CHOICES_COLUMNS):
            errors.append(
                f"choices sheet, row {n}, column {raw}: media on choices is not supported"
            )
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


def _type_words(type_text: str) -> tuple[str, list[str]]:
    """The base type and words of a type cell, with ODK's spelling variants folded."""
    lowered = type_text.lower()
    for spelling, base in (
        ("begin group", "begin_group"),
        ("begin_group", "begin_group"),
        ("end group", "end_group"),
        ("end_group", "end_group"),
        ("begin repeat", "begin_repeat"),
        ("begin_repeat", "begin_repeat"),
        ("end repeat", "end_repeat"),
        ("end_repeat", "end_repeat"),
    ):
        if lowered == spelling:
            return base, [base]
    for spelling, base in (
        ("select one ", "select_one"),
        ("select all that apply ", "select_multiple"),
        ("select multiple ", "select_multiple"),
    ):
        if lowered.startswith(spelling):
            return base, [base, *type_text[len(spelling) :].split(" ")]
    words = type_text.split(" ")
    return words[0].lower(), words


class _SurveyCheck:
    def __init__(
        self, sheet: _Sheet, choices: _Sheet, lists: dict[str, list[dict]], errors: list[str]
    ) -> None:
        self.sheet = sheet
        self.lists = lists
        self.errors = errors
        self.dimensions = {choice["name"] for choice in lists.get(DIMENSIONS_LIST, [])}
        self.all_names = {sheet.get(row, "name") for _, row in sheet.numbered()} - {""}
        # A choice filter's bare names are choices columns (or `name`, the choice's code).
        self.choice_columns = {_normal(raw) for raw in choices.raw_headers} - {"list_name"}
        self.choice_columns |= {"name"}
        self.locality_rows: dict[str, int] = {}

    def add(self, n: int, column: str, message: str) -> None:
        self.errors.append(self.sheet.error(n, column, message))

    def run(self) -> None:
        sheet = self.sheet
        first_row: dict[str, int] = {}
        open_page: tuple[str, str, int] | None = None  # (kind, name, row)
        table_list: tuple[int, str | None] | None = None  # (begin row, the page's list)
        for n, row in sheet.numbered():
            type_text = " ".join(sheet.get(row, "type").split())
            name = sheet.get(row, "name")
            if not type_text:
                if any(str(value).strip() for value in row.values() if value is not None):
                    self.add(n, "type", "missing type")
                continue
            base, words = _type_words(type_text)
            if base in ("end_group", "end_repeat"):
                kind = "group" if base == "end_group" else "repeat"
                if open_page is None:
                    self.add(n, "type", f"end {kind} without a begin {kind}")
                elif open_page[0] != kind:
                    self.add(
                        n,
                        "type",
                        f"end {kind} closes {open_page[0]} '{open_page[1]}' "
                        f"from row {open_page[2]}",
                    )
                open_page = None
                continue
            if base in ("begin", "end") and len(words) > 1:  # a lone `end` is metadata
                self.add(n, "type", f"'{type_text}' is not a type (begin group, begin repeat)")
                continue

            if not name:
                self.add(n, "name", "missing name")
            elif name in first_row:
                self.add(n, "name", f"duplicate name '{name}' (also row {first_row[name]})")
            else:
                first_row[name] = n

            for raw, _value in sheet.unsupported_cells(row, _UNSUPPORTED_SURVEY_COLUMNS):
                self.errors.append(
                    f"survey sheet, row {n}, column {raw}: '{raw.split('::')[0]}' is not supported"
                )

            item = _Row(n, row, base, words, name)
            if base in ("begin_group", "begin_repeat"):
                kind = "group" if base == "begin_group" else "repeat"
                if open_page is not None:
                    self.add(
                        n,
                        "type",
                        f"groups and repeats cannot be nested: each is one page "
                        f"({open_page[0]} '{open_page[1]}' from row {open_page[2]} is still open)",
                    )
                open_page = (kind, name, n)
                self.page_columns(item)
                table_list = (
                    (n, None) if sheet.get(row, "appearance").lower() == "table-list" else None
                )
            elif base in _METADATA_TYPES:
                continue
            else:
                if open_page is not None and table_list is not None:
                    table_list = self.table_list_item(item, table_list)
                self.question_type(item)
                self.question_columns(
                    item, in_repeat=open_page is not None and open_page[0] == "repeat"
                )
            self.tags(item)
            self.expressions(item)

        if open_page is not None:
            self.add(
                open_page[2], "type", f"{open_page[0]} '{open_page[1]}' has no end {open_page[0]}"
            )

    # --- types and columns -------------------------------------------------------------------

    def question_type(self, item: _Row) -> None:
        base, words, n = item.base, item.words, item.n
        if base in _PLAIN_TYPES:
            if len(words) > 1:
                self.add(n, "type", f"unexpected '{' '.join(words[1:])}'")
            return
        if base in _SELECT_TYPES:
            if len(words) != 2:
                detail = (
                    "or_other is not supported (add an 'other' choice and a text question)"
                    if "or_other" in words
                    else "give one list name"
                )
                self.add(n, "type", f"'{' '.join(words)}': {detail}")
            elif words[1] not in self.lists:
                self.add(n, "type", f"choice list '{words[1]}' is not on the choices sheet")
            return
        if base == "select_one_from_file":
            if words[1:] != [LOCALITY_FILE]:
                self.add(
                    n,
                    "type",
                    f"'{' '.join(words)}': only {LOCALITY_FILE} is supported (the locality tree)",
                )
            return  # also checked with locality_level
        self.add(n, "type", f"type '{' '.join(words)}' is not supported (use {_SUPPORTED})")

    def table_list_item(self, item: _Row, table_list: tuple[int, str | None]):
        """A table-list page is a grid: selects of one list (as pyxform requires)."""
        begin_row, list_name = table_list
        if item.base == "calculate":
            return table_list
        this_list = item.words[1] if item.base in _SELECT_TYPES and len(item.words) == 2 else None
        if this_list is None:
            self.add(
                item.n,
                "type",
                f"the table-list page from row {begin_row} is a grid of select questions",
            )
        elif list_name is not None and this_list != list_name:
            self.add(
                item.n,
                "type",
                f"the table-list page from row {begin_row} is a grid: every question uses "
                f"list '{list_name}', not '{this_list}'",
            )
        return (begin_row, list_name or this_list)

    def page_columns(self, item: _Row) -> None:
        sheet, n = self.sheet, item.n
        for column in _QUESTION_ONLY:
            if sheet.get(item.row, column):
                self.add(n, column, f"{column} is for questions, not for a {item.base[6:]} row")
        count, most = sheet.get(item.row, "repeat_count"), sheet.get(item.row, "repeat_max")
        if item.base == "begin_group":
            for column, value in (("repeat_count", count), ("repeat_max", most)):
                if value:
                    self.add(n, column, f"{column} is only for begin repeat rows")
            return
        if most:
            try:
                number = int(float(most))
                exact = float(most) == number
            except ValueError:
                number, exact = 0, False
            if not exact or not 1 <= number <= _REPEAT_MAX_LIMIT:
                self.add(
                    n,
                    "repeat_max",
                    f"'{most}' must be a whole number from 1 to {_REPEAT_MAX_LIMIT}",
                )

    def question_columns(self, item: _Row, *, in_repeat: bool) -> None:
        sheet, row, n, base = self.sheet, item.row, item.n, item.base
        calculation = sheet.get(row, "calculation")
        if base == "calculate" and not calculation:
            self.add(n, "calculation", "a calculate question needs a calculation")
        elif calculation and base != "calculate":
            self.add(n, "calculation", "calculation is only for calculate questions")

        required = sheet.get(row, "required").lower()
        if required and required not in _TRUE | _FALSE:
            self.add(
                n,
                "required",
                f"'{sheet.get(row, 'required')}' must be yes or no "
                "(conditional required is not supported)",
            )
        for column in ("repeat_count", "repeat_max"):
            if sheet.get(row, column):
                self.add(n, column, f"{column} is only for begin repeat rows")

        is_select = base in _SELECT_TYPES and len(item.words) == 2
        list_codes = (
            [choice["name"] for choice in self.lists.get(item.words[1], [])] if is_select else []
        )
        self.default(item, list_codes)
        self.choice_filter(item, is_select)

        backcheck = sheet.get(row, "backcheck").lower()
        if backcheck and backcheck not in _TRUE | _FALSE:
            self.add(n, "backcheck", f"'{sheet.get(row, 'backcheck')}' must be yes or no")
        if backcheck in _TRUE and base in ("note", "calculate"):
            self.add(n, "backcheck", f"a {base} is not asked, so it cannot be back-checked")

        score_map = sheet.get(row, "score_map")
        if score_map:
            self.score_map(item, score_map, list_codes)
        satisfied = sheet.get(row, "satisfied")
        if satisfied:
            if base != "select_one":
                self.add(n, "satisfied", "satisfied is only for select_one questions")
            else:
                codes = satisfied.split()
                for code in codes:
                    if code not in list_codes:
                        self.add(n, "satisfied", f"'{code}' is not a choice of this question")
                if len(set(codes)) != len(codes):
                    self.add(n, "satisfied", "a code is given twice")
        if in_repeat and sheet.get(row, "locality_level"):
            self.add(n, "locality_level", "locality questions cannot be inside a repeat")

    def default(self, item: _Row, list_codes: list[str]) -> None:
        value = self.sheet.get(item.row, "default")
        if not value:
            return
        base, n = item.base, item.n
        if base in ("note", "calculate"):
            self.add(n, "default", f"a {base} has no default")
            return
        if is_dynamic(value):
            self.expression(item, "default", value)
            return
        problem = None
        if base == "integer" and not re.fullmatch(r"-?\d+", value):
            problem = "is not a whole number"
        elif base == "decimal" and not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", value):
            problem = "is not a number"
        elif base == "date" and not _ISO_DATE.fullmatch(value):
            problem = "is not a date written YYYY-MM-DD"
        elif base == "select_one" and list_codes and value not in list_codes:
            problem = "is not a choice of this question"
        elif base == "select_multiple" and list_codes:
            unknown = [code for code in value.split() if code not in list_codes]
            if unknown:
                problem = f"has codes that are not choices of this question: {', '.join(unknown)}"
        if problem:
            self.add(n, "default", f"'{value}' {problem}")

    def choice_filter(self, item: _Row, is_select: bool) -> None:
        value = self.sheet.get(item.row, "choice_filter")
        if not value:
            return
        if self.sheet.get(item.row, "locality_level"):
            self.expression(item, "choice_filter", value, bare_allowed=None)
            return  # localities.csv columns: the cascade follows the levels
        if not is_select:
            self.add(
                item.n,
                "choice_filter",
                "choice_filter is only for select_one and select_multiple questions",
            )
            return
        self.expression(item, "choice_filter", value, bare_allowed=self.choice_columns)

    def score_map(self, item: _Row, text: str, list_codes: list[str]) -> None:
        n = item.n
        if item.base != "select_one":
            self.add(n, "score_map", "score_map is only for select_one questions")
            return
        try:
            scores = parse_score_map(text)
        except ValueError as err:
            self.add(n, "score_map", str(err))
            return
        for code in scores:
            if code not in list_codes:
                self.add(n, "score_map", f"'{code}' is not a choice of this question")
        missing = [code for code in list_codes if code not in scores]
        if missing:
            self.add(
                n,
                "score_map",
                f"no score for {', '.join(repr(c) for c in missing)} (write code= for don't know)",
            )

    # --- scoring and locality tags -----------------------------------------------------------

    def tags(self, item: _Row) -> None:
        """dimension / indicator / locality_level on one survey row."""
        sheet, row, n, base = self.sheet, item.row, item.n, item.base
        dimension = sheet.get(row, "dimension")
        indicator = sheet.get(row, "indicator")
        level = sheet.get(row, "locality_level")
        is_page = base in ("begin_group", "begin_repeat")
        if dimension:
            if not self.dimensions:
                self.add(
                    n,
                    "dimension",
                    f"unknown dimension '{dimension}': the choices sheet has no "
                    f"'{DIMENSIONS_LIST}' list",
                )
            elif dimension not in self.dimensions:
                self.add(
                    n,
                    "dimension",
                    f"unknown dimension '{dimension}' (not on the '{DIMENSIONS_LIST}' list: "
                    f"{', '.join(sorted(self.dimensions))})",
                )
            if not self.scored(item):
                self.add(
                    n,
                    "dimension",
                    "only select_one questions whose choice list has scores can feed a dimension",
                )
        if indicator and not dimension:
            self.add(n, "indicator", f"indicator '{indicator}' needs a dimension")

        if level:
            if level not in LOCALITY_LEVELS:
                self.add(n, "locality_level", f"'{level}' is not district, street or community")
            elif is_page or base not in _LOCALITY_SOURCE_TYPES:
                self.add(
                    n,
                    "locality_level",
                    "locality questions must be select_one_from_file (e.g. localities.csv) or text",
                )
            elif level in self.locality_rows:
                self.add(
                    n,
                    "locality_level",
                    f"a second {level} question (first at row {self.locality_rows[level]})",
                )
            else:
                index = LOCALITY_LEVELS.index(level)
                parent = LOCALITY_LEVELS[index - 1] if index else None
                if parent and parent not in self.locality_rows:
                    self.add(
                        n,
                        "locality_level",
                        f"a {level} question needs a {parent} question before it",
                    )
                self.locality_rows[level] = n
        elif base == "select_one_from_file":
            self.add(
                n, "type", "select_one_from_file is only for locality questions (locality_level)"
            )

    def scored(self, item: _Row) -> bool:
        if item.base != "select_one" or len(item.words) != 2:
            return False
        score_map = self.sheet.get(item.row, "score_map")
        if score_map:
            try:
                return any(v is not None for v in parse_score_map(score_map).values())
            except ValueError:
                return True  # reported under score_map already
        return any(choice["score"] for choice in self.lists.get(item.words[1], []))

    # --- expressions -------------------------------------------------------------------------

    def expressions(self, item: _Row) -> None:
        for column in _EXPRESSION_COLUMNS:
            value = self.sheet.get(item.row, column)
            if value and not (column == "repeat_count" and item.base != "begin_repeat"):
                self.expression(item, column, value)

    def expression(
        self, item: _Row, column: str, text: str, *, bare_allowed: set[str] | None = frozenset()
    ) -> None:
        """Parse-check one cell; `bare_allowed` None lets any bare name through."""
        try:
            unknown = references(text) - self.all_names
            bare = bare_names(text)
        except ExpressionError as err:
            self.add(item.n, column, err.message)
            return
        for name in sorted(unknown):
            self.add(item.n, column, f"refers to ${{{name}}}, which is not a question")
        if bare_allowed is None:
            return
        for name in sorted(bare - bare_allowed):
            if column == "choice_filter":
                message = (
                    f"'{name}' is not a column of the choices sheet "
                    f"(write ${{{name}}} for a question)"
                )
            else:
                message = (
                    f"unknown name '{name}' (write ${{{name}}} for a question, "
                    f"or quote text: '{name}')"
                )
            self.add(item.n, column, message)


def _cycle_errors(workbook: DefinitionData, definition: dict) -> list[str]:
    """One error per cycle in the form's logic, at the cell where the cycle is told from."""
    sheet = _Sheet("survey", workbook.survey, workbook.survey_header, _SURVEY_COLUMNS)
    rows = {sheet.get(row, "name"): n for n, row in sheet.numbered()}
    errors = []
    for found in logic_cycles(definition):
        cycle = _as_written(found, definition, rows)
        steps = [
            Translatable(
                _CYCLE_PAGE if step.column == ON_PAGE else _CYCLE_NEXT,
                column=sheet.columns.get(step.column, step.column),
                target=step.target,
            )
            for step in cycle[1:]
        ]
        first = cycle[0]
        column = sheet.columns.get(first.column, first.column)
        start = Translatable(_CYCLE_START, column=column, name=first.name, target=first.target)
        problem = Translatable(_CYCLE, steps=[start, *steps])
        errors.append(sheet.error(rows.get(first.name, 0), first.column, problem))
    return errors


def _as_written(cycle: list[Step], definition: dict, rows: dict[str, int]) -> list[Step]:
    """The cycle as the sheet has it, told from its step earliest on the sheet.

    pyxform turns a repeat_count that is not a plain reference into a calculate named
    `<repeat>_count`, which the sheet does not have: its steps become the repeat's.
    """
    generated = {
        f"{group['name']}_count": group["name"]
        for group in definition["groups"]
        if (group.get("repeat") or {}).get("count") == f"${{{group['name']}_count}}"
        and f"{group['name']}_count" not in rows
    }
    steps = []
    for step in cycle:
        if step.column == "repeat_count" and generated.get(step.target) == step.name:
            continue
        if step.name in generated:
            step = Step(generated[step.name], "repeat_count", step.target)
        steps.append(step)
    start = min(
        (index for index, step in enumerate(steps) if step.column != ON_PAGE),
        key=lambda index: rows.get(steps[index].name, 0),
    )
    return steps[start:] + steps[:start]


_CYCLE = gettext_noop("circular logic: %(steps)s")
_CYCLE_START = gettext_noop("%(column)s of %(name)s depends on %(target)s")
_CYCLE_NEXT = gettext_noop(", whose %(column)s depends on %(target)s")
_CYCLE_PAGE = gettext_noop(", which is on the page %(target)s")


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
    taken = _all_names(form_json)
    groups: list[dict] = []
    loose_calculates: list[dict] = []  # calculates before the first page
    for element in form_json.get("children", []):
        kind = element.get("type")
        if kind == "group" and element.get("name") == "meta":
            if element.get("control", {}).get("bodyless"):
                continue  # pyxform's own instanceID block
        if kind in ("group", "repeat"):
            groups.append(_page(element, languages))
        elif kind == "calculate":
            question = _question(element, languages)
            (groups[-1]["questions"] if groups else loose_calculates).append(question)
        elif kind in _JSON_TYPES:
            # ODK shows a question outside any group on a screen of its own.
            name = f"page_{element['name']}"
            while name in taken:
                name = f"_{name}"
            taken.add(name)
            groups.append(_page({"name": name, "children": [element]}, languages))
        # metadata types (start, end, ...) are left out
    if loose_calculates:
        if groups:
            groups[0]["questions"][:0] = loose_calculates
        else:
            name = "page_calculations"
            while name in taken:
                name = f"_{name}"
            groups.append(_page({"name": name, "children": []}, languages))
            groups[0]["questions"] = loose_calculates

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


def _all_names(element: dict) -> set[str]:
    names = {str(element.get("name"))}
    for child in element.get("children", []):
        names |= _all_names(child)
    return names


def _page(element: dict, languages: _Languages) -> dict:
    repeat = None
    if element.get("type") == "repeat":
        repeat = {
            "count": element.get("control", {}).get("jr:count") or None,
            "max": int(float(element.get("repeat_max") or REPEAT_MAX)),
        }
    children = element.get("children", [])
    appearance = element.get("control", {}).get("appearance") or None
    # pyxform writes a table-list as a field-list with a label row and list-nolabel questions;
    # we keep the author's table-list.
    table = any(child.get("name", "").startswith(_TABLE_LIST_LABELS) for child in children)
    questions = [
        _question(child, languages)
        for child in children
        if child.get("type") in _JSON_TYPES
        and not child.get("name", "").startswith(_TABLE_LIST_LABELS)
    ]
    if table:
        appearance = "table-list"
        for question in questions:
            if question["appearance"] == "list-nolabel":
                question["appearance"] = None
    return {
        "name": element["name"],
        "label": languages.text(element.get("label")) or {},
        "relevant": element.get("bind", {}).get("relevant") or None,
        "appearance": appearance,
        "repeat": repeat,
        "questions": questions,
    }


def _question(element: dict, languages: _Languages) -> dict:
    bind = element.get("bind", {})
    level = element.get("locality_level") or None
    question_type = "locality" if level else _JSON_TYPES[element["type"]]
    is_select = question_type.startswith("select")
    score_map = element.get("score_map")
    satisfied = element.get("satisfied")
    return {
        "name": element["name"],
        "type": question_type,
        "list": element.get("list_name") if is_select else None,
        "label": languages.text(element.get("label")) or {},
        "hint": languages.text(element.get("hint")),
        "required": str(bind.get("required", "")).strip().lower() in _TRUE,
        "required_message": languages.text(bind.get("jr:requiredMsg")),
        "relevant": bind.get("relevant") or None,
        "constraint": bind.get("constraint") or None,
        "constraint_message": languages.text(bind.get("jr:constraintMsg")),
        "appearance": element.get("control", {}).get("appearance") or None,
        "calculation": bind.get("calculate") or None,
        "default": _text(element.get("default")),
        "choice_filter": _text(element.get("choice_filter")) if is_select else None,
        "qc_check": _text(element.get("qc_check")),
        "qc_check_message": languages.text(element.get("qc_check_message")),
        "backcheck": str(element.get("backcheck", "")).strip().lower() in _TRUE,
        "score_map": parse_score_map(score_map) if score_map else None,
        "positive_values": str(satisfied).split() if satisfied else None,
        "dimension": element.get("dimension") or None,
        "indicator": element.get("indicator") or None,
        "locality_level": level,
    }


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


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
