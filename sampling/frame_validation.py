"""Validation of a sampling-frame file, vectorised over a pandas DataFrame.

Pure: pandas and numpy only. The caller reads the file (every column as str) and passes the
column mapping and the known localities; this module finds every problem at once and returns
the normalised frame. Row numbers are those a user sees in a spreadsheet: the header is row 1,
the first data row is row 2. Phone numbers in error reports are masked because error reports
are downloaded and passed around.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.logs import masked
from common.tables import TableProblem
from sampling.phones import as_text, looks_like_mobile, mask_phones, normalise_mobiles

ROLES = ("unit_id", "phone", "locality_code", "address")
REQUIRED_ROLES = ("unit_id", "phone", "locality_code")
OUTPUT_COLUMNS = ["unit_id", "phone", "locality_code", "street_code", "district_code", "address"]
# Units must be placed in a street (街道/乡镇) or community (社区/村): strata are streets.
ACCEPTED_LEVELS = ("street", "community")

# Every kind of FrameError, with the names of its params. validate_frame produces
# VALIDATION_KINDS; frame import (sampling.services.frames) produces READ_KINDS.
VALIDATION_KINDS: dict[str, tuple[str, ...]] = {
    "unmapped_role": ("role",),  # a role from REQUIRED_ROLES
    "no_column": ("available",),  # the file's column names, list of str
    "empty_unit_id": (),
    "unit_id_too_long": ("max_length",),
    "duplicate_unit_id": ("count", "first_row"),  # rows sharing the id; the first of them
    "empty_phone": (),
    "bad_phone": (),
    "empty_locality": (),
    "unknown_locality": (),
    "coarse_locality": ("level",),  # "city" or "district"
    "address_too_long": ("max_length",),
}
READ_KINDS: dict[str, tuple[str, ...]] = {
    "table": ("kind", "params"),  # a problem common.tables found: its kind and params
    "no_rows": (),
}
# Made by earlier versions' readers; kept so that their stored import jobs still read.
LEGACY_KINDS: dict[str, tuple[str, ...]] = {"file_type": (), "unreadable": ("detail",)}
KINDS = frozenset(VALIDATION_KINDS) | frozenset(READ_KINDS) | frozenset(LEGACY_KINDS)


@dataclass(frozen=True)
class FrameError:
    """One problem. `row` is None for a problem with the whole file (e.g. a missing column).

    `kind` (one of KINDS) and `params` (plain values, keys as in VALIDATION_KINDS/READ_KINDS)
    are what a user interface turns into a message in the reader's language; `problem` is the
    same in English, for logs and tests."""

    row: int | None
    column: str
    value: str
    problem: str
    kind: str
    params: dict = field(default_factory=dict, hash=False)


def table_frame_error(problem: TableProblem) -> FrameError:
    """A problem the table reader found, as a FrameError: the column is the header's name
    there (else its letter), the value is never repeated (it may be 20 MB or binary), and a
    phone number quoted in the problem (a formula's text, a long cell's start) is masked."""
    params = {k: masked(v) if isinstance(v, str) else v for k, v in problem.params.items()}
    return FrameError(
        row=problem.row,
        column=problem.column_name or problem.column_letter,
        value="",
        problem=masked(str(problem)),
        kind="table",
        params={"kind": problem.kind, "params": params},
    )


@dataclass(frozen=True)
class FrameValidation:
    """`frame`: the normalised frame, one row per non-blank file row, columns OUTPUT_COLUMNS then
    the file's other columns (renamed ``source_<name>`` if they clash), all str; empty when
    the file itself is unusable. `errors`: every problem, ordered by row."""

    frame: pd.DataFrame
    errors: list[FrameError]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_frame(
    df: pd.DataFrame,
    *,
    known_localities: dict[str, dict],
    mapping: dict[str, str],
    max_unit_id_length: int = 64,
    max_address_length: int = 300,
) -> FrameValidation:
    """Check a frame file and normalise it.

    df: the file as read, one row per data row in file order (any index), values str.
    known_localities: locality code → {"level": "city"|"district"|"street"|"community",
        "street_code": str | None, "district_code": str | None}.
    mapping: role → the file's column name, roles from ROLES; "address" is optional.

    Blank rows (every cell empty) are skipped; their row numbers are not reused.
    """
    unknown_roles = set(mapping) - set(ROLES)
    if unknown_roles:
        raise ValueError(f"Unknown column roles: {sorted(unknown_roles)}; expected {ROLES}.")
    mapping = {role: column for role, column in mapping.items() if column}

    file_errors = _file_errors(df, mapping)
    if file_errors:
        return FrameValidation(frame=pd.DataFrame(columns=OUTPUT_COLUMNS), errors=file_errors)

    rows, cells = _non_blank_cells(df)
    unit_id = cells[mapping["unit_id"]]
    phone_raw = cells[mapping["phone"]]
    locality = cells[mapping["locality_code"]]
    address = cells[mapping["address"]] if "address" in mapping else pd.Series("", index=rows.index)
    phone = normalise_mobiles(phone_raw)
    level, street_code, district_code = _look_up(locality, known_localities)

    # The checks run in this order, which is the order of a row's problems in the report.
    problems = _Problems(rows, mapping)
    _check_unit_ids(problems, unit_id, max_unit_id_length)
    _check_phones(problems, phone_raw, phone)
    _check_localities(problems, locality, level)
    if "address" in mapping:
        problems.report(
            address.str.len() > max_address_length,
            "address",
            address,
            "address_too_long",
            f"address is longer than {max_address_length} characters",
            max_length=max_address_length,
        )

    standard = {
        "unit_id": unit_id,
        "phone": phone.fillna(phone_raw),
        "locality_code": locality,
        "street_code": street_code.fillna(""),
        "district_code": district_code.fillna(""),
        "address": address,
    }
    return FrameValidation(
        frame=_normalised_frame(standard, cells, mapping),
        errors=_error_list(problems.found, mapping),
    )


def _non_blank_cells(df: pd.DataFrame) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The spreadsheet row number of each non-blank row (by df's index) and each column's
    stripped text on those rows."""
    rows = pd.Series(np.arange(len(df)) + 2, index=df.index)
    cells = {column: as_text(df[column]).str.strip() for column in df.columns}
    blank = pd.Series(
        np.logical_and.reduce([(cells[c] == "").to_numpy() for c in df.columns]), index=df.index
    )
    if blank.any():
        rows = rows[~blank]
        cells = {column: values[~blank] for column, values in cells.items()}
    return rows, cells


