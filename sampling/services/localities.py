"""Loading the locality tree (city → district → street → community) from rows or a file.

Every problem (unknown values, unknown parents, cycles, duplicate codes, levels out of order,
bad counts or coordinates) is reported at once; nothing is written on error.
"""

import math
import numbers
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.tables import TableError, read_table
from common.tables.texts import describe_all, limits
from sampling.errors import SamplingInputError
from sampling.models import LEVEL_ORDER, AreaType, Level, Locality


@transaction.atomic
def import_localities(
    *,
    rows: list[dict],
    first_row: int = 1,
    errors: Sequence[str] = (),
    population_groups: Sequence[str] | None = None,
) -> int:
    """Create or update localities; returns how many rows were written.

    rows: dicts with code, name, parent_code ("" or None for a city), level (city, district,
    street, community, or their Chinese names 市/区县/街道/社区 …), area_type ("" , an AreaType
    value or 中心城区/城乡结合部/农村) and population ({"M|16-29": 1200, …}). Parents may be
    earlier rows, later rows or localities already stored. Row numbers in errors count the list
    from `first_row` (2 for a spreadsheet under its header) unless a row carries its own "row".
    `errors`: problems the caller already found (e.g. unreadable cells), reported with these.
    An existing code is updated in place but may not change level. Optional latitude and
    longitude (WGS-84 degrees, both or neither; blank: unknown): rows without these keys keep
    the coordinates already stored; so do rows without area_type or population keep theirs.
    `population_groups`: the groups a file has columns for; an existing locality's other
    groups are kept (None: a row's population replaces the stored one).
    """
    parsed, found = _parse_locality_rows(rows, first_row)
    errors = list(errors) + found
    codes = {row["code"] for row in parsed}
    parent_codes = {row["parent_code"] for row in parsed if row["parent_code"]}
    stored = Locality.objects.in_bulk(codes | parent_codes, field_name="code")
    errors += _locality_tree_errors(parsed, stored)
    if errors:
        raise SamplingInputError(errors)

    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    by_code = dict(stored)
    now = timezone.now()
    for level in LEVEL_ORDER:  # parents before children
        level_rows = [row for row in parsed if rank[row["level"]] == rank[level]]
        new, changed = [], []
        for row in level_rows:
            locality = by_code.get(row["code"]) or Locality(code=row["code"])
            locality.name = row["name"]
            locality.level = row["level"]
            if "area_type" in row:  # like coordinates, kept as stored when not given
                locality.area_type = row["area_type"]
            if "population" in row:
                locality.population = _population_update(
                    locality.population or {}, row["population"], population_groups
                )
            if "latitude" in row:  # coordinates given (blank: unknown); else kept as stored
                locality.latitude, locality.longitude = row["latitude"], row["longitude"]
            locality.parent = by_code[row["parent_code"]] if row["parent_code"] else None
            locality.updated_at = now
            (changed if locality.pk else new).append(locality)
        Locality.objects.bulk_create(new)
        Locality.objects.bulk_update(
            changed,
            [
                "name",
                "level",
                "area_type",
                "population",
                "parent",
                "latitude",
                "longitude",
                "updated_at",
            ],
            batch_size=500,
        )
        by_code.update({locality.code: locality for locality in new})
    return len(parsed)


def _population_update(stored: dict, given: dict, groups: Sequence[str] | None) -> dict[str, int]:
    """The population after an import: `given` replaces the groups a file has columns for
    (a blank cell: no figure), every other stored group is kept."""
    if groups is None:
        return given
    return {**{k: v for k, v in stored.items() if k not in groups}, **given}


# Chinese names people type in a locality file, for the stored values.
LEVEL_ALIASES = {
    "市": "city",
    "区县": "district",
    "区": "district",
    "县": "district",
    "街道": "street",
    "乡镇": "street",
    "街道/乡镇": "street",
    "社区": "community",
    "村": "community",
    "社区/村": "community",
}
AREA_TYPE_ALIASES = {"中心城区": "central", "城乡结合部": "peri_urban", "农村": "rural"}


