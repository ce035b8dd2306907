"""Checks of our own columns on the raw sheets, where sheet, row and column are known.
Pure: no Django.

pyxform checks the XLSForm itself (types, names, nesting, references); these check only what
pyxform passes through untouched: dimension, indicator, score_map, satisfied, qc_check(_message),
backcheck, locality_level, consent and repeat_max on the survey sheet, score and positive on
the choices sheet. Every problem is reported, each naming its cell.
"""

import math
import re

from common.translatable import Translatable, gettext_noop
from questionnaires.xlsform.scores import parse_score_map
from questionnaires.xlsform.tree import DIMENSIONS_LIST, is_true
from questionnaires.xpath import ExpressionError, bare_names, references

__all__ = ["AT_CELL", "LOCALITY_FILE", "LOCALITY_LEVELS", "Sheet", "check_columns"]

LOCALITY_LEVELS = ("district", "street", "community")
LOCALITY_FILE = "localities.csv"
REPEAT_MAX_LIMIT = 200
# Where a problem is; presenters.import_errors reads the parts back.
AT_CELL = gettext_noop("%(sheet)s sheet, row %(row)d, column %(column)s: %(problem)s")
_FALSE = {"no", "false", "false()", "0"}
NOT_A_CHOICE = gettext_noop("'%(value)s' is not a choice of this question")


def _(message: str, **params) -> Translatable:  # makemessages reads _("...")
    """A problem in the reader's language (its msgid is marked where it is written)."""
    return Translatable(message, **params)


_SELECT = re.compile(
    r"^(select[_ ]one|select[_ ]multiple|select all that apply)(?:[_ ]external)?"
    r"(?: from)?\s+(\S+)"
)
_ALIASES = {
    "type": ("type",),
    "name": ("name",),
    "repeat_max": ("repeat_max",),
    "relevant": ("relevant", "relevance", "bind::relevant"),
    "constraint": ("constraint", "bind::constraint"),
    "calculation": ("calculation", "calculate", "bind::calculate"),
    "default": ("default",),
    "choice_filter": ("choice_filter",),
    "repeat_count": ("repeat_count", "count", "jr:count"),
    "qc_check": ("qc_check",),
    "backcheck": ("backcheck",),
    "score_map": ("score_map",),
    "satisfied": ("satisfied",),
    "dimension": ("dimension",),
    "indicator": ("indicator",),
    "locality_level": ("locality_level",),
    "consent": ("consent",),
    "list_name": ("list_name",),
    "score": ("score",),
    "positive": ("positive",),
}