def _normalised_frame(
    standard: dict[str, pd.Series], cells: dict[str, pd.Series], mapping: dict[str, str]
) -> pd.DataFrame:
    """OUTPUT_COLUMNS (`standard`), then the file's unmapped columns (`cells`), renamed
    ``source_<name>`` where they clash with an output column; a fresh 0… index."""
    frame = pd.DataFrame(standard)
    mapped_columns = set(mapping.values())
    for column, values in cells.items():
        if column not in mapped_columns:
            name = f"source_{column}" if column in OUTPUT_COLUMNS else column
            frame[name] = values
    return frame.reset_index(drop=True)


@dataclass
class _Problems:
    """The problems found so far, one table per check. `rows`: spreadsheet row number by the
    index of the checked Series; `mapping`: role → column, to name the column."""

    rows: pd.Series
    mapping: dict[str, str]
    found: list[pd.DataFrame] = field(default_factory=list)

    def report(
        self, mask: pd.Series, role: str, values: pd.Series, kind: str, problem, **params
    ) -> None:
        """`problem` and each of `params` is one value for every row, or a Series by row."""
        if not mask.any():
            return
        # to_dict turns numpy scalars into plain Python values.
        params_by_row = pd.DataFrame(
            {
                name: value[mask] if isinstance(value, pd.Series) else value
                for name, value in params.items()
            },
            index=self.rows.index[mask],
        ).to_dict("records")
        self.found.append(
            pd.DataFrame(
                {
                    "row": self.rows[mask],
                    "column": self.mapping[role],
                    "value": values[mask],
                    "problem": problem[mask] if isinstance(problem, pd.Series) else problem,
                    "kind": kind,
                    "params": params_by_row,
                }
            )
        )


