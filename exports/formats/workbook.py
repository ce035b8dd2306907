"""The export as one XLSX workbook: a sheet per level (interviews, then each repeat), the
codebook and the value labels. Pure: no Django. Written by exports.formats.xlsx (streamed,
vectorised by column)."""

from pathlib import Path

import pandas as pd

from exports.codebook import Level, Variable
from exports.formats.labelled import label_in
from exports.formats.xlsx import write_xlsx

__all__ = ["write_workbook"]


def _codebook_rows(levels: list[Level], own: list[Variable], languages: list[str]):
    for level in levels:
        variables = (own if level.path is None else []) + level.variables
        for variable in variables:
            labels = [label_in(variable.label, language, "") for language in languages]
            yield [level.file, variable.name, *labels, variable.kind, variable.path or ""]


def _value_rows(levels: list[Level], own: list[Variable], languages: list[str]):
    for level in levels:
        for variable in (own if level.path is None else []) + level.variables:
            for entry in variable.values:
                labels = [label_in(entry["label"], language, "") for language in languages]
                yield [level.file, variable.name, entry["code"], entry["value"], *labels]


def write_workbook(
    path: Path,
    frames: dict[str, pd.DataFrame],
    levels: list[Level],
    own: list[Variable],
    *,
    languages: list[str],
    titles: dict,
) -> None:
    """Write the workbook at `path`. `titles` names the extra sheets and codebook columns in
    the reader's language: {"codebook", "values", "file", "name", "kind", "path", "code",
    "value", "label"}."""
    label_heads = [f"{titles['label']} ({language})" for language in languages]
    codebook = pd.DataFrame(
        list(_codebook_rows(levels, own, languages)),
        columns=[titles["file"], titles["name"], *label_heads, titles["kind"], titles["path"]],
        dtype=object,
    )
    values = pd.DataFrame(
        list(_value_rows(levels, own, languages)),
        columns=[titles["file"], titles["name"], titles["code"], titles["value"], *label_heads],
    )
    sheets = [(level.file, frames[level.file]) for level in levels]
    sheets += [(titles["codebook"], codebook), (titles["values"], values)]
    write_xlsx(path, sheets)