def _parse_locality_rows(rows: list[dict], start: int = 1) -> tuple[list[dict], list[str]]:
    levels = [level.value for level in LEVEL_ORDER]
    area_types = {"", *AreaType.values}
    parsed, errors, first_row = [], [], {}
    for number, row in enumerate(rows, start=start):
        number = row.get("row", number)  # a file's own row number, if the caller knows it
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        level = str(row.get("level") or "").strip()
        level = LEVEL_ALIASES.get(level, level)
        area_type = str(row.get("area_type") or "").strip()
        area_type = AREA_TYPE_ALIASES.get(area_type, area_type)
        population = row.get("population") or {}
        # A row without these keys leaves the stored values as they are.
        given = {key: None for key in ("area_type", "population") if key in row}
        where = _("Row %(row)s (%(code)s)") % {"row": number, "code": code or "?"}
        if not code:
            errors.append(_("Row %(row)s: the code is empty.") % {"row": number})
        elif len(code) > 32:
            errors.append(_("%(where)s: the code is longer than 32 characters.") % {"where": where})
        elif code in first_row:
            errors.append(
                _("%(where)s: the code is already used on row %(first)s.")
                % {"where": where, "first": first_row[code]}
            )
        else:
            first_row[code] = number
        if not name or len(name) > 100:
            errors.append(
                _("%(where)s: the name must have 1 to 100 characters.") % {"where": where}
            )
        if level not in levels:
            errors.append(
                _("%(where)s: level %(level)r is not one of %(levels)s.")
                % {"where": where, "level": level, "levels": ", ".join(levels)}
            )
        if area_type not in area_types:
            errors.append(
                _("%(where)s: area type %(area)r is not one of %(areas)s.")
                % {"where": where, "area": area_type, "areas": ", ".join(AreaType.values)}
            )
        if not _is_population(population):
            errors.append(
                _("%(where)s: population must map group names to counts of 0 or more.")
                % {"where": where}
            )
        coordinates = _coordinates(row, where, errors)
        values = {
            "area_type": area_type,
            # numpy integers (from generated data) are not JSON: store plain ints.
            "population": {k: int(v) for k, v in population.items()}
            if _is_population(population)
            else {},
        }
        parsed.append(
            {
                **coordinates,
                "row": number,
                "code": code,
                "name": name,
                "parent_code": str(row.get("parent_code") or "").strip(),
                "level": level,
                **{key: values[key] for key in given},
            }
        )
    return parsed, errors


def _coordinates(row: dict, where: str, errors: list[str]) -> dict:
    """{"latitude", "longitude"} (floats, or None for blank) when the row has them, else {}."""
    if "latitude" not in row and "longitude" not in row:
        return {}
    values, bad = {}, False
    for name, limit in (("latitude", 90), ("longitude", 180)):
        cell = row.get(name)
        text = "" if cell is None else str(cell).strip()
        if text.lower() in ("", "nan"):
            values[name] = None
            continue
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not -limit <= value <= limit:
            errors.append(
                _("%(where)s: %(name)s %(value)r is not a number from -%(limit)d to %(limit)d.")
                % {"where": where, "name": name, "value": text, "limit": limit}
            )
            value, bad = None, True
        values[name] = value
    if not bad and (values["latitude"] is None) != (values["longitude"] is None):
        errors.append(
            _("%(where)s: give both latitude and longitude, or neither.") % {"where": where}
        )
    return values


def _is_population(population: object) -> bool:
    return isinstance(population, dict) and all(
        isinstance(key, str)
        and isinstance(count, numbers.Integral)
        and not isinstance(count, bool)
        and count >= 0
        for key, count in population.items()
    )


def _locality_tree_errors(parsed: list[dict], stored: dict[str, Locality]) -> list[str]:
    rank = {level.value: i for i, level in enumerate(LEVEL_ORDER)}
    label = dict(Level.choices)  # levels are named in messages by their translated labels
    in_rows = {}
    for row in parsed:
        in_rows.setdefault(row["code"], row)
    errors = []
    for row in parsed:
        where = _("Row %(row)s (%(code)s)") % {"row": row["row"], "code": row["code"] or "?"}
        existing = stored.get(row["code"])
        if existing is not None and row["level"] in rank and existing.level != row["level"]:
            errors.append(
                _("%(where)s: this locality is stored as %(old)s and cannot become %(new)s.")
                % {"where": where, "old": label[existing.level], "new": label[row["level"]]}
            )
        parent_code = row["parent_code"]
        if not parent_code:
            if row["level"] in rank and row["level"] != Level.CITY:
                errors.append(_("%(where)s: only a city may have no parent.") % {"where": where})
            continue
        if parent_code == row["code"]:
            errors.append(_("%(where)s: a locality cannot be its own parent.") % {"where": where})
            continue
        parent = in_rows.get(parent_code)
        stored_parent = stored.get(parent_code)
        parent_level = parent["level"] if parent else getattr(stored_parent, "level", None)
        if parent_level is None:
            errors.append(
                _("%(where)s: unknown parent code %(parent)s.")
                % {"where": where, "parent": parent_code}
            )
        elif row["level"] in rank and parent_level in rank:
            if rank[parent_level] != rank[row["level"]] - 1:
                expected = LEVEL_ORDER[rank[row["level"]] - 1] if rank[row["level"]] else None
                errors.append(
                    _("%(where)s: a %(level)s's parent must be a %(expected)s, not a %(actual)s.")
                    % {
                        "where": where,
                        "level": label[row["level"]],
                        "expected": expected.label if expected else _("nothing"),
                        "actual": label[parent_level],
                    }
                )
    errors += _cycle_errors(in_rows)
    return errors


