"""A roster page (a repeat) and the rosters nested in its rows, at any depth: their rows,
fields, checks, answers and layout. Used by the page form (fieldwork.interview.forms).

Fields are named by row. A question of the page's roster in row i is `<name>__<i>`; a
question of a roster nested in row i, in its row j, is `<nested>.<name>__<i>_<j>` (the nested
rosters' names from the page down, then the row numbers from the page down). A roster's
number of rows is posted in `roster_rows` (the page's) or `roster_rows.<nested>__<i>`; a
roster sized by a `repeat_count` expression ignores what is posted.

Every row is evaluated in its own scope, as ODK evaluates a repeat instance: the answers by
name, overlaid with the values of the rows it sits in and its own values so far (so `../x`
and `${x}` read the row's x), with `position(..)` its row number (flow.at_row).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from common.labels import localized
from fieldwork.interview import flow
from fieldwork.interview.fields import json_value
from questionnaires.xpath import Interview

__all__ = [
    "ROWS_NAME",
    "ROW_SEPARATOR",
    "Roster",
    "RosterBuilder",
    "answers_of",
    "cell_name",
    "each_roster",
    "resize_request",
    "rows_field",
    "stored_data",
    "table_of",
]

ROWS_NAME = "roster_rows"
PAGE_ROWS = 1000  # rows of all a page's rosters together, whatever a crafted POST asks
ROW_SEPARATOR = "__"
_EMPTY = (None, "", [])


def is_nested(item: dict) -> bool:
    return item.get("type") == "repeat" and "questions" in item


def _numbers(index: tuple[int, ...]) -> str:
    return "_".join(str(number) for number in index)


def cell_name(trail: str, question_name: str, index: tuple[int, ...]) -> str:
    """The field of a question in the row at `index` (0-based row numbers from the page down);
    `trail` is the nested rosters' names, each followed by a dot ("" on the page's roster)."""
    return f"{trail}{question_name}{ROW_SEPARATOR}{_numbers(index)}"


def rows_field(trail: str, outer: tuple[int, ...]) -> str:
    """The field that carries a roster's number of rows (`outer`: the rows it sits in)."""
    if not trail:
        return ROWS_NAME
    return f"{ROWS_NAME}.{trail[:-1]}{ROW_SEPARATOR}{_numbers(outer)}"


@dataclass
class Row:
    index: tuple[int, ...]
    cells: list[tuple[dict, str | None]]  # (question, field name; None when off the path)
    nested: list["Roster | None"]  # one per nested repeat, None when off the path
    interview: Interview


@dataclass
class Roster:
    repeat: dict  # the page, or a nested repeat of its rows
    trail: str
    outer: tuple[int, ...]
    count: int
    maximum: int
    fixed: bool
    error: str
    columns: list[dict]
    nested_items: list[dict]
    rows: list[Row] = field(default_factory=list)

    @property
    def rows_name(self) -> str:
        return rows_field(self.trail, self.outer)


def each_roster(roster: Roster):
    """The roster and every roster nested in its rows, depth first."""
    yield roster
    for row in roster.rows:
        for inner in row.nested:
            if inner is not None:
                yield from each_roster(inner)


