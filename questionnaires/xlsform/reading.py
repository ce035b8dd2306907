"""XLSForm workbook (.xlsx or .xls) → questionnaire definition, through pyxform. Pure.

pyxform's output is the source of truth: it reads the form (aliases, spellings, quotes,
`or_other`, unnamed notes, language columns, nesting) and we build the definition from its
survey JSON. Our checks add only what pyxform does not know: our own columns
(questionnaires.xlsform.columns) and circular logic. Problems from both are reported together,
each naming sheet, row and column.
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from common.tables.problems import ENGLISH, Limits, TableError, TableProblem
from common.tables.workbooks import check_workbook
from common.translatable import Translatable, gettext_noop
from questionnaires.dependencies import ON_PAGE, Step, logic_cycles
from questionnaires.xlsform.columns import Sheet, check_columns
from questionnaires.xlsform.languages import Languages
from questionnaires.xlsform.logic_checks import check_logic
from questionnaires.xlsform.pages import make_pages
from questionnaires.xlsform.pyxform_messages import AT_FILE, pyxform_problems
from questionnaires.xlsform.refused import refused_rows
from questionnaires.xlsform.tree import build_tree, choice
from questionnaires.xlsform.types import DEFERRED

__all__ = ["SCHEMA", "WORKBOOK_LIMITS", "ParsedForm", "XLSFormError", "parse_xlsform"]

SCHEMA = 2  # definitions with a tree, paths and pages; 1 was groups of questions by name
# An XLSForm may unpack to 20 times this (a zip bomb may not) and have this many rows in a
# sheet (pyxform takes seconds per 10,000); the upload form caps the file at 5 MB.
WORKBOOK_LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_rows=20_000)
_SUFFIXES = (".xlsx", ".xls")
NOT_WORKBOOK = gettext_noop("not an .xlsx or .xls file (XLSForms are workbooks)")
NOT_CONVERTED = gettext_noop(
    "the form cannot be converted to an XForm; check the survey and choices sheets against the "
    "XLSForm rules"
)
TOO_BIG = gettext_noop("the workbook is over 20 MB")
UNREADABLE = gettext_noop("cannot be read as an XLSForm workbook")
TOO_MANY_ROWS = gettext_noop("%(sheet)s sheet: over %(rows)s rows; split the form")
NO_SURVEY = gettext_noop("the workbook has no 'survey' sheet (or it is empty)")


def _at_file(filename: str, problem: str) -> Translatable:
    return Translatable(AT_FILE, file=filename, problem=Translatable(problem))


class XLSFormError(ValueError):
    """The spreadsheet is not a form we can run. `errors` lists every problem found."""

    def __init__(self, errors: list) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class ParsedForm:
    definition: dict
    xform_xml: str
    warnings: list = field(default_factory=list)
    form_json: dict = field(default_factory=dict)


def parse_xlsform(data: bytes, filename: str) -> ParsedForm:
    """Read, check and convert an XLSForm workbook. Raise XLSFormError listing every problem."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in _SUFFIXES:
        raise XLSFormError([_at_file(filename, NOT_WORKBOOK)])
    # pyxform is imported here, not with the module: web workers that only run interviews
    # import this package (through the definitions) and need not hold it in memory.
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json

    workbook = _read(data, filename, suffix)
    survey = Sheet("survey", workbook.survey, workbook.survey_header)
    choices = Sheet("choices", workbook.choices, workbook.choices_header)
    errors = check_columns(survey, choices)
    warnings: list = []
    form_json = xform_xml = None
    try:
        form_json = workbook_to_json(
            workbook_dict=workbook, fallback_form_name=_xml_name(PurePath(filename).stem),
            warnings=warnings,
        )  # fmt: skip
        survey_element = create_survey_element_from_dict(form_json)
        xform_xml = survey_element.to_xml(validate=False, pretty_print=False, warnings=warnings)
    except PyXFormError as err:
        errors.extend(pyxform_problems(filename, str(err)))
    except Exception:  # pyxform has failure paths that raise plain Python errors
        errors.append(_at_file(filename, NOT_CONVERTED))
    if errors or form_json is None:
        raise XLSFormError(errors)
    definition = build_definition(form_json, external=workbook.external_choices)
    errors, logic_warnings, unparsed = check_logic(definition, survey)
    errors += _cycle_errors(survey, definition)
    refused = refused_rows(survey, definition)
    if errors or refused:
        # A form refused for its types only also hears of the expressions it cannot run,
        # so that one round of corrections is enough.
        raise XLSFormError(errors + refused + (_not_run(unparsed) if refused else []))
    return ParsedForm(
        definition=definition,
        xform_xml=xform_xml or "",
        # what the interview cannot run first: the upload page shows the first few warnings
        warnings=[*_not_run(unparsed), *warnings, *logic_warnings, *_our_warnings(definition)],
        form_json=form_json,
    )


