"""Questionnaire definition → XLSForm workbook (.xlsx bytes), through openpyxl. Pure: no Django.

The inverse of questionnaires.xlsform.parse_xlsform: for any definition the parser produces,
`parse_xlsform(export_workbook(definition), name).definition == definition`. The workbook is a
plain XLSForm (survey, choices and settings sheets) that ODK and Kobo tools read as well, with our
own columns (dimension, indicator, locality_level, score_map, satisfied, qc_check, backcheck,
consent, repeat_max) and the choices columns score and positive. It follows the definition's
tree: nested groups and repeats are written nested, questions outside any group outside any
group, `or_other` as pyxform's spelling (its text box is pyxform's to make again).

Language columns carry the name the form gave each language (`label::中文 (zh)`, `label::French`);
the form's untagged default language ("default") is written untagged again.
"""

from io import BytesIO

__all__ = ["export_workbook", "language_column"]

_LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
_LOCALITY_FILE = "localities.csv"
_REPEAT_MAX = 20


def language_column(code: str) -> str:
    """The XLSForm language suffix for a language code: 'zh' → '中文 (zh)'."""
    return f"{_LANGUAGE_NAMES.get(code, code)} ({code})"


def _suffixes(definition: dict) -> dict[str, str]:
    names = definition.get("language_names") or {}
    return {
        code: names.get(code) or (code if code == "default" else language_column(code))
        for code in definition["languages"]
    }


def export_workbook(definition: dict) -> bytes:
    """Write a definition (questionnaires.xlsform's shape) as an XLSForm workbook."""
    languages = list(definition["languages"])
    suffixes = _suffixes(definition)

    def translated(column: str) -> list[str]:
        return [_column(column, suffixes[code]) for code in languages]

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
        "consent",
        "parameters",
        "read_only",
        "trigger",
    ]
    survey_rows = _survey_rows(definition, suffixes)
    survey_columns += [key for key in _keys(survey_rows) if key not in survey_columns]
    extra_columns: list[str] = []
    for options in definition["choice_lists"].values():
        for option in options:
            for key in option.get("extra", {}):
                if key not in extra_columns:
                    extra_columns.append(key)
    choices_columns = ["list_name", "name", *translated("label"), "score", "positive"]
    choices_columns += extra_columns
    choice_rows = _choice_rows(definition, suffixes)
    choices_columns += [key for key in _keys(choice_rows) if key not in choices_columns]

    from openpyxl import Workbook  # imported on use: web workers need not hold openpyxl

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write(survey, survey_columns, survey_rows)
    external = set(definition.get("external_lists") or [])
    _write(workbook.create_sheet("choices"), choices_columns,
           [row for row in choice_rows if row["list_name"] not in external])  # fmt: skip
    if external:  # select_one_external's lists: pyxform writes them to itemsets.csv
        _write(workbook.create_sheet("external_choices"), choices_columns,
               [row for row in choice_rows if row["list_name"] in external])  # fmt: skip
    settings = {
        "form_title": definition["title"].get(languages[0], ""),
        "form_id": definition["form_id"],
    }
    if suffixes[languages[0]] != "default":
        settings["default_language"] = suffixes[languages[0]]
    _write(workbook.create_sheet("settings"), list(settings), [settings])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write(sheet, columns: list[str], rows: list[dict]) -> None:
    from openpyxl.styles import Font

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


def _column(column: str, suffix: str) -> str:
    return column if suffix == "default" else f"{column}::{suffix}"


def _keys(rows: list[dict]) -> list[str]:
    keys: list[str] = []
    for row in rows:
        keys += [key for key in row if key not in keys]
    return keys


def _texts(column: str, texts: dict | None, suffixes: dict[str, str]) -> dict:
    return {_column(column, suffixes[code]): text for code, text in (texts or {}).items()}


def _media(media: dict | None, suffixes: dict[str, str]) -> dict:
    """pyxform's media ({"image": "a.png"} or {"image": {language: file}}) as columns."""
    row = {}
    for kind, value in (media or {}).items():
        if isinstance(value, dict):
            for name, file in value.items():
                code = next((c for c, s in suffixes.items() if s == name), None)
                row[
                    f"media::{kind}" if code is None else _column(f"media::{kind}", suffixes[code])
                ] = file
        else:
            row[kind] = value
    return row


def _questions(definition: dict) -> dict[str, dict]:
    """Every question by path: those on pages (and in nested rosters) and the metadata."""
    found: dict[str, dict] = {}

    def collect(items: list[dict]) -> None:
        for item in items:
            if item.get("type") == "repeat" and "questions" in item:
                collect(item["questions"])
            else:
                found[item["path"]] = item

    for page in definition["groups"]:
        collect(page["questions"])
    for question in definition.get("metadata", []):
        found[question["path"]] = question
    return found


def _survey_rows(definition: dict, suffixes: dict[str, str]) -> list[dict]:
    questions = _questions(definition)
    rows: list[dict] = []
    locality_names: dict[str, str] = {}

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            if "question" in node:
                question = questions[node["question"]]
                if not question.get("other_of"):
                    rows.append(_question_row(question, suffixes, locality_names))
                continue
            repeat = node.get("repeat")
            begin = {
                "type": "begin repeat" if repeat else "begin group",
                "name": node["name"],
                "relevant": node.get("relevant"),
                "appearance": node.get("appearance"),
                **_texts("label", node.get("label"), suffixes),
            }
            if repeat:
                begin["repeat_count"] = repeat.get("count")
                if repeat.get("max", _REPEAT_MAX) != _REPEAT_MAX:
                    begin["repeat_max"] = repeat["max"]
            rows.append(begin)
            walk(node["children"])
            rows.append({"type": "end repeat" if repeat else "end group"})

    walk(definition["tree"])
    return rows


def _question_row(question: dict, suffixes: dict[str, str], locality_names: dict) -> dict:
    kind = question["type"]
    parameters = question.get("parameters") or {}
    row = {
        "name": question["name"],
        "required": "yes" if question.get("required") else question.get("required_if"),
        "consent": question.get("consent"),
        "parameters": " ".join(f"{key}={value}" for key, value in parameters.items()) or None,
        "read_only": "yes" if question.get("read_only") else None,
        "trigger": question.get("trigger"),
        **_media(question.get("media"), suffixes),
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
    if kind in ("select_one", "select_multiple", "select_one_external"):
        row["type"] = f"{kind} {question['list']}" + (" or_other" if question.get("or_other")
                                                      else "")  # fmt: skip
    elif kind.endswith("_from_file"):
        row["type"] = f"{kind} {question['file']}"
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
        row["type"] = question.get("xlsform_type") or kind
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
                    **_media(option.get("media"), suffixes),
                    **option.get("extra", {}),
                }
            )
    for name, label in definition.get("dimensions", {}).items():
        rows.append({"list_name": "dimensions", "name": name, **_texts("label", label, suffixes)})
    return rows