class RosterBuilder:
    """Builds a roster's rows and adds their fields to the page form.

    `counts` are row counts asked for by name (a roster resized, a page shown again);
    otherwise a bound form's posted counts, else the saved rows (at least one on the page's
    roster, one in a nested roster never answered: ODK opens a repeat with one instance).
    """

    def __init__(self, form, counts: dict[str, int]) -> None:
        self.form = form
        self.counts = counts
        self.built = 0  # rows built so far on the page, at every level

    def roster(self, repeat: dict, *, trail: str, outer: tuple[int, ...], saved,
               context: dict, interview: Interview) -> Roster:  # fmt: skip
        spec = repeat.get("repeat") or {}
        maximum = int(spec.get("max") or 20)
        fixed = bool(spec.get("count"))
        rows_name = rows_field(trail, outer)
        saved_rows = [r for r in saved if isinstance(r, dict)] if isinstance(saved, list) else None
        if fixed:
            count = flow.row_count(spec["count"], context, maximum=maximum,
                                   today=self.form.today, interview=interview)  # fmt: skip
        else:
            count = self._count(rows_name, saved_rows, top=not trail)
        error = ""
        if count > maximum:
            error = _("At most %(max)d rows.") % {"max": maximum}
            count = maximum
        if count > PAGE_ROWS - self.built:  # rosters within rosters multiply: one cap per page
            error = _("At most %(max)d rows on one page.") % {"max": PAGE_ROWS}
            count = max(PAGE_ROWS - self.built, 0)
        self.built += max(count, 0)
        roster = Roster(
            repeat=repeat, trail=trail, outer=outer, count=max(count, 0), maximum=maximum,
            fixed=fixed, error=error, columns=[q for q in repeat["questions"] if flow.is_asked(q)],
            nested_items=[item for item in repeat["questions"] if is_nested(item)],
        )  # fmt: skip
        saved_rows = saved_rows or []
        for number in range(roster.count):
            row_saved = saved_rows[number] if number < len(saved_rows) else {}
            roster.rows.append(
                self.row(repeat, trail, (*outer, number), row_saved, context, interview)
            )
        return roster

    def _count(self, rows_name: str, saved_rows: list | None, *, top: bool) -> int:
        if rows_name in self.counts:
            return self.counts[rows_name]
        form = self.form
        if form.is_bound:
            try:
                return int(form.data.get(form.add_prefix(rows_name)))
            except (TypeError, ValueError):
                pass
        if top:
            return max(len(saved_rows or []), 1)
        return len(saved_rows) if saved_rows is not None else 1

    def row(self, repeat: dict, trail: str, index: tuple[int, ...], row_saved: dict,
            outer_context: dict, interview: Interview) -> Row:  # fmt: skip
        form = self.form
        interview = flow.at_row(interview, index[-1] + 1)
        # What the row stored besides its asked questions (its calculates) is seen as saved.
        values = {
            q["name"]: row_saved[q["name"]]
            for q in repeat["questions"]
            if q.get("type") == "calculate" and q["name"] in row_saved
        }
        row = Row(index=index, cells=[], nested=[], interview=interview)
        outer_context = {**outer_context, **_blank(repeat)}
        for item in repeat["questions"]:
            context = {**outer_context, **values}
            shown = flow.is_shown(item, context, today=form.today, interview=interview)
            if is_nested(item):
                inner = None
                if shown:
                    inner = self.roster(item, trail=f"{trail}{item['name']}.", outer=index,
                                        saved=row_saved.get(item["name"]), context=context,
                                        interview=interview)  # fmt: skip
                    values[item["name"]] = [self._typed(inner, r) for r in inner.rows]
                row.nested.append(inner)
                continue
            if not flow.is_asked(item):
                continue
            if not shown:
                row.cells.append((item, None))
                continue
            name = cell_name(trail, item["name"], index)
            if not form.is_bound and name not in form.initial:
                if item["name"] in row_saved:
                    form.initial[name] = row_saved[item["name"]]
                else:
                    default = form.default_for(item, context, interview)
                    if default is not None:
                        form.initial[name] = default
            raw = form.raw_value(name, item)
            if raw not in _EMPTY:
                values[item["name"]] = raw  # its own choice filter may read it (ODK)
            form.fields[name] = form.field_for(item, {**context, **values})
            row.cells.append((item, name))
        return row

    def _typed(self, roster: Roster, row: Row) -> dict:
        """A nested row's values as typed, by name (what the outer row's later questions
        see of it: count(), sum() and the like)."""
        typed: dict = {}
        for question, name in row.cells:
            if name is not None:
                raw = self.form.raw_value(name, question)
                if raw not in _EMPTY:
                    typed[question["name"]] = raw
        for item, inner in zip(roster.nested_items, row.nested, strict=True):
            if inner is not None:
                typed[item["name"]] = [self._typed(inner, r) for r in inner.rows]
        return typed