def _normal(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


class Sheet:
    """Rows of one sheet with the raw header of each column we read."""

    def __init__(self, name: str, rows, header) -> None:
        self.name = name
        self.rows = list(rows or [])
        self.raw_headers = [str(raw) for raw in (header[0] if header else [])]
        self.columns: dict[str, str] = {}
        for canonical, spellings in _ALIASES.items():
            for raw in self.raw_headers:
                if _normal(raw) in spellings:
                    self.columns[canonical] = raw
                    break
        if "name" not in self.columns:
            for raw in self.raw_headers:
                if _normal(raw) == "value":
                    self.columns["name"] = raw

    def numbered(self):
        """(sheet row number, row) for non-empty rows; row 1 is the header."""
        for index, row in enumerate(self.rows):
            if row:
                yield index + 2, row

    def get(self, row: dict, column: str) -> str:
        raw = self.columns.get(column)
        value = row.get(raw) if raw else None
        return str(value).strip() if value is not None else ""

    def error(self, row_number: int, column: str, message) -> Translatable | str:
        label = self.columns.get(column, column)
        if isinstance(message, Translatable):
            return Translatable(
                AT_CELL, sheet=self.name, row=row_number, column=label, problem=message
            )
        return f"{self.name} sheet, row {row_number}, column {label}: {message}"


def _choice_lists(sheet: Sheet, errors: list) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for n, row in sheet.numbered():
        list_name, name = sheet.get(row, "list_name"), sheet.get(row, "name")
        if not list_name or not name:
            continue  # pyxform's to report
        score = sheet.get(row, "score")
        if score:
            try:
                value = float(score)
            except ValueError:
                value = math.nan
            if not 0 <= value <= 100:  # also false for NaN
                errors.append(
                    sheet.error(
                        n,
                        "score",
                        _(
                            "'%(value)s' is not a number from 0 to 100 (blank: don't know)",
                            value=score,
                        ),
                    )
                )
        positive = sheet.get(row, "positive")
        if positive and positive not in ("0", "1"):
            errors.append(
                sheet.error(
                    n,
                    "positive",
                    _("'%(value)s' must be 1 (counts as positive), 0, or blank", value=positive),
                )
            )
        lists.setdefault(list_name, []).append({"name": name, "score": score})
    return lists


class _Survey:
    def __init__(self, survey: Sheet, lists: dict[str, list[dict]], errors: list) -> None:
        self.sheet = survey
        self.lists = lists
        self.errors = errors
        self.dimensions = {choice["name"] for choice in lists.get(DIMENSIONS_LIST, [])}
        self.names = {survey.get(row, "name") for _, row in survey.numbered()} - {""}
        self.locality_rows: dict[str, int] = {}
        self.consent_row: int | None = None
        self.repeats = 0

    def add(self, n: int, column: str, message) -> None:
        self.errors.append(self.sheet.error(n, column, message))

    def run(self) -> None:
        for n, row in self.sheet.numbered():
            type_text = " ".join(self.sheet.get(row, "type").split()).lower()
            if type_text.replace("_", " ") in ("begin repeat", "end repeat"):
                self.repeats += 1 if type_text.startswith("begin") else -1
            if type_text.replace("_", " ").startswith("begin "):
                self.page_row(n, row, type_text)
                continue
            if not type_text or type_text.replace("_", " ").startswith("end "):
                continue
            match = _SELECT.match(type_text)
            select = match.group(1).replace("_", " ") if match else None
            codes = [c["name"] for c in self.lists.get(match.group(2), [])] if match else []
            self.scoring(n, row, select, codes)
            self.locality(n, row, type_text)
            self.consent(n, row, type_text, select, codes)
            self.qc(n, row, type_text)

    def page_row(self, n: int, row: dict, type_text: str) -> None:
        for column in ("qc_check", "score_map", "satisfied", "backcheck", "consent"):
            if self.sheet.get(row, column):
                self.add(
                    n,
                    column,
                    _("%(column)s is for questions, not for a group or repeat row", column=column),
                )
        most = self.sheet.get(row, "repeat_max")
        if most and "repeat" in type_text:
            try:
                number = int(float(most))
                exact = float(most) == number
            except ValueError:
                number, exact = 0, False
            if not exact or not 1 <= number <= REPEAT_MAX_LIMIT:
                self.add(
                    n,
                    "repeat_max",
                    _(
                        "'%(value)s' must be a whole number from 1 to %(most)s",
                        value=most,
                        most=REPEAT_MAX_LIMIT,
                    ),
                )
        elif most:
            self.add(n, "repeat_max", _("repeat_max is only for begin repeat rows"))

    def scoring(self, n: int, row: dict, select: str | None, codes: list[str]) -> None:
        get = self.sheet.get
        score_map, satisfied = get(row, "score_map"), get(row, "satisfied")
        scored = False
        if score_map:
            if select != "select one":
                self.add(n, "score_map", _("score_map is only for select_one questions"))
            else:
                try:
                    scores = parse_score_map(score_map)
                except ValueError as err:
                    self.add(n, "score_map", str(err))
                    scores = {}
                    scored = True  # reported already
                for code in scores:
                    if code not in codes:
                        self.add(n, "score_map", _(NOT_A_CHOICE, value=code))
                missing = [code for code in codes if code not in scores and scores]
                if missing:
                    self.add(
                        n,
                        "score_map",
                        _(
                            "no score for %(codes)s (write code= for don't know)",
                            codes=", ".join(repr(c) for c in missing),
                        ),
                    )
                scored = scored or any(value is not None for value in scores.values())
        elif select == "select one":
            list_name = _SELECT.match(" ".join(get(row, "type").split()).lower())
            scored = any(
                choice["score"]
                for choice in self.lists.get(list_name.group(2) if list_name else "", [])
            )
        if satisfied:
            if select != "select one":
                self.add(n, "satisfied", _("satisfied is only for select_one questions"))
            else:
                given = satisfied.split()
                for code in given:
                    if code not in codes:
                        self.add(n, "satisfied", _(NOT_A_CHOICE, value=code))
                if len(set(given)) != len(given):
                    self.add(n, "satisfied", _("a code is given twice"))
        self.dimension(n, row, scored)

    def dimension(self, n: int, row: dict, scored: bool) -> None:
        dimension, indicator = self.sheet.get(row, "dimension"), self.sheet.get(row, "indicator")
        if dimension:
            if not self.dimensions:
                self.add(
                    n,
                    "dimension",
                    _(
                        "unknown dimension '%(value)s': the choices sheet has no '%(list)s' list",
                        value=dimension,
                        list=DIMENSIONS_LIST,
                    ),
                )
            elif dimension not in self.dimensions:
                self.add(
                    n,
                    "dimension",
                    _(
                        "unknown dimension '%(value)s' (not on the '%(list)s' list: %(known)s)",
                        value=dimension,
                        list=DIMENSIONS_LIST,
                        known=", ".join(sorted(self.dimensions)),
                    ),
                )
            if not scored:
                self.add(
                    n,
                    "dimension",
                    _(
                        "only select_one questions whose choice list has scores can feed a "
                        "dimension"
                    ),
                )
        if indicator and not dimension:
            self.add(n, "indicator", _("indicator '%(value)s' needs a dimension", value=indicator))

    def locality(self, n: int, row: dict, type_text: str) -> None:
        level = self.sheet.get(row, "locality_level")
        if not level:
            return
        if self.repeats > 0:
            self.add(n, "locality_level", _("locality questions cannot be inside a repeat"))
        elif level not in LOCALITY_LEVELS:
            self.add(
                n,
                "locality_level",
                _("'%(value)s' is not district, street or community", value=level),
            )
        elif type_text != "text" and not type_text.startswith("select_one_from_file"):
            self.add(
                n,
                "locality_level",
                _("locality questions must be select_one_from_file (e.g. localities.csv) or text"),
            )
        elif level in self.locality_rows:
            self.add(
                n,
                "locality_level",
                _(
                    "a second %(level)s question (first at row %(row)s)",
                    level=level,
                    row=self.locality_rows[level],
                ),
            )
        else:
            index = LOCALITY_LEVELS.index(level)
            parent = LOCALITY_LEVELS[index - 1] if index else None
            if parent and parent not in self.locality_rows:
                self.add(
                    n,
                    "locality_level",
                    _(
                        "a %(level)s question needs a %(parent)s question before it",
                        level=level,
                        parent=parent,
                    ),
                )
            self.locality_rows[level] = n

    def consent(self, n: int, row: dict, type_text: str, select, codes: list[str]) -> None:
        value = self.sheet.get(row, "consent")
        if not value or value.lower() in _FALSE:
            return
        if self.consent_row is not None:
            self.add(
                n,
                "consent",
                _("a second consent question (first at row %(row)s)", row=self.consent_row),
            )
            return
        self.consent_row = n
        if type_text == "acknowledge":
            return
        if select != "select one":
            self.add(n, "consent", _("the consent question must be select_one or acknowledge"))
        elif value not in codes and not is_true(value):
            self.add(n, "consent", _(NOT_A_CHOICE, value=value))
        elif value not in codes and not any(
            code.lower() in ("yes", "y", "1", "true", "agree", "consent") for code in codes
        ):
            self.add(n, "consent", _("write the code of the choice that gives consent (e.g. 1)"))

    def qc(self, n: int, row: dict, type_text: str) -> None:
        backcheck = self.sheet.get(row, "backcheck").lower()
        if backcheck and not is_true(backcheck) and backcheck not in _FALSE:
            self.add(
                n,
                "backcheck",
                _("'%(value)s' must be yes or no", value=self.sheet.get(row, "backcheck")),
            )
        if is_true(backcheck) and type_text in ("note", "calculate"):
            self.add(
                n,
                "backcheck",
                _("a %(type)s is not asked, so it cannot be back-checked", type=type_text),
            )
        check = self.sheet.get(row, "qc_check")
        if not check:
            return
        try:
            unknown = references(check) - self.names
            bare = bare_names(check)
        except ExpressionError as err:
            self.add(n, "qc_check", err.message)
            return
        for name in sorted(unknown):
            self.add(n, "qc_check", _("refers to ${%(name)s}, which is not a question", name=name))
        for name in sorted(bare):
            self.add(
                n,
                "qc_check",
                _(
                    "unknown name '%(name)s' (write ${%(name)s} for a question, or quote "
                    "text: '%(name)s')",
                    name=name,
                ),
            )


def check_columns(survey: Sheet, choices: Sheet) -> list:
    """Every problem in our own columns, each naming sheet, row and column."""
    errors: list = []
    lists = _choice_lists(choices, errors)
    _Survey(survey, lists, errors).run()
    return errors