def _read(data: bytes, filename: str, suffix: str):
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    if suffix == ".xlsx":
        try:
            check_workbook(data, filename, WORKBOOK_LIMITS)
        except TableError as err:
            raise XLSFormError([_workbook_problem(problem) for problem in err.problems]) from err
    elif len(data) > WORKBOOK_LIMITS.max_bytes:
        raise XLSFormError([_at_file(filename, TOO_BIG)])
    unreadable = _at_file(filename, UNREADABLE)
    try:
        workbook = get_xlsform(data, file_type=suffix)
    except PyXFormError as err:  # pyxform's words for a form's author
        if "not recognized as a supported type" in str(err):  # the file is not a workbook
            raise XLSFormError([unreadable]) from err
        raise XLSFormError(pyxform_problems(filename, str(err))) from err
    except Exception as err:  # what opened as a workbook but not as a form: never the library's
        raise XLSFormError([unreadable]) from err
    for sheet in ("survey", "choices", "settings", "external_choices", "entities"):
        rows = getattr(workbook, sheet, None) or []
        if len(rows) > WORKBOOK_LIMITS.max_rows:
            raise XLSFormError(
                [Translatable(TOO_MANY_ROWS, sheet=sheet, rows=WORKBOOK_LIMITS.max_rows)]
            )
    if not workbook.survey:
        raise XLSFormError([Translatable(NO_SURVEY)])
    return workbook


def _workbook_problem(problem: TableProblem) -> str:
    what = ENGLISH[problem.kind] % problem.params
    if problem.sheet:
        return f"{problem.sheet} sheet, row {problem.row}, column {problem.column_letter}: {what}"
    return f"{problem.file}: {what}"


def build_definition(form_json: dict, external: list[dict] | None = None) -> dict:
    """pyxform's survey JSON → our definition (shape: questionnaires.xlsform.__init__), with
    the external_choices sheet's lists (what pyxform writes to itemsets.csv) for
    select_one_external."""
    languages = Languages(form_json.get("default_language"))
    tree = build_tree(form_json, languages)
    external_lists = _external_lists(external or [], languages)
    for name, options in external_lists.items():
        tree.choice_lists.setdefault(name, options)
    pages = make_pages(tree.nodes, tree.questions)
    title = _title(form_json.get("title"), languages)
    consent = [path for path, q in tree.questions.items() if q.get("consent")]
    return {
        "schema": SCHEMA,
        "form_id": form_json.get("id_string") or form_json.get("name"),
        "title": title,
        "languages": languages.ordered(),
        "language_names": {code: languages.names.get(code, code) for code in languages.ordered()},
        "dimensions": tree.dimensions,
        "choice_lists": tree.choice_lists,
        "consent": consent[0] if consent else None,
        "external_lists": sorted(external_lists),
        "tree": tree.nodes,
        "metadata": [q for q in tree.questions.values() if q["kind"] == "metadata"],
        "groups": pages,
        "translation_gaps": {code: len(where) for code, where in languages.gaps().items()},
    }


def _title(value: object, languages: Languages) -> dict:
    """The form's title in every language the form uses. pyxform's title is one string (the
    settings sheet's form_title, else the file's name), not a text in the default language:
    keying it by the default language would add a language the form does not have."""
    if isinstance(value, dict):
        return languages.text(value) or {}
    if value is None or value == "":
        return {}
    return {code: str(value) for code in languages.ordered()}


def _external_lists(rows: list[dict], languages: Languages) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for row in rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name or name in (None, ""):
            continue
        labels = {key.split("::", 1)[1]: text for key, text in row.items()
                  if str(key).startswith("label::") and text}  # fmt: skip
        option = {key: value for key, value in row.items()
                  if key != "list_name" and not str(key).startswith("label")}  # fmt: skip
        option["name"] = str(name)
        option["label"] = labels or row.get("label") or str(name)
        lists.setdefault(str(list_name), []).append(
            choice(option, languages, f"external_choices/{list_name}")
        )
    return lists


def _not_run(unparsed: list) -> list:
    """One warning listing every cell whose expression the interview cannot run, and why."""
    if not unparsed:
        return []
    cells: list = []
    for cell in unparsed:
        cells += ["; " if cells else "", cell]
    return [Translatable(NOT_RUN_CELLS, count=len(unparsed), cells=cells)]


def _our_warnings(definition: dict) -> list:
    warnings: list = []
    for code, count in definition.get("translation_gaps", {}).items():
        name = definition["language_names"].get(code, code)
        warnings.append(f"language {name}: {count} texts have no translation")
    deferred = [
        question["path"]
        for page in definition["groups"]
        for question in page["questions"]
        if question.get("kind") == DEFERRED
    ]
    if deferred:
        warnings.append(
            f"{len(deferred)} questions of a type the interview does not ask are kept but "
            f"not asked: {', '.join(deferred[:5])}"
        )
    return warnings


def _cycle_errors(sheet: Sheet, definition: dict) -> list:
    """One error per cycle in the form's logic, at the cell where the cycle is told from."""
    rows: dict[str, int] = {}
    for n, row in sheet.numbered():
        rows.setdefault(sheet.get(row, "name"), n)
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


def _xml_name(stem: str) -> str:
    """A filename stem made safe as an XML element name (pyxform's fallback form id)."""
    name = re.sub(r"[^\w.-]", "_", stem) or "form"
    return name if re.match(r"[^\W\d]", name) else f"form_{name}"


_CYCLE = gettext_noop("circular logic: %(steps)s")
NOT_RUN_CELLS = gettext_noop(
    "%(count)d expressions are kept but the interview cannot run them; until they are fixed, "
    "the questions and pages they govern are hidden or refuse answers: %(cells)s"
)
_CYCLE_START = gettext_noop("%(column)s of %(name)s depends on %(target)s")
_CYCLE_NEXT = gettext_noop(", whose %(column)s depends on %(target)s")
_CYCLE_PAGE = gettext_noop(", which is on the page %(target)s")
