"""The objective indicators' two files, values and rules (scoring.index.objective describes
them), read into what scoring.index.objective scores. Pure.

Errors name the file, the row as the spreadsheet shows it (header = row 1) and the column,
and are collected, not stopped at the first; each is a common.translatable text, shown in the
reader's language.
"""

from pathlib import PurePath

import pandas as pd

from common import tables
from common.tables import Limits
from common.translatable import Translatable, gettext_noop
from scoring.index.objective import (
    RULE_COLUMNS,
    VALUE_COLUMNS,
    IndicatorSpec,
    ObjectiveError,
    as_number,
    parse_rule,
)

MAX_ERRORS = 50
LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=100_000)  # the service passes the site's


def read_table(
    data: bytes, filename: str, *, limits: Limits = LIMITS, first_column_name: str = ""
) -> pd.DataFrame:
    """A CSV (UTF-8 or GB18030, as Chinese Excel saves) or XLSX file as stripped strings,
    blank rows dropped (the index keeps each row's position: its spreadsheet row is index + 2).
    Raises ObjectiveError for a file of another type, common.tables.TableError naming the
    file, row and column for a file that cannot be read."""
    if PurePath(filename).suffix.lower() not in (".csv", ".xlsx"):
        raise ObjectiveError([_at(filename, problem=gettext_noop("upload a .csv or .xlsx file"))])
    table = tables.read_table(
        data, name=filename, limits=limits, first_column_name=first_column_name
    ).frame
    table = table.apply(lambda column: column.str.strip())
    return table[table.ne("").any(axis=1)]


def read_values(
    data: bytes,
    filename: str,
    *,
    known_localities: set[str] | None = None,
    limits: Limits = LIMITS,
) -> pd.DataFrame:
    """The values table (long or wide, see the module docstring) →
    DataFrame[locality_code, indicator, value]. Raises ObjectiveError listing every problem
    with file, row and column; unknown locality codes are refused when `known_localities`
    is given; TableError (common.tables) for a file that cannot be read."""
    table = read_table(data, filename, limits=limits)
    errors: list[str] = []
    if "locality_code" not in table.columns:
        raise ObjectiveError([_no_column(filename, "locality_code")])
    long_form = {"indicator", "value"} <= set(table.columns)
    rows: list[tuple[str, str, float]] = []
    seen: dict[tuple[str, str], int] = {}
    indicator_columns = [
        c for c in table.columns if c not in ("locality_code", "locality_name", "name")
    ]
    if not long_form and not indicator_columns:
        raise ObjectiveError(
            [
                _at(
                    filename,
                    problem=gettext_noop(
                        "no indicator columns (or the columns indicator and value)"
                    ),
                )
            ]
        )

    for index, record in zip(table.index, table.to_dict("records"), strict=True):
        row = index + 2  # the header is row 1
        code = record["locality_code"]
        if not code:
            errors.append(_at(filename, row, "locality_code", problem=EMPTY))
            continue
        if known_localities is not None and code not in known_localities:
            errors.append(
                _at(
                    filename,
                    row,
                    "locality_code",
                    problem=gettext_noop("%(code)s is not a locality of this survey's area"),
                    code=code,
                )
            )
            continue
        if long_form:
            cells = [(record["indicator"], record["value"], "value")]
            if not record["indicator"]:
                errors.append(_at(filename, row, "indicator", problem=EMPTY))
                continue
        else:
            cells = [(c, record[c], c) for c in indicator_columns if record[c] != ""]
        for indicator, raw, column in cells:
            try:
                value = as_number(raw)
            except ValueError:
                errors.append(_at(filename, row, column, problem=NOT_A_NUMBER, value=raw))
                continue
            key = (code, indicator)
            if key in seen:
                errors.append(
                    _at(
                        filename,
                        row,
                        problem=gettext_noop(
                            "locality %(code)s, indicator %(indicator)s is already given in "
                            "row %(first)s"
                        ),
                        code=code,
                        indicator=indicator,
                        first=seen[key],
                    )
                )
                continue
            seen[key] = row
            rows.append((code, indicator, value))
    if errors:
        raise ObjectiveError(_capped(errors))
    if not rows:
        raise ObjectiveError([_at(filename, problem=gettext_noop("no values"))])
    return pd.DataFrame(rows, columns=VALUE_COLUMNS).astype({"value": "float64"})


def read_rules(data: bytes, filename: str, *, limits: Limits = LIMITS) -> dict[str, IndicatorSpec]:
    """The rules table → {indicator code: IndicatorSpec}, in file order. Raises
    ObjectiveError listing every problem with file, row and column; TableError
    (common.tables) for a file that cannot be read."""
    table = read_table(data, filename, limits=limits)
    if "indicator" not in table.columns:
        raise ObjectiveError([_no_column(filename, "indicator")])
    errors: list[str] = []
    specs: dict[str, IndicatorSpec] = {}
    for index, record in zip(table.index, table.to_dict("records"), strict=True):
        row = index + 2
        code = record["indicator"]
        if not code:
            errors.append(_at(filename, row, "indicator", problem=EMPTY))
            continue
        if code in specs:
            errors.append(
                _at(
                    filename,
                    row,
                    "indicator",
                    problem=gettext_noop("%(code)s is given twice"),
                    code=code,
                )
            )
            continue
        weight_text = record.get("weight", "")
        try:
            weight = 1.0 if weight_text == "" else as_number(weight_text)
            if weight < 0:
                raise ValueError
        except ValueError:
            errors.append(
                _at(
                    filename,
                    row,
                    "weight",
                    problem=gettext_noop("“%(value)s” is not a weight ≥ 0"),
                    value=weight_text,
                )
            )
            continue
        try:
            rule = parse_rule({k: record.get(k) for k in RULE_COLUMNS}, indicator=code)
        except ObjectiveError as err:
            errors.extend(_at(filename, row, problem=message) for message in err.errors)
            continue
        specs[code] = IndicatorSpec(
            code=code,
            name=record.get("name") or code,
            unit=record.get("unit") or "",
            weight=weight,
            rule=rule,
        )
    if errors:
        raise ObjectiveError(_capped(errors))
    if not specs:
        raise ObjectiveError([_at(filename, problem=gettext_noop("no rules"))])
    return specs


def _capped(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS:
        return errors
    more = Translatable(gettext_noop("… %(n)s more not listed."), n=len(errors) - MAX_ERRORS)
    return [*errors[:MAX_ERRORS], more]


EMPTY = gettext_noop("empty")
NOT_A_NUMBER = gettext_noop("“%(value)s” is not a number")


def _at(
    filename: str, row: int | None = None, column: str | None = None, *, problem: str, **params
) -> Translatable:
    """ "file, row R, column C: problem" (the parts given), translatable where shown;
    `problem` is a msgid filled from `params`, or a Translatable already."""
    if row is None:
        where = filename
    elif column is None:
        where = Translatable(gettext_noop("%(file)s, row %(row)s"), file=filename, row=row)
    else:
        where = Translatable(
            gettext_noop("%(file)s, row %(row)s, column %(column)s"),
            file=filename,
            row=row,
            column=column,
        )
    what = problem if isinstance(problem, Translatable) else Translatable(problem, **params)
    return Translatable(gettext_noop("%(where)s: %(problem)s"), where=where, problem=what)


def _no_column(filename: str, column: str) -> Translatable:
    return _at(filename, problem=gettext_noop("no column %(name)s"), name=column)