def _check_unit_ids(problems: _Problems, unit_id: pd.Series, max_length: int) -> None:
    problems.report(unit_id == "", "unit_id", unit_id, "empty_unit_id", "unit id is empty")
    problems.report(
        unit_id.str.len() > max_length,
        "unit_id",
        unit_id,
        "unit_id_too_long",
        f"unit id is longer than {max_length} characters",
        max_length=max_length,
    )
    duplicated = unit_id.duplicated(keep=False) & (unit_id != "")
    if not duplicated.any():
        return
    rows = problems.rows
    groups = rows[duplicated].groupby(unit_id[duplicated])
    count = groups.transform("size").reindex(rows.index, fill_value=0)
    first_row = groups.transform("min").reindex(rows.index, fill_value=0)
    problem = (
        "unit id appears on "
        + count.astype(str)
        + " rows (first on row "
        + first_row.astype(str)
        + ")"
    )
    problems.report(
        duplicated,
        "unit_id",
        unit_id,
        "duplicate_unit_id",
        problem,
        count=count,
        first_row=first_row,
    )


def _check_phones(problems: _Problems, phone_raw: pd.Series, phone: pd.Series) -> None:
    """`phone`: the normalised numbers, NaN where `phone_raw` is not a mainland mobile."""
    problems.report(phone_raw == "", "phone", phone_raw, "empty_phone", "phone number is empty")
    problems.report(
        phone.isna() & (phone_raw != ""),
        "phone",
        phone_raw,
        "bad_phone",
        "not a mainland mobile number (11 digits starting 13–19)",
    )


def _check_localities(problems: _Problems, locality: pd.Series, level: pd.Series) -> None:
    """`level`: each code's level in the locality tree, NaN if unknown."""
    problems.report(
        locality == "", "locality_code", locality, "empty_locality", "locality code is empty"
    )
    problems.report(
        level.isna() & (locality != ""),
        "locality_code",
        locality,
        "unknown_locality",
        "unknown locality code",
    )
    problems.report(
        level.notna() & ~level.isin(ACCEPTED_LEVELS),
        "locality_code",
        locality,
        "coarse_locality",
        "locality code is at " + level.fillna("") + " level; use a street or community code",
        level=level,
    )


def _file_errors(df: pd.DataFrame, mapping: dict[str, str]) -> list[FrameError]:
    errors = [
        FrameError(
            None, role, "", f"no column chosen for {role}", "unmapped_role", params={"role": role}
        )
        for role in REQUIRED_ROLES
        if role not in mapping
    ]
    available = [str(c) for c in df.columns]
    problem = f"column not found in the file (it has: {', '.join(available) or 'no columns'})"
    errors += [
        FrameError(None, column, "", problem, "no_column", params={"available": available})
        for column in dict.fromkeys(mapping.values())
        if column not in df.columns
    ]
    return errors


def _look_up(codes: pd.Series, known_localities: dict[str, dict]) -> list[pd.Series]:
    """Level, street code and district code of each code (NaN if unknown): a city's frame has
    a few thousand distinct codes over a million rows, so look each distinct code up once."""
    positions, distinct = pd.factorize(codes)
    table = pd.DataFrame.from_dict(
        known_localities, orient="index", columns=["level", "street_code", "district_code"]
    ).reindex(distinct)
    return [
        table[column].astype(str).where(table[column].notna()).take(positions).set_axis(codes.index)
        for column in ("level", "street_code", "district_code")
    ]


def _error_list(found: list[pd.DataFrame], mapping: dict[str, str]) -> list[FrameError]:
    if not found:
        return []
    table = pd.concat(found, ignore_index=True).sort_values("row", kind="stable")
    # Mask the phone column always, and anything elsewhere that is a phone number in disguise
    # (frames of numbers often use the number as the unit id).
    values = table["value"].astype(str)
    secret = (table["column"] == mapping["phone"]) | looks_like_mobile(values)
    table["value"] = values.where(~secret, mask_phones(values))
    return [
        FrameError(int(row), str(column), str(value), str(problem), str(kind), params)
        for row, column, value, problem, kind, params in table[
            ["row", "column", "value", "problem", "kind", "params"]
        ].itertuples(index=False, name=None)
    ]
