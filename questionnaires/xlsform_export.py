"""Questionnaire definition → XLSForm workbook (.xlsx bytes), through openpyxl. Pure: no Django.

The inverse of questionnaires.xlsform.parse_xlsform: for any definition the parser produces,
`parse_xlsform(export_workbook(definition), name).definition == definition`. The workbook is a
plain XLSForm (survey, choices and settings sheets) that ODK and Kobo tools read as well, with our
own columns (dimension, indicator, locality_level, score_map, satisfied, qc_check, backcheck,
repeat_max) and the choices columns score and positive.

Language columns are written `label::中文 (zh)`: the parser keys languages by the code in
parentheses, so any name works; known codes get their usual name. Pages the parser made for
questions outside any group are written as explicit groups (same name, no label).
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

__all__ = ["export_workbook", "language_column"]

_LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
_LOCALITY_FILE = "localities.csv"
_REPEAT_MAX = 20


def language_column(code: str) -> str:
    """The XLSForm language suffix for a language code: 'zh' → '中文 (zh)'."""
    return f"{_LANGUAGE_NAMES.get(code, code)} ({code})"


def export_workbook(definition: dict) -> bytes:
    """Write a definition (questionnaires.xlsform's shape) as an XLSForm workbook."""
    languages = list(definition["languages"])
    suffixes = {code: language_column(code) for code in languages}

    def translated(column: str) -> list[str]:
        return [f"{column}::{suffixes[code]}" for code in languages]

    survey_columns = [
        "type",
        "name",
        *translated("label"),
        *translated("hint"),
        "required",
        *translated("required_message"),
        "relevant",
        "constraint",
        *translated("constraint_message"),
        "calculation",
        "default",
        "choice_filter",
        "appearance",
        "repeat_count",
        "repeat_max",
        "dimension",
        "indicator",
        "locality_level",
        "score_map",
        "satisfied",
        "qc_check",
        *translated("qc_check_message"),
        "backcheck",
    ]
    extra_columns: list[str] = []
    for options in definition["choice_lists"].values():
        for option in options:
            for key in option.get("extra", {}):
                if key not in extra_columns:
                    extra_columns.append(key)
    choices_columns = ["list_name", "name", *translated("label"), "score", "positive"]
    choices_columns += extra_columns

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write(survey, survey_columns, _survey_rows(definition, suffixes))
    _write(workbook.create_sheet("choices"), choices_columns, _choice_rows(definition, suffixes))
    settings = {
        "form_title": definition["title"].get(languages[0], ""),
        "form_id": definition["form_id"],
        "default_language": suffixes[languages[0]],
    }
    _write(workbook.create_sheet("settings"), list(settings), [settings])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write(sheet, columns: list[str], rows: list[dict]) -> None:
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in columns])


def _cell(value):
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _texts(column: str, texts: dict | None, suffixes: dict[str, str]) -> dict:
    return {f"{column}::{suffixes[code]}": text for code, text in (texts or {}).items()}


def _survey_rows(definition: dict, suffixes: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    locality_names: dict[str, str] = {}
    for group in definition["groups"]:
        repeat = group.get("repeat")
        begin = {
            "type": "begin repeat" if repeat else "begin group",
            "name": group["name"],
            "relevant": group.get("relevant"),
            "appearance": group.get("appearance"),
            **_texts("label", group.get("label"), suffixes),
        }
        if repeat:
            begin["repeat_count"] = repeat.get("count")
            if repeat.get("max", _REPEAT_MAX) != _REPEAT_MAX:
                begin["repeat_max"] = repeat["max"]
        rows.append(begin)
        for question in group["questions"]:
            rows.append(_question_row(question, suffixes, locality_names))
        rows.append({"type": "end repeat" if repeat else "end group"})
    return rows


def _question_row(question: dict, suffixes: dict[str, str], locality_names: dict) -> dict:
    kind = question["type"]
    row = {
        "name": question["name"],
        "required": "yes" if question.get("required") else None,
        "relevant": question.get("relevant"),
        "constraint": question.get("constraint"),
        "calculation": question.get("calculation"),
        "default": question.get("default"),
        "choice_filter": question.get("choice_filter"),
        "appearance": question.get("appearance"),
        "dimension": question.get("dimension"),
        "indicator": question.get("indicator"),
        "qc_check": question.get("qc_check"),
        "backcheck": "yes" if question.get("backcheck") else None,
        **_texts("label", question.get("label"), suffixes),
        **_texts("hint", question.get("hint"), suffixes),
        **_texts("required_message", question.get("required_message"), suffixes),
        **_texts("constraint_message", question.get("constraint_message"), suffixes),
        **_texts("qc_check_message", question.get("qc_check_message"), suffixes),
    }
    if kind in ("select_one", "select_multiple"):
        row["type"] = f"{kind} {question['list']}"
    elif kind == "locality":
        level = question["locality_level"]
        row["type"] = f"select_one_from_file {_LOCALITY_FILE}"
        row["locality_level"] = level
        # The definition leaves the cascade implicit; ODK tools need it written out.
        parent = {"street": "district", "community": "street"}.get(level)
        if parent in locality_names:
            row["choice_filter"] = f"parent = ${{{locality_names[parent]}}}"
        locality_names[level] = question["name"]
    else:
        row["type"] = kind
    if question.get("score_map"):
        row["score_map"] = " ".join(
            f"{code}={_number(score)}" for code, score in question["score_map"].items()
        )
    if question.get("positive_values"):
        row["satisfied"] = " ".join(question["positive_values"])
    return row


def _number(score: float | None) -> str:
    if score is None:
        return ""
    return str(int(score)) if float(score).is_integer() else repr(float(score))


def _choice_rows(definition: dict, suffixes: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    for list_name, options in definition["choice_lists"].items():
        for option in options:
            positive = option.get("positive")
            rows.append(
                {
                    "list_name": list_name,
                    "name": option["value"],
                    "score": option.get("score"),
                    "positive": None if positive is None else (1 if positive else 0),
                    **_texts("label", option.get("label"), suffixes),
                    **option.get("extra", {}),
                }
            )
    for name, label in definition.get("dimensions", {}).items():
        rows.append({"list_name": "dimensions", "name": name, **_texts("label", label, suffixes)})
    return rows