def answers_of(form, roster: Roster, cleaned: dict, context: dict, *, check: bool) -> list[dict]:
    """The roster's rows as answers by name (a nested roster's rows under its name), each cell
    kept only while on the row's path given the row's cleaned values; with `check`, each cell
    is checked against its required and constraint (errors go on the form)."""
    rows = []
    context = {**context, **_blank(roster.repeat)}
    for row in roster.rows:
        kept: dict = {}
        cells = iter(row.cells)
        nested = iter(row.nested)
        for item in roster.repeat["questions"]:
            scope = {**context, **kept}
            if is_nested(item):
                inner = next(nested)
                if inner is not None and _shown(form, item, scope, row.interview):
                    kept[item["name"]] = answers_of(form, inner, cleaned, scope, check=check)
                continue
            if not flow.is_asked(item):
                continue
            question, name = next(cells)
            if name is None:
                continue
            value = json_value(cleaned.get(name))
            if check:
                form.check(question, name, value, scope, interview=row.interview)
            if value is not None and _shown(form, question, scope, row.interview):
                kept[question["name"]] = value
        rows.append(kept)
    return rows


def _blank(repeat: dict) -> dict:
    """A row's names, unanswered: inside a row a name reads that row's value, and one the row
    has not answered reads empty, never the other rows' values."""
    return dict.fromkeys(item["name"] for item in repeat["questions"])


def _shown(form, item: dict, scope: dict, interview: Interview) -> bool:
    return flow.is_shown(item, scope, today=form.today, interview=interview)


def table_of(form, roster: Roster, language: str, crumbs: tuple[str, ...] = ()) -> dict:
    """The roster laid out for templates/fieldwork/_roster.html: one table row per row, each
    nested roster a table of its own under its row, captioned with where it sits."""
    label = localized(roster.repeat.get("label"), language) or ""
    rows = []
    for row in roster.rows:
        here = (*crumbs, f"{label} {row.index[-1] + 1}".strip()) if crumbs or label else ()
        rows.append(
            {
                "number": row.index[-1] + 1,
                "cells": [form[name] if name else None for _, name in row.cells],
                "nested": [table_of(form, inner, language, here) for inner in row.nested if inner],
            }
        )
    top = not roster.trail
    return {
        "caption": " › ".join([*crumbs, label]) if not top else "",
        "headers": [localized(q["label"], language) for q in roster.columns],
        "rows": rows,
        "rows_name": form.add_prefix(roster.rows_name),
        "count": roster.count,
        "fixed": roster.fixed,
        "can_add": not roster.fixed and roster.count < roster.maximum,
        "can_remove": not roster.fixed and roster.count > 0,
        "add": _resize_value(roster, roster.count + 1),
        "remove": _resize_value(roster, roster.count - 1),
        "max": roster.maximum,
        "error": roster.error,
        "nested": bool(roster.nested_items),
    }


def _resize_value(roster: Roster, count: int) -> str:
    return str(count) if not roster.trail else f"{roster.rows_name}={count}"


def resize_request(value) -> dict[str, int] | None:
    """{rows field: count} from a roster's add/remove button: a bare number is the page's
    roster, `<rows field>=<number>` a nested one. None for anything else."""
    name, equals, number = str(value or "").rpartition("=")
    if not equals:
        name = ROWS_NAME
    if not name.startswith(ROWS_NAME):
        return None
    try:
        return {name: max(int(number), 0)}
    except ValueError:
        return None


def stored_data(repeat: dict, rows, *, trail: str = "", outer: tuple[int, ...] = ()) -> dict:
    """Saved rows (by name) as the roster's fields would post them: {field: [text, ...]}."""
    rows = [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    data = {rows_field(trail, outer): [str(len(rows))]}
    for number, row in enumerate(rows):
        index = (*outer, number)
        for item in repeat["questions"]:
            if item["name"] not in row:
                continue
            value = row[item["name"]]
            if is_nested(item):
                data.update(stored_data(item, value, trail=f"{trail}{item['name']}.", outer=index))
                continue
            values = value if isinstance(value, list) else [value]
            data[cell_name(trail, item["name"], index)] = [str(v) for v in values]
    return data
