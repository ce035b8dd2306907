"""Checks of the form's expressions and defaults, on the definition, at their cells. Pure.

An expression longer or deeper than questionnaires.xpath allows is refused (no cell may
exhaust a request's stack or time). An expression the interview cannot run (a function outside
the ODK library it runs, such as SurveyCTO's device-info(), or syntax it does not read) is kept
and warned about at its cell, every function of every cell at once, so that a form is fixed in
one round. A literal default that cannot be an answer of its question (a word for an integer, a
code not on the list) is warned about and not applied: pyxform accepts it, and so do we.
"""

import re

from common.translatable import Translatable, gettext_noop
from questionnaires.xlsform.columns import Sheet
from questionnaires.xlsform.types import ASKED
from questionnaires.xpath import SUPPORTED, ExpressionError, functions_used, is_dynamic, parse

__all__ = ["check_logic", "rows_by_path"]

_COLUMNS = ("relevant", "required", "constraint", "calculation", "choice_filter", "default")
NOT_RUN = gettext_noop("functions the interview does not run: %(functions)s")
NOT_READ = gettext_noop("the interview cannot read this expression: %(problem)s")
_GROUP_COLUMNS = ("relevant",)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BEGIN = re.compile(r"^begin[ _](group|repeat)$")
_END = re.compile(r"^end[ _](group|repeat)$")


def rows_by_path(sheet: Sheet) -> dict[str, int]:
    """{path: survey row} for every named row, following begin/end group and repeat rows."""
    rows: dict[str, int] = {}
    stack: list[str] = []
    for n, row in sheet.numbered():
        kind = " ".join(sheet.get(row, "type").split()).lower()
        name = sheet.get(row, "name")
        if _END.match(kind):
            if stack:
                stack.pop()
            continue
        path = "/".join(["", *stack, name]) if name else ""
        if path:
            rows.setdefault(path, n)
        if _BEGIN.match(kind):
            stack.append(name)
    return rows


def _default_problem(question: dict, lists: dict) -> str | None:
    value = question.get("default")
    if not value or is_dynamic(value):
        return None
    kind = question["type"]
    codes = [choice["value"] for choice in lists.get(question.get("list") or "", [])]
    if kind in ("note", "calculate"):
        return f"a {kind} has no default"
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return f"'{value}' is not a whole number"
    if kind == "decimal" and not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", value):
        return f"'{value}' is not a number"
    if kind == "date" and not _ISO_DATE.fullmatch(value):
        return f"'{value}' is not a date written YYYY-MM-DD"
    if kind == "select_one" and codes and value not in codes:
        return f"'{value}' is not a choice of this question"
    if kind == "select_multiple" and codes:
        unknown = [code for code in value.split() if code not in codes]
        if unknown:
            listed = ", ".join(unknown)
            return f"'{value}' has codes that are not choices of this question: {listed}"
    return None


def _walk(items: list[dict]):
    for item in items:
        if item.get("type") == "repeat" and "questions" in item:
            yield item, True
            yield from _walk(item["questions"])
        else:
            yield item, False


def not_run(text: str, err: ExpressionError) -> Translatable:
    """Why the interview cannot run an expression: every function it calls that the engine
    does not have (read from the text, so found even when the syntax fails too), or else the
    parser's message."""
    names = [name for name in functions_used(text) if name not in SUPPORTED]
    if names:
        return Translatable(NOT_RUN, functions=", ".join(f"{name}()" for name in names))
    return Translatable(NOT_READ, problem=str(err.message))


def check_logic(definition: dict, sheet: Sheet) -> tuple[list, list, list]:
    """(errors naming their cells, warnings naming their cells, the cells of expressions the
    interview cannot run, each naming why)."""
    rows = rows_by_path(sheet)
    errors: list = []
    warnings: list = []
    unparsed: list = []
    seen: set[tuple[str, str]] = set()

    def check(path: str, column: str, text: str | None) -> None:
        if not text or (path, column) in seen:
            return
        seen.add((path, column))
        if column == "default" and not is_dynamic(text):
            return
        try:
            parse(text)
        except ExpressionError as err:
            if isinstance(err.message, Translatable):  # over a limit: refused
                errors.append(sheet.error(rows.get(path, 0), column, err.message))
            else:
                unparsed.append(sheet.error(rows.get(path, 0), column, not_run(text, err)))

    for page in definition["groups"]:
        check(page["path"], "relevant", page.get("relevant") if page["path"] in rows else None)
        check(page["path"], "repeat_count", (page.get("repeat") or {}).get("count"))
        for item, is_roster in _walk(page["questions"]):
            if is_roster:
                check(item["path"], "relevant", item.get("relevant"))
                check(item["path"], "repeat_count", (item.get("repeat") or {}).get("count"))
                continue
            if item.get("kind") != ASKED:
                continue
            for column in _COLUMNS:
                value = item.get("required_if") if column == "required" else item.get(column)
                check(item["path"], column, value)
            problem = _default_problem(item, definition["choice_lists"])
            if problem:
                warnings.append(sheet.error(rows.get(item["path"], 0), "default", problem))
                item["default"] = None  # not an answer the question can have
    return errors, warnings, unparsed