def _cycle_errors(in_rows: dict[str, dict]) -> list[str]:
    """One error per cycle of parent codes among the rows (A → B → A)."""
    errors, settled = [], set()
    for start in in_rows:
        path, code = [], start
        while code in in_rows and code not in settled and code not in path:
            path.append(code)
            code = in_rows[code]["parent_code"]
        if code in path and code != in_rows[code]["parent_code"]:  # self-parents reported above
            cycle = path[path.index(code) :] + [code]
            errors.append(
                _("Rows %(rows)s: parent codes form a cycle (%(cycle)s).")
                % {
                    "rows": ", ".join(str(in_rows[c]["row"]) for c in cycle[:-1]),
                    "cycle": " → ".join(cycle),
                }
            )
        settled.update(path)
    return errors


LOCALITY_COLUMNS = ("code", "name", "parent_code", "level", "area_type")
COORDINATE_COLUMNS = ("latitude", "longitude")  # optional, WGS-84 degrees
POPULATION_COLUMN = re.compile(r"^[MF]\|\d+(?:-\d+|\+)$")  # M|16-29, F|60+


def import_locality_file(
    *, file: IO[bytes] | str | Path, source_name: str, sheet: str | None = None
) -> int:
    """Import a locality tree from a CSV or XLSX file; returns how many rows were written.

    `sheet`: the workbook's sheet to read (default: its first).
    Columns: code, name, parent_code, level, optionally area_type, and one column per sex ×
    age group named like ``M|16-29`` or ``F|60+`` holding resident counts (blank: no figure);
    optionally latitude and longitude (WGS-84 degrees, for checking door-to-door visits). An
    existing locality changes only in the columns the file has: a file without area_type or
    population columns keeps what is stored. Every problem (unreadable rows or cells, unknown
    column values, unknown parents, cycles, duplicate codes, levels out of order, bad counts)
    is reported at once, by spreadsheet row; nothing is written on error.
    """
    try:
        table = read_table(file, name=source_name, limits=limits("localities"), sheet=sheet).frame
    except TableError as error:
        raise SamplingInputError(describe_all(error)) from error
    missing = [c for c in ("code", "name", "parent_code", "level") if c not in table.columns]
    if missing:
        raise SamplingInputError(
            [
                _("%(file)s: missing columns %(columns)s (it has: %(available)s).")
                % {
                    "file": source_name,
                    "columns": ", ".join(missing),
                    "available": ", ".join(table.columns),
                }
            ]
        )
    population_columns = [c for c in table.columns if POPULATION_COLUMN.match(c)]
    unknown = [
        c
        for c in table.columns
        if c not in LOCALITY_COLUMNS and c not in COORDINATE_COLUMNS and c not in population_columns
    ]
    errors = []
    if unknown:
        errors.append(
            _(
                "%(file)s: columns %(columns)s are neither locality fields nor population "
                "groups like M|16-29."
            )
            % {"file": source_name, "columns": ", ".join(unknown)}
        )
    rows = _file_rows(table, population_columns, errors)
    if not rows:
        raise SamplingInputError([*errors, _("The file has no data rows.")])
    # Row numbers stay those of the file even when blank lines are skipped.
    groups = population_columns if population_columns else None
    return import_localities(rows=rows, errors=errors, population_groups=groups)


def _file_rows(table, population_columns: list[str], errors: list[str]) -> list[dict]:
    """The file's non-blank rows as rows for import_localities, numbered as in the file;
    a row has area_type and population only when the file has such columns."""
    given = [c for c in LOCALITY_COLUMNS if c in table.columns]
    rows = []
    for number, record in enumerate(table.to_dict("records"), start=2):
        if all(value.strip() == "" for value in record.values()):
            continue  # a blank line
        population = {}
        for column in population_columns:
            cell = record[column].strip()
            if cell == "":
                continue
            try:
                count = int(float(cell)) if float(cell).is_integer() else None
            except ValueError:
                count = None
            if count is None or count < 0:
                errors.append(
                    _("Row %(row)s, column %(column)s: %(value)r is not a count of 0 or more.")
                    % {"row": number, "column": column, "value": cell}
                )
            else:
                population[column] = count
        rows.append(
            {
                "row": number,
                **{c: record[c].strip() for c in given},
                **{c: record[c] for c in COORDINATE_COLUMNS if c in record},
                **({"population": population} if population_columns else {}),
            }
        )
    return rows
